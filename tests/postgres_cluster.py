"""A throwaway PostgreSQL server for the tests: one cluster in a temporary folder per session.

Each test gets the hearing's database as new: migrated once per session, and emptied before
each test (rows deleted, ids restarted, any table a test made dropped, any connection a test
left open ended). That takes about a millisecond; copying a template database with CREATE
DATABASE ... TEMPLATE took 1.2-1.6 s a test on the development machine. A test that needs a
database nothing was ever applied to gets one of its own (`empty_database`).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from storage.postgres import PostgresDatabase

# Where to look for initdb and pg_ctl when they are not on PATH: Debian's postgresql package.
DEBIAN_BINARIES = Path("/usr/lib/postgresql")
SHARED = "hearing_test"
HOW_TO_ENABLE = (
    "install a PostgreSQL server (Debian: apt-get install postgresql), "
    "or set HEARING_PG_BIN to the folder holding initdb and pg_ctl"
)


def server_binaries() -> Path | None:
    """Return the folder of initdb and pg_ctl (HEARING_PG_BIN, PATH, Debian's), or None."""
    chosen = os.environ.get("HEARING_PG_BIN")
    candidates = [Path(chosen)] if chosen else []
    if found := shutil.which("initdb"):
        candidates.append(Path(found).resolve().parent)
    versions = sorted(DEBIAN_BINARIES.glob("*/bin"), key=lambda p: _number(p.parent.name))
    candidates.extend(reversed(versions))
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _number(text: str) -> int:
    return int(text) if text.isdigit() else -1


@dataclass
class Cluster:
    """A running throwaway cluster; databases are made and dropped through its admin URL."""

    binaries: Path
    folder: Path
    port: int = 0
    user: str | None = None
    # Tests need no durability; a benchmark against SQLite's WAL needs what it promises.
    durable: bool = False
    # More server settings, `name=value` (a benchmark's pg_stat_statements, say).
    settings: tuple[str, ...] = ()
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    # The migrated database's own tables; a test's extra ones are dropped before the next.
    _tables: frozenset[str] = frozenset()

    @property
    def version(self) -> str:
        """Return the server's version (e.g. '15.18')."""
        out = subprocess.run(
            [self.binaries / "postgres", "--version"], capture_output=True, text=True, check=False
        ).stdout
        return out.split()[-1] if out else "?"

    def url(self, database: str) -> str:
        """Return the URL of one of the cluster's databases."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Create the cluster, start it, and build the migrated database."""
        # PostgreSQL refuses to run as root: the server runs as an unprivileged user then.
        if os.geteuid() == 0:
            self.user = _unprivileged_user()
            shutil.chown(self.folder, self.user)
        self.port = _free_port()
        self._run("initdb", "-D", self.folder / "data", "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        self.resume()
        # Its own thread and loop: the cluster may be started from inside a test's event loop.
        with ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, self._migrate_shared()).result()

    def pause(self) -> None:
        """Stop the server (as a restart does: every connection ended), keeping its data."""
        self._run("pg_ctl", "-D", self.folder / "data", "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        """Start the server again on the same port and data."""
        # Durability is not what the tests check: a throwaway cluster need not fsync. A durable
        # one promises what SQLite's WAL with synchronous=NORMAL does: a crash of the machine
        # may lose the last commits (synchronous_commit=off), never corrupt the database.
        safety = "on" if self.durable else "off"
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
                   f" -c fsync={safety} -c synchronous_commit=off -c full_page_writes={safety}"
                   " -c max_connections=200")  # fmt: skip
        options += "".join(f" -c {setting}" for setting in self.settings)
        self._run("pg_ctl", "-D", self.folder / "data", "-o", options,
                  "-l", self.folder / "server.log", "-w", "-t", "60", "start")  # fmt: skip

    def stop(self) -> None:
        """Stop the server and remove its folder (nothing to do a second time)."""
        if not self.folder.exists():
            return
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", self.folder / "data", "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    async def fresh_database(self) -> str:
        """Empty the migrated database, as if it were new, and return its URL."""
        conn = await asyncpg.connect(self.url(SHARED))
        try:
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = $1 AND pid <> pg_backend_pid()",
                SHARED,
            )
            extra = set(await _tables(conn)) - self._tables - {"schema_migrations"}
            if extra:
                await conn.execute(f"DROP TABLE {', '.join(sorted(extra))} CASCADE")
            # Triggers off (the append-only logs refuse DELETE), and with them foreign keys.
            await conn.execute(
                "SET session_replication_role = replica;"
                + "".join(f"DELETE FROM {name};" for name in sorted(self._tables))
                + "DELETE FROM ledger.erasures;"  # the erasure ledger, in a schema of its own
                + "".join(f"ALTER SEQUENCE {name} RESTART;" for name in await _sequences(conn))
                + "RESET session_replication_role;"
            )
        finally:
            await conn.close()
        return self.url(SHARED)

    async def empty_database(self) -> str:
        """Create a database with no tables at all and return its URL."""
        name = f"bare_{os.getpid()}_{next(self._names)}"
        await self._admin(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.url(name)

    async def drop(self, url: str) -> None:
        """Drop a database of a test's own, ending any connection the test left open to it."""
        name = url.rsplit("/", 1)[1]
        if name != SHARED:
            await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def _admin(self, sql: str) -> None:
        conn = await asyncpg.connect(self.url("postgres"))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def _migrate_shared(self) -> None:
        await self._admin(f"CREATE DATABASE {SHARED}")
        async with PostgresDatabase(self.url(SHARED)):
            pass  # opening applies every migration
        conn = await asyncpg.connect(self.url(SHARED))
        try:
            self._tables = frozenset(await _tables(conn)) - {"schema_migrations"}
        finally:
            await conn.close()

    def _run(self, program: str, *args: object) -> None:
        subprocess.run(
            [str(self.binaries / program), *map(str, args)],
            check=True, capture_output=True, user=self.user, cwd=self.folder,
        )  # fmt: skip


def start_cluster(*, durable: bool = False, settings: tuple[str, ...] = ()) -> Cluster | str:
    """Start a throwaway cluster, or return why the PostgreSQL half of the tests cannot run."""
    binaries = server_binaries()
    if binaries is None:
        return f"no PostgreSQL server binaries found: {HOW_TO_ENABLE}"
    folder = Path(tempfile.mkdtemp(prefix="hearing-pg-"))
    cluster = Cluster(binaries, folder, durable=durable, settings=settings)
    # Stopped at exit even when the session ends without its teardown (a broken pipe, ^C).
    atexit.register(cluster.stop)
    try:
        cluster.start()
    except (OSError, subprocess.CalledProcessError, asyncpg.PostgresError) as exc:
        detail = exc.stderr.decode(errors="replace").strip() if isinstance(
            exc, subprocess.CalledProcessError) and exc.stderr else str(exc)  # fmt: skip
        cluster.stop()
        return f"the throwaway PostgreSQL cluster did not start ({detail.splitlines()[-1]})"
    return cluster


async def _tables(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return [str(row[0]) for row in rows]


async def _sequences(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
    return [str(row[0]) for row in rows]


def _unprivileged_user() -> str:
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name).pw_name
    raise OSError("running as root, and there is no postgres or nobody user to run the server")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
