"""Telegram end to end: aiogram's real Bot against a fake Bot API on loopback, our webhook in process."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app.runtime import Runtime
from bot.outbox.outbox import DELIVER_ATTEMPTS
from bot.platform.clock import VirtualClock
from bot.platform.config import ChannelSettings, Settings
from bot.store import buyer_contacts
from bot.store.models import Buyer, Case, ConsentEvent, Delivery, Job, Message
from channels.base import Outbound
from channels.telegram import SECRET_HEADER, start_token
from tests.conftest import review
from tests.fakes.telegram_api import TOKEN, FakeTelegram
from tests.test_policy_admin import publish_edit

SECRET = "tg-webhook-secret"
CHAT = 424242


def telegram_polling(settings: Settings) -> tuple[Any, Any]:
    """The channels the app builds in polling mode (TELEGRAM_POLLING=1, the demo's), and their Telegram poller."""
    from channels.registry import build_channels

    polling = build_channels(
        settings.model_copy(
            update={
                "channels": settings.channels.model_copy(
                    update={"telegram_polling": True, "telegram_webhook_secret": None}
                )
            }
        )
    )
    [poller] = polling.background
    return polling, poller


async def poll_until_inbound(rt: Runtime, polling: Any, poller: Any, text: str, tries: int, failure: str) -> list[Any]:
    """Runs the poller until an inbound job carries `text`, and returns every inbound job's payload. The poller is
    real I/O against the fake, so this waits for the job, not for time; it is stopped either way."""
    poller.start(rt)
    try:
        for _ in range(tries):
            async with rt.sessions() as session:
                jobs = (await session.execute(select(Job.payload).where(Job.kind == "inbound"))).scalars().all()
            if any(p.get("text") == text for p in jobs):
                return list(jobs)
            await asyncio.sleep(0.05)
        raise AssertionError(failure)
    finally:
        await poller.stop()
        await polling.close()


@pytest.fixture
def settings(settings: Settings, tg: FakeTelegram) -> Settings:
    channels = ChannelSettings(
        telegram_bot_token=TOKEN,
        telegram_bot_username="mediator_test_bot",
        telegram_webhook_secret=SECRET,
        telegram_api_base=tg.url,
        twilio_account_sid=None,
        twilio_auth_token=None,
        twilio_from_number=None,
        twilio_messaging_service_sid=None,
    )
    return settings.model_copy(update={"channels": channels})


async def post_update(client: httpx.AsyncClient, update: dict, secret: str | None = SECRET) -> httpx.Response:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    return await client.post("/webhooks/telegram", json=update, headers=headers)


async def bound_case(client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram, external_id: str = "tg-1") -> int:
    body = review(external_id)
    body["buyer"]["consent"] = {"sms": False, "telegram": True, "webchat": True}
    case_id = (await client.post("/api/reviews", json=body)).json()["case_id"]
    link = (await client.get(f"/api/cases/{case_id}/telegram-link")).json()
    assert link["url"].startswith("https://t.me/mediator_test_bot?start=") and len(link["token"]) <= 64
    r = await post_update(client, tg.message_update(CHAT, f"/start {link['token']}"))
    assert r.status_code == 200 and r.json()["result"] == "accepted", r.text
    await rt.worker.run_due()
    return case_id


async def say(client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram, text: str) -> list[dict]:
    before = len(tg.sent)
    r = await post_update(client, tg.message_update(CHAT, text))
    assert r.status_code == 200 and r.json()["result"] == "accepted", r.text
    await rt.worker.run_due()
    return tg.sent[before:]


async def press(client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram, value: str) -> list[dict]:
    before = len(tg.sent)
    assert (await post_update(client, tg.button_update(CHAT, value))).status_code == 200
    await rt.worker.run_due()
    return tg.sent[before:]


async def actions_of(rt: Runtime, case_id: int) -> list[str | None]:
    async with rt.sessions() as session:
        rows = await session.execute(
            select(Message.action).where(Message.case_id == case_id, Message.direction == "out").order_by(Message.id)
        )
        return list(rows.scalars())


async def test_a_full_mediation_over_telegram(
    client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram, clock: VirtualClock
) -> None:
    case_id = await bound_case(client, rt, tg)
    # The deep link binds the chat, and the first contact that was waiting for a channel reaches it.
    texts = tg.texts(CHAT)
    assert len(texts) == 2 and any("connected" in t for t in texts)
    assert any("automated assistant" in t for t in texts)
    async with rt.sessions() as session:
        buyer = (await session.execute(select(Buyer))).scalar_one()
        reach = await buyer_contacts.of(session, buyer.id)
        assert reach.address("telegram") == str(CHAT) and reach.consented("telegram")
        sources = (await session.execute(select(ConsentEvent.source))).scalars().all()
        assert "telegram_start" in sources

    replies = await say(client, rt, tg, "Hi. The lamp arrived with the glass shade completely smashed.")
    assert replies
    offer = None
    for answer in ("It was the Fjord table lamp", "I'd like a replacement please", "no photo, sorry"):
        replies += await say(client, rt, tg, answer)
        offer = next((m for m in replies if m["reply_markup"]), None)
        if offer:
            break
    assert offer is not None, [m["text"] for m in replies]
    keyboard = offer["reply_markup"]["inline_keyboard"][0]
    assert [b["callback_data"] for b in keyboard] == ["yes", "no"]
    assert (await actions_of(rt, case_id))[-1] == "propose_remedy"

    confirmed = await press(client, rt, tg, "yes")
    assert confirmed and tg.answered, "the button press is answered and acknowledged"
    assert (await actions_of(rt, case_id))[-1] == "confirm_remedy"

    clock.advance(timedelta(days=3, hours=1))
    await rt.worker.run_due()
    assert (await actions_of(rt, case_id))[-1] == "follow_up"
    follow_up = tg.sent[-1]
    assert follow_up["chat_id"] == CHAT  # the timer found the buyer's Telegram chat through the ledger
    await say(client, rt, tg, "Yes, the new lamp arrived and it is perfect, thank you")
    clock.advance(timedelta(days=1, hours=1))
    await rt.worker.run_due()
    ask = tg.sent[-1]
    assert "reviews.example/demo/reviews/tg-1/edit" in ask["text"] and ask["reply_markup"]
    await press(client, rt, tg, "no")
    case = (await client.get(f"/api/cases/{case_id}")).json()
    assert case["stage"] == "closed" and case["outcome"] == "resolved_kept"
    async with rt.sessions() as session:
        statuses = set((await session.execute(select(Message.status).where(Message.direction == "out"))).scalars())
        deliveries = (await session.execute(select(Delivery))).scalars().all()
    assert statuses == {"sent"}
    assert len(deliveries) == len(tg.sent) and all(d.channel == "telegram" for d in deliveries)


async def test_binding_and_splitting_follow_the_channels_policy_the_shop_published(
    client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram
) -> None:
    bound = "{shop}: this chat is now connected to your case."
    await publish_edit(client, rt, "channels.yml", bound, "{shop}: you are through to us here (v2).")
    await publish_edit(client, rt, "channels.yml", "max_message_chars: 4096", "max_message_chars: 120")
    await bound_case(client, rt, tg)
    texts = tg.texts(CHAT)
    assert any(t.startswith("Test shop: you are through to us here (v2).") for t in texts), texts
    assert not any("is now connected" in t for t in texts)
    # The first contact is longer than 120 characters: it arrives in parts, none over the shop's limit.
    assert len(texts) >= 3 and all(len(t) <= 120 for t in texts), texts
    assert "automated assistant" in " ".join(texts)


async def test_a_retried_update_gets_no_second_reply(client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram) -> None:
    await bound_case(client, rt, tg)
    update = tg.message_update(CHAT, "The lamp arrived broken")
    first = await post_update(client, update)
    again = await post_update(client, update)
    assert first.json()["result"] == "accepted" and again.json()["result"] == "duplicate"
    before = len(tg.sent)
    await rt.worker.run_due()
    replies = len(tg.sent) - before
    assert replies >= 1
    await post_update(client, update)
    await rt.worker.run_due()
    assert len(tg.sent) - before == replies


async def test_webhook_refuses_bad_secrets_and_ignores_what_it_cannot_use(
    client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram
) -> None:
    update = tg.message_update(CHAT, "hello")
    assert (await post_update(client, update, secret=None)).status_code == 403
    wrong = await post_update(client, update, secret="not-it")
    assert wrong.status_code == 403 and wrong.json()["field"] == SECRET_HEADER
    bad = await client.post("/webhooks/telegram", content=b"{not json", headers={SECRET_HEADER: SECRET})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_update"
    assert (await post_update(client, {"update_id": "x", "message": 5})).status_code == 400
    assert (await post_update(client, update)).json()["result"] == "unknown_chat"
    await bound_case(client, rt, tg)
    # Taken now, fetched by the job (tests/test_channel_photos.py); a file_id the Bot API does not know is not
    # retried, so the next message has its turn at once.
    photo = tg.message_update(CHAT, None, photo=True)
    assert (await post_update(client, photo)).json()["result"] == "accepted"
    # Content of a kind aiogram does not know is answered with what the bot reads (tests/test_telegram_attachments.py).
    unknown = tg.message_update(CHAT, None)
    assert (await post_update(client, unknown)).json()["result"] == "accepted"
    # The service keeps running: a normal message still works afterwards.
    assert await say(client, rt, tg, "It was the lamp")


async def test_start_links_are_signed_single_use_and_expire(
    client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram, clock: VirtualClock
) -> None:
    case_id = await bound_case(client, rt, tg)
    token = (await client.get(f"/api/cases/{case_id}/telegram-link")).json()["token"]
    other_chat = 777
    r = await post_update(client, tg.message_update(other_chat, f"/start {token[:-2]}AA"))
    assert r.json()["result"] == "invalid_link" and "not valid" in tg.texts(other_chat)[-1]
    # First use binds; a second chat using the same link is refused.
    await post_update(client, tg.message_update(5001, f"/start {token}"))
    await rt.worker.run_due()
    await post_update(client, tg.message_update(5002, f"/start {token}"))
    await rt.worker.run_due()
    assert "already used" in tg.texts(5002)[-1] and "connected" in tg.texts(5001)[0]
    expired = start_token(rt.settings, case_id, clock.now() - timedelta(seconds=1))
    assert (await post_update(client, tg.message_update(5003, f"/start {expired}"))).json()["result"] == "invalid_link"
    assert (await client.get("/api/cases/999999/telegram-link")).status_code == 404
    assert (await client.get(f"/api/cases/{case_id}/telegram-link", headers={"X-Api-Key": "nope"})).status_code == 401


async def test_a_blocked_bot_marks_the_chat_unreachable(
    client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram
) -> None:
    case_id = await bound_case(client, rt, tg)
    tg.blocked.add(CHAT)
    await client.post("/webhooks/telegram", json=tg.message_update(CHAT, "hello?"), headers={SECRET_HEADER: SECRET})
    await rt.worker.run_due()
    async with rt.sessions() as session:
        changes = (
            await session.execute(select(ConsentEvent.channel, ConsentEvent.change).order_by(ConsentEvent.id))
        ).all()
        statuses = (
            (
                await session.execute(
                    select(Message.status)
                    .where(Message.case_id == case_id, Message.direction == "out", Message.provider_id.is_not(None))
                    .order_by(Message.id)
                )
            )
            .scalars()
            .all()
        )
    assert ("telegram", "unreachable") in changes
    # The first reply finds the chat blocked; with no other channel, the rest wait in the web chat.
    assert statuses and statuses[0] == "undeliverable" and set(statuses) <= {"undeliverable", "recorded"}


async def test_outages_are_retried_with_backoff(
    client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram, clock: VirtualClock
) -> None:
    await bound_case(client, rt, tg)
    tg.fail_next = 2
    sent = await say(client, rt, tg, "It was the lamp")
    assert sent == []
    clock.advance(timedelta(seconds=31))
    await rt.worker.run_due()
    clock.advance(timedelta(minutes=2))
    await rt.worker.run_due()
    assert tg.sent[-1]["chat_id"] == CHAT and tg.fail_next == 0


async def test_a_channel_failing_past_its_retries_is_given_up_not_left_pending(
    client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram, clock: VirtualClock
) -> None:
    # Telegram answers 500 to every try. After DELIVER_ATTEMPTS the reply must fall through the shop's
    # channel order (this buyer consented to nothing else) and end "undeliverable", where staff and the
    # reports see it; it used to stay "pending" for ever once its job gave up.
    case_id = await bound_case(client, rt, tg)
    tg.fail_next = 10_000
    assert await say(client, rt, tg, "It was the lamp") == []
    async with rt.sessions() as session:
        stuck = select(Message.id).where(
            Message.case_id == case_id, Message.direction == "out", Message.status == "pending"
        )
        replies = (await session.execute(stuck)).scalars().all()
    assert replies
    for _ in range(DELIVER_ATTEMPTS):
        clock.advance(timedelta(hours=1, seconds=1))  # past the longest backoff
        await rt.worker.run_due()
    async with rt.sessions() as session:
        ended = select(Message.status).where(Message.id.in_(replies))
        assert set((await session.execute(ended)).scalars()) == {"undeliverable"}
    tries = 10_000 - tg.fail_next
    assert tries == DELIVER_ATTEMPTS * len(replies)  # each reply tried exactly DELIVER_ATTEMPTS times


async def test_long_messages_are_split_and_markup_escaped(rt: Runtime, tg: FakeTelegram) -> None:
    adapter = rt.channels.get("telegram")
    text = "<b>not bold</b> & " + " ".join(["word"] * 1500)
    ids = await adapter.send(Outbound(str(CHAT), text))
    assert len(ids) == 2 and len(tg.sent) == 2
    assert tg.sent[0]["raw"].startswith("&lt;b&gt;not bold&lt;/b&gt; &amp;")
    assert all(len(m["text"]) <= 4096 for m in tg.sent)
    assert " ".join(m["text"] for m in tg.sent) == text


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=30),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=4),
        max_leaves=12,
    )
)
@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
async def test_any_json_body_gets_a_clear_answer_never_a_crash(client: httpx.AsyncClient, body: object) -> None:
    r = await client.post("/webhooks/telegram", content=json.dumps(body), headers={SECRET_HEADER: SECRET})
    assert r.status_code in (200, 400), r.text
    if r.status_code == 400:
        assert r.json()["field"] == "(body)"


