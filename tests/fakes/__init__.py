"""Local fake servers for the outside systems, on loopback: the official clients talk to them unchanged.

- `telegram_api.FakeTelegram`: the Bot API methods we use (getMe, sendMessage, answerCallbackQuery,
  getUpdates, deleteWebhook), with knobs for a blocked chat, outages and a held send.
- `twilio_api.FakeTwilio`: the Messages API (`/2010-04-01/Accounts/{sid}/Messages.json`), with knobs for
  opted-out (21610) and invalid numbers and outages.

Each also runs standalone for the demo (`python -m tests.fakes.telegram_api --port 8081`), with a small
`/_fake/...` API to play the buyer and read what the bot sent.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any

from aiohttp import web


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FakeServer:
    """An aiohttp app on 127.0.0.1, started in the running loop (tests) or in a thread (subprocess tests)."""

    def __init__(self) -> None:
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def app(self) -> web.Application:
        raise NotImplementedError

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, port: int = 0) -> FakeServer:
        self.port = port or free_port()
        self._runner = web.AppRunner(self.app(), handle_signals=False, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def start_in_thread(self) -> FakeServer:
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self.start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop_thread(self) -> None:
        if self._loop is not None:
            asyncio.run_coroutine_threadsafe(self.stop(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)

    def call(self, fn: Any, *args: Any) -> Any:
        """Run a function on the server's loop (thread mode) and return its result."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(_as_coro(fn, *args), self._loop).result(10)


async def _as_coro(fn: Any, *args: Any) -> Any:
    result = fn(*args)
    if asyncio.iscoroutine(result):
        return await result
    return result
