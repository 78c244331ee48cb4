"""Settings from the environment and an optional `.env` file, validated at start-up."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.hearing.plan import DEFAULT_PLAN_PATH
from bot.hearing.privacy import strong_secret
from bot.model.values import ModerationMode
from storage.pg_url import describe, url_problem

TELEGRAM_API_DEFAULT = "https://api.telegram.org/bot"
_TOKEN_RE = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAKE_SECRET = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'
# Telegram accepts 1-256 of these characters as a webhook's secret_token; we ask for at least
# 16, since the token is all that tells Telegram's requests from forged ones.
_WEBHOOK_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{16,256}")
# No spaces, quotes or angle brackets: the address goes into a link in a message.
_RESULTS_URL_RE = re.compile(r"https?://[^\s/\"'<>]+(/[^\s\"'<>]*)?")
_LISTEN_RE = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})")
# A suggestion is quoted whole in the messages that confirm it or offer near-duplicates for it;
# above this they would no longer fit one Telegram message.
MAX_SUGGESTION_CHARS = 1500


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the key and never its value."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot needs to start, read once from the environment."""

    telegram_bot_token: str | None = field(default=None, repr=False)
    telegram_api_url: str = TELEGRAM_API_DEFAULT
    database_path: Path = Path("data/hearing.db")
    # PostgreSQL instead of SQLite (docs/postgres.md). A secret: it may hold a password.
    database_url: str | None = field(default=None, repr=False)
    plan_path: Path = DEFAULT_PLAN_PATH
    drafter_ids: frozenset[int] = frozenset()
    moderator_ids: frozenset[int] = frozenset()
    timezone: str = "Asia/Karachi"
    digest_time: time = time(20, 0)
    pseudonym_secret: str | None = field(default=None, repr=False)
    max_concurrent_updates: int = 32
    suggestion_max_chars: int = 1000
    votes_per_item: int = 3
    broadcast_rate: int = 25
    min_group_size: int = 5
    log_level: str = "INFO"
    moderation_mode: ModerationMode = ModerationMode.POST
    report_hide_threshold: int = 3
    suggestions_per_hour: int = 10
    moderation_claim_minutes: int = 15
    moderator_chat_id: int | None = None
    webhook_url: str | None = None
    webhook_listen: tuple[str, int] = ("127.0.0.1", 8443)
    webhook_secret: str | None = field(default=None, repr=False)
    oversight_ids: frozenset[int] = frozenset()
    results_url: str | None = None
    # Opt-in: citizens share their phone number, which must start with this country code.
    eligibility_country_code: str | None = None
    # The flood gate (bot/runtime/flood_gate.py): one user's updates in the long run and at
    # once, and one chat's updates waiting to be handled; beyond them updates are dropped.
    rate_limit_per_minute: int = 60
    rate_limit_burst: int = 20
    chat_backlog: int = 10

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Build settings from a mapping of environment variables, failing on the first bad key."""
        env = {k: v.strip() for k, v in environ.items() if v.strip() != ""}
        token = env.get("TELEGRAM_BOT_TOKEN")
        if token is not None and not _TOKEN_RE.fullmatch(token):
            raise ConfigError("TELEGRAM_BOT_TOKEN is malformed: expected '<digits>:<letters>'")
        api_url = env.get("TELEGRAM_API_URL", TELEGRAM_API_DEFAULT)
        if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", api_url):
            raise ConfigError("TELEGRAM_API_URL must be an http:// or https:// URL")
        secret = env.get("PSEUDONYM_SECRET")
        if secret is not None and not strong_secret(secret):
            raise ConfigError(
                f"PSEUDONYM_SECRET must be at least 32 random bytes; make one with: {MAKE_SECRET}"
            )
        timezone = env.get("TIMEZONE", cls.timezone)
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError("TIMEZONE is not a known time zone (e.g. Asia/Karachi)") from exc
        digest_time = _clock_time(env, "DIGEST_TIME", cls.digest_time)
        log_level = env.get("LOG_LEVEL", cls.log_level).upper()
        if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ConfigError("LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR")
        mode = env.get("MODERATION_MODE", ModerationMode.POST).lower()
        if mode not in set(ModerationMode):
            raise ConfigError("MODERATION_MODE must be 'post' or 'pre'")
        chat = env.get("MODERATOR_CHAT_ID")
        if chat is not None and not re.fullmatch(r"-[0-9]{1,20}", chat):
            raise ConfigError("MODERATOR_CHAT_ID must be a group chat id (a negative number)")
        return cls(
            telegram_bot_token=token,
            telegram_api_url=api_url.rstrip("/"),
            database_path=Path(env.get("DATABASE_PATH", str(cls.database_path))),
            database_url=_database_url(env),
            plan_path=Path(env.get("PLAN_PATH", str(DEFAULT_PLAN_PATH))),
            drafter_ids=_id_set(env, "DRAFTER_IDS"),
            moderator_ids=_id_set(env, "MODERATOR_IDS"),
            timezone=timezone,
            digest_time=digest_time,
            pseudonym_secret=secret,
            max_concurrent_updates=_int(env, "MAX_CONCURRENT_UPDATES", 32, 1, 1024),
            suggestion_max_chars=_int(env, "SUGGESTION_MAX_CHARS", 1000, 10, MAX_SUGGESTION_CHARS),
            votes_per_item=_int(env, "VOTES_PER_ITEM", 3, 0, 20),
            broadcast_rate=_int(env, "BROADCAST_RATE", 25, 1, 30),
            min_group_size=_int(env, "MIN_GROUP_SIZE", 5, 1, 1000),
            log_level=log_level,
            moderation_mode=ModerationMode(mode),
            report_hide_threshold=_int(env, "REPORT_HIDE_THRESHOLD", 3, 1, 1000),
            suggestions_per_hour=_int(env, "SUGGESTIONS_PER_HOUR", 10, 1, 1000),
            moderation_claim_minutes=_int(env, "MODERATION_CLAIM_MINUTES", 15, 1, 1440),
            moderator_chat_id=int(chat) if chat is not None else None,
            webhook_url=_webhook_url(env),
            webhook_listen=_listen(env, "WEBHOOK_LISTEN", cls.webhook_listen),
            webhook_secret=_webhook_secret(env),
            oversight_ids=_id_set(env, "OVERSIGHT_IDS"),
            results_url=_results_url(env),
            eligibility_country_code=_country_code(env),
            rate_limit_per_minute=_int(env, "RATE_LIMIT_PER_MINUTE", 60, 1, 100_000),
            rate_limit_burst=_int(env, "RATE_LIMIT_BURST", 20, 1, 100_000),
            chat_backlog=_int(env, "CHAT_BACKLOG", 10, 1, 100_000),
        )

    @property
    def database_where(self) -> str:
        """Name the hearing's database for messages (never DATABASE_URL's password)."""
        return describe(self.database_url) if self.database_url else str(self.database_path)

    def require_token(self) -> str:
        """Return the bot token, or fail with the key's name when it is not set."""
        if not self.telegram_bot_token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)")
        return self.telegram_bot_token

    def require_secret(self) -> str:
        """Return the pseudonym secret, or fail with the key's name when it is not set."""
        if not self.pseudonym_secret:
            raise ConfigError(
                f"PSEUDONYM_SECRET is not set (make one with: {MAKE_SECRET}; keep it secret)"
            )
        return self.pseudonym_secret

    def require_webhook(self) -> tuple[str, str]:
        """Return the webhook's public URL and secret, or fail naming the key that is not set."""
        if not self.webhook_url:
            raise ConfigError("WEBHOOK_URL is not set (the public https:// URL Telegram posts to)")
        if not self.webhook_secret:
            raise ConfigError(
                "WEBHOOK_SECRET is not set (16-256 letters, digits, _ or -, kept secret)"
            )
        return self.webhook_url, self.webhook_secret


