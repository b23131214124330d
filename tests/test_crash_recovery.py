"""A worker killed between receiving a buyer's message and replying loses nothing and replies once.

The real app runs under uvicorn in a subprocess on a file SQLite database, with aiogram talking to a fake
Bot API in this process. We SIGKILL it twice: once while a reply's send is in flight (the fake holds
it), once right after a webhook was acknowledged (the turn not yet run or half run). After a restart,
every message has exactly one turn, every reply reaches the buyer exactly once, and a retried webhook
gets nothing more.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import create_engine, text

from bot.app.runtime import build_runtime
from bot.app.web import create_app
from bot.platform.config import get_settings
from bot.store.db import async_url, sync_url
from bot.store.shops import ensure_shop
from tests.fakes import free_port
from tests.fakes.telegram_api import TOKEN, FakeTelegram

# Not imported from tests.conftest: uvicorn imports this module in the subprocess, and conftest would wipe
# the subprocess's MEDIATOR_* and DATABASE_URL settings.
ROOT = Path(__file__).resolve().parent.parent
SECRET, CHAT, KEY = "crash-secret", 8080, "crash-key"
pytestmark = [
    pytest.mark.skipif(
        os.environ.get("MEDIATOR_TEST_DATABASE_URL", "").startswith("postgres"),
        reason="the subprocess runs the embedded SQLite deployment",
    ),
    # Each test starts the server three times, and each start loads the models: 117-212 s here with the other test
    # worker busy, past the suite's 300 s when the machine was shared besides (session 23).
    pytest.mark.timeout(900),
]


def crash_app() -> FastAPI:
    """The app as `mediator serve` builds it, minus the knowledge refresh at start (a turn opens the
    knowledge base itself when it needs it), so a restart takes seconds."""
    settings = get_settings()
    app = create_app(settings)

    @asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[None]:
        rt = await build_runtime(settings)
        a.state.runtime = rt
        rt.start_worker()
        try:
            yield
        finally:
            await rt.close()

    app.router.lifespan_context = lifespan
    return app


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    tg = FakeTelegram().start_in_thread()
    yield tg
    tg.stop_thread()


def daytime_zone() -> str:
    """A timezone where it is about noon right now, whatever time CI runs at."""
    offset = (12 - datetime.now(UTC).hour + 12) % 24 - 12  # hours east of UTC, in [-12, 11]
    return f"Etc/GMT{-offset:+d}" if offset else "UTC"  # POSIX-style names: Etc/GMT-3 is UTC+3


def wait_for(check: Callable[[], object], timeout: float = 240, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class App:
    def __init__(self, db: Path, fake: FakeTelegram):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        self.env.update(
            {
                "DATABASE_URL": f"sqlite:///{db}",
                "MEDIATOR_DATA_DIR": str(ROOT / "var" / "test-cache"),
                "MEDIATOR_SECRET_KEY": "crash-test-secret",
                "MEDIATOR_PUBLIC_URL": self.url,
                "MEDIATOR_SCHEDULER__POLL_SECONDS": "0.2",
                "MEDIATOR_SCHEDULER__LEASE_SECONDS": "3",
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_BOT_USERNAME": "mediator_test_bot",
                "TELEGRAM_WEBHOOK_SECRET": SECRET,
                "TELEGRAM_API_BASE": fake.url,
            }
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "tests.test_crash_recovery:crash_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
        )
        wait_for(self._up, 120, "the app to start")

    def _up(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"the app exited with {self.proc.returncode}")
        try:
            return httpx.get(self.url + "/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill()

    def post(self, path: str, **kwargs: object) -> httpx.Response:
        return httpx.post(self.url + path, timeout=30, **kwargs)  # type: ignore[arg-type]


def rows(db: Path, sql: str) -> list[tuple]:
    engine = create_engine(sync_url(async_url(f"sqlite:///{db}")))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def prepared_app(db: Path, fake: FakeTelegram, request: pytest.FixtureRequest, **env: str) -> App:
    """The app on a migrated file database holding the crash shop, stopped at the test's end whatever
    happens (a failing assertion must not leave a server running)."""

    async def setup() -> None:
        settings = get_settings.__wrapped__()  # fresh, from config.yml and this test's environment
        rt = await build_runtime(settings)
        async with rt.sessions() as session, session.begin():
            await ensure_shop(session, "demo", "Crash shop", KEY, datetime.now(UTC))
        await rt.close()

    app = App(db, fake)
    app.env.update(env)
    request.addfinalizer(app.stop)
    saved = dict(os.environ)
    os.environ.update(app.env)
    try:
        asyncio.run(setup())
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return app


def test_killed_mid_turn_loses_nothing_and_never_replies_twice(
    tmp_path: Path, fake: FakeTelegram, request: pytest.FixtureRequest
) -> None:
    db = tmp_path / "crash.db"
    app = prepared_app(db, fake, request)

    from tests.conftest import review

    app.start()
    body = review("crash-1")
    body["buyer"]["consent"] = {"sms": False, "telegram": True, "webchat": True}
    body["buyer"]["timezone"] = daytime_zone()  # the subprocess runs on the real clock: keep out of quiet hours
    created = app.post("/api/reviews", json=body, headers={"X-Api-Key": KEY})
    assert created.status_code == 201, created.text
    case_id = created.json()["case_id"]
    token = httpx.get(f"{app.url}/api/cases/{case_id}/telegram-link", headers={"X-Api-Key": KEY}).json()["token"]
    hook = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    assert app.post("/webhooks/telegram", json=fake.message_update(CHAT, f"/start {token}"), headers=hook).is_success
    wait_for(lambda: len(fake.sent) >= 2, what="the bind notice and the first contact")
    busy = "SELECT id FROM jobs WHERE status IN ('pending','running') AND kind IN ('deliver','inbound')"
    wait_for(lambda: not rows(db, busy), what="the outbox to drain")

    # Kill 1: the turn committed and its reply is in flight when the process dies.
    fake.call(lambda: setattr(fake, "hold", asyncio.Event()))
    first = fake.message_update(CHAT, "The lamp arrived with the glass shade smashed.")
    assert app.post("/webhooks/telegram", json=first, headers=hook).json()["result"] == "accepted"
    wait_for(lambda: fake.holding >= 1, what="a reply to be in flight")
    app.kill()
    fake.call(lambda: fake.release())
    fake.call(lambda: setattr(fake, "hold", None))

    # Kill 2: right after the webhook is acknowledged, before or during the turn.
    app.start()
    second = fake.message_update(CHAT, "It was the Fjord table lamp, order NL-crash-1.")
    assert app.post("/webhooks/telegram", json=second, headers=hook).json()["result"] == "accepted"
    app.kill()

    # Restart: leases run out, the jobs are claimed again, and everything is answered once.
    app.start()

    def settled() -> bool:
        inbound = rows(db, "SELECT provider_id FROM messages WHERE direction='in' AND channel='telegram'")
        return not rows(db, busy) and len(inbound) == 3  # /start and the two messages

    wait_for(settled, 240, "every message to be handled")
    inbound = Counter(r[0] for r in rows(db, "SELECT provider_id FROM messages WHERE direction='in'"))
    assert inbound[str(first["update_id"])] == 1 and inbound[str(second["update_id"])] == 1
    replies = rows(
        db, "SELECT provider_id, status, text FROM messages WHERE direction='out' AND provider_id LIKE 'reply:%'"
    )
    answered = {pid.split(":")[1] for pid, _s, _t in replies}
    assert answered == {str(first["update_id"]), str(second["update_id"])}, "each message got its turn"
    assert {s for _p, s, _t in replies} == {"sent"}
    # Each outbound message reached the chat exactly once (the held send never completed, so it went again).
    out_texts = Counter(t for (t,) in rows(db, "SELECT text FROM messages WHERE direction='out' AND status='sent'"))
    assert Counter(fake.texts(CHAT)) == out_texts
    # A webhook retried after all that gets no second turn and no second reply.
    before = len(fake.sent)
    assert app.post("/webhooks/telegram", json=second, headers=hook).json()["result"] == "duplicate"
    time.sleep(1.5)  # real time: several scheduler rounds of the subprocess
    assert len(fake.sent) == before
    app.kill()


class SlackInThread:
    """The fake Slack Web API on its own loop in a thread, so the subprocess app can reach it while the
    test blocks; `call` runs a function on that loop."""

    def __init__(self) -> None:
        from tests.fakes.slack_api import FakeSlack

        self.fake = FakeSlack()
        self.loop = asyncio.new_event_loop()
        started = threading.Event()

        def run() -> None:
            self.loop.run_until_complete(self.fake.start())
            started.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        started.wait(10)

    def call(self, fn: Callable[[], object]) -> object:
        async def go() -> object:
            return fn()

        return asyncio.run_coroutine_threadsafe(go(), self.loop).result(10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.fake.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)


def test_a_slack_staff_reply_acknowledged_with_200_survives_a_kill(
    tmp_path: Path, fake: FakeTelegram, request: pytest.FixtureRequest
) -> None:
    """Slack hears 200 only after the reply's job is committed; the process dies while the reply is being
    handled (users.info is held), and after a restart the buyer gets the reply exactly once."""
    from slack_sdk.signature import SignatureVerifier

    from tests.conftest import review

    slack = SlackInThread()
    request.addfinalizer(slack.stop)
    db = tmp_path / "slack-crash.db"
    app = prepared_app(
        db,
        fake,
        request,
        SLACK_BOT_TOKEN=slack.fake.token,
        SLACK_SIGNING_SECRET="slack-crash",
        SLACK_API_BASE=slack.fake.base_url,
    )
    app.start()
    body = review("slack-crash-1")
    body["buyer"]["consent"] = {"sms": False, "telegram": False, "webchat": True}
    body["buyer"]["timezone"] = daytime_zone()
    created = app.post("/api/reviews", json=body, headers={"X-Api-Key": KEY})
    assert created.status_code == 201, created.text
    case_id = created.json()["case_id"]
    token = app.post(f"/api/cases/{case_id}/chat-link", headers={"X-Api-Key": KEY}).json()["token"]
    asked = app.post(f"/chat/{token}/messages", json={"text": "I want to talk to a real person, please."})
    assert asked.status_code == 200, asked.text
    thread_sql = f"SELECT channel_id, thread_ts FROM slack_threads WHERE case_id={case_id} AND thread_ts IS NOT NULL"
    channel, thread_ts = wait_for(lambda: rows(db, thread_sql), what="the case card in Slack")[0]  # type: ignore[index]

    slack.call(lambda: setattr(slack.fake, "hold", asyncio.Event()))
    event = {
        "token": "legacy",
        "team_id": "T0TEST",
        "api_app_id": "A0MEDIATOR",
        "type": "event_callback",
        "event_id": "EvCRASH1",
        "event_time": int(time.time()),
        "event": {
            "type": "message",
            "channel": channel,
            "user": "U0MAJA",
            "text": "Hello, this is Maja: a new lamp goes out to you today.",
            "ts": f"{time.time():.6f}",
            "thread_ts": thread_ts,
            "client_msg_id": "cm-crash-1",
        },
    }
    raw = json.dumps(event).encode()
    stamp = str(int(time.time()))
    signature = SignatureVerifier("slack-crash").generate_signature(timestamp=stamp, body=raw)
    headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature, "Content-Type": "application/json"}
    assert app.post("/webhooks/slack", content=raw, headers=headers).status_code == 200
    wait_for(lambda: slack.call(lambda: slack.fake.holding) >= 1, what="the reply to be in hand")
    app.kill()  # acknowledged, and not yet relayed to the buyer
    staff_sql = f"SELECT text FROM messages WHERE case_id={case_id} AND role='staff'"
    assert rows(db, staff_sql) == []
    slack.call(lambda: slack.fake.hold.set())
    slack.call(lambda: setattr(slack.fake, "hold", None))

    app.start()  # the job's lease runs out and a worker does the reply
    relayed = wait_for(lambda: rows(db, staff_sql), 120, "the staff reply to reach the buyer")
    assert len(relayed) == 1 and str(relayed[0][0]).endswith("a new lamp goes out to you today.")
    # Slack's retry of the same event after all that relays nothing more.
    assert app.post("/webhooks/slack", content=raw, headers=headers | {"X-Slack-Retry-Num": "1"}).status_code == 200
    time.sleep(1.5)
    assert len(rows(db, staff_sql)) == 1
    app.kill()
