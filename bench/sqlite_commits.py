"""What a turn's COMMIT costs on the embedded SQLite database, and whether WAL checkpoints (and the disk
flushes they make) stay out of it (bot/store/sqlite_checkpoint.py).

    .venv/bin/python bench/sqlite_commits.py [--conversations 200] [--commit-checkpoints]

Runs conversations of the turn benchmark's script one turn at a time, with a 2 ms pause between turns,
and times each COMMIT the event loop makes. Prints the commits' median, p99 and maximum, how many took
over 2 ms, the pages the checkpoint thread copied, and the size of the log at the end.

`--commit-checkpoints` measures the old arrangement for comparison: the checkpoint thread stopped and
SQLite's automatic checkpoint at its default 1,000 pages, so that some buyers' commits checkpoint.
Put the database on a tmpfs (TMPDIR=/dev/shm) to see what the flushes, not the copying, cost.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

import bot.store.sqlite_inline as sqlite_inline  # noqa: E402
from bench._common import SCRIPT, median, percentile  # noqa: E402
from bench.turn import setup  # noqa: E402
from bot.store.db import checkpointer_of  # noqa: E402

commit_ms: list[float] = []
_commit = sqlite_inline.InlineConnection.commit


async def _timed_commit(self: sqlite_inline.InlineConnection) -> None:
    started = time.perf_counter()
    await _commit(self)
    commit_ms.append((time.perf_counter() - started) * 1000)


def _log_mb(path: str) -> float:
    wal = Path(f"{path}-wal")
    return wal.stat().st_size / 1e6 if wal.exists() else 0.0


async def main(conversations: int, commit_checkpoints: bool) -> None:
    # The benchmark wraps the driver shim's commit (the one call that runs COMMIT) to time it.
    sqlite_inline.InlineConnection.commit = _timed_commit  # type: ignore[method-assign]
    rt, case_ids = await setup(conversations + 50, None)
    checkpointer = checkpointer_of(rt.engine)
    assert checkpointer is not None
    if commit_checkpoints:
        checkpointer.stop()

        @event.listens_for(rt.engine.sync_engine, "connect")
        def _default_autocheckpoint(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            dbapi_conn.cursor().execute("PRAGMA wal_autocheckpoint=1000").close()

        await rt.engine.dispose()  # new connections, with the default
    copied_before = checkpointer.frames_copied
    commit_ms.clear()
    try:
        for text in SCRIPT:
            for case_id in case_ids[:conversations]:
                await rt.conversation.buyer_message(case_id, text, channel="webchat")
                await asyncio.sleep(0.002)
        path = rt.engine.url.database
        mode = "commits checkpoint (thread off, every 1,000 pages)" if commit_checkpoints else "thread checkpoints"
        print(f"sqlite commits, {mode}: {conversations} conversations x {len(SCRIPT)} turns, one at a time")
        print(
            f"  COMMIT       median {median(commit_ms):.2f} ms   p99 {percentile(commit_ms, 99):.2f} ms   "
            f"max {max(commit_ms):.1f} ms   n={len(commit_ms)}"
        )
        print(f"  over 2 ms    {sum(1 for ms in commit_ms if ms > 2)} commits")
        print(f"  thread       {checkpointer.frames_copied - copied_before} pages copied into the database")
        print(f"  log at end   {_log_mb(path):.1f} MB")
        print(f"  database in  {os.path.dirname(path)}")
    finally:
        await rt.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--commit-checkpoints", action="store_true", help="the old arrangement, for comparison")
    args = parser.parse_args()
    import uvloop

    uvloop.run(main(args.conversations, args.commit_checkpoints))
