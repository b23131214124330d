"""WAL checkpoints for the embedded SQLite database, in a background thread, so that no buyer's turn
waits for a disk flush.

With `synchronous=NORMAL` a WAL database flushes to disk (fsync) only when it checkpoints: the log is
synced, its pages are copied into the database file, and the database file is synced. SQLite's automatic
checkpoint does this inside the COMMIT that takes the log past `wal_autocheckpoint` pages. On the event
loop that was one commit in fifty, every ~0.15 s at 300 turns/s, each blocking the whole process for the
two flushes: 5-20 ms on this machine's disk (bench/sqlite_commits.py --commit-checkpoints; on a tmpfs,
where a flush costs nothing, those commits vanished).

So a thread with its own connection runs a PASSIVE checkpoint (it never blocks a writer or a reader)
every `interval` seconds; sqlite3 releases the GIL, so copying and flushing happen beside the event loop.
Not much more often: passes every 50 ms made a turn cost ~15% more CPU (each pass takes the GIL from
the loop, and a page rewritten by many turns is copied once per pass rather than once per checkpoint).
Whenever one of its passes finishes with the whole log copied, the next writer starts the log over from
the beginning, which keeps the file small. Under writes with no pause as long as a pass, that moment
never comes; then the connections' automatic checkpoint, set to a backstop (`BACKSTOP_PAGES`, by
bot/store/db.py), restarts the log: one commit in about 2,000 turns still copies the last pages and flushes.

A connection that opened the file before it was switched to WAL (a fresh database: the migrations run
in rollback-journal mode and the engine switches it on its first connect) keeps seeing no log, and its
checkpoints report -1 and do nothing. The thread then opens a new connection on its next pass. (An
earlier version did not, and its thread checkpointed nothing at all from a fresh start.)

The thread ends when the engine is disposed or garbage-collected.

Kept after measuring the library arrangement (issue 17.8, 2026-12-05): it and bot/store/sqlite_inline.py were
swapped out together, and bench/channels.py lost a third of its throughput; the figures are in that module.

Then measured alone (2026-12-05, later), on a host at load 6-11 on 2 cores (other engineers' work; indicative):
- bench/sqlite_commits.py, 100 conversations, 3 interleaved pairs, this thread vs `--commit-checkpoints` (no
  thread, SQLite's autocheckpoint at 1,000 pages): COMMIT p99 16.2 / 8.3 / 8.8 ms vs 17.5 / 13.4 / 15.3 ms, max
  20.5 / 17.0 / 17.8 vs 32.1 / 24.8 / 26.0 ms, commits over 2 ms 52 / 45 / 41 vs 60 / 54 / 68 of 1,000 (median
  0.10 ms in both). So it does what it is for, in every pair: fewer and shorter slow commits. Its
  price: under writes with no pause the log grows to the backstop, 41 MB at the end vs 4.2 MB.
- bench/channels.py `--without checkpoint` (web + worker on one SQLite file, 100 webhooks/s for 10 s, 100
  buyers, distinct questions), 3 interleaved pairs, with vs without: webhook p50 5.2 / 1.2 / 1.1 s vs 2.0 / 1.3 /
  1.2 s, p99 10.9 / 7.7 / 7.6 vs 9.9 / 6.8 / 8.2 s, turns/s over burst and drain 10.1 / 11.6 / 10.7 vs 9.6 / 13.3 /
  10.2, drain 84 / 74 / 79 vs 89 / 64 / 85 s, the worker's CPU 17.9 vs 18.3 ms a turn (the pair with that
  counter). At that load the webhooks wait seconds either way, so the end-to-end bench cannot show a
  difference of a few ms a commit, for it or against it.
- the same bench once the host's load fell to ~3, 2 pairs, with vs without: webhook p50 15.9 / 15.9 vs 17.0 /
  16.6 ms, p99 187 / 245 vs 187 / 235 ms, turns/s 44 / 49 vs 44 / 54, drain 13.0 / 10.5 vs 12.7 / 8.4 s, the
  worker's CPU 11.8 / 11.8 vs 12.0 / 11.6 ms a turn: no difference end to end.
Kept for now on the commit figures alone (fewer 15-30 ms commits); end to end it neither paid nor cost at
100 webhooks/s. If a quiet host with more pairs at a higher rate (where the commits' tail should matter more)
shows no gain either, remove it and the backstop with it: SQLite's own autocheckpoint also keeps the log small.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import weakref
from typing import Any

log = logging.getLogger("mediator.sqlite")

# The connections' own automatic checkpoint, in pages (4 KiB each): ~40 MB of log. Reached only when the
# log has not been restarted for that long (module docstring).
BACKSTOP_PAGES = 10_000


class Checkpointer:
    def __init__(self, path: str, owner: Any, interval: float = 0.5):
        self.path = path
        self.interval = interval
        self.frames_copied = 0  # about how many pages it copied into the database file (tests, diagnostics)
        self._stop = threading.Event()
        self._owner = weakref.ref(owner)  # no reference cycle: a dropped engine stops its thread
        self._thread = threading.Thread(target=self._run, name=f"sqlite-checkpoint:{path}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        conn = None
        copied_before = 0  # the log's copied count after the previous pass; it restarts with the log
        try:
            while not self._stop.wait(self.interval) and self._owner() is not None:
                try:
                    if conn is None:
                        conn = sqlite3.connect(self.path, timeout=1.0, isolation_level=None, check_same_thread=False)
                    _busy, _log_pages, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error as exc:  # a busy or vanished file: try again next time
                    log.debug("checkpoint of %s skipped: %s", self.path, exc)
                    continue
                if copied < 0:  # this connection does not see the log (module docstring): open anew
                    conn.close()
                    conn = None
                    continue
                self.frames_copied += copied - copied_before if copied >= copied_before else copied
                copied_before = copied
        finally:
            if conn is not None:
                conn.close()
