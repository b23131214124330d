"""The NLU in a helper process, so that a server's turns use both cores.

Why: parsing a buyer's message is about a third of a turn's CPU (py-spy over bench/turn.py), and a
server runs its turns on one event loop, on one core. The parse needs nothing from the turn's
transaction except the case's language and the order's item names, so the engine asks the helper
before it opens the transaction, with what it read for that case on its previous turn, and checks
inside the transaction that those still hold (bot/engine.py). The helper loads the same cached model,
so its answer is the one the engine would have computed itself.

The helper is an optimisation, never a dependency. `parse` returns None, and the engine parses in
place, while the helper is starting, when more than `max_in_flight` parses (or 128 KiB of them) are
waiting, when a parse fails there, and for good once the helper has exited. The limit is high on
purpose: under load the server's own core is the bottleneck, and each parse made there instead also
delays every turn queued behind it (a low limit turned a burst into a spiral in bench/turn.py). No
message waits for a helper that cannot answer.

Frames on the socket pair are pickles: (request id, text, fallback language, items) one way, (request
id, ParseResult or None) the other. Both ends are ours; nothing from outside is unpickled.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import signal
import socket
import subprocess
import sys
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

log = logging.getLogger("mediator.nlu")
READY = b"ready"
# Requests not yet answered stay in the socket pair's buffer (208 KiB by default on Linux): past this,
# a send could block the server's event loop until the helper reads.
MAX_UNANSWERED_BYTES = 128 * 1024


class NLUProcess:
    """The server's side. `start` spawns the helper without waiting for it to load its model; until its
    first frame arrives, parses are made in place."""

    def __init__(self, cache_dir: Path, data_dir: Path | None = None, max_in_flight: int = 1024):
        self.max_in_flight = max_in_flight
        self._args = [sys.executable, "-m", "bot.nlu_process", str(cache_dir)]
        if data_dir is not None:
            self._args.append(str(data_dir))
        self._proc: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self._ready = False
        self._alive = True
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._next_id = 0
        self._unanswered_bytes = 0
        self.parsed = 0  # answered by the helper (for tests and benchmarks)

    def start(self) -> None:
        if self._conn is not None:
            return
        ours, theirs = socket.socketpair()
        self._proc = subprocess.Popen(
            [*self._args[:3], str(theirs.fileno()), *self._args[3:]],
            pass_fds=[theirs.fileno()],
            cwd=Path(__file__).resolve().parents[1],
        )
        theirs.close()
        self._conn = Connection(ours.detach())

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    async def parse(self, text: str, fallback_language: str | None, items: Sequence[str]) -> Any:
        """The helper's ParseResult for `text`, or None: then the caller parses in place."""
        if not self._usable() or len(self._pending) >= self.max_in_flight:
            return None
        self._next_id += 1
        request = self._next_id
        frame = pickle.dumps((request, text, fallback_language, tuple(items)), protocol=5)
        if self._unanswered_bytes + len(frame) > MAX_UNANSWERED_BYTES:
            return None  # the socket's buffer could be full: sending would block the event loop
        future = asyncio.get_running_loop().create_future()
        assert self._conn is not None
        try:
            self._conn.send_bytes(frame)
        except OSError:
            self._exited()
            return None
        self._pending[request] = future
        self._unanswered_bytes += len(frame)
        try:
            result = await future
        finally:
            self._unanswered_bytes -= len(frame)
        if result is not None:
            self.parsed += 1
        return result

    def _usable(self) -> bool:
        """Started, answering, and bound to the running event loop (a server has one for its life)."""
        if not self._alive:
            return False
        self.start()
        assert self._conn is not None
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            if self._pending:  # another loop's parses are still out: not ours to mix with
                return False
            if self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(self._conn.fileno())
            self._loop = None
        if not self._ready:
            try:
                if not self._conn.poll(0):
                    return False  # still loading its model
                if self._conn.recv_bytes() != READY:
                    raise EOFError("unexpected first frame")
            except (EOFError, OSError):
                self._exited()
                return False
            self._ready = True
        if self._loop is None:
            loop.add_reader(self._conn.fileno(), self._answers)
            self._loop = loop
        return True

    def _answers(self) -> None:
        assert self._conn is not None
        try:
            while self._conn.poll(0):
                request, result = pickle.loads(self._conn.recv_bytes())
                future = self._pending.pop(request, None)
                if future is not None and not future.done():
                    future.set_result(result)
        except (EOFError, OSError):
            self._exited()

    def _exited(self) -> None:
        if self._alive and self._proc is not None:
            code = self._proc.poll()
            log.error("nlu helper process %s exited (code %s): parsing in process from now on", self.pid, code)
        self._alive = False
        if self._loop is not None and not self._loop.is_closed() and self._conn is not None:
            self._loop.remove_reader(self._conn.fileno())
        self._loop = None
        for future in self._pending.values():
            if not future.done():
                future.set_result(None)
        self._pending.clear()

    def close(self) -> None:
        self._alive = False  # closing, not a failure: no error line
        self._exited()
        if self._conn is not None:
            self._conn.close()  # the helper reads the end of its input and exits
        if self._proc is not None:
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()


def _serve(fd: int, cache_dir: Path, data_dir: Path | None) -> None:
    from bot.nlu import DEFAULT_DATA_DIR, load_nlu

    conn = Connection(fd)
    nlu = load_nlu(cache_dir, data_dir or DEFAULT_DATA_DIR)
    conn.send_bytes(READY)
    while True:
        try:
            request, text, fallback, items = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):  # the server closed its end, or exited
            return
        try:
            result = nlu.parse(text, fallback_language=fallback, items=items)
        except Exception:  # the server parses it in place and reports the error itself
            log.exception("nlu helper: parse failed")
            result = None
        try:
            conn.send_bytes(pickle.dumps((request, result), protocol=5))
        except OSError:  # the server went away mid-parse
            return


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the server stops us
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    _serve(int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]) if len(sys.argv) > 3 else None)
