"""The `hearing-bot` command: run, console, check-content, export, digest, backup, ledger…"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from telegram.error import InvalidToken

from bot.app import running_hearing
from bot.commands import groups
from bot.commands.console import run_console
from bot.commands.content_check import catalogue_problems, translation_problems
from bot.commands.digest import print_digest
from bot.commands.export import export
from bot.commands.ledger import ledger
from bot.commands.move import move
from bot.commands.report import report
from bot.commands.tracking import import_tracking, publish_plan
from bot.config import ConfigError, Settings, load_settings
from bot.hearing.plan import DEFAULT_PLAN_PATH, PlanError, check_plan, load_plan, parse_plan
from bot.model.values import Language
from bot.runtime.fleet_settings import SettingsMismatch
from bot.runtime.logs import configure_logging
from storage.backup import BackupError, backup_database
from storage.db import DatabaseError
from storage.erasure_ledger import LedgerError
from storage.pg_backup import backup_postgres

PRIVATE_UMASK = 0o077
# Commands whose output is made to be published (the results site): the usual umask applies.
PUBLISHED = frozenset({"report"})


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the chosen command; return the exit status."""
    args = _parser().parse_args(argv)
    # Whatever a command creates (the database, its -wal, a backup, an export, the folders
    # they go in) is readable by the bot's user only, whatever the shell's umask says.
    umask = os.umask(PRIVATE_UMASK) if args.command not in PUBLISHED else None
    try:
        return _run(args)
    finally:
        if umask is not None:
            os.umask(umask)  # main() is also called within a process (tests): leave it as found


