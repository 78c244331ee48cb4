"""Settings: defaults, every key's validation, .env parsing, and the token kept out of text."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings, read_dotenv
from bot.hearing.plan import DEFAULT_PLAN_PATH
from tests.harness import SECRET

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
ROOT = Path(__file__).resolve().parents[1]


def b64_token(size: int) -> str:
    """Make a secret as `openssl rand -base64 32` does."""
    return base64.b64encode(secrets.token_bytes(size)).decode()


def test_defaults_need_nothing() -> None:
    settings = Settings.from_env({})
    assert settings.telegram_bot_token is None
    assert settings.telegram_api_url == "https://api.telegram.org/bot"
    assert settings.database_path == Path("data/hearing.db")
    assert settings.plan_path == DEFAULT_PLAN_PATH
    assert settings.timezone == "Asia/Karachi"
    assert settings.drafter_ids == frozenset()
    assert settings.suggestion_max_chars == 1000


def test_every_key_is_read() -> None:
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": "http://127.0.0.1:8081/bot/",
            "DATABASE_PATH": "/tmp/x.db",
            "PLAN_PATH": "/tmp/plan.md",
            "DRAFTER_IDS": "1, 2",
            "MODERATOR_IDS": "3;4",
            "TIMEZONE": "Europe/London",
            "PSEUDONYM_SECRET": SECRET,
            "MAX_CONCURRENT_UPDATES": "8",
            "SUGGESTION_MAX_CHARS": "500",
            "LOG_LEVEL": "debug",
        }
    )
    assert settings.require_token() == TOKEN
    assert settings.telegram_api_url == "http://127.0.0.1:8081/bot"
    assert settings.drafter_ids == {1, 2} and settings.moderator_ids == {3, 4}
    assert settings.max_concurrent_updates == 8 and settings.suggestion_max_chars == 500
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("TELEGRAM_BOT_TOKEN", "123:has space"),
        ("TELEGRAM_API_URL", "ftp://example.org/bot"),
        ("TELEGRAM_API_URL", "api.telegram.org"),
        ("DRAFTER_IDS", "12,abc"),
        ("MODERATOR_IDS", "1.5"),
        ("TIMEZONE", "Mars/Olympus"),
        ("TIMEZONE", "../../etc/passwd"),  # outside-ok: bad input
        ("PSEUDONYM_SECRET", "short"),
        ("MAX_CONCURRENT_UPDATES", "0"),
        ("MAX_CONCURRENT_UPDATES", "many"),
        ("SUGGESTION_MAX_CHARS", "99999"),
        ("MODERATION_MODE", "sometimes"),
        ("REPORT_HIDE_THRESHOLD", "0"),
        ("SUGGESTIONS_PER_HOUR", "-3"),
        ("MODERATION_CLAIM_MINUTES", "0"),
        ("MODERATOR_CHAT_ID", "12345"),
        ("MODERATOR_CHAT_ID", "-12a"),
        ("LOG_LEVEL", "LOUD"),
        ("RATE_LIMIT_PER_MINUTE", "0"),
        ("RATE_LIMIT_BURST", "lots"),
        ("CHAT_BACKLOG", "-1"),
        ("DATABASE_URL", "mysql://hearing:pw-secret@db/hearing"),
        ("DATABASE_URL", "postgresql://hearing:pw-secret@db:54x/hearing"),
        ("DATABASE_URL", "postgresql://hearing:pw-secret@db"),
    ],
)
def test_malformed_value_names_the_key_not_the_value(key: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({key: value})
    assert str(caught.value).startswith(key)
    if len(value) > 3:
        assert value not in str(caught.value)


@pytest.mark.parametrize("method", ["require_token", "require_secret"])
def test_missing_required_key_is_named(method: str) -> None:
    with pytest.raises(ConfigError, match=r"TELEGRAM_BOT_TOKEN|PSEUDONYM_SECRET"):
        getattr(Settings.from_env({}), method)()


def test_token_and_secret_never_appear_in_repr() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "PSEUDONYM_SECRET": SECRET})
    assert TOKEN not in repr(settings) and SECRET not in repr(settings)
    url = "postgresql://hearing:pw-secret@db.example.org/hearing"
    settings = Settings.from_env(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "PSEUDONYM_SECRET": SECRET, "DATABASE_URL": url}
    )
    assert "pw-secret" not in repr(settings) and settings.database_url == url
    assert (
        settings.database_where
        == "PostgreSQL database 'hearing' on db.example.org:5432 (DATABASE_URL)"
    )


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# comment\nexport DRAFTER_IDS=5\nTIMEZONE='Asia/Dubai'\nLOG_LEVEL=WARNING # inline\n"
        "MODERATOR_IDS=\n",
        encoding="utf-8",
    )
    assert read_dotenv(dotenv)["TIMEZONE"] == "Asia/Dubai"
    settings = load_settings({"DRAFTER_IDS": "6"}, dotenv)
    assert settings.drafter_ids == {6}
    assert settings.timezone == "Asia/Dubai" and settings.log_level == "WARNING"


def test_malformed_dotenv_line_is_reported_with_its_number(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("TIMEZONE=UTC\nthis is not a setting\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 2"):
        load_settings({}, dotenv)


def test_missing_dotenv_is_fine(tmp_path: Path) -> None:
    assert load_settings({}, tmp_path / "absent.env") == Settings.from_env({})


def test_moderation_settings_are_read() -> None:
    settings = Settings.from_env(
        {"MODERATION_MODE": "PRE", "REPORT_HIDE_THRESHOLD": "5", "MODERATOR_CHAT_ID": "-1001"}
    )
    assert settings.moderation_mode == "pre" and settings.report_hide_threshold == 5
    assert settings.moderator_chat_id == -1001 and settings.suggestions_per_hour == 10


def test_flood_limits_are_read_with_sane_defaults() -> None:
    defaults = Settings.from_env({})
    assert (defaults.rate_limit_per_minute, defaults.rate_limit_burst) == (60, 20)
    assert defaults.chat_backlog == 10
    settings = Settings.from_env(
        {"RATE_LIMIT_PER_MINUTE": "30", "RATE_LIMIT_BURST": "5", "CHAT_BACKLOG": "4"}
    )
    assert (settings.rate_limit_per_minute, settings.rate_limit_burst) == (30, 5)
    assert settings.chat_backlog == 4


def test_webhook_keys_are_read() -> None:
    secret = "hook_secret-0123456789"
    settings = Settings.from_env(
        {
            "WEBHOOK_URL": "https://bot.example.org/telegram/hook",
            "WEBHOOK_LISTEN": "0.0.0.0:8080",
            "WEBHOOK_SECRET": secret,
        }
    )
    assert settings.require_webhook() == ("https://bot.example.org/telegram/hook", secret)
    assert settings.webhook_listen == ("0.0.0.0", 8080)
    assert secret not in repr(settings)
    assert Settings.from_env({"WEBHOOK_LISTEN": "[::1]:443"}).webhook_listen == ("::1", 443)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("WEBHOOK_URL", "http://bot.example.org/hook"),
        ("WEBHOOK_URL", "https://bot.example.org/hook?token=1"),
        ("WEBHOOK_URL", "bot.example.org/hook"),
        ("WEBHOOK_LISTEN", "9000"),
        ("WEBHOOK_LISTEN", "localhost:99999"),
        ("WEBHOOK_LISTEN", "local host:80"),
        ("WEBHOOK_SECRET", "too-short"),
        ("WEBHOOK_SECRET", "has spaces in the middle of it"),
        ("WEBHOOK_SECRET", "x" * 257),
        ("WEBHOOK_SECRET", "ключ-0123456789abcdef"),
    ],
)
def test_malformed_webhook_value_names_the_key_not_the_value(key: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({key: value})
    assert str(caught.value).startswith(key)
    assert value not in str(caught.value)


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "WEBHOOK_URL"),
        ({"WEBHOOK_URL": "https://bot.example.org/hook"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_SECRET": "s" * 16}, "WEBHOOK_URL"),
    ],
)
def test_webhook_mode_names_the_missing_key(env: dict[str, str], missing: str) -> None:
    with pytest.raises(ConfigError, match=f"^{missing} is not set"):
        Settings.from_env(env).require_webhook()


@pytest.mark.parametrize(
    "weak",
    [
        "s" * 16,  # what the settings used to accept
        "test-secret-0123456789abcdef",  # 28 characters
        "fde36c1c416d5fa3ac73af25fe212342",  # 16 random bytes in hex: half the strength
        "xys1N3kIIEDx9dHlR0pa6TxTfArA1k1f",  # 24 random bytes, URL-safe
        "0123456789abcdef" * 4,  # long enough, but a pattern
        "passwordpasswordpasswordpasswordpassword1234",
        "a" * 200,
    ],
)
def test_a_pseudonym_secret_weaker_than_32_random_bytes_is_refused(weak: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"PSEUDONYM_SECRET": weak})
    message = str(caught.value)
    assert message.startswith("PSEUDONYM_SECRET must be at least 32 random bytes")
    assert "secrets.token_urlsafe(32)" in message, "it says how to make one"
    assert "\n" not in message and weak[:12] not in message


@pytest.mark.parametrize("make", [secrets.token_urlsafe, secrets.token_hex, b64_token])
def test_secrets_made_as_the_docs_say_are_accepted(make: Callable[[int], str]) -> None:
    for _ in range(200):
        made = make(32)
        assert Settings.from_env({"PSEUDONYM_SECRET": made}).pseudonym_secret == made


def test_env_example_gives_the_command_that_makes_a_secret() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"' in example
