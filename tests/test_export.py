"""Exports: CSV tables and the Pol.is layout, /export for drafters, `hearing-bot export`."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import pty
import re
import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.commands.export import ProgressBar, export_hearing
from bot.emulator import Emulator
from bot.hearing.export import ExportFormat, Times, day_of, polis_time
from bot.hearing.plan import load_plan
from bot.hearing.privacy import pseudonym
from storage.backend import Store
from storage.exports import SUGGESTION_TALLIES, TABLES, ExportReader
from tests.harness import (
    DATASETS,
    SECRET,
    Hearing,
    database_at,
    database_env,
    make_settings,
    query,
    use_database,
)
from tests.test_polis_replay import events, recount

# Long, distinctive ids, so that finding one in an export cannot be a coincidence.
ANA, BILAL, CHAND, DRAFTER = 781234560001, 781234560002, 781234560003, 781234560099
GROUP = -1007812345600
NAME = "Zarghunakhan"
TIMEOUT = 60
KARACHI = ZoneInfo("Asia/Karachi")
POLIS_DATETIME = re.compile(r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d \S+ \d{4}")


@dataclass(frozen=True)
class Built:
    """A hearing built through the bot, and its suggestion ids."""

    hearing: Hearing
    s1: int  # Ana's, item 3: Bilal agrees; Chand agrees, then disagrees
    s2: int  # Bilal's, item 5: Ana passes, Chand reports it; hidden later
    s3: int  # Chand's proposal: Ana agrees, Bilal disagrees; withdrawn later
    s4: int  # Bilal's, item 7: no votes; pending

    @property
    def db_path(self) -> Path:
        """The database file the bot writes."""
        return self.hearing.settings.database_path


async def vote(hearing: Hearing, user: int, sid: int, *labels: str) -> None:
    """Open a suggestion by deep link and press each vote in turn on its card."""
    await hearing.open_link(user, f"s-{sid}")
    card = hearing.last(user)
    for label in labels:
        await hearing.press(user, label, card)


@pytest.fixture
async def built(emu: Emulator, tmp_path: Path, database_url: str | None) -> AsyncIterator[Built]:
    """Three citizens answer, suggest, propose, vote (one vote changed) and report."""
    settings = make_settings(tmp_path, drafter_ids=frozenset({DRAFTER}))
    async with Hearing(emu, settings) as hearing:
        emu.send_message(ANA, "/help", first_name=NAME)
        emu.send_message(ANA, "/start", chat_id=GROUP, chat_type="group", first_name=NAME)
        await hearing.answer_item(ANA, "1")
        await hearing.answer_item(ANA, "1", stance="👎 Oppose", priority="Low")
        s1 = await hearing.suggest(ANA, "3", "Register every madrasa with the provincial office")
        s2 = await hearing.suggest(BILAL, "5", "Train police to respond within one hour")
        s4 = await hearing.suggest(BILAL, "7", 'Publish the "watch list" criteria, line\nby line')
        await hearing.say(CHAND, "/propose")
        await hearing.say(CHAND, "Protect judges and jail staff as well as witnesses")
        rows = await query(settings.database_path, "SELECT MAX(id) FROM suggestions")
        s3 = int(str(rows[0][0]))
        await vote(hearing, BILAL, s1, "👍 Agree")
        await vote(hearing, CHAND, s1, "👍 Agree", "👎 Disagree")
        await vote(hearing, ANA, s2, "🤷 Pass")
        await vote(hearing, ANA, s3, "👍 Agree")
        await vote(hearing, BILAL, s3, "👎 Disagree")
        await vote(hearing, CHAND, s2, "🚩 Report", "Spam")
        async with database_at(settings.database_path) as db, db.transaction() as repos:
            for sid, status in ((s2, "hidden"), (s3, "withdrawn"), (s4, "pending")):
                await repos.suggestions.set_status(sid, status)
        yield Built(hearing, s1, s2, s3, s4)


async def export_to(built: Built, fmt: ExportFormat, out: Path) -> dict[str, int]:
    """Export the built hearing's database as the CLI would."""
    async with database_at(built.db_path) as db:
        result = await export_hearing(db, load_plan(), fmt, out, tz=ZoneInfo("Asia/Karachi"))
    assert result.folder.name == out.name and files_in(result.folder) == list(result.files)
    return result.rows


