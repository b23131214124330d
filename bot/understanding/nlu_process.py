"""The NLU in a helper process, so that a server's turns use both cores.

Why: parsing a buyer's message is about a third of a turn's CPU (py-spy over bench/turn.py), and a
server runs its turns on one event loop, on one core. The parse needs nothing from the turn's
transaction except the case's language and the order's item names, so the engine asks the helper
before it opens the transaction, with what it read for that case on its previous turn, and checks
inside the transaction that those still hold (bot/conversation/engine.py). The helper loads the same cached model,
so its answer is the one the engine would have computed itself.

The helper is an optimisation, never a dependency. `parse` returns None, and the engine parses in
place, while the helper is starting, when more than `max_in_flight` parses (or more than the request
socket's buffer safely holds) are waiting, when a parse fails there, and while a helper that exited
waits to be started again (after 1 s, then 5 s, 30 s, 2 min, and every 5 min from then on, so that one
that cannot start costs a few loads an hour, not a loop). The limit is high on purpose: under load the
server's own core is the bottleneck, and each parse made there instead also delays every turn queued
behind it (a low limit turned a burst into a spiral in bench/turn.py). No message waits for a helper
that cannot answer.

Two socket pairs, one per direction, carry length-prefixed pickles: (request id, text, fallback
language, items, problem reading) to the helper, (request id, ParseResult or None) back. The server's request socket
stays blocking, so a frame is never half sent; its answer socket is read by the event loop (which makes
it non-blocking), into a buffer from which only whole frames are taken. Both ends are ours: nothing
from outside is unpickled.

Kept after measuring the simpler arrangement (issue 17.8, 2026-12-05). Parsing in process was 10-11% faster in
bench/turn.py's one-process capacity run (bench/machinery_ab.py), once flow.problem_reading spared most parses
the sentence encoder; but in bench/channels.py's scale layout (a web and a worker process on one SQLite file,
100 SMS webhooks/s for 10 s, three interleaved pairs) a parse inside the turn's transaction holds SQLite's write
lock while the webhooks wait for it: their p50 went from 9-55 ms to 256-620 ms, their p99 from 0.1-0.8 s to
4.0-4.7 s, and the worker's turns/s from 81 (median) to 64.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger("mediator.nlu")
READY = b"ready"
LENGTH = struct.Struct("!I")
# Unanswered requests wait in the request socket's send buffer, which Linux also charges ~1 KiB of
# bookkeeping per frame. Past what it holds, a send would block the event loop until the helper reads,
# so the server asks for a large buffer and keeps well inside what it got.
SEND_BUFFER = 4 * 1024 * 1024
FRAME_CHARGE = 2048
# Seconds before a helper that exited is started again: the n-th restart waits RESTART_DELAYS[n].
RESTART_DELAYS = (1.0, 5.0, 30.0, 120.0, 300.0)


class NLUProcess:
    """The server's side. `start` spawns the helper without waiting for it to load its model; until its
    first frame arrives, parses are made in place."""

    def __init__(self, cache_dir: Path, data_dir: Path | None = None, max_in_flight: int = 1024):
        self.max_in_flight = max_in_flight
        self._args = [str(cache_dir)] + ([str(data_dir)] if data_dir is not None else [])
        self._proc: subprocess.Popen[bytes] | None = None
        self._requests: socket.socket | None = None
        self._answers: socket.socket | None = None
        self._budget = 0  # bytes of the request socket's buffer this process may fill
        self._unanswered = 0  # bytes charged for requests sent and not answered yet
        self._inbox = bytearray()
        self._ready = False
        self._alive = True
        self._closed = False
        self._restarts = 0  # helpers that exited and were (or will be) started again
        self._restart_at = 0.0  # time.monotonic() from which the next one may start
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._next_id = 0
        self.parsed = 0  # answered by the helper (for tests and benchmarks)

    def start(self) -> None:
        if self._proc is not None:
            return
        requests, their_requests = socket.socketpair()
        answers, their_answers = socket.socketpair()
        requests.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        # Linux reports twice what it grants, and grants at most net.core.wmem_max.
        self._budget = requests.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) // 4
        fds = [their_requests.fileno(), their_answers.fileno()]
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "bot.understanding.nlu_process", *map(str, fds), *self._args],
            pass_fds=fds,
            cwd=Path(__file__).resolve().parents[2],
        )
        their_requests.close()
        their_answers.close()
        self._requests, self._answers = requests, answers

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    async def parse(self, text: str, fallback_language: str | None, items: Sequence[str], meaning: str = "read") -> Any:
        """The helper's ParseResult for `text`, or None: then the caller parses in place. `meaning`: the
        NLU's ProblemReading for this turn."""
        if not self._usable() or len(self._pending) >= self.max_in_flight:
            return None
        self._next_id += 1
        request = self._next_id
        frame = _framed(pickle.dumps((request, text, fallback_language, tuple(items), meaning), protocol=5))
        charge = len(frame) + FRAME_CHARGE
        if self._unanswered + charge > self._budget:
            return None  # the helper is behind: sending now could block the event loop
        future = asyncio.get_running_loop().create_future()
        assert self._requests is not None
        try:
            self._requests.sendall(frame)
        except OSError as exc:
            self._exited(exc)
            return None
        self._pending[request] = future
        self._unanswered += charge
        try:
            result = await future
        finally:
            self._unanswered -= charge
        if result is not None:
            self.parsed += 1
        return result

    async def ready(self) -> bool:
        """Wait until a helper has loaded its model, through restarts (a server does not wait; a benchmark
        must, or it measures the first seconds without it). False once closed; callers bound the wait
        with asyncio.timeout."""
        while not self._usable():
            if self._closed:
                return False
            await asyncio.sleep(0.05)
        return True

    def _usable(self) -> bool:
        """Started, answering, and bound to the running event loop (a server has one for its life)."""
        if not self._alive:
            if self._closed or time.monotonic() < self._restart_at:
                return False
            self._clear()  # a new helper, on new sockets
        self.start()
        assert self._answers is not None
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            if self._pending:  # another loop's parses are still out: not ours to mix with
                return False
            if self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(self._answers.fileno())
            loop.add_reader(self._answers.fileno(), self._receive)
            self._loop = loop
        if not self._ready:
            self._receive()  # the first frame says the model is loaded
        return self._alive and self._ready

    def _receive(self) -> None:
        """Read what has arrived; resolve the requests whose answers are whole."""
        assert self._answers is not None
        try:
            while True:
                chunk = self._answers.recv(1 << 16, socket.MSG_DONTWAIT)
                if not chunk:
                    raise EOFError("the helper closed its end")
                self._inbox += chunk
        except BlockingIOError:
            pass
        except (EOFError, OSError) as exc:
            self._exited(exc)
            return
        while len(self._inbox) >= LENGTH.size:
            (size,) = LENGTH.unpack_from(self._inbox)
            if len(self._inbox) < LENGTH.size + size:
                break  # the rest of this frame is still on its way
            payload = bytes(self._inbox[LENGTH.size : LENGTH.size + size])
            del self._inbox[: LENGTH.size + size]
            if not self._ready:
                self._ready = payload == READY
                continue
            request, result = pickle.loads(payload)
            future = self._pending.pop(request, None)
            if future is not None and not future.done():
                future.set_result(result)

    def _exited(self, cause: BaseException | None = None) -> None:
        if self._alive and self._proc is not None and not self._closed:
            delay = RESTART_DELAYS[min(self._restarts, len(RESTART_DELAYS) - 1)]
            self._restarts += 1
            self._restart_at = time.monotonic() + delay
            log.error(
                "nlu helper process %s gone (exit code %s, %r): parsing in process, starting another in %.0f s",
                self.pid,
                self._proc.poll(),
                cause,
                delay,
            )
        self._alive = False
        if self._loop is not None and not self._loop.is_closed() and self._answers is not None:
            self._loop.remove_reader(self._answers.fileno())
        self._loop = None
        for future in self._pending.values():
            if not future.done():
                future.set_result(None)
        self._pending.clear()

    def _clear(self) -> None:
        """Let go of an exited helper: its sockets, its process entry, what it half sent."""
        self._release(wait=0)
        self._proc = self._requests = self._answers = None
        self._inbox.clear()
        self._ready, self._alive = False, True

    def _release(self, wait: float) -> None:
        for sock in (self._requests, self._answers):
            if sock is not None:
                sock.close()  # the helper reads the end of its input and exits
        if self._proc is not None:
            try:
                self._proc.wait(wait)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def close(self) -> None:
        self._closed = True  # closing, not a failure: no error line, no restart
        self._exited()
        self._release(wait=10)


