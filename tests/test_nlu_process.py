"""The NLU helper process (bot/understanding/nlu_process.py): a real child process on a socket pair, the real model.

What must hold: its parse is the one the server would make itself; the engine uses it only when the case
still has the language and items it was asked with; a helper that dies costs no message."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from bot.app.runtime import Runtime
from bot.store.models import Case, Message
from bot.understanding.nlu import load_nlu
from bot.understanding.nlu_process import FRAME_CHARGE, NLUProcess
from tests.conftest import review
from tests.test_conversation import open_chat, say

MESSAGES = [
    ("Hi. The lamp arrived with the glass shade completely smashed!!", "en"),
    ("Paczka przyszła po dwóch tygodniach, zamówienie nr 10442, chcę zwrot 129,90 zł", "pl"),
    ("Лампа пришла разбитой, я хочу замену", "ru"),
    ("ok", "de"),
    ("", "en"),
]


@pytest.fixture
async def helper(cache_dir: Path) -> AsyncIterator[NLUProcess]:
    proc = NLUProcess(cache_dir)
    proc.start()
    async with asyncio.timeout(120):
        assert await proc.ready(), "the NLU helper exited"
    yield proc
    proc.close()


@pytest.fixture
async def served(rt: Runtime, helper: NLUProcess) -> AsyncIterator[Runtime]:
    """The runtime as `mediator serve` runs it: with the helper (settle() itself also freezes the GC,
    which a test process must not)."""
    rt.conversation.nlu_process = helper
    yield rt
    rt.conversation.nlu_process = None


async def test_the_helper_parses_as_the_server_would(helper: NLUProcess, cache_dir: Path) -> None:
    nlu = load_nlu(cache_dir)
    items = ("Fjord table lamp",)
    for text, language in MESSAGES:
        theirs = await helper.parse(text, language, items)
        ours = nlu.parse(text, fallback_language=language, items=items)
        # Probabilities agree to float32 rounding: BLAS may sum in another order in another process.
        assert theirs.confidence == pytest.approx(ours.confidence, abs=1e-4)
        assert theirs.anger == pytest.approx(ours.anger, abs=1e-4)
        assert [p for _, p in theirs.ranking] == pytest.approx([p for _, p in ours.ranking], abs=1e-4)
        exact = ("text", "language", "intent", "level", "entities", "problems", "risks")
        assert [getattr(theirs, f) for f in exact] == [getattr(ours, f) for f in exact]


async def test_a_turn_uses_the_early_parse(client: httpx.AsyncClient, served: Runtime) -> None:
    helper = served.conversation.nlu_process
    assert helper is not None
    before = helper.parsed
    _, chat = await open_chat(client, served)  # the first contact tells the engine the case's language
    reply = await say(client, chat, "Hi. The lamp arrived with the glass shade completely smashed.")
    assert helper.parsed == before + 1
    assert reply["replies"][0]["action"] in ("deescalate", "acknowledge")


async def test_a_buyer_who_writes_before_the_first_contact_is_parsed_early(
    client: httpx.AsyncClient, served: Runtime
) -> None:
    """Intake tells the engine the new case's language and items, so no first contact is needed first."""
    case_id = (await client.post("/api/reviews", json=review("early-1"))).json()["case_id"]
    link = (await client.post(f"/api/cases/{case_id}/chat-link")).json()
    helper = served.conversation.nlu_process
    assert helper is not None
    before = helper.parsed
    reply = await say(client, "/chat/" + link["token"], "Hi. The lamp arrived with the glass shade smashed.")
    assert helper.parsed == before + 1
    assert reply["replies"], reply


async def test_an_early_parse_made_for_another_language_is_not_used(client: httpx.AsyncClient, served: Runtime) -> None:
    case_id, chat = await open_chat(client, served)
    # Another process's turn switched the case to Polish after this one last saw it (in English).
    async with served.sessions() as session, session.begin():
        details = (await session.execute(select(Case.details).where(Case.id == case_id))).scalar_one()
        await session.execute(
            update(Case).where(Case.id == case_id).values(language="pl", details={**details, "language": "pl"})
        )
    helper = served.conversation.nlu_process
    assert helper is not None
    before = helper.parsed
    await say(client, chat, "ok")  # too short to change the language: the case's language decides
    assert helper.parsed == before + 1  # asked early, with English as the case's language ...
    async with served.sessions() as session:
        inbound = (
            await session.execute(select(Message.language).where(Message.case_id == case_id, Message.direction == "in"))
        ).scalar_one()
    assert inbound == "pl"  # ... but parsed again under Polish, which the transaction read


async def test_a_helper_that_dies_costs_no_message_and_another_starts(
    client: httpx.AsyncClient, served: Runtime
) -> None:
    helper = served.conversation.nlu_process
    assert helper is not None and helper.pid is not None
    killed = helper.pid
    case_id, chat = await open_chat(client, served)
    os.kill(killed, signal.SIGKILL)
    for text in ("The lamp arrived broken.", "It was the Fjord table lamp"):
        reply = await say(client, chat, text)
        assert reply["replies"], reply
    assert await helper.parse("hello", "en", ()) is None  # parsed in process until another helper is up
    async with served.sessions() as session:
        inbound = (
            await session.execute(select(Message.text).where(Message.case_id == case_id, Message.direction == "in"))
        ).all()
    assert len(inbound) == 2
    async with asyncio.timeout(120):  # the first restart waits 1 s, then the model loads
        assert await helper.ready()
    assert helper.pid != killed
    assert await helper.parse("hello", "en", ()) is not None
    assert (await say(client, chat, "I would like a replacement"))["replies"]


async def test_a_busy_helper_is_bypassed(helper: NLUProcess) -> None:
    helper.max_in_flight = 2
    answers = await asyncio.gather(*(helper.parse(f"message {n}", "en", ()) for n in range(6)))
    assert sum(a is not None for a in answers) == 2  # the others were parsed by the caller itself


async def test_requests_that_could_fill_the_socket_are_parsed_by_the_caller(helper: NLUProcess) -> None:
    helper._budget = 2 * (200 + FRAME_CHARGE) + 100  # room for two frames of ~200 bytes
    texts = ["x" * 150 for _ in range(6)]
    answers = await asyncio.gather(*(helper.parse(t, "en", ()) for t in texts))
    assert sum(a is not None for a in answers) == 2
    assert helper._unanswered == 0  # every answer gave its charge back


async def test_long_messages_cross_the_socket_whole(helper: NLUProcess, cache_dir: Path) -> None:
    """Frames larger than a socket read arrive in pieces; only whole ones are unpickled."""
    text = "Paczka przyszła uszkodzona. " * 600  # ~17,000 characters, above the engine's own limit
    answers = await asyncio.gather(*(helper.parse(text + str(n), "pl", ("namiot",)) for n in range(20)))
    ours = load_nlu(cache_dir).parse(text + "0", fallback_language="pl", items=("namiot",))
    assert all(a is not None for a in answers)
    assert [a.text for a in answers] == [text + str(n) for n in range(20)]
    assert answers[0].intent == ours.intent and answers[0].language == ours.language
