"""Crash test: the bot as a separate process, killed with SIGKILL at random moments, restarted.

Run from the project root: `.venv/bin/python benchmarks/crash_test.py` (defaults: 300 citizens,
at least 50 kills; `--help` lists the options, `--webhook` runs the bot in webhook mode). A few
hundred scripted citizens answer items, suggest and vote through the local emulator while the
bot (`python -m bot run`) is killed and restarted; now and then it is stopped with SIGTERM
instead, which must end it cleanly within 10 seconds. At the end every answer, suggestion and
vote the citizens sent must be stored exactly once, and `PRAGMA integrity_check` must say ok.
Prints the figures docs/reliability.md records; exits 1 if any check fails.

`--database postgres` runs the bot on PostgreSQL: on DATABASE_URL's server if set (a database of
the run's own is made there: the role needs CREATEDB), else on a throwaway cluster started as the
tests start theirs; the checks read PostgreSQL, and amcheck stands in for integrity_check.
`--workers N` runs N `hearing-bot run` processes on that one database, each stop hitting one of
them at random (long polling only: webhook workers need a reverse proxy in front of them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import os
import random
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from contextlib import AsyncExitStack
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.crash_citizens import Citizen, Sent  # noqa: E402
from benchmarks.pg_server import pg_server  # noqa: E402
from benchmarks.readback import ReadBack  # noqa: E402
from bot.emulator import Emulator, FaultShares  # noqa: E402
from bot.hearing.privacy import pseudonym  # noqa: E402

TOKEN = "123456:CRASH-TEST-token"
SECRET = "crash-test-only-eVybcTYUqqOAfJsReWpo5PotAucZkM0qq8aN2BuD3Fo"
HOOK_SECRET = "crash-hook-secret-0123456789"
SIGTERM_LIMIT = 10.0
# Start-up on a loaded machine can take several seconds; longer than this is a failure.
START_LIMIT = 60.0
READY = frozenset({"getUpdates", "setWebhook"})
# What a worker logs once it serves (bot/app.py), its SIGTERM handler set long before.
RUNNING = "is running with"
# Every text a citizen sends here answers the bot's prompt; this refusal means it was not taken.
BUTTONS_PLEASE = "Please answer with the buttons"
APOLOGY = "something went wrong on our side"


@dataclass
class Config:
    """What to run: how many citizens doing what, and how often to kill the bot."""

    citizens: int = 300
    kills: int = 50
    items: int = 4
    suggest_share: float = 0.5
    votes: int = 2
    gap: tuple[float, float] = (0.3, 2.5)
    # Every this many stops is a SIGTERM (timed: it must end the bot cleanly within 10 s).
    sigterm_every: int = 8
    # The share of kills that may come before the bot is ready (start-up, replay).
    early_share: float = 0.2
    seed: int = 1
    wait: float = 120.0
    webhook: bool = False
    # The share of the bot's messages, edits and button answers the emulator fails with each
    # of 429, 5xx and a lost answer (Telegram performed the call, the answer never came).
    faults: float = 0.0
    database: str = "sqlite"
    workers: int = 1


@dataclass
class Result:
    """The figures of one run; `ok` only if nothing was lost or doubled and the file is sound."""

    started_at: str = ""
    mode: str = "polling"
    database: str = "sqlite"
    workers: int = 1
    citizens: int = 0
    runs: int = 0
    kills: int = 0
    sigterms: int = 0
    sigterm_max_seconds: float = 0.0
    sigterm_failures: int = 0
    updates_sent: int = 0
    answers: int = 0
    suggestions: int = 0
    votes: int = 0
    lost: int = 0
    doubled: int = 0
    unexpected: int = 0
    unanswered_citizens: int = 0
    # Texts a citizen typed at the bot's prompt that it did not take ("Please answer with the
    # buttons" instead of a confirmation, or never stored), and apologies the bot sent.
    texts_not_taken: int = 0
    apologies: int = 0
    confirmations_repeated: int = 0
    messages_repeated: int = 0
    log_errors: int = 0
    faults: int = 0
    history_repeats: int = 0
    inbox_pending: int = 0
    inbox_abandoned: int = 0
    integrity: str = ""
    duration_seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Tell whether the run passed every check."""
        return not self.problems


