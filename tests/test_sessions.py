"""Browser sign-ins (issue 20, security review L5 and L9): /admin/reports and /staff keep an opaque session id
in the cookie, never the key; Secure over HTTPS (also behind a trusted proxy's X-Forwarded-Proto, served by
uvicorn on loopback); sign-out ends the session on the server; cross-site posts are refused; ten failed
sign-ins a minute per client, then 429 with Retry-After. Real HTTP against the app."""

from __future__ import annotations

import asyncio
import socket
from datetime import timedelta
from http.cookies import SimpleCookie

import httpx
import pytest
import uvicorn
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app.runtime import Runtime
from bot.app.web import create_app
from bot.platform.clock import VirtualClock
from bot.store.audit import entries
from bot.store.models import WebSession
from bot.store.staff_accounts import remove_account
from bot.web.signin import FailedSignIns
from tests.conftest import KEY, START, admin_token, staff_token

PORT = 8620  # this work's port range: 8620-8639


def client_for(rt: Runtime, base: str = "http://mediator.test", ip: str = "10.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(runtime=rt, run_scheduler=False), client=(ip, 5000))
    return httpx.AsyncClient(transport=transport, base_url=base)


def set_cookie(response: httpx.Response, name: str) -> dict[str, str]:
    """The attributes of one Set-Cookie header, lower-cased, with the value under 'value'."""
    for header in response.headers.get_list("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        if name in jar:
            morsel = jar[name]
            attrs = {k.lower(): str(v) for k, v in morsel.items() if v}
            flags = {part.strip().lower() for part in header.split(";")}
            attrs.update({flag: "true" for flag in ("httponly", "secure") if flag in flags})
            return {"value": morsel.value, **attrs}
    raise AssertionError(f"no Set-Cookie for {name}: {response.headers.get_list('set-cookie')}")


ADMIN: dict[str, str] = {}  # the admin token of the test that is running (the `admin` fixture)


@pytest.fixture(autouse=True)
async def admin(rt: Runtime) -> str:
    ADMIN["token"] = await admin_token(rt)
    return ADMIN["token"]


async def report_sign_in(c: httpx.AsyncClient, key: str | None = None, **headers: str) -> httpx.Response:
    return await c.post("/admin/reports/sign-in", data={"key": key or ADMIN["token"]}, headers=headers)


async def test_the_shops_api_key_does_not_sign_in_to_reports_and_says_so(rt: Runtime) -> None:
    async with client_for(rt) as c:
        refused = await report_sign_in(c, key=KEY)
        assert refused.status_code == 401 and "mediator_report_session" not in refused.headers.get("set-cookie", "")
        assert "integration API key does not open the admin pages" in refused.text
        assert "mediator admin token create" in refused.text
        page = await c.get("/admin/reports?period=2026-Q4", headers={"X-Api-Key": KEY})
        assert page.status_code == 401 and "integration API key does not open" in page.text
        # The integration still reads its figures from the API with the key.
        assert (await c.get("/api/reports?period=2026-Q4", headers={"X-Api-Key": KEY})).status_code == 200


async def test_reports_cookie_is_an_opaque_session_and_sign_out_ends_it(rt: Runtime) -> None:
    async with client_for(rt) as c:
        r = await report_sign_in(c, Origin="http://mediator.test")
        assert r.status_code == 303
        cookie = set_cookie(r, "mediator_report_session")
        token = cookie["value"]
        assert ADMIN["token"] not in token and KEY not in token and len(token) >= 40
        assert cookie["httponly"] == "true" and cookie["samesite"].lower() == "strict" and "secure" not in cookie
        assert int(cookie["max-age"]) == 12 * 3600
        async with rt.sessions() as session:
            stored = list((await session.execute(select(WebSession))).scalars())
        assert len(stored) == 1 and stored[0].token_hash != token and stored[0].kind == "reports"

        page = await c.get("/admin/reports?period=2026-Q4")
        assert page.status_code == 200 and "Mediation reports" in page.text and "/admin/reports/sign-out" in page.text
        assert (await c.get("/api/reports?period=2026-Q4&format=csv")).status_code == 200  # the export link

        out = await c.post("/admin/reports/sign-out", headers={"Origin": "http://mediator.test"})
        assert out.status_code == 303
        assert set_cookie(out, "mediator_report_session").get("max-age") == "0"
    # The old session id, replayed after sign-out, opens nothing: the server ended it.
    async with client_for(rt) as c:
        c.cookies.set("mediator_report_session", token)
        assert (await c.get("/api/reports?period=2026-Q4")).status_code == 401
        page = await c.get("/admin/reports")
        assert page.status_code == 401 and "Sign in" in page.text
        # The raw key in the cookie of old versions is not accepted any more.
        c.cookies.clear()
        c.cookies.set("mediator_report_key", KEY)
        assert (await c.get("/api/reports?period=2026-Q4")).status_code == 401


async def test_a_dashboard_session_opened_with_the_shop_key_before_the_change_is_refused(
    rt: Runtime, clock: VirtualClock
) -> None:
    """Before only admin tokens opened /admin/reports, the key signed in too, and its session row (named "shop
    API key", no token) is still in the table: its cookie must not keep the dashboard open until it expires."""
    import secrets

    from bot.store.web_sessions import _hash

    old = secrets.token_urlsafe(32)
    async with rt.sessions() as session, session.begin():
        session.add(  # the row the earlier sign-in with the key wrote
            WebSession(
                shop_id="demo",
                token_hash=_hash(old),
                kind="reports",
                name="shop API key",
                created_at=clock.now(),
                expires_at=clock.now() + timedelta(hours=12),
            )
        )
    async with client_for(rt) as c:
        c.cookies.set("mediator_report_session", old)
        assert (await c.get("/api/reports?period=2026-Q4")).status_code == 401
        page = await c.get("/admin/reports?period=2026-Q4")
        assert page.status_code == 401 and "Sign in" in page.text


async def test_revoking_an_admin_token_ends_its_dashboard_sessions(rt: Runtime, clock: VirtualClock) -> None:
    from bot.store.admin_tokens import revoke_tokens

    other = await admin_token(rt, "Ben")
    async with client_for(rt) as ada, client_for(rt) as ben:
        assert (await report_sign_in(ada)).status_code == 303
        assert (await report_sign_in(ben, key=other)).status_code == 303
        async with rt.sessions() as session, session.begin():
            assert await revoke_tokens(session, "demo", "Ada", clock.now()) == 1
        assert (await ada.get("/api/reports?period=2026-Q4")).status_code == 401
        assert (await ben.get("/api/reports?period=2026-Q4")).status_code == 200  # Ben's token is live


async def test_sessions_expire(rt: Runtime, clock: VirtualClock) -> None:
    async with client_for(rt) as c:
        assert (await report_sign_in(c)).status_code == 303
        assert (await c.get("/api/reports?period=2026-Q4")).status_code == 200
        clock.advance(timedelta(hours=12, seconds=1))
        assert (await c.get("/api/reports?period=2026-Q4")).status_code == 401


async def test_secure_cookie_over_https_and_behind_a_trusted_proxy(rt: Runtime) -> None:
    async with client_for(rt, base="https://mediator.test") as c:
        assert set_cookie(await report_sign_in(c), "mediator_report_session")["secure"] == "true"
    async with serve(rt) as url, httpx.AsyncClient(base_url=url) as c:
        plain = await report_sign_in(c)
        assert "secure" not in set_cookie(plain, "mediator_report_session")
        proxied = await report_sign_in(c, **{"X-Forwarded-Proto": "https"})
        assert set_cookie(proxied, "mediator_report_session")["secure"] == "true"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
async def test_cross_site_posts_are_refused(rt: Runtime, headers: dict[str, str]) -> None:
    async with client_for(rt) as c:
        r = await report_sign_in(c, **headers)
        assert r.status_code == 403 and "another site" in r.text and "set-cookie" not in r.headers
        staff = await c.post("/staff/sign-in", json={"token": "mst_x"}, headers=headers)
        assert staff.status_code == 403 and staff.json()["field"] == "Origin"
        # Our own pages' posts pass: the browser says same-origin.
        ok = await report_sign_in(c, **{"Sec-Fetch-Site": "same-origin", "Origin": "null"})
        assert ok.status_code == 303


async def test_staff_session_cookie_sign_out_and_origin(rt: Runtime, clock: VirtualClock) -> None:
    token = await staff_token(rt, "Maja")
    async with client_for(rt) as c:
        r = await c.post("/staff/sign-in", json={"token": token})
        assert r.status_code == 200 and r.json() == {"staff": "Maja"}
        cookie = set_cookie(r, "mediator_staff_session")
        assert token not in cookie["value"] and cookie["path"] == "/staff" and cookie["httponly"] == "true"
        listed = await c.get("/staff/api/cases")
        assert listed.status_code == 200 and listed.json()["staff"] == "Maja"
        # A state-changing post riding on the cookie from another site is refused before it acts.
        forged = await c.post("/staff/api/cases/1/take-over", headers={"Origin": "http://evil.example"})
        assert forged.status_code == 403
        assert (await c.post("/staff/api/cases/999/take-over")).status_code == 404  # ours: reaches the action
        # A reports session does not open /staff.
        assert (await report_sign_in(c)).status_code == 303
        other = client_for(rt)
        other.cookies.set("mediator_staff_session", c.cookies.get("mediator_report_session") or "")
        assert (await other.get("/staff/api/cases")).status_code == 401
        await other.aclose()
        out = await c.post("/staff/sign-out")
        assert out.status_code == 200 and out.json() == {"signed_out": True}
        replay = client_for(rt)
        replay.cookies.set("mediator_staff_session", cookie["value"])
        assert (await replay.get("/staff/api/cases")).status_code == 401
        await replay.aclose()
        # Scripts send the person's token in a header; the shop's integration key does not open /staff.
        assert (await c.get("/staff/api/cases", headers={"Authorization": f"Bearer {token}"})).status_code == 200
        refused = await c.get("/staff/api/cases", headers={"X-Api-Key": KEY})
        assert refused.status_code == 401 and refused.json()["field"] == "X-Api-Key"
        assert (await c.post("/staff/sign-in", json={"token": KEY})).status_code == 401


async def test_removing_an_account_ends_its_sessions(rt: Runtime, clock: VirtualClock) -> None:
    maja, ola = await staff_token(rt, "Maja"), await staff_token(rt, "Ola")
    async with client_for(rt) as phone, client_for(rt) as desk, client_for(rt) as colleague:
        for c, token in ((phone, maja), (desk, maja), (colleague, ola)):
            assert (await c.post("/staff/sign-in", json={"token": token})).status_code == 200
            assert (await c.get("/staff/api/cases")).status_code == 200
        async with rt.sessions() as session, session.begin():
            assert await remove_account(session, "demo", "Maja", clock.now()) == 2
        for c in (phone, desk):  # both of Maja's browsers are signed out at once
            gone = await c.get("/staff/api/cases")
            assert gone.status_code == 401 and gone.json()["field"] == "Cookie"
        assert (await colleague.get("/staff/api/cases")).status_code == 200  # Ola is not affected
        again = await phone.post("/staff/sign-in", json={"token": maja})
        assert again.status_code == 401 and again.json()["field"] == "token"
    async with rt.sessions() as session:
        actions = [e["action"] for e in await entries(session, "demo")]
    assert actions[:1] == ["staff_account_removed"] and actions.count("staff_account_added") == 2


async def test_failed_sign_ins_are_limited_per_client(rt: Runtime, clock: VirtualClock) -> None:
    async with client_for(rt, ip="10.0.0.7") as c, client_for(rt, ip="10.0.0.8") as neighbour:
        for n in range(10):
            wrong = await report_sign_in(c, key=f"guess-{n}")
            assert wrong.status_code == 401, n
        blocked = await report_sign_in(c)  # even the right key waits: the limit is on the client
        assert blocked.status_code == 429 and 1 <= int(blocked.headers["Retry-After"]) <= 60
        assert "set-cookie" not in blocked.headers
        staff = await c.post("/staff/sign-in", json={"token": KEY})  # the forms share one counter
        assert staff.status_code == 429 and staff.headers["Retry-After"] and staff.json()["field"] == "token"
        assert (await report_sign_in(neighbour)).status_code == 303  # another client is not held up
        clock.advance(timedelta(seconds=61))
        assert (await report_sign_in(c)).status_code == 303
        # A success clears the count.
        for n in range(9):
            assert (await c.post("/staff/sign-in", json={"token": f"nope-{n}"})).status_code == 401
        assert (await c.post("/staff/sign-in", json={"token": await staff_token(rt, "Ola")})).status_code == 200
        assert (await c.post("/staff/sign-in", json={"token": "nope"})).status_code == 401


async def _serve_forever(server: uvicorn.Server, sock: socket.socket) -> None:
    await server.serve(sockets=[sock])


class serve:
    """The app under uvicorn on a port of this work's range, with uvicorn's default proxy-header trust
    (X-Forwarded-Proto from 127.0.0.1 is believed)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    async def __aenter__(self) -> str:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", PORT))
        app = create_app(runtime=self.rt, run_scheduler=False)
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", proxy_headers=True))
        self.task = asyncio.create_task(_serve_forever(self.server, self.sock))
        while not self.server.started:
            if self.task.done():
                self.task.result()
            await asyncio.sleep(0.01)
        return f"http://127.0.0.1:{PORT}"

    async def __aexit__(self, *exc: object) -> None:
        self.server.should_exit = True
        await self.task
        self.sock.close()


@given(gaps=st.lists(st.integers(min_value=0, max_value=30_000), min_size=1, max_size=40))
def test_limit_counts_only_the_last_minute(gaps: list[int]) -> None:
    """Whatever the rhythm of failures, a client is held exactly while ten of them lie in the last minute."""
    limits = FailedSignIns()
    now = START
    times = []
    for gap in gaps:
        now += timedelta(milliseconds=gap)
        recent = [t for t in times if t > now - timedelta(minutes=1)]
        wait = limits.retry_after("c", now)
        assert (wait is None) == (len(recent) < 10)
        if wait is not None:
            assert 1 <= wait <= 60 and recent[-10] + timedelta(minutes=1) <= now + timedelta(seconds=wait)
            continue
        limits.failed("c", now)
        times.append(now)


async def test_an_ipv6_client_is_counted_by_its_network_not_each_address(rt: Runtime) -> None:
    """Review L9, the limiter's key: a host on IPv6 holds a whole /64, so new addresses must not mean new
    counters; another network is another client."""
    app = create_app(runtime=rt, run_scheduler=False)  # one app: one counter

    def from_ip(ip: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 5000)), base_url="http://t")

    for n in range(10):
        async with from_ip(f"2001:db8:1:2::{n + 1:x}") as c:
            assert (await report_sign_in(c, key=f"guess-{n}")).status_code == 401
    async with from_ip("2001:db8:1:2:ffff::99") as c:
        assert (await report_sign_in(c)).status_code == 429
    async with from_ip("2001:db8:1:3::1") as c:
        assert (await report_sign_in(c)).status_code == 303


async def test_a_forwarded_for_header_from_an_untrusted_client_does_not_reset_the_count(rt: Runtime) -> None:
    """The limit's key is the connection's address: X-Forwarded-For counts only from a proxy uvicorn trusts.
    A real server on loopback that trusts no proxy here, and a client that writes a new address each try."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # a free port: another test worker may be serving at the same time
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(runtime=rt, run_scheduler=False),
        log_level="warning",
        lifespan="off",
        proxy_headers=True,
        forwarded_allow_ips="10.255.255.1",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(_serve_forever(server, sock))
    for _ in range(500):  # until it listens
        if server.started:
            break
        await asyncio.sleep(0.01)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as c:
            for n in range(10):
                r = await report_sign_in(c, key=f"guess-{n}", **{"X-Forwarded-For": f"198.51.100.{n}"})
                assert r.status_code == 401, n
            r = await report_sign_in(c, **{"X-Forwarded-For": "203.0.113.77"})
            assert r.status_code == 429, r.status_code
    finally:
        server.should_exit = True
        await task
        sock.close()
