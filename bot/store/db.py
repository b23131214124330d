"""Engines and sessions. The operator gives a plain SQLAlchemy URL; we pick the async driver.

SQLite is the embedded default, so it must behave under concurrency: WAL lets readers run beside the
writer, and every transaction starts with BEGIN IMMEDIATE so two writers queue on the busy timeout
instead of deadlocking on a read-to-write lock upgrade (SQLite's classic "database is locked").
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import await_

from bot.store.sqlite_inline import BUSY_TIMEOUT_MS, begin_immediate, inline_creator

READ_ONLY = "mediator_read_only"  # an execution option: see make_sessionmaker
# An execution option: this transaction's COMMIT reaches the disk before it returns, on SQLite too (see
# _sqlite_pragmas). The inbox sets it: a message acknowledged to its sender must survive a power cut.
DURABLE = "mediator_durable"
POLICIES_DIR = "policies_dir"  # a session `info` key: see make_sessionmaker
ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


def async_url(url: str, base: Path | None = None) -> URL:
    """`sqlite:///x.db` → `sqlite+aiosqlite:///<base>/x.db`; `postgresql://` → `postgresql+asyncpg://`.

    asyncpg over psycopg: psycopg re-parses every multi-row INSERT in Python (its statement cache stops at
    50 parameters), which halved intake throughput on PostgreSQL."""
    if url.startswith("postgres://"):  # Heroku-style alias
        url = "postgresql://" + url[len("postgres://") :]
    # Operators may paste a URL naming a driver (postgresql+psycopg://): the app still picks its own.
    url = re.sub(r"^postgresql\+\w+://", "postgresql://", url)
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in ASYNC_DRIVERS:
        raise ValueError(f"database_url: unsupported database {backend!r}; use sqlite:/// or postgresql://")
    parsed = parsed.set(drivername=ASYNC_DRIVERS[backend])
    if backend == "sqlite" and parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        if not path.is_absolute() and base is not None:
            path = base / path
        path.parent.mkdir(parents=True, exist_ok=True)
        parsed = parsed.set(database=str(path))
    return parsed


def sync_url(url: URL) -> URL:
    """The same database through a synchronous driver, for Alembic."""
    backend = url.get_backend_name()
    return url.set(drivername="sqlite" if backend == "sqlite" else "postgresql+psycopg")


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, base: Path | None = None, **kwargs: object) -> AsyncEngine:
    aurl = async_url(url, base)
    # A database error must not write buyers' names, e-mails and phones to the log (review M5): SQLAlchemy
    # puts every bound parameter into the exception text unless told not to.
    kwargs.setdefault("hide_parameters", True)
    if aurl.get_backend_name() == "sqlite":
        if aurl.database and aurl.database != ":memory:":
            kwargs.setdefault("async_creator", inline_creator(aurl.database))
        engine = create_async_engine(aurl, connect_args={"timeout": 30}, **kwargs)
        _sqlite_pragmas(engine, aurl.database if aurl.database not in (None, "", ":memory:") else None)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(aurl, **kwargs)


class _WriteGate:
    """One SQLite transaction at a time per process, first come first served.

    SQLite itself would serialize writers too, but through its busy handler, which sleeps and retries
    with growing pauses: under load some turns wait seconds while others get in at once. An asyncio
    lock queues them fairly instead. The timeout plays the part of busy_timeout.
    """

    def __init__(self, timeout: float = 30.0):
        self.timeout = timeout
        self._lock: asyncio.Lock | None = None

    def acquire(self) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        if not self._lock.locked():
            await_(self._lock.acquire())  # uncontended: no timeout task needed
            return
        try:
            await_(asyncio.wait_for(self._lock.acquire(), self.timeout))
        except TimeoutError:
            raise OperationalError("BEGIN", {}, TimeoutError("database is busy")) from None

    def release(self) -> None:
        if self._lock is not None and self._lock.locked():
            self._lock.release()


def _sqlite_pragmas(engine: AsyncEngine, path: str | None) -> None:
    gate = _WriteGate()

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the driver, decide when transactions begin (see module docstring).
        if dbapi_conn.isolation_level is not None:  # inline connections open in autocommit already
            dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        _record.info["synchronous"] = "NORMAL"
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        if path and conn.get_execution_options().get(READ_ONLY):
            # A reader (a report, the staff list) takes a snapshot in WAL mode: it never waits for the
            # write gate nor holds it, so a long report cannot delay a buyer's turn. A write attempted in
            # it fails on SQLite's lock instead of queueing unseen.
            conn.exec_driver_sql("BEGIN")
            return
        # WAL with synchronous=NORMAL flushes at checkpoints only (SQLite's own, inside the COMMIT that takes
        # the log past 1,000 pages): a power cut can take the last commits. FULL
        # flushes the log at each COMMIT (one fsync, ~5-20 ms on this machine's disk), so it is kept for the
        # commits that acknowledge something to the outside world (DURABLE); the rest stay NORMAL.
        want = "FULL" if conn.get_execution_options().get(DURABLE) else "NORMAL"
        if conn.info.get("synchronous") != want:
            conn.exec_driver_sql(f"PRAGMA synchronous={want}")
            conn.info["synchronous"] = want
        gate.acquire()
        conn.info["holds_gate"] = True
        try:
            begin_immediate(conn, gate.timeout)
        except Exception:
            _release(conn.info)
            raise

    def _release(info: dict) -> None:  # type: ignore[type-arg]
        if info.pop("holds_gate", False):
            gate.release()

    @event.listens_for(engine.sync_engine, "commit")
    @event.listens_for(engine.sync_engine, "rollback")
    def _on_end(conn):  # type: ignore[no-untyped-def]
        # These fire just before COMMIT/ROLLBACK is sent; the next writer's BEGIN IMMEDIATE may find the
        # lock still held for that instant, which SQLite's busy handler covers with a 1 ms retry.
        _release(conn.info)

    @event.listens_for(engine.sync_engine.pool, "reset")
    def _on_reset(_dbapi_conn, record, _reset_state):  # type: ignore[no-untyped-def]
        _release(record.info)


def make_sessionmaker(
    engine: AsyncEngine, *, read_only: bool = False, policies_dir: Path | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions on `engine`; `read_only` ones (reports, lists, pages) never take SQLite's write gate (a write
    slipped into one fails on SQLite's lock). On PostgreSQL they are ordinary transactions: MVCC readers never
    wait for writers, and a report builds TEMPORARY tables, which a READ ONLY transaction refuses.
    `policies_dir` is the folder a shop with no published policy falls back to (bot/policy/bundle.py reads it
    from `info`)."""
    if read_only:
        engine = engine.execution_options(**{READ_ONLY: True})
    info = {POLICIES_DIR: policies_dir} if policies_dir is not None else {}
    return async_sessionmaker(engine, expire_on_commit=False, info=info)


@asynccontextmanager
async def transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on any error."""
    async with sessions() as session, session.begin():
        yield session