class BotProcess:
    """`python -m bot run` (or `run --webhook`) as its own process, logging to a file."""

    def __init__(self, env: dict[str, str], workdir: Path, webhook: bool, number: int = 1) -> None:
        self.env = env
        self.workdir = workdir
        self.log = workdir / ("bot.log" if number == 1 else f"bot-{number}.log")
        self.args = ["run", "--webhook"] if webhook else ["run"]
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.calls_mark = 0
        self.log_mark = 0
        # The log's last lines when a SIGTERM outlived its limit: what the worker was doing.
        self.hung_log: list[str] = []

    async def start(self, calls_mark: int) -> None:
        """Start the bot; `calls_mark` is how many API calls the emulator had received."""
        self.calls_mark = calls_mark
        self.log_mark = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", *self.args,
                cwd=self.workdir, env=self.env, stdout=log, stderr=log,
            )  # fmt: skip
        self.starts += 1

    async def kill(self) -> None:
        """SIGKILL the bot, as a power cut or the OOM killer would, and reap it."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def terminate(self) -> tuple[int | None, float]:
        """SIGTERM the bot; return its exit status (None if it outlived the limit) and time."""
        assert self.process is not None
        began = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code: int | None = await asyncio.wait_for(self.process.wait(), SIGTERM_LIMIT)
        except TimeoutError:
            code = None
            self.hung_log = self.log_tail()
            await self.kill()
        return code, time.monotonic() - began

    def log_tail(self, lines: int = 12) -> list[str]:
        """Return the last lines of this worker's log."""
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]

    async def ensure_stopped(self) -> None:
        """Kill the bot if it is still running (whatever went wrong)."""
        if self.process is not None and self.process.returncode is None:
            await self.kill()


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def run_crash_test(config: Config, workdir: Path) -> Result:
    """Drive the citizens while killing and restarting the bot; then check the database."""
    result = Result(started_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    result.mode, result.citizens = ("webhook" if config.webhook else "polling"), config.citizens
    result.database, result.workers = config.database, config.workers
    async with AsyncExitStack() as stack:
        url = None
        if config.database == "postgres":
            url = await (await stack.enter_async_context(pg_server())).new_database()
        reader = await stack.enter_async_context(ReadBack(workdir / "hearing.db", url))
        await _run(config, workdir, reader, result)
    return result


async def _run(config: Config, workdir: Path, reader: ReadBack, result: Result) -> None:
    rng = random.Random(config.seed)
    db = workdir / "hearing.db"
    began = time.monotonic()
    # The bot's own settings only: the benchmark's DATABASE_URL names a server, not a hearing.
    ours = ("TELEGRAM_", "WEBHOOK_", "DATABASE_URL")
    async with Emulator(token=TOKEN, bot_username="crash_test_bot") as emu:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(ours)},
            **({"DATABASE_URL": reader.url} if reader.url else {}),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": emu.base_url,
            "PSEUDONYM_SECRET": SECRET,
            "DATABASE_PATH": str(db),
            "VOTES_PER_ITEM": "0",
            # Scripted citizens act as fast as the bot answers, hundreds of times a person's
            # pace: the flood gate is not what this test is about.
            "RATE_LIMIT_PER_MINUTE": "100000",
            "RATE_LIMIT_BURST": "100000",
            "CHAT_BACKLOG": "100000",
            "LOG_LEVEL": "INFO",
            "PTB_TIMEDELTA": "1",
        }
        delivery = None
        if config.webhook:
            port = free_port()
            env |= {
                "WEBHOOK_URL": "https://crash.example/hook",
                "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
                "WEBHOOK_SECRET": HOOK_SECRET,
            }
            delivery = emu.webhook_delivery(f"http://127.0.0.1:{port}")
            await delivery.start()
        if config.faults:
            share = config.faults
            emu.set_faults(FaultShares(share, share, share, seed=config.seed))
        bots = [BotProcess(env, workdir, config.webhook, n + 1) for n in range(config.workers)]
        try:
            for bot in bots:
                await bot.start(len(emu.calls))
            citizens = [
                Citizen(emu, 100_000 + n, random.Random(rng.random()), config.wait, reader, SECRET)
                for n in range(config.citizens)
            ]
            tasks = [
                asyncio.create_task(c.run(config.items, config.suggest_share, config.votes))
                for c in citizens
            ]
            done = asyncio.Event()
            gather = asyncio.gather(*tasks)
            gather.add_done_callback(lambda _: done.set())
            await _crash_until(emu, done, bots, config, rng, result)
            sent: list[Sent] = await gather
            for bot in bots:
                await _ready(emu, bot, alone=len(bots) == 1)
                code, seconds = await bot.terminate()
                _note_sigterm(result, bot, code, seconds)
        finally:
            for bot in bots:
                await bot.ensure_stopped()
            if delivery is not None:
                await delivery.stop()
        result.runs = sum(bot.starts for bot in bots)
        result.updates_sent = sum(citizen.actions for citizen in sent)
        result.faults = sum(emu.fault_counts.values())
        _count_confirmations(emu, sent, result)
    result.duration_seconds = round(time.monotonic() - began, 1)
    for bot in bots:
        log = bot.log.read_text(encoding="utf-8", errors="replace")
        result.log_errors += sum(" ERROR " in line for line in log.splitlines())
    await verify(reader, sent, result)