def _database_url(env: Mapping[str, str]) -> str | None:
    url = env.get("DATABASE_URL")
    if url is not None and (problem := url_problem(url)) is not None:
        raise ConfigError(f"DATABASE_URL {problem}")
    return url


def _webhook_url(env: Mapping[str, str]) -> str | None:
    url = env.get("WEBHOOK_URL")
    if url is not None and not re.fullmatch(r"https://[^\s/?#]+(/[^\s?#]*)?", url):
        raise ConfigError("WEBHOOK_URL must be an https:// URL without a query (Telegram's rule)")
    return url


def _results_url(env: Mapping[str, str]) -> str | None:
    url = env.get("RESULTS_URL")
    if url is not None and (len(url) > 500 or not _RESULTS_URL_RE.fullmatch(url)):
        raise ConfigError(
            "RESULTS_URL must be an http:// or https:// address of the published page"
        )
    return url


def _webhook_secret(env: Mapping[str, str]) -> str | None:
    secret = env.get("WEBHOOK_SECRET")
    if secret is not None and not _WEBHOOK_SECRET_RE.fullmatch(secret):
        raise ConfigError("WEBHOOK_SECRET must be 16 to 256 letters, digits, _ or -")
    return secret


def _listen(env: Mapping[str, str], key: str, default: tuple[str, int]) -> tuple[str, int]:
    raw = env.get(key)
    if raw is None:
        return default
    match = _LISTEN_RE.fullmatch(raw)
    if not match or not 1 <= int(match.group(2)) <= 65535:
        raise ConfigError(f"{key} must be HOST:PORT, e.g. 127.0.0.1:8443")
    return match.group(1).strip("[]"), int(match.group(2))


def _id_set(env: Mapping[str, str], key: str) -> frozenset[int]:
    raw = env.get(key, "")
    ids: set[int] = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not re.fullmatch(r"-?[0-9]{1,20}", part):
            raise ConfigError(f"{key} must be a comma-separated list of Telegram user ids")
        ids.add(int(part))
    return frozenset(ids)


def _clock_time(env: Mapping[str, str], key: str, default: time) -> time:
    raw = env.get(key)
    if raw is None:
        return default
    match = re.fullmatch(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", raw)
    if not match:
        raise ConfigError(f"{key} must be a time of day as HH:MM (24-hour), e.g. 20:00")
    return time(int(match.group(1)), int(match.group(2)))


def _int(env: Mapping[str, str], key: str, default: int, low: int, high: int) -> int:
    raw = env.get(key)
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw) or not low <= int(raw) <= high:
        raise ConfigError(f"{key} must be a whole number from {low} to {high}")
    return int(raw)


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse a `.env` file of KEY=VALUE lines (comments, `export` and quotes allowed)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not _KEY_RE.fullmatch(key):
            raise ConfigError(f"{path}: line {number} is not KEY=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


def load_settings(environ: Mapping[str, str], dotenv: Path = Path(".env")) -> Settings:
    """Merge `.env` under the real environment (the environment wins) and build settings."""
    merged = {**read_dotenv(dotenv), **environ}
    return Settings.from_env(merged)


def _country_code(env: Mapping[str, str]) -> str | None:
    code = env.get("ELIGIBILITY_COUNTRY_CODE")
    if code is None:
        return None
    code = code.removeprefix("+")
    if not re.fullmatch(r"[1-9][0-9]{0,2}", code):
        raise ConfigError("ELIGIBILITY_COUNTRY_CODE must be a country calling code (e.g. 92)")
    return code
