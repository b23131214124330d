"""The shop's callback: signed, sent from the outbox, retried with backoff after the receiver fails."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import uvicorn
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.platform.clock import VirtualClock
from bot.platform.config import Settings, ShopSettings
from bot.store.models import Job
from tests.conftest import SHOP, open_runtime, review

SECRET = "callback-secret-for-tests"


class FakePlatform:
    """A review platform's callback endpoint on loopback that fails the first `failures` calls."""

    def __init__(self, failures: int):
        self.failures = failures
        self.received: list[dict] = []

    async def endpoint(self, request: Request) -> JSONResponse:
        body = await request.body()
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        self.received.append(
            {
                "body": json.loads(body),
                "signature_ok": hmac.compare_digest(expected, request.headers.get("X-Mediator-Signature", "")),
                "delivery": request.headers["X-Mediator-Delivery"],
            }
        )
        if self.failures > 0:
            self.failures -= 1
            return JSONResponse({"error": "temporarily down"}, status_code=503)
        return JSONResponse({"ok": True})


@pytest.fixture
async def platform() -> AsyncIterator[tuple[FakePlatform, str]]:
    fake = FakePlatform(failures=2)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(Starlette(routes=[Route("/callback", fake.endpoint, methods=["POST"])]), log_level="warning")
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn.Server exposes only a flag
        await asyncio.sleep(0.01)
    yield fake, f"http://127.0.0.1:{port}/callback"
    server.should_exit = True
    await task


async def test_callback_is_signed_and_retried_until_the_receiver_accepts(
    settings: Settings, clock: VirtualClock, platform: tuple[FakePlatform, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, url = platform
    monkeypatch.setenv("TEST_CALLBACK_SECRET", SECRET)
    settings.shops[SHOP] = ShopSettings(name="Test", callback_url=url, callback_secret_env="TEST_CALLBACK_SECRET")
    rt = await open_runtime(settings, clock)
    try:
        [res] = await rt.intake.ingest(SHOP, [review("cb-1")])
        await rt.worker.run_due()
        assert len(fake.received) == 1  # failed once; the retry waits for its backoff
        clock.advance(timedelta(seconds=31))
        await rt.worker.run_due()
        assert len(fake.received) == 2
        clock.advance(timedelta(seconds=61))
        await rt.worker.run_due()
        assert len(fake.received) == 3
        clock.advance(timedelta(hours=2))
        await rt.worker.run_due()
        assert len(fake.received) == 3  # delivered: never sent again
        assert all(r["signature_ok"] for r in fake.received)
        assert fake.received[-1]["body"] == {"review_id": res.review_id, "status": "in_mediation", "outcome": None}
        assert len({r["delivery"] for r in fake.received}) == 1  # one delivery id for the receiver to dedupe
        async with rt.sessions() as session:
            job = (await session.execute(select(Job).where(Job.kind == "callback"))).scalar_one()
        assert (job.status, job.attempts) == ("done", 3)

        # Closing the case sends the closing callback with its outcome.
        clock.advance(timedelta(days=22))
        await rt.worker.run_due()
        assert fake.received[-1]["body"] == {
            "review_id": res.review_id,
            "status": "mediation_closed",
            "outcome": "no_response",
        }
    finally:
        await rt.close()


async def test_undelivered_callback_survives_a_restart(
    settings: Settings, clock: VirtualClock, platform: tuple[FakePlatform, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, url = platform
    monkeypatch.setenv("TEST_CALLBACK_SECRET", SECRET)
    settings.shops[SHOP] = ShopSettings(name="Test", callback_url=url, callback_secret_env="TEST_CALLBACK_SECRET")
    rt = await open_runtime(settings, clock)
    await rt.intake.ingest(SHOP, [review("cb-2")])
    await rt.worker.run_due()
    await rt.close()
    clock.advance(timedelta(minutes=10))
    rt2 = await open_runtime(settings, clock)
    try:
        await rt2.worker.run_due()
        clock.advance(timedelta(minutes=10))
        await rt2.worker.run_due()
        assert [r["body"]["status"] for r in fake.received] == ["in_mediation"] * 3
    finally:
        await rt2.close()


async def test_missing_secret_is_retried_not_sent_unsigned(
    settings: Settings, clock: VirtualClock, platform: tuple[FakePlatform, str]
) -> None:
    fake, url = platform
    settings.shops[SHOP] = ShopSettings(name="Test", callback_url=url, callback_secret_env="UNSET_SECRET_VAR")
    rt = await open_runtime(settings, clock)
    try:
        await rt.intake.ingest(SHOP, [review("cb-3")])
        await rt.worker.run_due()
        assert fake.received == []
        async with rt.sessions() as session:
            job = (await session.execute(select(Job).where(Job.kind == "callback"))).scalar_one()
        assert job.status == "pending" and "UNSET_SECRET_VAR" in job.last_error
    finally:
        await rt.close()