async def _crash_until(
    emu: Emulator, done: asyncio.Event, bots: list[BotProcess], config: Config,
    rng: random.Random, result: Result,
) -> None:  # fmt: skip
    """Stop a worker at random moments and start it again, until the citizens are done and
    there were at least `config.kills` kills (the last ones may find the bot idle)."""
    stops = 0
    while True:
        stops += 1
        # Drawn only among several, so that one worker's runs repeat those of earlier versions.
        bot = rng.choice(bots) if len(bots) > 1 else bots[0]
        sigterm = stops % config.sigterm_every == 0
        # Most stops come while the bot serves; some during start-up and replay. A SIGTERM is
        # a deliberate stop of a running bot: before Python has even imported the bot, the
        # default action ends it (harmlessly: nothing is open yet), which is not the point.
        if sigterm or rng.random() >= config.early_share:
            await _ready(emu, bot, alone=len(bots) == 1)
        gap = rng.uniform(*config.gap)
        if result.kills >= config.kills:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), gap)
                return
        else:
            await asyncio.sleep(gap)
        if sigterm:
            code, seconds = await bot.terminate()
            _note_sigterm(result, bot, code, seconds)
        else:
            await bot.kill()
            result.kills += 1
        await bot.start(len(emu.calls))


async def _ready(emu: Emulator, bot: BotProcess, alone: bool = True) -> None:
    """Wait until the bot started last asks for updates (polling) or sets its webhook.

    One of several workers may never call getUpdates (another polls for the fleet): it is
    ready once its log says it is running, by when it handles SIGTERM."""
    if alone:
        await emu.wait_until(
            lambda: any(name in READY for name, _ in emu.calls[bot.calls_mark :]),
            timeout=START_LIMIT,
        )
        return
    async with asyncio.timeout(START_LIMIT):
        # A file has nothing to await: its line is looked for a few times a second.
        while RUNNING not in _log_since(bot):  # noqa: ASYNC110
            await asyncio.sleep(0.05)


def _log_since(bot: BotProcess) -> str:
    with bot.log.open("rb") as log:
        log.seek(bot.log_mark)
        return log.read().decode("utf-8", errors="replace")


