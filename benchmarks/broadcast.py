"""Broadcast to 10,000 citizens through the emulator enforcing Telegram's sending limits.

Run from the project root: `.venv/bin/python -m benchmarks.broadcast` (see BENCHMARKS.md).
The real bot (running_hearing) sends one drafter's broadcast; the emulator answers 429 to any
message over Telegram's limits (30 per second overall, 1 per second per chat with a burst of
3) and measures the achieved rate. Reports the rate as a share of 30/s and the 429s.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.botproc import SECRET, TOKEN  # noqa: E402
from bot.app import running_hearing  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.emulator import Emulator, Limits, RateReport  # noqa: E402
from bot.hearing.privacy import pseudonym  # noqa: E402
from bot.senders.broadcasts import IN_FLIGHT  # noqa: E402
from bot.senders.hub import BackgroundSenders  # noqa: E402
from storage.clock import utcnow  # noqa: E402
from storage.db import Database  # noqa: E402

TELEGRAM_RATE = 30.0
DRAFTER = 99
FIRST_CITIZEN = 500_000
TEXT = "The hearing closes on Friday at 18:00."


@dataclass(frozen=True)
class Run:
    """One broadcast's measurements."""

    rtt: float
    rate_setting: int
    in_flight: int
    report: RateReport
    seconds: float

    def row(self) -> str:
        """Render a Markdown table row."""
        r = self.report
        return (
            f"| {self.rtt * 1000:.0f} | {self.rate_setting} | {self.in_flight} | {r.sent:,} "
            f"| {self.seconds:.0f} "
            f"| {r.overall_rate:.2f} | {r.overall_rate / TELEGRAM_RATE:.3f} "
            f"| {r.rejected_429} | {r.max_in_any_second} | {r.per_chat_violations} |"
        )


HEADER = (
    "| RTT ms | BROADCAST_RATE | sends in flight | sent | seconds | messages/s | share of 30/s "
    "| 429s | most in any second | per-chat violations |\n" + "|---" * 10 + "|"
)


def seed_audience(db: Path, citizens: int) -> str:
    """Write the drafter and `citizens` reachable participants; return the drafter's id."""
    now = utcnow()
    ids = [(pseudonym(SECRET, FIRST_CITIZEN + i), FIRST_CITIZEN + i) for i in range(citizens)]
    drafter = pseudonym(SECRET, DRAFTER)
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO participants (id, created_at, updated_at) VALUES (?, ?, ?)",
            [(pid, now, now) for pid, _ in [*ids, (drafter, DRAFTER)]],
        )
        conn.executemany(
            "INSERT INTO delivery (participant_id, chat_id, updated_at) VALUES (?, ?, ?)",
            [(pid, chat, now) for pid, chat in [*ids, (drafter, DRAFTER)]],
        )
    return drafter


async def broadcast(citizens: int, rtt: float, rate: int, in_flight: int, workdir: Path) -> Run:
    """Send one broadcast to every citizen and return what the emulator measured."""
    db = workdir / f"broadcast-{rate}-{in_flight}-{int(rtt * 1000)}.db"
    async with Database(db):
        pass
    drafter = seed_audience(db, citizens)
    async with Emulator(token=TOKEN, limits=Limits(), latency=rtt) as emu:
        for i in range(citizens):
            emu.meet(FIRST_CITIZEN + i)
        emu.meet(DRAFTER)
        # The drafter's daily digest is due half a day from now, not during the broadcast.
        later = (datetime.now(ZoneInfo(Settings.timezone)) + timedelta(hours=12)).time()
        settings = Settings(
            telegram_api_url=emu.base_url, database_path=db, pseudonym_secret=SECRET,
            drafter_ids=frozenset({DRAFTER}), broadcast_rate=rate, log_level="WARNING",
            digest_time=later.replace(second=0, microsecond=0),
        )  # fmt: skip
        async with running_hearing(settings, TOKEN, SECRET) as app:
            services = app.bot_data.services
            assert services is not None
            broadcasts = services.broadcasts
            drafted = await broadcasts.draft(drafter, TEXT)
            queued = await broadcasts.start(drafter, drafted.broadcast_id)
            assert queued == citizens, (queued, citizens)
            senders = app.bot_data.senders
            assert isinstance(senders, BackgroundSenders)
            broadcaster = senders.broadcaster
            broadcaster.pacing.in_flight = in_flight
            emu.reset_rates()
            started = time.perf_counter()
            broadcaster.kick()
            await broadcaster.wait_idle()
            seconds = time.perf_counter() - started
        report = emu.rate_report()
        received = [
            sum(TEXT in m.text for m in emu.messages(FIRST_CITIZEN + i) if m.text)
            for i in range(citizens)
        ]
    if report.sent != citizens or set(received) != {1}:
        raise AssertionError(f"{report.sent} sends for {citizens} citizens: {Counter(received)}")
    return Run(rtt, rate, in_flight, report, seconds)


def main() -> None:
    """Run the broadcasts asked for and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--citizens", type=int, default=10_000)
    parser.add_argument("--rtt-ms", default="50", help="round trips, comma-separated")
    parser.add_argument("--rates", default="28", help="BROADCAST_RATE values, comma-separated")
    parser.add_argument(
        "--in-flight", default=str(IN_FLIGHT), help="sends at once, comma-separated"
    )
    args = parser.parse_args()
    print(f"{args.citizens:,} citizens; Telegram's limit: {TELEGRAM_RATE:.0f} messages/s\n")
    print(HEADER, flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for rtt in (float(v) / 1000 for v in args.rtt_ms.split(",")):
            for rate in (int(v) for v in args.rates.split(",")):
                for in_flight in (int(v) for v in args.in_flight.split(",")):
                    run = asyncio.run(broadcast(args.citizens, rtt, rate, in_flight, Path(tmp)))
                    print(run.row(), flush=True)


if __name__ == "__main__":
    main()
