"""The `hearing-bot` command line: console transcript, check-content, configuration errors."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.commands.content_check import catalogue_problems
from bot.emulator import Emulator
from bot.hearing.plan import DEFAULT_PLAN_PATH
from tests.harness import SECRET

TIMEOUT = 60


def run_cli(
    args: list[str], cwd: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot` in a clean folder (no .env) and capture what it prints."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PSEUDO"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, input=stdin, capture_output=True,
        text=True, timeout=TIMEOUT, env={**environ, **env}, check=False,
    )  # fmt: skip


def test_console_with_piped_input_prints_the_transcript(tmp_path: Path) -> None:
    result = run_cli(["console"], tmp_path, "1\n1\n1\n1\nCheck the madaris\n/mine\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[1] Begin" in out
    assert "Item 1 of 20" in out and "[1] 👍 Support" in out
    assert "(notice: Saved: Support)" in out
    assert "Your suggestion on item 1 is saved" in out
    assert "Item 2 of 20" in out
    assert "1. Support · High priority" in out
    assert (tmp_path / "data" / "hearing.db").is_file(), "the default SQLite file is used"
    # A second session continues where the first stopped.
    again = run_cli(["console"], tmp_path, "")
    assert "You stopped at item 2 of 20" in again.stdout


def test_console_identity_switch_and_bad_choice(tmp_path: Path) -> None:
    result = run_cli(["console"], tmp_path, "/as nobody\n/as drafter\n99\n")
    assert result.returncode == 0, result.stderr
    assert "(you can be: citizen, drafter, moderator, overseer)" in result.stdout
    assert "(you are now the drafter; send /start)" in result.stdout
    # "99" is no button: it is sent as text, and a drafter who never began is pointed to /start.
    assert result.stdout.count("Your privacy") == 2


def test_run_without_token_names_the_key(tmp_path: Path) -> None:
    result = run_cli(["run"], tmp_path)
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr


def test_run_without_secret_names_the_key(tmp_path: Path) -> None:
    result = run_cli(["run"], tmp_path, TELEGRAM_BOT_TOKEN="123:abc")
    assert result.returncode == 2
    assert "PSEUDONYM_SECRET is not set" in result.stderr


def test_malformed_setting_stops_start_up_with_one_line(tmp_path: Path) -> None:
    result = run_cli(["console"], tmp_path, TIMEZONE="Nowhere/Land")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "hearing-bot: configuration error: TIMEZONE is not a known time zone (e.g. Asia/Karachi)"
    ]


def test_the_console_refuses_a_postgresql_database_and_touches_nothing(tmp_path: Path) -> None:
    url = "postgresql://hearing:pw-secret@db.invalid:5432/hearing"
    result = run_cli(["console"], tmp_path, "1\n", DATABASE_URL=url, PSEUDONYM_SECRET=SECRET)
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("hearing-bot: configuration error: the console tries the hearing")
    assert "pw-secret" not in result.stderr and list(tmp_path.iterdir()) == []


def test_check_content_accepts_the_bundled_plan(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-content", str(DEFAULT_PLAN_PATH)]) == 0
    assert "OK" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        ("# T\n\n1. a\n3. c\n", ":line 4: item 3 comes after item 1 (expected 2)"),
        ("# T\n\n1. a\n2.\n", ":line 4: item 2 is empty"),
        ("no title\n", "problem(s)"),
    ],
)
def test_check_content_reports_problems_with_line_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], plan: str, expected: str
) -> None:
    path = tmp_path / "plan.md"
    path.write_text(plan, encoding="utf-8")
    assert main(["check-content", str(path)]) == 1
    assert expected in capsys.readouterr().err


def test_check_content_on_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-content", str(tmp_path / "absent.md")]) == 1
    assert "cannot be read" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (None, "PLAN_PATH {path} cannot be read (FileNotFoundError)"),
        ("# T\n\n1. a\n3. c\n", "PLAN_PATH {path} has 1 problem(s), the first: line 4:"),
    ],
)
def test_a_bad_plan_stops_start_up_with_one_line(
    tmp_path: Path, plan: str | None, expected: str
) -> None:
    path = tmp_path / "plan.md"
    if plan is not None:
        path.write_text(plan, encoding="utf-8")
    result = run_cli(["console"], tmp_path, PLAN_PATH=str(path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected.format(path=path) in lines[0]


def test_digest_print_shows_the_digest_so_far(tmp_path: Path) -> None:
    run_cli(["console"], tmp_path, "1\n1\n1\n1\nRegister every madrassa\n")
    result = run_cli(["digest", "--print"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Digest: Anti-Terror Action Plan" in result.stdout
    assert "fewer than 5 in total" in result.stdout
    assert "1. " in result.stdout and "fewer than 5 responses" in result.stdout
    assert "(100%)" not in result.stdout, "one answer is never broken down (MIN_GROUP_SIZE)"
    assert "<b>" not in result.stdout
    shown = run_cli(["digest", "--print"], tmp_path, MIN_GROUP_SIZE="1")
    assert "👍 1 (100%)" in shown.stdout


def test_digest_print_without_a_database(tmp_path: Path) -> None:
    result = run_cli(["digest", "--print"], tmp_path)
    assert result.returncode == 2
    assert "no database at data/hearing.db" in result.stderr
    assert not (tmp_path / "data").exists(), "nothing is created"


def test_run_webhook_without_its_url_names_the_key(tmp_path: Path) -> None:
    result = run_cli(
        ["run", "--webhook"], tmp_path, TELEGRAM_BOT_TOKEN="123:abc", PSEUDONYM_SECRET=SECRET
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "hearing-bot: configuration error: "
        "WEBHOOK_URL is not set (the public https:// URL Telegram posts to)"
    ]


@pytest.mark.parametrize(
    ("translation", "expected"),
    [
        ("# ت\n\n1. پ\n2. ب\n", "plan.ur.md: items differ from plan.md: 3"),
        ("# ت\n\n1. پ\n2. ب\n3. ج\n4. د\n", "plan.ur.md: items differ from plan.md: 4"),
        ("# ت\n\n1. پ\n3. ج\n", "plan.ur.md:line 4: item 3 comes after item 1"),
    ],
)
def test_check_content_compares_the_translated_plan_item_for_item(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], translation: str, expected: str
) -> None:
    (tmp_path / "plan.md").write_text("# T\n\n1. a\n2. b\n3. c\n", encoding="utf-8")
    (tmp_path / "plan.ur.md").write_text(translation, encoding="utf-8")
    assert main(["check-content", str(tmp_path / "plan.md")]) == 1
    assert expected in capsys.readouterr().err


def test_check_content_accepts_the_urdu_plan_and_the_catalogues(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert DEFAULT_PLAN_PATH.with_name("plan.ur.md").exists()
    assert main(["check-content"]) == 0
    out = capsys.readouterr().out
    assert "text catalogues (content/locale): OK" in out and "note:" not in out


def test_catalogue_check_reports_placeholders_unknown_keys_and_missing_texts(
    tmp_path: Path,
) -> None:
    header = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n'

    def entry(key: str, english: str, text: str) -> str:
        return f'msgctxt "{key}"\nmsgid "{english}"\nmsgstr "{text}"\n\n'

    english = [("a.b", "B {x}", "B {x}"), ("a.c", "C", "C"), ("a.d", "D", "D")]
    (tmp_path / "en.po").write_text(header + "".join(entry(*e) for e in english), "utf-8")
    urdu = [("a.b", "B {x}", "ب {y}"), ("a.c", "old C", "ج"), ("a.z", "Z", "ز")]
    (tmp_path / "ur.po").write_text(header + "".join(entry(*e) for e in urdu), "utf-8")
    problems, notes = catalogue_problems(tmp_path)
    assert problems == [
        f"{tmp_path / 'ur.po'}: a.b: placeholders differ from the English text",
        f"{tmp_path / 'ur.po'}: a.z: no such text in English",
    ]
    assert notes == [
        f"{tmp_path / 'ur.po'}: 1 text(s) shown in English: a.d",
        f"{tmp_path / 'ur.po'}: a.c: translated from an older English text",
    ]


def test_console_in_urdu_shows_the_urdu_hearing(tmp_path: Path) -> None:
    result = run_cli(["console", "--lang", "ur"], tmp_path, "1\n1\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "انسداد دہشت گردی ایکشن پلان" in out and "[1] شروع کریں" in out
    assert "[1] 👍 حمایت   [2] 👎 مخالفت" in out and "Begin" not in out
    saved = "(notice: محفوظ: \u2068حمایت\u2069)"  # noqa: RUF001 (Urdu letters, not look-alikes)
    assert saved in out
    again = run_cli(["console"], tmp_path, "")
    assert "[1] نکتہ \u20681\u2069 سے جاری رکھیں" in again.stdout, "the choice is kept"


def test_console_refuses_a_language_it_does_not_have(tmp_path: Path) -> None:
    result = run_cli(["console", "--lang", "fr"], tmp_path, "")
    assert result.returncode == 2 and "invalid choice: 'fr'" in result.stderr


@pytest.mark.parametrize("wrong", ["999999:WRONG-token-that-must-never-be-printed"])
async def test_a_token_telegram_refuses_stops_start_up_without_printing_it(
    emu: Emulator, tmp_path: Path, wrong: str
) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PSEUDO"))}
    env = {
        **environ,
        "TELEGRAM_BOT_TOKEN": wrong,
        "TELEGRAM_API_URL": emu.base_url,
        "PSEUDONYM_SECRET": SECRET,
        "DATABASE_PATH": str(tmp_path / "hearing.db"),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), TIMEOUT)
    assert proc.returncode == 1
    printed = (out + err).decode()
    assert wrong not in printed and wrong.split(":")[1] not in printed
    assert "Traceback" not in printed
    assert printed.strip().splitlines()[-1] == (
        "hearing-bot: Telegram refused TELEGRAM_BOT_TOKEN (check it with @BotFather)"
    )