def names(folder: Path) -> list[str]:
    """List the names in a folder, sorted."""
    return sorted(p.name for p in folder.iterdir())


def files_in(folder: Path) -> list[str]:
    """List the files in a folder and its subfolders, as relative paths, sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read a CSV file with a header row."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def header(path: Path) -> list[str]:
    """Return a CSV file's header row."""
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


async def current_votes(path: Path) -> dict[int, Counter[str]]:
    """Count the bot's current-vote table per suggestion."""
    counts: dict[int, Counter[str]] = {}
    for sid, name, count in await query(path, "SELECT suggestion_id, vote, COUNT(*) FROM votes"
                                              " GROUP BY 1, 2"):  # fmt: skip
        counts.setdefault(int(str(sid)), Counter())[str(name)] = int(str(count))
    return counts


async def test_csv_export_holds_every_table(built: Built, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    rows = await export_to(built, ExportFormat.CSV, out)
    names = {d.file_name for d in TABLES}
    assert {p.name for p in out.iterdir()} == names | {"manifest.json"}
    for dataset in TABLES:
        path = out / dataset.file_name
        assert tuple(header(path)) == dataset.columns
        stored = await query(built.db_path, f"SELECT COUNT(*) FROM {dataset.table}")
        assert len(read_csv(path)) == rows[dataset.file_name] == stored[0][0], dataset.file_name
    assert rows["votes.csv"] == 5 and rows["vote_history.csv"] == 6
    assert rows["participants.csv"] == 3 and rows["suggestions.csv"] == 4
    assert rows["reports.csv"] == 1
    suggestions = {int(r["id"]): r for r in read_csv(out / "suggestions.csv")}
    assert suggestions[built.s3]["item_id"] == "new"
    assert suggestions[built.s3]["participant_id"] == pseudonym(SECRET, CHAND)
    assert suggestions[built.s4]["text"] == 'Publish the "watch list" criteria, line\nby line'
    assert [s["status"] for s in suggestions.values()] == ["visible", "hidden", "pending",
                                                           "withdrawn"]  # fmt: skip
    chand = pseudonym(SECRET, CHAND)
    history = [
        r["vote"] for r in read_csv(out / "vote_history.csv") if r["participant_id"] == chand
    ]
    current = [r["vote"] for r in read_csv(out / "votes.csv") if r["participant_id"] == chand]
    assert history == ["agree", "disagree"] and current == ["disagree"]
    ana = [
        r for r in read_csv(out / "stances.csv") if r["participant_id"] == pseudonym(SECRET, ANA)
    ]
    assert [(r["item_id"], r["stance"], r["priority"]) for r in ana if r["item_id"] == "1"] == [
        ("1", "oppose", "low")
    ]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    plan = load_plan()
    assert manifest["plan"] == {"title": plan.title, "version": plan.version}
    assert {name: f["rows"] for name, f in manifest["files"].items()} == rows
    assert manifest["files"]["votes.csv"]["columns"] == list(TABLES[4].columns)


async def test_polis_export_reimports_to_the_current_votes(built: Built, tmp_path: Path) -> None:
    out = tmp_path / "polis"
    await export_to(built, ExportFormat.POLIS, out)
    london = DATASETS / "polis" / "london.youth.policing"
    whole = {"comments.csv", "votes.csv", "summary.csv"}
    groups = {"participants-votes.csv", "opinion-groups.csv"}
    items = await query(built.db_path, "SELECT DISTINCT item_id FROM suggestions")
    folders = {"proposals" if i == "new" else f"item-{i}" for (i,) in items}
    assert {p.name for p in out.iterdir()} == whole | groups | folders, (
        "a conversation per item too"
    )
    assert all({p.name for p in (out / f).iterdir()} == whole for f in folders)
    for name in ("comments.csv", "votes.csv"):
        assert header(out / name) == header(london / name)
    # The same recount as the Pol.is replay: the latest vote per voter and comment.
    tallies, own = recount(events(out))
    assert own == 0
    stored = await current_votes(built.db_path)
    assert {int(cid): +c for cid, c in tallies.items() if c} == stored
    assert sum(sum(c.values()) for c in tallies.values()) == 5
    comments = {int(r["comment-id"]): r for r in read_csv(out / "comments.csv")}
    for sid, row in comments.items():
        counted = stored.get(sid, Counter())
        assert (int(row["agrees"]), int(row["disagrees"])) == (
            counted["agree"],
            counted["disagree"],
        )
    assert {sid: row["moderated"] for sid, row in comments.items()} == {
        built.s1: "1", built.s2: "-1", built.s3: "0", built.s4: "0"
    }  # fmt: skip
    authors = {sid: row["author-id"] for sid, row in comments.items()}
    assert authors[built.s1] == "0" and authors[built.s2] == authors[built.s4] == "1"
    votes = read_csv(out / "votes.csv")
    history = await query(
        built.db_path, "SELECT participant_id, suggestion_id FROM vote_history ORDER BY id"
    )
    assert [(int(v["comment-id"])) for v in votes] == [sid for _, sid in history]
    # One small integer per participant, the same as author and as voter.
    pairs = {(v["voter-id"], pid) for v, (pid, _) in zip(votes, history, strict=True)}
    authored = await query(built.db_path, "SELECT id, participant_id FROM suggestions")
    pairs |= {(authors[int(str(sid))], pid) for sid, pid in authored}
    assert len(pairs) == len({n for n, _ in pairs}) == len({p for _, p in pairs}) == 3
    chand = next(n for n, p in pairs if p == pseudonym(SECRET, CHAND))
    changed = [
        v["vote"] for v in votes if v["voter-id"] == chand and v["comment-id"] == str(built.s1)
    ]
    assert changed == ["1", "-1"]
    assert tallies[str(built.s1)] == Counter({"agree": 1, "disagree": 1})
    created = await query(
        built.db_path, "SELECT created_at FROM suggestions WHERE id = ?", built.s1
    )
    first = comments[built.s1]
    assert (int(first["timestamp"]), first["datetime"]) == polis_time(
        str(created[0][0]), ZoneInfo("Asia/Karachi"), exact=False
    )
    assert POLIS_DATETIME.fullmatch(first["datetime"]) and " PKT " in first["datetime"]
    assert " 00:00:00 PKT " in first["datetime"], "the day only, by default"
    with (out / "summary.csv").open(encoding="utf-8", newline="") as handle:
        summary = dict(csv.reader(handle))
    assert summary == {
        "topic": load_plan().title,
        "voters": "3",
        "commenters": "3",
        "comments": "4",
        "groups": "0",
    }
    # Pol.is's participants-votes layout; three people are too few for groups: no group-id.
    people = read_csv(out / "participants-votes.csv")
    vtaiwan = DATASETS / "polis" / "vtaiwan.uberx" / "participants-votes.csv"
    assert header(out / "participants-votes.csv")[:6] == header(vtaiwan)[:6]
    assert [p["participant"] for p in people] == ["0", "1", "2"]
    assert all(p["group-id"] == "" for p in people)
    kept = sorted((built.s1, built.s3, built.s4))
    assert header(out / "participants-votes.csv")[6:] == list(map(str, kept)), "hidden: none"
    by_voter = {p["participant"]: p for p in people}
    assert by_voter[chand]["n-votes"] == "1" and by_voter[chand][str(built.s1)] == "-1", "latest"
    assert read_csv(out / "opinion-groups.csv") == [], "nothing described"


def test_polis_time_writes_what_polis_wrote() -> None:
    # The first comment of london.youth.policing/comments.csv, from its UTC instant.
    assert polis_time("2022-07-27T15:09:49.213+00:00", ZoneInfo("Asia/Jakarta")) == (
        1658934589213,
        "Wed Jul 27 22:09:49 WIB 2022",
    )
    assert polis_time("2019-09-01T00:09:14.698+00:00", ZoneInfo("America/Los_Angeles"))[1] == (
        "Sat Aug 31 17:09:14 PDT 2019"
    )


def test_polis_time_of_the_day_is_its_start_in_the_hearings_zone() -> None:
    # 20:30 UTC on 26 November is already the 27th in Karachi (UTC+5).
    stamp, text = polis_time("2026-11-26T20:30:15.123+00:00", ZoneInfo("Asia/Karachi"), False)
    assert text == "Fri Nov 27 00:00:00 PKT 2026"
    assert stamp == 1795719600000  # 2026-11-26T19:00:00Z


DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def time_columns(rows: list[dict[str, str]]) -> list[str]:
    """Every non-empty stored time in a CSV table's rows (its columns named *_at)."""
    return [v for row in rows for name, v in row.items() if name.endswith("_at") and v]


@pytest.mark.parametrize("times", list(Times))
async def test_csv_times_are_days_unless_the_operator_asks_for_exact_ones(
    built: Built, tmp_path: Path, times: Times
) -> None:
    out = tmp_path / "csv"
    async with database_at(built.db_path) as db:
        await export_hearing(db, load_plan(), ExportFormat.CSV, out, tz=KARACHI, times=times)
    exported = {d.file_name: read_csv(out / d.file_name) for d in TABLES}
    values = [v for rows in exported.values() for v in time_columns(rows)]
    assert len(values) > 20, "answers, votes, suggestions, reports: all dated"
    stored = await query(built.db_path, "SELECT recorded_at FROM vote_history ORDER BY id")
    votes = [r["recorded_at"] for r in exported["vote_history.csv"]]
    if times is Times.DAY:
        assert all(DAY.fullmatch(v) for v in values), "no hour, minute or millisecond"
        assert votes == [day_of(str(at), KARACHI) for (at,) in stored]
    else:
        assert votes == [str(at) for (at,) in stored], "to the millisecond, as stored"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["times"] == {"precision": times.value, "time_zone": "Asia/Karachi"}


async def test_the_exact_times_are_the_operators_to_ask_for(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    use_database(monkeypatch, built.db_path)
    for flags in ([], ["--exact-times"]):
        out = "exact" if flags else "days"
        assert await asyncio.to_thread(main, ["export", "--out", out, *flags]) == 0
    days = time_columns(read_csv(tmp_path / "days" / "suggestions.csv"))
    exact = time_columns(read_csv(tmp_path / "exact" / "suggestions.csv"))
    assert all(DAY.fullmatch(v) for v in days) and not any(DAY.fullmatch(v) for v in exact)
    stored = await query(built.db_path, "SELECT created_at FROM suggestions ORDER BY id")
    assert exact == [str(at) for (at,) in stored]
    # A drafter's /export in Telegram is always dated by the day.
    await built.hearing.say(DRAFTER, "/export")
    with zipfile.ZipFile(io.BytesIO(built.hearing.last(DRAFTER).file_bytes or b"")) as packed:
        text = packed.read("vote_history.csv").decode("utf-8")
    values = time_columns(list(csv.DictReader(io.StringIO(text, newline=""))))
    assert values and all(DAY.fullmatch(v) for v in values)


async def test_export_command_is_for_drafters_only(built: Built) -> None:
    hearing = built.hearing
    replies = await hearing.say(BILAL, "/export")
    assert [m.plain_text() for m in replies] == ["Sorry, this is only for the hearing's drafters."]
    assert all(m.kind != "document" for m in hearing.emu.messages(BILAL))
    await hearing.say(DRAFTER, "/export")
    sent = hearing.last(DRAFTER)
    assert sent.kind == "document" and sent.file_bytes is not None
    assert re.fullmatch(r"hearing-export-\d{8}-\d{4}\.zip", sent.file_name or "")
    assert "Participants: 4 · suggestions and proposals: 4 · votes: 5" in sent.plain_text()
    with zipfile.ZipFile(io.BytesIO(sent.file_bytes)) as packed:
        files = {name: packed.read(name).decode("utf-8") for name in packed.namelist()}
    assert set(files) == {d.file_name for d in TABLES} | {"manifest.json"}
    manifest = json.loads(files["manifest.json"])
    for dataset in TABLES:
        parsed = list(csv.DictReader(io.StringIO(files[dataset.file_name], newline="")))
        assert len(parsed) == manifest["files"][dataset.file_name]["rows"]
    assert manifest["files"]["participants.csv"]["rows"] == 4, "the drafter is a participant"


async def test_no_telegram_id_chat_id_or_name_in_any_export(built: Built, tmp_path: Path) -> None:
    delivery = await query(built.db_path, "SELECT chat_id FROM delivery")
    secrets = {ANA, BILAL, CHAND, DRAFTER, GROUP}
    assert {ANA, BILAL, CHAND} <= {int(str(c)) for (c,) in delivery}, "the ids are stored"
    await built.hearing.say(DRAFTER, "/export")
    zipped = built.hearing.last(DRAFTER).file_bytes or b""
    exported = [zipped]
    with zipfile.ZipFile(io.BytesIO(zipped)) as packed:
        exported += [packed.read(name) for name in packed.namelist()]
    for fmt in ExportFormat:
        await export_to(built, fmt, tmp_path / fmt)
        exported += [(tmp_path / fmt / name).read_bytes() for name in files_in(tmp_path / fmt)]
    csv_files = len(TABLES) + 1  # and the manifest
    items = await query(built.db_path, "SELECT COUNT(DISTINCT item_id) FROM suggestions")
    polis_files = 5 + 3 * int(str(items[0][0]))  # the hearing with its groups, a folder per item
    assert len(exported) == 1 + csv_files + csv_files + polis_files
    needles = [str(n).encode() for n in secrets] + [str(abs(GROUP)).encode(), NAME.encode()]
    for blob in exported:
        for needle in needles:
            assert needle not in blob


async def test_cli_exports_csv_and_polis(
    built: Built,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    use_database(monkeypatch, built.db_path)
    items = await query(built.db_path, "SELECT COUNT(DISTINCT item_id) FROM suggestions")
    for fmt, files in (("csv", len(TABLES) + 1), ("polis", 5 + 3 * int(str(items[0][0])))):
        status = await asyncio.to_thread(main, ["export", "--format", fmt, "--out", fmt])
        assert status == 0
        captured = capsys.readouterr()
        assert captured.err == "", "no progress bar when stderr is not a terminal"
        assert captured.out.startswith(f"{tmp_path / fmt}: {files} files, ")
        assert len(files_in(tmp_path / fmt)) == files
    assert [name for name in names(tmp_path) if name.startswith(".")] == []


async def test_cli_draws_a_progress_bar_on_a_terminal(built: Built, tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    env = {**os.environ, **database_env(built.db_path)}
    args = [sys.executable, "-m", "bot", "export", "--format", "polis", "--out", "out"]
    try:
        result = await asyncio.to_thread(
            subprocess.run, args, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
            stderr=follower, timeout=TIMEOUT, check=False,
        )  # fmt: skip
    finally:
        os.close(follower)
    drawn = b""
    try:
        while chunk := os.read(leader, 4096):
            drawn += chunk
    except OSError:
        pass  # the terminal is closed once everything is read
    finally:
        os.close(leader)
    assert result.returncode == 0, drawn
    text = drawn.decode()
    assert re.search(r"\r\[#{30}\] 100% \S*votes\.csv", text)
    assert "comments.csv" in text and text.endswith("\n")


def test_progress_bar_redraws_only_on_change() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream)
    for done in (0, 1, 2, 50):
        bar("votes.csv", done, 200)
    bar.close()
    assert stream.getvalue().count("\r") == 3
    assert "\r[" + "#" * 7 + "-" * 23 + "]  25% votes.csv\033[K\n" in stream.getvalue()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty migrated database named by DATABASE_PATH, in a folder with no .env."""
    path = tmp_path / "hearing.db"

    async def create() -> None:
        async with database_at(path):
            pass

    asyncio.run(create())
    monkeypatch.chdir(tmp_path)
    use_database(monkeypatch, path)
    return path


def refusal(capsys: pytest.CaptureFixture[str]) -> str:
    """Return the one line an export refusal printed."""
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("hearing-bot export: ")
    return lines[0]


def test_cli_refuses_an_unknown_format(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "xlsx", "--out", "out"]) == 2
    assert "--format must be csv or polis, not 'xlsx'" in refusal(capsys)
    assert not (database.parent / "out").exists()


def test_cli_refuses_a_folder_that_is_not_empty(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = database.parent / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["export", "--out", "out"]) == 2
    assert "already exists and is not an empty folder" in refusal(capsys)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert names(database.parent) == ["hearing.db", "out"], "no staging folder is left"


def test_cli_fills_an_empty_folder(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (database.parent / "out").mkdir()
    assert main(["export", "--out", "out"]) == 0
    assert f"{len(TABLES) + 1} files, 0 rows" in capsys.readouterr().out
    assert read_csv(database.parent / "out" / "votes.csv") == []


def test_cli_refuses_an_unwritable_place(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (database.parent / "a-file").write_text("", encoding="utf-8")
    assert main(["export", "--out", "a-file/out"]) == 2
    assert "is not a folder" in refusal(capsys)
    assert main(["export", "--out", "a-file"]) == 2
    assert "already exists and is not an empty folder" in refusal(capsys)


def test_cli_refuses_a_missing_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    use_database(monkeypatch, tmp_path / "absent.db")
    assert main(["export", "--out", "out"]) == 2
    assert "no database at" in refusal(capsys)
    assert list(tmp_path.iterdir()) == [], "no database is created by an export"


def test_cli_needs_an_out_folder(database: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["export", "--format", "csv"])
    assert exit_.value.code == 2


async def test_a_failed_export_leaves_nothing_behind(db: Store, tmp_path: Path) -> None:
    def fail(file_name: str, done: int, total: int) -> None:
        if file_name:
            raise OSError("disk full")

    async with db.transaction() as repos:
        await repos.participants.ensure(pseudonym(SECRET, ANA))
    before = names(tmp_path)
    with pytest.raises(OSError, match="disk full"):
        await export_hearing(db, load_plan(), ExportFormat.CSV, tmp_path / "out", progress=fail)
    assert names(tmp_path) == before


@pytest.mark.parametrize("page_rows", [1, 2, 1000])
async def test_pages_cover_every_row_once_in_key_order(built: Built, page_rows: int) -> None:
    async with database_at(built.db_path) as db, db.reading() as repos:
        reader = ExportReader(repos.conn, page_rows=page_rows)
        for dataset in (*TABLES, SUGGESTION_TALLIES):
            rows = [row async for page in reader.pages(dataset) for row in page]
            keys = [row[: len(dataset.key)] for row in rows]
            assert keys == sorted(set(keys)), dataset.file_name
            assert len(rows) == await reader.count(dataset), dataset.file_name


def test_cli_refuses_a_broken_plan_or_database(
    database: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = database.parent / "plan.md"
    plan.write_text("no title\n", encoding="utf-8")
    monkeypatch.setenv("PLAN_PATH", str(plan))
    assert main(["export", "--out", "out"]) == 2
    assert "has problems (see check-content)" in refusal(capsys)
    monkeypatch.delenv("PLAN_PATH")
    database.write_bytes(b"not a database at all, just bytes" * 200)
    assert main(["export", "--out", "out"]) == 2
    assert "cannot read" in refusal(capsys)
    assert not (database.parent / "out").exists()
