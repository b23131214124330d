"""WAL checkpoints for the embedded SQLite database, in a background thread.

SQLite's automatic checkpoint runs inside the COMMIT that crosses 1,000 WAL pages: every fifty-odd
turns one buyer's commit also copied the log into the database, up to 30 ms, on the event loop and while
holding the write gate, so everyone queued behind it (bench/turn.py). Here a thread with its own
connection runs a PASSIVE checkpoint (it never blocks a writer or a reader) every `interval` seconds;
sqlite3 releases the GIL while it works, so the copying happens beside the event loop, on another core.

The automatic checkpoint stays on, for a reason: only a checkpoint that ends with the log fully copied
lets the next writer start the log over, and under steady writes the thread's never does (new frames
land while it copies), so the log would grow without end (242 MB after 3,000 turns when it was turned
off). The automatic one now finds almost everything copied already: its commits take at most ~6 ms.

The thread ends when the engine is disposed or garbage-collected.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import weakref
from typing import Any

log = logging.getLogger("mediator.sqlite")


class Checkpointer:
    def __init__(self, path: str, owner: Any, interval: float = 0.5):
        self.path = path
        self.interval = interval
        self._stop = threading.Event()
        self._owner = weakref.ref(owner)  # no reference cycle: a dropped engine stops its thread
        self._thread = threading.Thread(target=self._run, name=f"sqlite-checkpoint:{path}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        conn = None
        try:
            while not self._stop.wait(self.interval) and self._owner() is not None:
                try:
                    if conn is None:
                        conn = sqlite3.connect(self.path, timeout=1.0, isolation_level=None, check_same_thread=False)
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:  # a busy or vanished file: try again next time
                    log.debug("checkpoint of %s skipped: %s", self.path, exc)
        finally:
            if conn is not None:
                conn.close()
