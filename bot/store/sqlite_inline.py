"""SQLite driven on the event loop's own thread, behind SQLAlchemy's aiosqlite dialect.

Why: aiosqlite runs every call (execute, fetch, close, commit) in a helper thread and wakes the event
loop for each result. A conversation turn makes about fifty such calls, and the hops, not SQLite,
dominated its cost (bench/turn.py). A local SQLite statement on a WAL database takes microseconds, so
running it inline is cheaper than handing it to a thread, and the loop is never blocked for long:

- writers never wait inside SQLite, because bot/store/db.py queues them in-process before BEGIN IMMEDIATE and
  retries a lock held by another process with an asyncio sleep (`begin_immediate`);
- readers in WAL mode do not wait for the writer at all.

The classes below give SQLAlchemy's aiosqlite adapter the awaitable surface it expects from aiosqlite.

Kept after measuring the library arrangement (issue 17.8, 2026-12-05): SQLAlchemy's aiosqlite as shipped, with
SQLite's own autocheckpoint instead of a checkpoint thread (since removed), was only 2-3% slower in bench/turn.py's
one-process capacity run, but in bench/channels.py's scale layout (a web and a worker process on one SQLite file,
100 SMS webhooks/s for 10 s, three interleaved pairs) it cut the turns per second from 80-89 to 53-60 (-35%),
raised the worker's CPU for the burst from 7 to 11-13 s, and the webhooks' p50 from 12-15 ms to 1.8-2.7 s.
The two were swapped together, so the measurement keeps both.

Then measured alone (2026-12-05, later): bench/channels.py `--without inline` (aiosqlite as shipped, the checkpoint
thread then still kept), same load, 3 interleaved pairs while the host's load fell from 8 to 3 (other engineers' work):
without vs with, webhook p50 2.7 / 1.2 / 1.3 s vs 0.96 s / 25 ms / 0.29 s, the web process's CPU 4.1 / 3.8 / 4.2
vs 2.4 / 2.2 / 2.3 ms a webhook, turns/s over burst and drain 17.7 / 36.3 / 28.1 vs 23.9 / 69.7 / 33.8, the
worker's CPU 22.3 / 15.2 / 18.6 vs 15.8 / 10.8 / 16.3 ms a turn. Worse in every pair (the webhook's CPU by 70-85%,
the one figure the load does not swamp): kept on its own account.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy.util import await_

# A statement that finds the database locked by another process fails after this long instead of
# sleeping in SQLite's busy handler, which would stall the event loop; BEGIN retries it asynchronously.
BUSY_TIMEOUT_MS = 20


class InlineCursor:
    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor):
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> InlineCursor:
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, seq: Sequence[Any]) -> InlineCursor:
        self._cursor.executemany(sql, seq)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class InlineConnection:
    """What SQLAlchemy's aiosqlite adapter calls on an aiosqlite.Connection, done synchronously."""

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn
        self._connection = conn  # the adapter checks this is set before commit/rollback

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def create_function(self, *args: Any, **kw: Any) -> None:
        self._conn.create_function(*args, **kw)

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        if self._connection is not None:
            self._conn.close()
            self._connection = None

    def stop(self) -> None:
        if self._connection is not None:
            self._conn.close()
            self._connection = None


def inline_creator(path: str):  # type: ignore[no-untyped-def]
    """An `async_creator` for create_async_engine: opens `path` in autocommit mode (SQLAlchemy and
    bot/store/db.py issue BEGIN themselves)."""

    async def connect() -> InlineConnection:
        conn = sqlite3.connect(
            path,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,  # the pool may close it from another thread at shutdown
        )
        return InlineConnection(conn)

    return connect


def begin_immediate(conn: Any, timeout: float) -> None:
    """BEGIN IMMEDIATE; while another process holds the write lock, wait on the event loop, not in SQLite."""
    deadline = time.monotonic() + timeout
    pause = 0.002
    while True:
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except Exception as exc:  # sqlalchemy wraps sqlite3.OperationalError
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() + pause > deadline:
                raise
        await_(asyncio.sleep(pause))
        pause = min(pause * 2, 0.1)
