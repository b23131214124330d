"""Slow and greedy clients are cut off at the connection (security review L4).

uvicorn times out an idle keep-alive connection, but nothing else: a client that connects and never sends, or
sends its request head a byte at a time, or declares a body and trickles it, holds a connection (and, for the
body, a task of ours) for as long as it likes; the review held 500 slow-header and 300 slow-body
connections for a minute. This HTTP protocol is uvicorn's own (httptools or h11, whichever uvicorn picks)
with three bounds:

- the request head (request line and headers) must arrive within `head_timeout` seconds of the connection
  opening or of the first byte of a kept-alive connection's next request, else 408 and the connection closes;
- a declared body must arrive within `body_timeout` seconds of its head, else the connection closes (the
  route sees a disconnect, which bot/web/limits.py answers 400 with one log line);
- one client address holds at most `per_client` connections at once; more are closed on arrival. Addresses
  uvicorn trusts as proxies (`--forwarded-allow-ips`) are exempt: every buyer arrives through them.

Per-connection timers on the event loop (`call_later`), so a bound costs nothing while nobody is slow.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol

log = logging.getLogger("mediator.api")
TIMEOUT_408 = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain\r\nconnection: close\r\n"
    b"content-length: 31\r\n\r\nthe request came in too slowly\n"
)


def _trusted(config: Any, host: str | None) -> bool:
    allowed = getattr(config, "forwarded_allow_ips", None) or []
    if isinstance(allowed, str):
        allowed = [a.strip() for a in allowed.split(",")]
    return host is not None and ("*" in allowed or host in allowed)


def bounded_protocol(head_timeout: float, body_timeout: float, per_client: int) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol with these bounds, for `uvicorn.run(..., http=...)`."""
    open_per_client: Counter[str] = Counter()  # per server process: every connection it holds, by address

    class Bounded(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
        _timer: asyncio.TimerHandle | None = None
        _counted: str | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            host = self.client[0] if self.client else None
            if host is not None and not _trusted(self.config, host):
                if open_per_client[host] >= per_client:
                    log.warning("refused a connection: %s already holds %s", host, per_client)
                    transport.close()
                    return
                open_per_client[host] += 1
                self._counted = host
            self._arm(head_timeout, self._head_too_slow)

        def data_received(self, data: bytes) -> None:
            idle = self.cycle is None or self.cycle.response_complete
            if idle and self._timer is None:  # the first byte of a new request: its head has head_timeout
                self._arm(head_timeout, self._head_too_slow)
            before = self.cycle
            super().data_received(data)
            if self.transport.get_protocol() is not self:  # upgraded to a WebSocket: its own pings bound it
                self._disarm()
                self._uncount()
                return
            cycle = self.cycle
            if cycle is not None and not cycle.response_complete:
                if cycle is not before:  # a head just completed: now the body's clock runs, if it has one
                    self._disarm()
                    if cycle.more_body:
                        self._arm(body_timeout, self._body_too_slow)
                elif not cycle.more_body:
                    self._disarm()

        def on_response_complete(self) -> None:
            self._disarm()  # uvicorn's keep-alive timeout takes over
            super().on_response_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            self._uncount()
            super().connection_lost(exc)

        def _uncount(self) -> None:
            if self._counted is not None:
                open_per_client[self._counted] -= 1
                if open_per_client[self._counted] <= 0:
                    del open_per_client[self._counted]
                self._counted = None

        def _arm(self, seconds: float, then: Any) -> None:
            self._disarm()
            self._timer = self.loop.call_later(seconds, then)

        def _disarm(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def _head_too_slow(self) -> None:
            self._timer = None
            if self.transport.is_closing():
                return
            log.info("closed a connection whose request head took over %s s", head_timeout)
            self.transport.write(TIMEOUT_408)
            self.transport.close()

        def _body_too_slow(self) -> None:
            self._timer = None
            if not self.transport.is_closing():
                log.info("closed a connection whose body took over %s s", body_timeout)
                self.transport.close()

    return Bounded