@given(text=st.text(min_size=1, max_size=200), chat=st.integers(min_value=1, max_value=2**40))
@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
async def test_any_message_update_is_accepted_or_ignored(
    client: httpx.AsyncClient, tg: FakeTelegram, text: str, chat: int
) -> None:
    r = await post_update(client, tg.message_update(chat, text))
    assert r.status_code == 200 and r.json()["result"] in (
        "unknown_chat",
        "nothing_to_read",
        "invalid_link",
        "start_without_token",
    )


async def test_closed_case_still_routes_keywords(client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram) -> None:
    case_id = await bound_case(client, rt, tg)
    await rt.conversation.staff_close(
        case_id, __import__("bot.platform.vocab", fromlist=["Outcome"]).Outcome.UNRESOLVED
    )
    sent = await say(client, rt, tg, "HELP")
    # The closing message staff's Close sends (issue 21), then the answer to HELP.
    assert len(sent) == 2 and "this conversation" in sent[0]["text"] and "STOP" in sent[1]["text"]
    assert "Logistics" in sent[0]["text"]  # no person named: the team signs it, never a blank
    async with rt.sessions() as session:
        assert (await session.get(Case, case_id)).stage == "closed"


async def test_polling_mode_feeds_the_same_inbox(
    rt: Runtime, tg: FakeTelegram, client: httpx.AsyncClient, settings: Settings
) -> None:
    polling, poller = telegram_polling(settings)
    await bound_case(client, rt, tg)
    tg.queue(tg.message_update(CHAT, "It was the lamp"))
    await poll_until_inbound(rt, polling, poller, "It was the lamp", 100, "the poller never delivered the update")
    assert "deleteWebhook" in tg.calls and "getUpdates" in tg.calls