def _run(args: argparse.Namespace) -> int:
    if args.command == "groups":  # reads a folder only: no settings needed
        return groups.run(args)
    # Opt in to python-telegram-bot's timedelta durations; without it, every 429 logs a warning.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    try:
        settings = load_settings(os.environ)
    except ConfigError as exc:
        print(f"hearing-bot: configuration error: {exc}", file=sys.stderr)
        return 2
    if args.command == "check-content":
        return check_content(Path(args.path) if args.path else settings.plan_path)
    if args.command == "export":
        return export(settings, args.format, Path(args.out), args.exact_times)
    if args.command == "backup":
        return backup(settings, Path(args.path))
    if args.command == "report":
        return report(settings, Path(args.out))
    if args.command == "move-to-postgres":
        return move(settings, args.to)
    if args.command == "ledger":
        return ledger(settings, args.action, Path(args.file))
    if (problem := plan_problem(settings)) is not None:
        print(f"hearing-bot: configuration error: {problem}", file=sys.stderr)
        return 2
    if args.command == "digest":
        return print_digest(settings, sys.stdout, Language(args.lang))
    if args.command == "tracking":
        return import_tracking(settings, Path(args.file))
    if args.command == "publish-plan":
        return publish_plan(settings, Path(args.file))
    if args.command == "console":
        if settings.database_url:
            print(f"hearing-bot: configuration error: {CONSOLE_ON_POSTGRES}", file=sys.stderr)
            return 2
        configure_logging("WARNING" if settings.log_level == "INFO" else settings.log_level)
        language = Language(args.lang) if args.lang else None
        return asyncio.run(run_console(settings, sys.stdin, sys.stdout, language))
    configure_logging(settings.log_level)
    try:
        token, secret = settings.require_token(), settings.require_secret()
        if args.webhook:
            settings.require_webhook()
    except ConfigError as exc:
        print(f"hearing-bot: configuration error: {exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(run_bot(settings, token, secret, webhook=args.webhook))
    except DatabaseError as exc:
        print(f"hearing-bot: database error: {exc}", file=sys.stderr)
        return 1
    except LedgerError as exc:  # missing or damaged: erased citizens could come back
        print(f"hearing-bot: {exc}", file=sys.stderr)
        return 1
    except SettingsMismatch as exc:  # another worker on this database runs with other settings
        print(f"hearing-bot: configuration error: {exc}", file=sys.stderr)
        return 2
    except InvalidToken:
        # python-telegram-bot's message holds the whole token: never print it.
        print(
            "hearing-bot: Telegram refused TELEGRAM_BOT_TOKEN (check it with @BotFather)",
            file=sys.stderr,
        )
        return 1


# A PostgreSQL database serves real citizens: the console would answer their pending updates
# into this terminal (a fleet would even hand it their chats), and they would never see them.
CONSOLE_ON_POSTGRES = (
    "the console tries the hearing on SQLite (DATABASE_PATH), never on DATABASE_URL's "
    "database, which serves real citizens: unset DATABASE_URL to try it"
)


def plan_problem(settings: Settings) -> str | None:
    """Say what is wrong with the plan PLAN_PATH names, in one line; None if it is fine."""
    try:
        load_plan(settings.plan_path)
    except PlanError as exc:
        return (
            f"PLAN_PATH {settings.plan_path} has {len(exc.problems)} problem(s), the first: "
            + (str(exc.problems[0]))
        )
    except (OSError, UnicodeDecodeError) as exc:
        return f"PLAN_PATH {settings.plan_path} cannot be read ({type(exc).__name__})"
    return None


def check_content(path: Path) -> int:
    """Validate a plan, its translations and the text catalogues; print each problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{path}: cannot be read: {exc}", file=sys.stderr)
        return 1
    problems = check_plan(text)
    for problem in problems:
        print(f"{path}:{problem}", file=sys.stderr)
    if problems:
        print(f"{path}: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"{path}: OK")
    others = translation_problems(path, parse_plan(text))
    catalogue, notes = catalogue_problems()
    for line in (*others, *catalogue):
        print(line, file=sys.stderr)
    for note in notes:
        print(f"note: {note}")
    if others or catalogue:
        print(f"{len(others) + len(catalogue)} problem(s) in translations", file=sys.stderr)
        return 1
    print("translations of the plan beside it, and text catalogues (content/locale): OK")
    return 0


def backup(settings: Settings, path: Path) -> int:
    """Copy the database to PATH (SQLite's online backup, or pg_dump) and check the copy."""
    try:
        if settings.database_url:
            dumped = asyncio.run(backup_postgres(settings.database_url, path))
            print(f"{dumped.path}: {dumped.size} bytes, a pg_dump archive of {dumped.entries}"
                  " objects, read back by pg_restore, without the erasure ledger")  # fmt: skip
            print(f"{dumped.ledger}: the erasure ledger, {dumped.erasures} erasures (a restore"
                  " into a new database imports it: docs/postgres.md, Backups)")  # fmt: skip
            return 0
        result = asyncio.run(backup_database(settings.database_path, path))
    except BackupError as exc:
        print(f"hearing-bot backup: {exc}", file=sys.stderr)
        return 1
    print(f"{result.path}: {result.size} bytes, {result.pages} pages, integrity check ok")
    return 0


async def run_bot(settings: Settings, token: str, secret: str, *, webhook: bool = False) -> int:
    """Serve the hearing (long polling, or a webhook) until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running_hearing(settings, token, secret, webhook=webhook):
        await stop.wait()
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hearing-bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the bot against TELEGRAM_API_URL with its token")
    run.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates at WEBHOOK_URL (served on WEBHOOK_LISTEN) instead of long polling",
    )
    console = sub.add_parser(
        "console", help="try the hearing in this terminal, with no token or network"
    )
    console.add_argument(
        "--lang",
        choices=[language.value for language in Language],
        help="read the hearing in this language (as if chosen with /language)",
    )
    check = sub.add_parser("check-content", help="validate a plan file")
    check.add_argument("path", nargs="?", help=f"plan file (default: {DEFAULT_PLAN_PATH})")
    exp = sub.add_parser("export", help="write the hearing's data (no Telegram ids) to a folder")
    exp.add_argument(
        "--format", default="csv", help="csv (one file per table) or polis (Pol.is open data)"
    )
    exp.add_argument("--out", required=True, help="a new (or empty) folder to write the files to")
    exp.add_argument(
        "--exact-times",
        action="store_true",
        help="keep each row's exact time (default: only its day, see docs/privacy.md)",
    )
    rep = sub.add_parser("report", help="write the public results site (HTML) to a new folder")
    rep.add_argument("--out", required=True, help="a new folder for the site (never overwritten)")
    digest = sub.add_parser("digest", help="show the drafters' digest so far")
    digest.add_argument("--print", action="store_true", required=True, help="print it as text")
    languages = [language.value for language in Language]
    digest.add_argument(
        "--lang", choices=languages, default=Language.ENGLISH.value, help="the language to use"
    )
    tracking = sub.add_parser("tracking", help="set items' tracking in bulk")
    tracking_sub = tracking.add_subparsers(dest="action", required=True)
    imported = tracking_sub.add_parser("import", help="validate a tracking file and apply it")
    imported.add_argument("file", help="a tracking file (see content/tracking.md)")
    publish = sub.add_parser("publish-plan", help="publish a revised plan as the next version")
    publish.add_argument("file", help="the revised plan, in the Markdown format of the plan")
    back = sub.add_parser(
        "backup", help="copy the database (while the bot runs; pg_dump on PostgreSQL), check it"
    )
    back.add_argument("path", help="the new backup file (an existing file is never overwritten)")
    moving = sub.add_parser(
        "move-to-postgres",
        help="copy the hearing (DATABASE_PATH) into an empty PostgreSQL database and verify it",
    )
    moving.add_argument(
        "--to",
        metavar="URL",
        help="postgresql://user@host/db (default: DATABASE_URL; .env keeps a password off "
        "the command line)",
    )
    kept = sub.add_parser("ledger", help="carry the erasure ledger to or from a file")
    kept_sub = kept.add_subparsers(dest="action", required=True)
    kept_export = kept_sub.add_parser("export", help="write the ledger to a new file")
    kept_export.add_argument("file", help="the new file (an existing file is never overwritten)")
    kept_import = kept_sub.add_parser(
        "import", help="add a file's erasures to the ledger (after a restore into a new database)"
    )
    kept_import.add_argument("file", help="a file from `ledger export` or beside a backup")
    groups.add_parser(sub)
    return parser