def _note_sigterm(result: Result, bot: BotProcess, code: int | None, seconds: float) -> None:
    result.sigterms += 1
    result.sigterm_max_seconds = round(max(result.sigterm_max_seconds, seconds), 2)
    if code != 0:
        result.sigterm_failures += 1
        result.problems.append(
            f"SIGTERM ended {bot.log.name}'s bot with {code} after {seconds:.1f}s"
        )
    if code is None:
        result.notes.append(f"{bot.log.name} at the SIGTERM's limit: {bot.hung_log}")


def _count_confirmations(emu: Emulator, sent: list[Sent], result: Result) -> None:
    """Count suggestions whose confirmation a citizen saw twice, repeated bot messages, typed
    texts the bot refused, and apologies."""
    for citizen in sent:
        if citizen.stuck:
            result.notes.append(f"citizen {citizen.user_id}'s calls: {_calls_to(emu, citizen)}")
        texts = [m.plain_text() for m in emu.messages(citizen.user_id)]
        for at in [n for n, text in enumerate(texts) if BUTTONS_PLEASE in text]:
            result.texts_not_taken += 1
            # Before the saved confirmation of the text, or after it (handled twice)?
            around = [text[:40] for text in texts[max(0, at - 3) : at + 3]]
            result.notes.append(f"citizen {citizen.user_id} was asked for the buttons: {around}")
        result.apologies += sum(APOLOGY in t for t in texts)
        for _, text in citizen.suggestions:
            if sum("is saved" in t and text in t for t in texts) > 1:
                result.confirmations_repeated += 1
        # A message sent again right after itself: a replayed update's reply.
        result.messages_repeated += sum(a == b for a, b in itertools.pairwise(texts))


def _calls_to(emu: Emulator, citizen: Sent, last: int = 8) -> list[tuple[str, str]]:
    """The last calls the emulator received for a citizen's chat (performed or not), to tell
    a message never sent from one sent and refused (docs/reliability.md)."""
    chat = str(citizen.user_id)
    calls = [(name, str(params.get("text", ""))[:30]) for name, params in emu.calls
             if str(params.get("chat_id")) == chat]  # fmt: skip
    return calls[-last:]


async def verify(db: ReadBack, sent: list[Sent], result: Result) -> None:
    """Compare the database with what the citizens sent; note every loss, double and flaw."""
    result.integrity = await db.integrity()
    stances = {(p, i): (s, r) for p, i, s, r in await db.rows(
        "SELECT participant_id, item_id, stance, priority FROM stances")}  # fmt: skip
    suggestions = Counter(await db.rows("SELECT participant_id, item_id, text FROM suggestions"))
    votes = {(p, s): v for p, s, v in await db.rows(
        "SELECT participant_id, suggestion_id, vote FROM votes")}  # fmt: skip
    history = Counter(await db.rows("SELECT participant_id, item_id FROM stance_history"))
    vote_history = Counter(await db.rows("SELECT participant_id, suggestion_id FROM vote_history"))
    inbox = dict(await db.rows("SELECT status, COUNT(*) FROM inbox GROUP BY status"))
    expected_suggestions: Counter[tuple[str, str, str]] = Counter()
    for citizen in sent:
        pid = pseudonym(SECRET, citizen.user_id)
        if citizen.stuck:
            # Not a loss by itself (what the citizen sent is checked below): a reply the
            # citizen waited for never came, e.g. a kill between a commit and its reply.
            result.unanswered_citizens += 1
            result.notes.append(f"citizen {citizen.user_id} got no answer: {citizen.stuck}")
        for item, answer in citizen.stances.items():
            result.answers += 1
            result.lost += stances.get((pid, item)) != answer
            # One history row for the stance and one for the priority; more came from replays.
            result.history_repeats += max(history[(pid, item)] - 2, 0)
        for item, text in citizen.suggestions:
            expected_suggestions[(pid, item, text)] += 1
        for sid, vote in citizen.votes.items():
            result.votes += 1
            result.lost += votes.get((pid, sid)) != vote
            result.history_repeats += max(vote_history[(pid, sid)] - 1, 0)
    result.suggestions = sum(expected_suggestions.values())
    for key, count in expected_suggestions.items():
        stored = suggestions.get(key, 0)
        result.lost += max(count - stored, 0)
        result.doubled += max(stored - count, 0)
    result.unexpected = sum(n for key, n in suggestions.items() if key not in expected_suggestions)
    result.inbox_pending = inbox.get("pending", 0)
    result.inbox_abandoned = inbox.get("abandoned", 0)
    checked = ("lost", "doubled", "unexpected", "inbox_pending", "inbox_abandoned",
               "unanswered_citizens", "texts_not_taken", "confirmations_repeated")  # fmt: skip
    for name in checked:
        if getattr(result, name):
            result.problems.append(f"{name}: {getattr(result, name)}")
    if result.integrity.startswith("not checked"):
        result.notes.append(f"integrity: {result.integrity}")
    elif result.integrity != "ok":
        result.problems.append(f"integrity_check: {result.integrity}")


