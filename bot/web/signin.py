"""What the browser sign-ins share (security review L5, L9): the session cookie, the cross-origin check on
state-changing posts, and the limit on failed sign-ins.

- The cookie holds an opaque session id (bot/store/web_sessions.py), never the shop key or admin token;
  HttpOnly, SameSite=Strict, and `Secure` whenever the request came over HTTPS (uvicorn's proxy headers
  turn a trusted proxy's X-Forwarded-Proto into the request's scheme; `--forwarded-allow-ips` says which
  proxies are trusted).
- A post that changes state must come from our own pages: `Sec-Fetch-Site` (sent by every current browser)
  must say same-origin, else the `Origin` must be ours. A request without either is not from a browser
  (curl, a script holding the key) and cannot be a forged cross-site post. Login CSRF is refused too.
- Ten failed sign-ins from one client within a minute, then 429 with Retry-After until the minute has passed.
  Counted in the process (per worker): the limit bounds guessing; it is not an account lockout.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict, deque
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import Response

from bot.web.errors import ApiError

MAX_FAILURES = 10
WINDOW = timedelta(minutes=1)
MAX_CLIENTS = 10_000  # clients remembered before stale ones are swept
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, name: str, token: str, path: str, max_age: int) -> None:
    response.set_cookie(
        name, token, max_age=max_age, path=path, httponly=True, samesite="strict", secure=is_https(request)
    )


def clear_session_cookie(response: Response, request: Request, name: str, path: str) -> None:
    response.delete_cookie(name, path=path, httponly=True, samesite="strict", secure=is_https(request))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(request: Request) -> bool:
    """Whether a state-changing request may come from where it came from (see the module's note)."""
    if request.method in SAFE_METHODS:
        return True
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")  # none: typed by the user, not sent by another site
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser: nothing a third-party page could make it send
    ours = {f"{request.url.scheme}://{request.headers.get('host', '')}".lower()}
    public = getattr(request.app.state.runtime.settings, "public_url", None)
    if public:
        ours.add(_origin(public))
    return origin.lower() in ours


def require_same_origin(request: Request) -> None:
    if not same_origin(request):
        raise ApiError(
            403,
            "cross_origin",
            "this request came from another site",
            field="Origin",
            fix="sign in and act from Mediator's own pages",
        )


class FailedSignIns:
    """Failed sign-ins per client over the last minute."""

    def __init__(self, limit: int = MAX_FAILURES, window: timedelta = WINDOW) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[datetime]] = defaultdict(deque)

    def _recent(self, client: str, now: datetime) -> deque[datetime]:
        times = self._failures[client]
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[client]  # no memory kept for clients that stopped
            return deque()
        return times

    def retry_after(self, client: str, now: datetime) -> int | None:
        """Seconds until this client may try again, or None when it may now."""
        times = self._recent(client, now)
        if len(times) < self.limit:
            return None
        return max(1, int((times[0] + self.window - now).total_seconds() + 0.999))

    def failed(self, client: str, now: datetime) -> None:
        if len(self._failures) > MAX_CLIENTS:  # many addresses guessing at once: forget the stale ones
            for stale in [c for c, times in self._failures.items() if times[-1] <= now - self.window]:
                del self._failures[stale]
        self._recent(client, now)
        self._failures[client].append(now)

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)


def client_of(request: Request) -> str:
    """Whom the sign-in limit counts: the connection's address, never a header the caller writes (uvicorn
    replaces it with X-Forwarded-For's nearest untrusted hop only when the connection comes from a proxy
    trusted with --forwarded-allow-ips). An IPv6 client is its /64: one host commonly holds the whole
    network, and a key per address would give it 2^64 fresh counters."""
    host = request.client.host if request.client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def limiter(request: Request) -> FailedSignIns:
    """The app's one counter (every sign-in form shares it: guessing at one is guessing at all)."""
    state = request.app.state
    if getattr(state, "failed_sign_ins", None) is None:
        state.failed_sign_ins = FailedSignIns()
    return state.failed_sign_ins


def check_rate(request: Request, now: datetime) -> None:
    wait = limiter(request).retry_after(client_of(request), now)
    if wait is not None:
        raise TooManySignIns(wait)


class TooManySignIns(ApiError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            429,
            "too_many_sign_ins",
            f"{MAX_FAILURES} failed sign-ins from this address in the last minute",
            field="key",
            fix=f"wait {retry_after} s, then sign in with the right key",
        )
        self.retry_after = retry_after