def _framed(payload: bytes) -> bytes:
    return LENGTH.pack(len(payload)) + payload


def _serve(requests_fd: int, answers_fd: int, cache_dir: Path, data_dir: Path | None) -> None:
    from bot.understanding.nlu import DEFAULT_DATA_DIR, load_nlu

    requests = socket.socket(fileno=requests_fd).makefile("rb")
    answers = socket.socket(fileno=answers_fd)
    nlu = load_nlu(cache_dir, data_dir or DEFAULT_DATA_DIR)
    nlu.warm_up()  # "ready" means a parse is as fast as it will be: the server sends its turns here at once
    try:
        answers.sendall(_framed(READY))
        while True:
            header = requests.read(LENGTH.size)
            body = requests.read(LENGTH.unpack(header)[0]) if len(header) == LENGTH.size else b""
            if not body:
                return  # the server closed its end, or exited
            request, text, fallback, items, meaning = pickle.loads(body)
            try:
                result = nlu.parse(text, fallback_language=fallback, items=items, meaning=meaning)
            except Exception:  # the server parses it in place and reports the error itself
                log.exception("nlu helper: parse failed")
                result = None
            answers.sendall(_framed(pickle.dumps((request, result), protocol=5)))
    except OSError:  # the server went away
        return


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the server stops us
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    _serve(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]) if len(sys.argv) > 4 else None)