def main(argv: list[str] | None = None) -> int:
    """Run the crash test from the command line and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    defaults = Config()
    parser.add_argument("--citizens", type=int, default=defaults.citizens)
    parser.add_argument("--kills", type=int, default=defaults.kills, help="at least this many")
    parser.add_argument("--items", type=int, default=defaults.items, help="items per citizen")
    parser.add_argument("--votes", type=int, default=defaults.votes, help="votes per citizen")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument(
        "--gap", type=float, nargs=2, default=defaults.gap, metavar=("MIN", "MAX"),
        help="seconds between two stops of the bot, drawn between MIN and MAX",
    )  # fmt: skip
    parser.add_argument(
        "--sigterm-every", type=int, default=defaults.sigterm_every,
        help="every this many stops is a SIGTERM",
    )  # fmt: skip
    parser.add_argument(
        "--wait", type=float, default=defaults.wait,
        help="seconds a citizen waits for an answer before giving up",
    )  # fmt: skip
    parser.add_argument("--webhook", action="store_true", help="run the bot in webhook mode")
    parser.add_argument(
        "--database", choices=("sqlite", "postgres"), default="sqlite",
        help="postgres: DATABASE_URL's server, else a throwaway cluster",
    )  # fmt: skip
    parser.add_argument(
        "--workers", type=int, default=1, help="hearing-bot processes on one PostgreSQL database"
    )
    parser.add_argument(
        "--faults", type=float, default=0.0, help="share of calls failed with each fault kind"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep", type=Path, help="keep the database and bot log in this folder")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers: at least 1")
    if args.workers > 1 and args.database != "postgres":
        parser.error(
            "--workers: several workers share one PostgreSQL database (--database postgres)"
        )
    if args.workers > 1 and args.webhook:
        parser.error("--workers: several webhook workers need a reverse proxy, not built here")
    # The emulator logs each request the killed bot left half-sent: expected here, and noise.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    config = Config(
        citizens=args.citizens, kills=args.kills, items=args.items, votes=args.votes,
        gap=(args.gap[0], args.gap[1]), sigterm_every=args.sigterm_every, seed=args.seed,
        wait=args.wait, webhook=args.webhook, faults=args.faults, database=args.database,
        workers=args.workers,
    )  # fmt: skip
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=False)
        result = asyncio.run(run_crash_test(config, args.keep))
    else:
        with tempfile.TemporaryDirectory(prefix="crash-test-") as tmp:
            result = asyncio.run(run_crash_test(config, Path(tmp)))
    figures = {k: v for k, v in asdict(result).items() if k not in ("problems", "notes")}
    for key, value in figures.items():
        print(f"{key:24} {value}")
    for problem in result.problems[:20]:
        print(f"PROBLEM: {problem}")
    for note in result.notes[:20]:
        print(f"NOTE: {note}")
    if args.json is not None:
        args.json.write_text(json.dumps(asdict(result), indent=2) + "\n", encoding="utf-8")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
