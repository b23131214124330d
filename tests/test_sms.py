"""SMS end to end: twilio's real Client against a fake Twilio REST API on loopback, our webhooks in process."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import event, func, select

from bot.app.runtime import Runtime
from bot.platform.clock import VirtualClock
from bot.platform.config import ChannelSettings, Settings
from bot.store import buyer_contacts
from bot.store.models import Buyer, Case, Delivery, Job, Message
from channels.sms_segments import count_segments
from tests.conftest import is_postgres, review
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.test_policy_admin import publish_edit

PUBLIC = "https://mediator.example"  # what Twilio signs; the test client calls http://mediator.test
PHONE = "+48601234567"


def sms_settings(base: Settings, tw: FakeTwilio, **over: str | None) -> Settings:
    values: dict[str, str | None] = {
        "telegram_bot_token": None,
        "telegram_bot_username": None,
        "telegram_webhook_secret": None,
        "telegram_api_base": None,
        "twilio_account_sid": ACCOUNT_SID,
        "twilio_auth_token": AUTH_TOKEN,
        "twilio_from_number": "+15005550006",
        "twilio_messaging_service_sid": None,
        "twilio_api_base": tw.url,
    }
    values.update(over)
    return base.model_copy(update={"public_url": PUBLIC, "channels": ChannelSettings(**values)})


@pytest.fixture
def settings(settings: Settings, tw: FakeTwilio) -> Settings:
    return sms_settings(settings, tw)


async def text_in(
    client: httpx.AsyncClient, tw: FakeTwilio, text: str, *, sender: str = PHONE, sid: str | None = None, **extra: str
) -> httpx.Response:
    params = tw.inbound_params(sender, text, sid, **extra)
    signature = tw.signature(PUBLIC + "/webhooks/twilio", params)
    return await client.post("/webhooks/twilio", data=params, headers={"X-Twilio-Signature": signature})


async def sms_case(client: httpx.AsyncClient, rt: Runtime, external_id: str = "sms-1", **buyer: object) -> int:
    body = review(external_id)
    body["buyer"].update(buyer)
    case_id = (await client.post("/api/reviews", json=body)).json()["case_id"]
    await rt.worker.run_due()  # the first contact goes out by SMS
    return case_id


async def say(client: httpx.AsyncClient, rt: Runtime, tw: FakeTwilio, text: str) -> list[str]:
    before = len(tw.sent)
    r = await text_in(client, tw, text)
    assert r.status_code == 200 and "<Response>" in r.text, r.text
    await rt.worker.run_due()
    return [m["Body"] for m in tw.sent[before:]]


async def last_action(rt: Runtime, case_id: int) -> str | None:
    async with rt.sessions() as session:
        return (
            await session.execute(
                select(Message.action)
                .where(Message.case_id == case_id, Message.direction == "out")
                .order_by(Message.id.desc())
                .limit(1)
            )
        ).scalar_one()


async def test_a_full_mediation_over_sms(
    client: httpx.AsyncClient, rt: Runtime, tw: FakeTwilio, clock: VirtualClock
) -> None:
    case_id = await sms_case(client, rt)
    first = tw.sent[0]
    assert first["To"] == PHONE and first["From"] == "+15005550006"
    assert "automated assistant" in " ".join(m["Body"] for m in tw.sent)
    assert first["StatusCallback"] == PUBLIC + "/webhooks/twilio/status"
    assert await say(client, rt, tw, "Hi. The lamp arrived with the glass shade completely smashed.")
    for answer in ("It was the Fjord table lamp", "I'd like a replacement please", "no photo, sorry"):
        await say(client, rt, tw, answer)
        if await last_action(rt, case_id) == "propose_remedy":
            break
    assert await last_action(rt, case_id) == "propose_remedy"
    await say(client, rt, tw, "Yes, that works for me")
    assert await last_action(rt, case_id) == "confirm_remedy"
    clock.advance(timedelta(days=3, hours=1))
    await rt.worker.run_due()
    assert await last_action(rt, case_id) == "follow_up" and tw.sent[-1]["To"] == PHONE
    await say(client, rt, tw, "Yes, the new lamp arrived and it is perfect, thank you")
    clock.advance(timedelta(days=1, hours=1))
    await rt.worker.run_due()
    assert "reviews.example/demo/reviews/sms-1/edit" in tw.sent[-1]["Body"]
    await say(client, rt, tw, "No, I'll keep my review as it is")
    case = (await client.get(f"/api/cases/{case_id}")).json()
    assert case["stage"] == "closed" and case["outcome"] == "resolved_kept"
    # Every SMS stayed within the 3-segment budget, and every send is recorded with Twilio's sid.
    assert all(count_segments(m["Body"]).count <= 3 for m in tw.sent)
    async with rt.sessions() as session:
        sids = set((await session.execute(select(Delivery.provider_id))).scalars())
    assert sids == {m["sid"] for m in tw.sent}


async def test_the_sms_budget_a_shop_publishes_applies_to_its_next_message(
    client: httpx.AsyncClient, rt: Runtime, tw: FakeTwilio
) -> None:
    # An admin allows one segment per SMS: no restart, and the adapter's own default (3) must not win.
    await publish_edit(client, rt, "channels.yml", "max_segments: 3", "max_segments: 1")
    await sms_case(client, rt)  # the first contact: longer than one segment
    assert len(tw.sent) >= 2 and all(count_segments(m["Body"]).count == 1 for m in tw.sent), tw.sent
    assert "automated assistant" in " ".join(m["Body"] for m in tw.sent)


async def test_signatures_are_checked_against_the_public_url(
    client: httpx.AsyncClient, rt: Runtime, tw: FakeTwilio
) -> None:
    await sms_case(client, rt)
    params = tw.inbound_params(PHONE, "hello")
    unsigned = await client.post("/webhooks/twilio", data=params)
    assert unsigned.status_code == 403 and unsigned.json()["field"] == "X-Twilio-Signature"
    wrong = await client.post("/webhooks/twilio", data=params, headers={"X-Twilio-Signature": "c2lnbmF0dXJl"})
    assert wrong.status_code == 403
    # Signed for the URL the request arrived at, not the configured public one: refused.
    as_seen = tw.signature("http://mediator.test/webhooks/twilio", params)
    assert (
        await client.post("/webhooks/twilio", data=params, headers={"X-Twilio-Signature": as_seen})
    ).status_code == 403
    tampered = {**params, "Body": "something else"}
    good_sig = tw.signature(PUBLIC + "/webhooks/twilio", params)
    r = await client.post("/webhooks/twilio", data=tampered, headers={"X-Twilio-Signature": good_sig})
    assert r.status_code == 403
    assert (await text_in(client, tw, "hello")).status_code == 200
    async with rt.sessions() as session:
        inbound_jobs = (await session.execute(select(func.count()).where(Job.kind == "inbound"))).scalar_one()
    assert inbound_jobs == 1


async def test_a_retried_webhook_gets_no_second_reply(client: httpx.AsyncClient, rt: Runtime, tw: FakeTwilio) -> None:
    await sms_case(client, rt)
    before = len(tw.sent)
    for _ in range(3):
        assert (await text_in(client, tw, "The lamp arrived broken", sid="SMretry0001")).status_code == 200
        await rt.worker.run_due()
    replies = len(tw.sent) - before
    assert replies >= 1
    async with rt.sessions() as session:
        inbound = (await session.execute(select(func.count()).where(Message.direction == "in"))).scalar_one()
    assert inbound == 1
    assert (await text_in(client, tw, "The lamp arrived broken", sid="SMretry0001")).status_code == 200
    await rt.worker.run_due()
    assert len(tw.sent) - before == replies


async def test_bad_input_is_refused_or_ignored_and_the_service_keeps_going(
    client: httpx.AsyncClient, rt: Runtime, tw: FakeTwilio
) -> None:
    await sms_case(client, rt)
    sent = len(tw.sent)
    stranger = await text_in(client, tw, "who are you?", sender="+48500000000")
    assert stranger.status_code == 200
    media = await text_in(client, tw, "", NumMedia="1", MediaUrl0="https://example.com/a.jpg")
    assert media.status_code == 200
    huge = await text_in(client, tw, "x" * 5000)
    assert huge.status_code == 413 and huge.json()["field"] == "Body"
    params = {"From": PHONE, "Body": "no sid"}
    no_sid = await client.post(
        "/webhooks/twilio",
        data=params,
        headers={"X-Twilio-Signature": tw.signature(PUBLIC + "/webhooks/twilio", params)},
    )
    assert no_sid.status_code == 400 and no_sid.json()["field"] == "MessageSid"
    await rt.worker.run_due()
    # Only the photo on another host is answered: it is not fetched, and the buyer is asked to send it again.
    assert tw.texts()[sent:] == ["Sorry, your photo did not reach us. Could you send it again?"]
    assert await say(client, rt, tw, "It was the lamp")


async def test_status_callbacks_update_delivery_and_21610_is_an_opt_out(
    client: httpx.AsyncClient, rt: Runtime, tw: FakeTwilio
) -> None:
    case_id = await sms_case(client, rt)
    sid = tw.sent[0]["sid"]

    async def status(state: str, **extra: str) -> httpx.Response:
        params = {"MessageSid": sid, "MessageStatus": state, "AccountSid": ACCOUNT_SID, **extra}
        signature = tw.signature(PUBLIC + "/webhooks/twilio/status", params)
        return await client.post("/webhooks/twilio/status", data=params, headers={"X-Twilio-Signature": signature})

    assert (await status("delivered")).status_code == 204
    async with rt.sessions() as session:
        assert (await session.execute(select(Delivery.status))).scalar_one() == "delivered"
    assert (await client.post("/webhooks/twilio/status", data={"MessageSid": sid})).status_code == 403
    assert (await status("undelivered", ErrorCode="21610")).status_code == 204
    async with rt.sessions() as session:
        only = (await session.execute(select(Buyer.id))).scalar_one()
        assert (await buyer_contacts.of(session, only)).opted_out_at is not None
        assert (await session.get(Case, case_id)).outcome == "opted_out"


async def test_a_21610_refusal_at_send_records_the_opt_out_and_stops(
    client: httpx.AsyncClient, rt: Runtime, tw: FakeTwilio, clock: VirtualClock
) -> None:
    tw.opted_out.add(PHONE)
    case_id = await sms_case(client, rt)
    assert tw.sent == []
    async with rt.sessions() as session:
        buyer = (await session.execute(select(Buyer))).scalar_one()
        assert (await buyer_contacts.of(session, buyer.id)).opted_out_at is not None
        assert (await session.get(Case, case_id)).outcome == "opted_out"
    clock.advance(timedelta(days=5))
    await rt.worker.run_due()
    assert tw.sent == []


async def test_messaging_service_sid_and_long_messages_split_by_segments(
    rt: Runtime, tw: FakeTwilio, settings: Settings
) -> None:
    from channels.base import Outbound
    from channels.sms import SmsChannel

    adapter = SmsChannel(
        sms_settings(settings, tw, twilio_from_number=None, twilio_messaging_service_sid="MG" + "1" * 32)
    )
    try:
        ids = await adapter.send(Outbound(PHONE, "Zażółć gęślą jaźń. " * 20))
    finally:
        await adapter.close()
    assert len(ids) == len(tw.sent) >= 2
    assert all(m["MessagingServiceSid"].startswith("MG") and "From" not in m for m in tw.sent)
    assert all(count_segments(m["Body"]).count <= 3 for m in tw.sent)


@given(
    st.dictionaries(
        st.sampled_from(["MessageSid", "From", "Body", "NumMedia", "To", "Junk"]),
        st.text(max_size=60),
        max_size=6,
    )
)
@hsettings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
async def test_any_signed_form_gets_a_clear_answer(client: httpx.AsyncClient, tw: FakeTwilio, params: dict) -> None:
    signature = tw.signature(PUBLIC + "/webhooks/twilio", params)
    r = await client.post("/webhooks/twilio", data=params, headers={"X-Twilio-Signature": signature})
    assert r.status_code in (200, 400, 403, 413), r.text


def synchronous_at_commit(rt: Runtime) -> list[int]:
    """SQLite's `PRAGMA synchronous` as each COMMIT on the runtime's engine is sent (2 = FULL: the log is
    flushed to disk before COMMIT returns; 1 = NORMAL: flushed at the next checkpoint)."""
    seen: list[int] = []

    def on_commit(conn: Any) -> None:
        seen.append(conn.exec_driver_sql("PRAGMA synchronous").scalar())

    event.listen(rt.engine.sync_engine, "commit", on_commit)
    return seen


@pytest.mark.skipif(is_postgres(), reason="SQLite's setting; PostgreSQL's synchronous_commit=on flushes every commit")
async def test_the_inbox_commit_reaches_the_disk_before_twilio_hears_200(
    client: httpx.AsyncClient, rt: Runtime, tw: FakeTwilio
) -> None:
    await sms_case(client, rt)
    seen = synchronous_at_commit(rt)
    assert (await text_in(client, tw, "The lamp came broken, the glass is in pieces")).status_code == 200
    assert seen == [2]  # the message is acknowledged: its one commit is flushed
    await rt.worker.run_due()
    assert len(seen) > 1 and set(seen[1:]) == {1}  # the turn's own commits keep the checkpoint's flush

    # The web chat's inbox commit (the page's message, before the turn) is flushed the same way.
    case_id = await sms_case(client, rt, "chat-1", phone="+48601000002")
    token = (await client.post(f"/api/cases/{case_id}/chat-link")).json()["token"]
    del seen[:]
    r = await client.post(f"/chat/{token}/messages", json={"id": "m-1", "text": "the shade is cracked"})
    assert r.status_code == 200, r.text
    assert seen[0] == 2
