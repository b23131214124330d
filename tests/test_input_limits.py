"""Bodies are limited before they are read, on every route, the unauthenticated webhooks included
(security review M1); deep JSON, out-of-range ids and clients that vanish mid-body are 4xx, never 500
with a traceback (L1, L2, L4). The app is driven through its ASGI interface, as uvicorn drives it."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.app.runtime import Runtime
from bot.app.web import create_app
from bot.platform.config import Settings
from bot.web.limits import DEFAULT_LIMIT, LIMITS, limit_for
from tests.conftest import KEY, review
from tests.fakes.twilio_api import FakeTwilio
from tests.test_sms import sms_settings

ROUTES = [
    "/webhooks/twilio",
    "/webhooks/twilio/status",
    "/webhooks/telegram",
    "/webhooks/slack",
    "/chat/x.y/messages",
    "/admin/reports/sign-in",
    "/api/reviews",
    "/api/policies/validate",
    "/staff/api/cases/1/reply",
]


async def call(app, path: str, headers: list[tuple[bytes, bytes]], chunks: list[bytes], *, disconnect=False):
    """One HTTP request through the ASGI interface; returns (status, body, chunks the app pulled)."""
    pulled = 0
    sent: list[dict] = []

    async def receive() -> dict:
        nonlocal pulled
        if pulled < len(chunks):
            pulled += 1
            return {"type": "http.request", "body": chunks[pulled - 1], "more_body": pulled < len(chunks) or disconnect}
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"mediator.test"), (b"x-api-key", KEY.encode()), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("mediator.test", 80),
        "state": {},
    }
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body, pulled


@pytest.fixture
async def tw() -> AsyncIterator[FakeTwilio]:
    fake = FakeTwilio()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def settings(settings: Settings, tw: FakeTwilio) -> Settings:
    return sms_settings(settings, tw)  # the SMS webhook on, so its body is really read


@pytest.fixture
def app(rt: Runtime):
    return create_app(runtime=rt, run_scheduler=False)


@pytest.fixture
async def api(app) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://mediator.test", headers={"X-Api-Key": KEY}
    ) as c:
        yield c


def test_every_route_has_a_limit_and_the_webhooks_small_ones() -> None:
    assert limit_for("/webhooks/twilio") <= 64 * 1024
    assert limit_for("/webhooks/twilio/status") <= 64 * 1024
    assert limit_for("/chat/abc/messages") <= 64 * 1024
    assert limit_for("/admin/reports/sign-in") <= 4096
    assert limit_for("/anything/else") == DEFAULT_LIMIT
    assert limit_for("/api/reviews") == LIMITS["/api/reviews"] == 20 * 1024 * 1024


@pytest.mark.parametrize("path", ROUTES)
async def test_a_declared_oversized_body_is_refused_unread(app, path: str) -> None:
    size = limit_for(path) + 1
    status, body, pulled = await call(app, path, [(b"content-length", str(size).encode())], [b"x" * 10])
    assert status == 413, body
    assert json.loads(body)["error"] == "body_too_large" and json.loads(body)["field"] == "(body)"
    assert pulled == 0  # not one byte was read


@pytest.mark.parametrize("path", ROUTES)
async def test_an_undeclared_body_is_stopped_once_it_passes_the_limit(app, path: str) -> None:
    chunk = 16 * 1024
    chunks = [b"x" * chunk] * (limit_for(path) // chunk + 50)
    status, body, pulled = await call(app, path, [(b"content-type", b"application/json")], chunks)
    assert status in (403, 404, 413), body  # a route may refuse on its headers first, still without the body
    if status == 413:
        assert json.loads(body)["error"] == "body_too_large"
    assert pulled <= limit_for(path) // chunk + 2  # stopped reading at the limit, not at the end


@pytest.mark.parametrize("path", ["/webhooks/twilio", "/admin/reports/sign-in", "/api/reviews"])
async def test_a_client_that_disconnects_mid_body_is_a_400_without_a_traceback(
    app, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    headers = [(b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", b"900")]
    status, _body, _ = await call(app, path, headers, [b"Body=hello"], disconnect=True)
    assert status == 400, status
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records if r.exc_info]


async def test_the_signature_checked_webhooks_stop_at_the_body_limit_without_a_signature(app) -> None:
    # The reviewer's case: 100 MB to /webhooks/twilio buffered whole before the 403. Now at most the limit is read.
    chunks = [b"Body=" + b"x" * (64 * 1024)] * 1600
    status, _body, pulled = await call(app, "/webhooks/twilio", [], chunks)
    assert status == 413 and pulled <= 2


def deep(n: int) -> bytes:
    return b"[" * n + b"]" * n


async def test_deep_json_is_a_400_on_reviews_and_chat(api: httpx.AsyncClient, rt: Runtime) -> None:
    r = await api.post("/api/reviews", content=deep(100_000), headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_json" and r.json()["field"] == "(body)"
    case_id = (await api.post("/api/reviews", json=review("deep-1"))).json()["case_id"]
    token = (await api.post(f"/api/cases/{case_id}/chat-link")).json()["token"]
    r = await api.post(f"/chat/{token}/messages", content=deep(20_000))
    assert r.status_code == 400 and r.json()["error"] == "invalid_json"


async def test_a_chat_token_is_checked_before_the_body(api: httpx.AsyncClient) -> None:
    r = await api.post("/chat/not.valid/messages", content=deep(20_000))
    assert r.status_code == 403 and r.json()["field"] == "token"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/cases/99999999999999999999", "case_id"),
        ("/api/cases?before_id=99999999999999999999", "before_id"),
        ("/api/policies/versions/99999999999999999999", "version"),
        ("/staff/api/cases/99999999999999999999", "case_id"),
    ],
)
async def test_ids_beyond_64_bits_are_a_422_naming_the_field(api: httpx.AsyncClient, url: str, field: str) -> None:
    r = await api.get(url)
    assert r.status_code in (401, 422), r.text  # /api/policies wants an admin token; refused either way, not 500
    if r.status_code == 422:
        assert r.json()["field"] == field and r.json()["error"] == "out_of_range"


async def test_chat_history_after_beyond_64_bits(api: httpx.AsyncClient) -> None:
    case_id = (await api.post("/api/reviews", json=review("big-after"))).json()["case_id"]
    token = (await api.post(f"/api/cases/{case_id}/chat-link")).json()["token"]
    r = await api.get(f"/chat/{token}/history?after=99999999999999999999")
    assert r.status_code == 422 and r.json()["field"] == "after"


@pytest.mark.parametrize("path", ["/staff/api/cases/1/reply", "/api/policies/validate", "/api/policies/forms"])
async def test_deep_json_on_routes_fastapi_parses_is_a_4xx(api: httpx.AsyncClient, path: str) -> None:
    r = await api.post(path, content=deep(50_000), headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:200])
