"""Telegram content that is neither words nor a photo (issue 21): a sticker, a location, a contact, a poll, a dice
throw, a voice note. Through the real app, aiogram's Bot against the fake Bot API on loopback: the buyer hears, in
their language, that the bot reads text and photos only; nothing is fetched; the message is on record; and the
conversation goes on with their next words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import select

from bot.app.runtime import Runtime
from bot.platform.config import Settings
from bot.store.models import Case, Event, Message, Photo
from tests.fakes.telegram_api import FakeTelegram
from tests.test_telegram import CHAT, bound_case, poll_until_inbound, post_update, say, telegram_polling
from tests.test_telegram import settings as settings  # Telegram on, against the fake

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = sorted(p.stem for p in (ROOT / "policies" / "messages").glob("*.yml"))


def sticker(kind: str) -> dict[str, Any]:
    """A sticker as the Bot API sends it: static (WebP), animated (TGS) or video (WebM), each with a file id."""
    return {
        "file_id": f"sticker-{kind}",
        "file_unique_id": f"u-sticker-{kind}",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": kind == "animated",
        "is_video": kind == "video",
    }


LOCATION = {"latitude": 52.52, "longitude": 13.405}
ATTACHMENTS: dict[str, dict[str, Any]] = {
    "static sticker": {"sticker": sticker("static")},
    "animated sticker": {"sticker": sticker("animated")},
    "video sticker": {"sticker": sticker("video")},
    "location": {"location": LOCATION},
    "venue": {"location": LOCATION, "venue": {"location": LOCATION, "title": "Depot", "address": "Hauptstraße 5"}},
    "contact": {"contact": {"phone_number": "+4915112345678", "first_name": "Jonas"}},
    "poll": {
        "poll": {
            "id": "p1",
            "question": "Refund?",
            "options": [
                {"persistent_id": "o1", "text": "yes", "voter_count": 0},
                {"persistent_id": "o2", "text": "no", "voter_count": 0},
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
    },
    "dice": {"dice": {"emoji": "🎲", "value": 4}},
    "voice note": {"voice": {"file_id": "voice-1", "file_unique_id": "u-voice-1", "duration": 4}},
    # Not valid for the Bot API's schema: the update is kept without its attachment, never refused (a 4xx
    # would make Telegram resend it while the buyer hears nothing).
    "voice note without a file id": {"voice": {"file_unique_id": "u-voice-2", "duration": 4}},
}


def not_readable(language: str) -> list[str]:
    """The language's own sentences for it, as the shop's messages file has them."""
    data = yaml.safe_load((ROOT / "policies" / "messages" / f"{language}.yml").read_text(encoding="utf-8"))
    return list(data["messages"]["photo"]["not_readable"])


async def speak(rt: Runtime, case_id: int, language: str) -> None:
    async with rt.sessions() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        case.language, case.details = language, {**case.details, "language": language}
        await session.commit()


async def send(client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram, fields: dict[str, Any]) -> list[str]:
    before = len(tg.sent)
    r = await post_update(client, tg.message_update(CHAT, None, extra=fields))
    assert r.status_code == 200 and r.json()["result"] == "accepted", r.text
    await rt.worker.run_due()
    return [m["text"] for m in tg.sent[before:]]


async def inbound(rt: Runtime, case_id: int) -> list[Message]:
    async with rt.sessions() as session:
        rows = await session.execute(
            select(Message).where(Message.case_id == case_id, Message.direction == "in").order_by(Message.id)
        )
        return list(rows.scalars())


async def test_every_attachment_the_bot_cannot_read_is_answered_and_the_conversation_goes_on(
    client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram
) -> None:
    case_id = await bound_case(client, rt, tg)
    await speak(rt, case_id, "de")
    german = not_readable("de")
    for name, fields in ATTACHMENTS.items():
        texts = await send(client, rt, tg, fields)
        assert len(texts) == 1 and texts[0] in german, (name, texts)
    assert tg.downloads == 0 and "getFile" not in tg.calls, "a sticker or a voice note is never fetched"
    async with rt.sessions() as session:
        assert not (await session.execute(select(Photo))).scalars().all(), "a WebP sticker is not a photo"
        events = (await session.execute(select(Event.data).where(Event.type == "photo_refused"))).scalars().all()
    assert [e["reason"] for e in events] == ["not_readable"] * len(ATTACHMENTS)
    kept = (await inbound(rt, case_id))[-len(ATTACHMENTS) :]
    assert [m.meta.get("attachment") for m in kept] == [
        "sticker",
        "sticker",
        "sticker",
        "location",
        "venue",
        "contact",
        "poll",
        "dice",
        "voice",
        "unknown",  # the attachment that did not validate was dropped: what is left is content of no known kind
    ]
    # The conversation goes on: the next words have their turn, answered by the dialogue, not by the notice.
    replies = await say(client, rt, tg, "Die Lampe kam mit zerbrochenem Glasschirm an.")
    assert replies and not any(r["text"] in german for r in replies)
    async with rt.sessions() as session:
        case = await session.get(Case, case_id)
        assert case is not None and case.stage not in ("closed", "handoff"), case.stage


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_sticker_is_answered_in_the_buyers_language(
    client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram, language: str
) -> None:
    case_id = await bound_case(client, rt, tg)
    await speak(rt, case_id, language)
    texts = await send(client, rt, tg, ATTACHMENTS["animated sticker"])
    assert len(texts) == 1 and texts[0] in not_readable(language), texts


def test_each_language_says_it_in_its_own_words() -> None:
    english = set(not_readable("en"))
    for language in LANGUAGES:
        own = not_readable(language)
        assert len(own) == 3 and (language == "en" or not english & set(own)), language


async def test_the_words_of_a_captioned_voice_note_still_have_their_turn(
    client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram
) -> None:
    case_id = await bound_case(client, rt, tg)
    before = len(tg.sent)
    update = tg.message_update(CHAT, None, caption="The lamp arrived broken", extra=ATTACHMENTS["voice note"])
    assert (await post_update(client, update)).json()["result"] == "accepted"
    await rt.worker.run_due()
    texts = [m["text"] for m in tg.sent[before:]]
    assert texts[0] in not_readable("en") and len(texts) >= 2, texts
    assert (await inbound(rt, case_id))[-1].text == "The lamp arrived broken"


async def test_a_service_message_is_not_answered(client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram) -> None:
    await bound_case(client, rt, tg)
    before = len(tg.sent)
    update = tg.message_update(CHAT, None, extra={"new_chat_title": "Orders"})
    assert (await post_update(client, update)).json()["result"] == "nothing_to_read"
    await rt.worker.run_due()
    assert tg.sent[before:] == []


async def test_polling_skips_an_update_aiogram_cannot_read_and_hears_the_next(
    rt: Runtime, tg: FakeTelegram, client: httpx.AsyncClient, settings: Settings
) -> None:
    """In polling mode (TELEGRAM_POLLING=1, the demo's) aiogram validated the whole getUpdates batch: one update its
    schema refused failed every poll at the same offset, and the bot heard no one again. Each update now stands
    alone: the broken attachment is answered like any unreadable one, an update past saving is skipped, and the
    buyer's next words arrive."""
    polling, poller = telegram_polling(settings)
    await bound_case(client, rt, tg)
    tg.queue(tg.message_update(CHAT, None, extra=ATTACHMENTS["voice note without a file id"]))
    past_saving = tg.message_update(CHAT, "lost")
    past_saving["message"]["message_id"] = "not a number"  # no part of the message can be left out to save it
    tg.queue(past_saving)
    tg.queue(tg.message_update(CHAT, "It was the lamp"))
    failure = "the poller never got past the update it could not read"
    jobs = await poll_until_inbound(rt, polling, poller, "It was the lamp", 200, failure)
    assert any(p.get("attachment") == "unknown" for p in jobs), jobs
