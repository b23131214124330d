"""Personal data and credentials kept out of the logs, and chat links retired with their case (security
review M5, M7, L6): database errors carry no bound values; a real uvicorn server's access log shows
/chat/[token]; a closed case's link refuses new messages with a 403 in the buyer's language."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.app.runtime import Runtime
from bot.app.web import create_app
from bot.web.log_redact import redact
from tests.conftest import review

PII = "privacy.person0@example.com"


async def test_a_database_error_does_not_carry_the_bound_values(rt: Runtime) -> None:
    async with rt.sessions() as session:
        with pytest.raises(DBAPIError) as caught:
            await session.execute(text("SELECT CAST(:email AS INTEGER) FROM no_such_table"), {"email": PII})
    assert PII not in str(caught.value)
    assert "hidden" in str(caught.value)  # SQLAlchemy says the parameters were withheld


def test_redact_keeps_the_route_and_drops_the_token() -> None:
    assert redact("GET /chat/eyJj.abc-_/history?after=3 HTTP/1.1") == "GET /chat/[token]/history?after=3 HTTP/1.1"
    assert redact("/chat/eyJj.abc") == "/chat/[token]"
    assert redact("/api/cases/12") == "/api/cases/12"


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


async def test_the_access_log_of_a_real_server_does_not_show_chat_tokens(rt: Runtime) -> None:
    app = create_app(runtime=rt, run_scheduler=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="info", lifespan="on"))
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):  # a real server on loopback: wait until it listens
            if server.started:
                break
            await asyncio.sleep(0.02)
        collect = Collect()
        logging.getLogger("uvicorn.access").addHandler(collect)
        port = server.servers[0].sockets[0].getsockname()[1]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers={"X-Api-Key": "test-key"}) as c:
            case_id = (await c.post("/api/reviews", json=review("log-1"))).json()["case_id"]
            token = (await c.post(f"/api/cases/{case_id}/chat-link")).json()["token"]
            assert (await c.get(f"/chat/{token}/history")).status_code == 200
            assert (await c.get(f"/chat/{token}")).status_code == 200
        logging.getLogger("uvicorn.access").removeHandler(collect)
    finally:
        server.should_exit = True
        await task
    chat_lines = [line for line in collect.lines if "/chat/" in line]
    assert len(chat_lines) == 2, collect.lines
    assert all(token not in line and "/chat/[token]" in line for line in chat_lines), chat_lines


@pytest.mark.parametrize(("language", "words"), [("en", "This conversation"), ("pl", "Ta rozmowa")])
async def test_a_closed_cases_link_refuses_messages_in_the_buyers_language(
    client: httpx.AsyncClient, rt: Runtime, as_staff: Any, language: str, words: str
) -> None:
    text_by_language = {
        "en": "The parcel arrived eight days late and the lamp inside was broken.",
        "pl": "Paczka przyszła osiem dni po terminie, a lampa w środku była rozbita. Jestem bardzo zawiedziona.",
    }
    case_id = await client.post("/api/reviews", json=review(f"closed-{language}", text=text_by_language[language]))
    case_id = case_id.json()["case_id"]
    await rt.worker.run_due()
    token = (await client.post(f"/api/cases/{case_id}/chat-link")).json()["token"]
    assert (await client.post(f"/chat/{token}/messages", json={"text": "hello"})).status_code == 200
    r = await client.post(
        f"/staff/api/cases/{case_id}/close", json={"outcome": "resolved_kept"}, headers=await as_staff()
    )
    assert r.status_code == 200, r.text
    history = (await client.get(f"/chat/{token}/history")).json()["messages"]
    r = await client.post(f"/chat/{token}/messages", json={"text": "hello again?"})
    assert r.status_code == 403 and r.json()["error"] == "conversation_closed" and r.json()["field"] == "token"
    assert words in r.json()["message"]
    assert (await client.get(f"/chat/{token}/history")).json()["messages"] == history  # nothing stored
    page = await client.get(f"/chat/{token}")
    assert page.status_code == 403 and words in page.text


def test_a_chat_token_has_one_spelling() -> None:
    """Review L6: `mac==` (padding), and other spellings of the same bytes, were accepted as the same link."""
    from datetime import UTC, datetime, timedelta

    from channels.tokens import TokenError, sign, verify

    key, now = b"k" * 32, datetime(2026, 12, 1, tzinfo=UTC)
    token = sign(key, "chat", {"c": 7, "s": "demo"}, now + timedelta(days=1))
    assert verify(key, "chat", token, now)["c"] == 7
    payload, mac = token.split(".")
    for variant in (f"{token}==", f"{token}=", f"{payload}==.{mac}", token.replace("-", "+").replace("_", "/")):
        if variant == token:
            continue
        with pytest.raises(TokenError):
            verify(key, "chat", variant, now)
