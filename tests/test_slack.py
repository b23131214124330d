"""The Slack handoff end to end: slack_sdk and slack-bolt against a fake Slack Web API on loopback, with
requests signed the way Slack signs them (v0 HMAC), posted to /webhooks/slack of the real app."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import select

from bot.app.runtime import Runtime
from bot.app.web import create_app
from bot.handoff.card import mask_text
from bot.platform.clock import VirtualClock
from bot.platform.config import Settings, SlackSettings
from bot.store import photos
from bot.store.models import Case, Job, Message, SlackRelay, SlackThread
from channels.slack import parse_command, parse_value, slack_text
from tests.conftest import ROOT, SHOP, open_runtime, review
from tests.fakes.slack_api import TEAM, FakeSlack
from tests.test_webchat_photos import png

SECRET = "test-signing-secret"
SCENARIOS = ROOT / "tests" / "scenarios"


@pytest.fixture
async def srt(settings: Settings, clock: VirtualClock, fake_slack: FakeSlack) -> AsyncIterator[Runtime]:
    slack = SlackSettings(bot_token=fake_slack.token, signing_secret=SECRET, api_base=fake_slack.base_url)
    runtime = await open_runtime(settings.model_copy(update={"slack": slack}), clock)
    assert runtime.slack is not None
    yield runtime
    await runtime.close()


@pytest.fixture
async def web(srt: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime=srt, run_scheduler=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mediator.test") as c:
        yield c


# ── signing and posting, as Slack does ──────────────────────────────────────────────────────────


def signed_headers(body: bytes, *, secret: str = SECRET, age: int = 0, content_type: str) -> dict[str, str]:
    ts = str(int(time.time()) - age)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature, "Content-Type": content_type}


async def post_event(
    web: httpx.AsyncClient, event: dict[str, Any], event_id: str, retry: int | None = None, **sign: Any
) -> httpx.Response:
    body = json.dumps(
        {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A0MEDIATOR",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": TEAM, "user_id": "UBOTMEDIATOR", "is_bot": True}],
        }
    ).encode()
    headers = signed_headers(body, content_type="application/json", **sign)
    if retry:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    return await web.post("/webhooks/slack", content=body, headers=headers)


async def post_action(
    web: httpx.AsyncClient, action_id: str, value: str, channel: str, user: str = "U0MAJA", selected: bool = False
) -> httpx.Response:
    action: dict[str, Any] = {"action_id": action_id, "block_id": "case", "type": "button", "value": value}
    if selected:
        action = {
            "action_id": action_id,
            "block_id": "case",
            "type": "static_select",
            "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value},
        }
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": user},
        "api_app_id": "A0MEDIATOR",
        "token": "legacy",
        "trigger_id": "1.2.3",
        "channel": {"id": channel},
        "actions": [action],
        "container": {"type": "message", "channel_id": channel},
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    return await web.post(
        "/webhooks/slack", content=body, headers=signed_headers(body, content_type="application/x-www-form-urlencoded")
    )


async def post_command(web: httpx.AsyncClient, text: str, channel: str = "C0GENERAL") -> httpx.Response:
    body = urlencode(
        {
            "token": "legacy",
            "team_id": TEAM,
            "channel_id": channel,
            "user_id": "U0MAJA",
            "command": "/mediator",
            "text": text,
            "api_app_id": "A0MEDIATOR",
            "trigger_id": "1.2.3",
            "response_url": "http://127.0.0.1:9/never-called",
        }
    ).encode()
    return await web.post(
        "/webhooks/slack", content=body, headers=signed_headers(body, content_type="application/x-www-form-urlencoded")
    )


async def settle(rt: Runtime) -> None:
    """Let the ack'ed lazy listeners finish, then run every job due now (cards, relays, deliveries)."""
    assert rt.slack is not None
    for _ in range(3):
        await rt.slack.drain()
        await rt.worker.run_due()


def scenario_review(name: str) -> dict[str, Any]:
    return yaml.safe_load((SCENARIOS / name).read_text(encoding="utf-8"))["review"]


async def open_case(rt: Runtime, body: dict[str, Any]) -> int:
    [result] = await rt.intake.ingest(SHOP, [body])
    assert result.case_id is not None, result
    await rt.worker.run_due()
    return result.case_id


async def buyer(rt: Runtime, case_id: int, text: str, channel: str = "webchat") -> None:
    await rt.conversation.buyer_message(case_id, text, channel=channel)
    await rt.worker.run_due()


async def case_row(rt: Runtime, case_id: int) -> Case:
    async with rt.sessions() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        return case


async def thread_row(rt: Runtime, case_id: int) -> SlackThread:
    async with rt.sessions() as session:
        thread = (await session.execute(select(SlackThread).where(SlackThread.case_id == case_id))).scalar_one()
        return thread


async def messages(rt: Runtime, case_id: int, role: str | None = None) -> list[Message]:
    async with rt.sessions() as session:
        query = select(Message).where(Message.case_id == case_id).order_by(Message.id)
        if role:
            query = query.where(Message.role == role)
        return list((await session.execute(query)).scalars())


async def approval_case(rt: Runtime) -> int:
    """The German double charge: a full refund above the bot's authority, handed off for approval."""
    case_id = await open_case(rt, scenario_review("de_double_charge_approval_needed.yml"))
    for text in (
        "Ja, auf meinem Kontoauszug steht die Abbuchung von 900 Euro zweimal, am 28. Oktober",
        "Ich möchte die doppelte Abbuchung zurück, also mein Geld",
        "Es geht um die ganze Bestellung, das Familienzelt Trollheim 6 und die Schlafsäcke",
    ):
        await buyer(rt, case_id, text)
    case = await case_row(rt, case_id)
    assert case.stage == "awaiting_staff" and case.handoff_reason == "approval_needed"
    return case_id


async def anger_case(rt: Runtime, clock: VirtualClock) -> int:
    case_id = await open_case(rt, scenario_review("en_anger_stays_high_handoff.yml"))
    clock.advance(timedelta(hours=5))
    await rt.worker.run_due()
    for text in (
        "Oh NOW you write?! Seventeen days for a tent! SEVENTEEN! I missed my whole trip!!!",
        "Don't 'I hear you' me!!! You people are USELESS, I am SO angry right now!!!",
        "I AM STILL FURIOUS!!! THIS IS UNACCEPTABLE!!!",
    ):
        await buyer(rt, case_id, text)
    assert (await case_row(rt, case_id)).stage == "awaiting_staff"
    return case_id


def block_texts(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


# ── the card ─────────────────────────────────────────────────────────────────────────────────────


async def test_handoff_posts_one_card_to_the_team_channel(srt: Runtime, fake_slack: FakeSlack) -> None:
    case_id = await approval_case(srt)
    cards = fake_slack.posts(top_level=True)
    assert len(cards) == 1
    card = cards[0].args
    assert card["channel"] == "#cs-billing"  # routing.yml: billing → Billing team
    text = block_texts(card["blocks"])
    for expected in (
        "Markus",
        "de",
        "webchat",
        "1/5",
        "900",
        "NL-2026-31020",
        "Familienzelt Trollheim 6",
        "refund_full",
        "needs staff approval",
        "approval",
        "Anger",
        "21 d 0 h",
        "2026-10-28",
    ):
        assert expected in text, expected
    assert "Becker" not in text and "m.becker@example.de" not in text  # first name only, no e-mail
    actions = {e["action_id"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]}
    assert {
        "mediator_take_over",
        "mediator_hand_back",
        "mediator_approve",
        "mediator_reject",
        "mediator_close",
        "mediator_flag",
    } <= actions
    thread = await thread_row(srt, case_id)
    assert thread.channel_id == fake_slack.channel_id("#cs-billing") and thread.thread_ts is not None
    assert thread.team == "billing"


def test_personal_data_is_masked() -> None:
    text = (
        "Call me on +48 601 234 567 or write to anna.kowalska@example.pl, I live at ul. Długa 12/4, "
        "00-950 Warszawa. Card 4111 1111 1111 1111. Order NL-1001."
    )
    masked = mask_text(text)
    for secret in ("601 234 567", "anna.kowalska", "Długa 12", "00-950", "4111 1111"):
        assert secret not in masked, secret
    assert "NL-1001" in masked and "•••567" in masked


@hsettings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_masking_never_leaves_a_long_digit_run(text: str) -> None:
    masked = mask_text(text)
    digits = "".join(ch if ch.isdigit() and ch.isascii() else " " for ch in masked)
    assert all(len(run) < 7 for run in digits.split())


# ── the required scenarios ──────────────────────────────────────────────────────────────────────


async def test_approval_above_the_bots_authority_confirms_what_the_buyer_asked_for(
    srt: Runtime, web: httpx.AsyncClient, fake_slack: FakeSlack
) -> None:
    case_id = await approval_case(srt)  # the buyer asked for their money back; a full refund needs approval
    offers_before = [m for m in await messages(srt, case_id, "bot") if m.action == "propose_remedy"]
    assert offers_before == []  # nothing promised while waiting for approval
    thread = await thread_row(srt, case_id)
    response = await post_action(web, "mediator_approve", str(case_id), thread.channel_id)
    assert response.status_code == 200
    await settle(srt)
    bot = await messages(srt, case_id, "bot")
    # What the buyer asked for is confirmed once approved, not offered a second time.
    assert [m.meta["remedy"]["type"] for m in bot if m.action == "confirm_remedy"] == ["refund_full"]
    assert not [m for m in bot if m.action == "propose_remedy"]
    case = await case_row(srt, case_id)
    assert case.stage == "resolving" and case.details.get("accepted_remedy", {}).get("type") == "refund_full"
    notes = fake_slack.posts(thread_ts=thread.thread_ts)
    assert any("approved refund_full" in n.args["text"] for n in notes)
    assert fake_slack.called("chat.update")  # the card shows the new state, without the buttons
    # The buyer's thanks are acknowledged; the rest of the conversation is the bot's again.
    await buyer(srt, case_id, "Ja, einverstanden, danke")
    assert (await case_row(srt, case_id)).stage == "resolving"


async def test_reject_offers_the_next_option_instead(
    srt: Runtime, web: httpx.AsyncClient, fake_slack: FakeSlack
) -> None:
    case_id = await approval_case(srt)
    thread = await thread_row(srt, case_id)
    await post_action(web, "mediator_reject", str(case_id), thread.channel_id)
    await settle(srt)
    case = await case_row(srt, case_id)
    assert "refund_full" in case.details.get("declined", [])
    assert case.details.get("approved_remedy") != "refund_full"


async def test_staff_reply_reaches_the_buyer_and_hand_back_resumes_the_bot(
    srt: Runtime, web: httpx.AsyncClient, fake_slack: FakeSlack, clock: VirtualClock
) -> None:
    case_id = await anger_case(srt, clock)
    thread = await thread_row(srt, case_id)
    routing = yaml.safe_load((ROOT / "policies" / "routing.yml").read_text())
    team = routing["routes"][(await case_row(srt, case_id)).topic]
    assert (
        thread.thread_ts
        and fake_slack.posts(top_level=True)[0].args["channel"] == routing["teams"][team]["slack_channel"]
    )
    # The buyer writes again while staff have the case: it shows in the thread, and the bot only tells the buyer
    # their message is with the team and when to expect a person (rule 9), nothing else.
    bot_before = len(await messages(srt, case_id, "bot"))
    await buyer(srt, case_id, "Is anybody there? I want my money back for the tent.")
    await settle(srt)
    relayed = fake_slack.posts(thread_ts=thread.thread_ts)
    assert any("Is anybody there?" in c.args["text"] and "Gary" in c.args["text"] for c in relayed)
    after = (await messages(srt, case_id, "bot"))[bot_before:]
    assert [m.action for m in after] == ["waiting"]
    # Staff answer in the thread: the words reach the buyer on the buyer's channel.
    reply = {
        "type": "message",
        "channel": thread.channel_id,
        "user": "U0MAJA",
        "ts": "1763900100.000001",
        "thread_ts": thread.thread_ts,
        "client_msg_id": "cm-1",
        "text": "Hi Gary, I am Maja from the shop. I am so sorry about the tent &amp; your trip.",
    }
    assert (await post_event(web, reply, "Ev001")).status_code == 200
    await settle(srt)
    staff = await messages(srt, case_id, "staff")
    assert len(staff) == 1 and "sorry about the tent & your trip" in staff[0].text
    assert staff[0].direction == "out" and staff[0].status == "delivered"
    # A note for colleagues (//) and a bot's post are never relayed.
    await post_event(
        web,
        {**reply, "ts": "1763900100.000002", "client_msg_id": "cm-2", "text": "// he was rude to the courier too"},
        "Ev002",
    )
    await post_event(
        web,
        {**reply, "ts": "1763900100.000003", "client_msg_id": None, "bot_id": "B0OTHER", "text": "automated post"},
        "Ev003",
    )
    await settle(srt)
    assert len(await messages(srt, case_id, "staff")) == 1
    # Hand back: the bot resumes where it stopped, with what staff added, and answers the buyer again.
    await post_action(web, "mediator_hand_back", str(case_id), thread.channel_id)
    await settle(srt)
    case = await case_row(srt, case_id)
    assert case.stage not in ("awaiting_staff", "handoff", "closed")
    assert case.details.get("staff_text", "").startswith("Hi Gary")
    bot_after = len(await messages(srt, case_id, "bot"))
    await buyer(srt, case_id, "The tent arrived on 28 October, seventeen days late.")
    assert len(await messages(srt, case_id, "bot")) > bot_after


async def test_a_retried_event_is_relayed_once(
    srt: Runtime, web: httpx.AsyncClient, fake_slack: FakeSlack, clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    case_id = await anger_case(srt, clock)
    thread = await thread_row(srt, case_id)
    reply = {
        "type": "message",
        "channel": thread.channel_id,
        "user": "U0TOM",
        "ts": "1763900200.000001",
        "thread_ts": thread.thread_ts,
        "client_msg_id": "cm-retry",
        "text": "We will refund the shipping.",
    }
    caplog.set_level(logging.INFO, logger="mediator.slack")
    assert (await post_event(web, reply, "EvRetry")).status_code == 200
    for attempt in (1, 2):  # Slack did not see our ack in time and retries the same event
        assert (await post_event(web, reply, "EvRetry", retry=attempt)).status_code == 200
    # ... and the same message delivered again under a new event id is still the same message.
    assert (await post_event(web, reply, "EvRetryOther")).status_code == 200
    await settle(srt)
    staff = await messages(srt, case_id, "staff")
    assert len(staff) == 1 and staff[0].text.endswith("We will refund the shipping.")
    assert "already handled" in caplog.text
    async with srt.sessions() as session:
        relays = list((await session.execute(select(SlackRelay))).scalars())
    assert len(relays) == 1 and relays[0].client_msg_id == "cm-retry" and relays[0].message_id == staff[0].id


async def test_requests_are_acknowledged_fast(srt: Runtime, web: httpx.AsyncClient, clock: VirtualClock) -> None:
    case_id = await anger_case(srt, clock)
    thread = await thread_row(srt, case_id)
    reply = {
        "type": "message",
        "channel": thread.channel_id,
        "user": "U0MAJA",
        "ts": "1763900300.000001",
        "thread_ts": thread.thread_ts,
        "client_msg_id": "cm-fast",
        "text": "One moment please.",
    }
    started = time.perf_counter()
    response = await post_event(web, reply, "EvFast")
    assert response.status_code == 200 and time.perf_counter() - started < 3
    await settle(srt)
    assert len(await messages(srt, case_id, "staff")) == 1


# ── edits and deletes ───────────────────────────────────────────────────────────────────────────


async def test_edit_and_delete_before_delivery(srt: Runtime, web: httpx.AsyncClient, clock: VirtualClock) -> None:
    case_id = await anger_case(srt, clock)
    thread = await thread_row(srt, case_id)
    base = {"channel": thread.channel_id, "user": "U0MAJA", "thread_ts": thread.thread_ts}
    await post_event(
        web,
        {"type": "message", **base, "ts": "1763900400.000001", "client_msg_id": "cm-e", "text": "We wil refund you"},
        "EvE1",
    )
    await srt.slack.drain()  # not delivered yet: no worker round
    edit = {
        "type": "message",
        "subtype": "message_changed",
        "channel": thread.channel_id,
        "ts": "1763900400.000009",
        "message": {**base, "ts": "1763900400.000001", "text": "We will refund you"},
        "previous_message": {**base, "ts": "1763900400.000001", "text": "We wil refund you"},
    }
    await post_event(web, edit, "EvE2")
    await srt.slack.drain()
    [staff] = await messages(srt, case_id, "staff")
    assert staff.text.endswith("We will refund you") and staff.status == "pending"
    await post_event(
        web,
        {"type": "message", **base, "ts": "1763900400.000002", "client_msg_id": "cm-d", "text": "Wrong case, sorry"},
        "EvD1",
    )
    await srt.slack.drain()
    delete = {
        "type": "message",
        "subtype": "message_deleted",
        "channel": thread.channel_id,
        "ts": "1763900400.000010",
        "deleted_ts": "1763900400.000002",
        "previous_message": {**base, "ts": "1763900400.000002", "text": "Wrong case, sorry"},
    }
    await post_event(web, delete, "EvD2")
    await settle(srt)
    staff = await messages(srt, case_id, "staff")
    assert [(m.text.split(": ", 1)[-1], m.status) for m in staff] == [
        ("We will refund you", "delivered"),
        ("Wrong case, sorry", "suppressed"),
    ]


async def test_edit_after_delivery_sends_the_correction(
    srt: Runtime, web: httpx.AsyncClient, fake_slack: FakeSlack, clock: VirtualClock
) -> None:
    case_id = await anger_case(srt, clock)
    thread = await thread_row(srt, case_id)
    base = {"channel": thread.channel_id, "user": "U0MAJA", "thread_ts": thread.thread_ts}
    await post_event(
        web,
        {"type": "message", **base, "ts": "1763900500.000001", "client_msg_id": "cm-x", "text": "Refund of 10 EUR"},
        "EvX1",
    )
    await settle(srt)
    edit = {
        "type": "message",
        "subtype": "message_changed",
        "channel": thread.channel_id,
        "ts": "1763900500.000009",
        "message": {**base, "ts": "1763900500.000001", "text": "Refund of 20 EUR"},
    }
    await post_event(web, edit, "EvX2")
    await post_event(web, edit, "EvX2", retry=1)
    await settle(srt)
    texts = [m.text.split(": ", 1)[-1] for m in await messages(srt, case_id, "staff")]
    assert texts == ["Refund of 10 EUR", "Refund of 20 EUR"]
    assert any("already had the first version" in c.args["text"] for c in fake_slack.posts(thread_ts=thread.thread_ts))


# ── buttons, command, reminders, troll cases ────────────────────────────────────────────────────


async def test_take_over_pauses_the_bot_and_close_records_the_outcome(
    srt: Runtime, web: httpx.AsyncClient, fake_slack: FakeSlack
) -> None:
    case_id = await approval_case(srt)
    thread = await thread_row(srt, case_id)
    await post_action(web, "mediator_take_over", str(case_id), thread.channel_id)
    await settle(srt)
    thread = await thread_row(srt, case_id)
    assert thread.owner_id == "U0MAJA" and thread.owner_name == "Maja"
    await post_action(web, "mediator_close", f"{case_id}:resolved_kept", thread.channel_id, selected=True)
    await settle(srt)
    case = await case_row(srt, case_id)
    assert case.stage == "closed" and case.outcome == "resolved_kept"
    last_card = fake_slack.called("chat.update")[-1].args
    assert "resolved_kept" in block_texts(last_card["blocks"])
    assert not [b for b in last_card["blocks"] if b["type"] == "actions"]  # no buttons on a closed case


async def test_take_over_of_a_case_the_bot_is_handling(
    srt: Runtime, web: httpx.AsyncClient, fake_slack: FakeSlack
) -> None:
    case_id = await open_case(srt, review("take-1"))
    assert (await case_row(srt, case_id)).stage == "contacted"
    response = await post_command(web, f"case {case_id}")
    assert response.status_code == 200
    await settle(srt)
    [status] = fake_slack.called("chat.postEphemeral")
    assert f"Case {case_id}: contacted" in status.args["text"] and status.args["user"] == "U0MAJA"
    await post_action(web, "mediator_take_over", str(case_id), "C0GENERAL")
    await settle(srt)
    case = await case_row(srt, case_id)
    assert case.stage == "awaiting_staff" and case.details["resume_stage"] == "contacted"
    bots = len(await messages(srt, case_id, "bot"))
    await buyer(srt, case_id, "Hello? The lamp is still broken.")
    assert len(await messages(srt, case_id, "bot")) == bots  # paused


async def test_grant_in_the_cases_channel_records_a_staff_remedy(
    srt: Runtime, web: httpx.AsyncClient, fake_slack: FakeSlack
) -> None:
    """Issue 19: `/mediator grant` in the case's channel grants as /staff does (above the bot's authority too):
    recorded with granted_by, the pending approval dropped, the buyer told in German, a note in the thread."""
    case_id = await approval_case(srt)
    thread = await thread_row(srt, case_id)
    response = await post_command(web, f"grant {case_id} refund_full 900 Familienzelt Trollheim 6", thread.channel_id)
    assert response.status_code == 200
    await settle(srt)
    case = await case_row(srt, case_id)
    remedy = case.details["accepted_remedy"]
    assert (remedy["type"], remedy["amount"], remedy["currency"]) == ("refund_full", "900.00", "EUR")
    assert remedy["granted_by"] == "Maja" and remedy["above_bot_authority"] is True
    assert remedy["item"] == "Familienzelt Trollheim 6" and not case.details.get("pending_remedy")
    [told] = [m for m in await messages(srt, case_id, "staff") if m.action == "staff_remedy"]
    assert told.language == "de" and "900,00\xa0€" in told.text and "Familienzelt Trollheim 6" in told.text, told.text
    notes = fake_slack.posts(thread_ts=thread.thread_ts)
    assert any("granted refund_full 900.00 EUR" in n.args["text"] for n in notes)
    card = block_texts(fake_slack.called("chat.update")[-1].args["blocks"])
    assert "Remedy agreed* by Maja" in card and "Waiting for your approval" not in card
    # Approving the old pending remedy now would send it a second time: refused, to the person only.
    await post_action(web, "mediator_approve", str(case_id), thread.channel_id)
    await settle(srt)
    assert "no remedy waiting for approval" in fake_slack.called("chat.postEphemeral")[-1].args["text"]


async def test_grant_from_another_channel_or_with_bad_values_is_refused(
    srt: Runtime, web: httpx.AsyncClient, fake_slack: FakeSlack
) -> None:
    case_id = await approval_case(srt)
    thread = await thread_row(srt, case_id)
    await post_command(web, f"grant {case_id} refund_full 900", "C0SOMEWHERE")
    await settle(srt)
    assert "not handled in this channel" in fake_slack.called("chat.postEphemeral")[-1].args["text"]
    for text, said in (
        (f"grant {case_id} voucher 20", "type"),
        (f"grant {case_id} refund_full 99999", "more than the order cost"),
        (f"grant {case_id} replacement Kayak", "not in the order"),
    ):
        await post_command(web, text, thread.channel_id)
        await settle(srt)
        assert said in fake_slack.called("chat.postEphemeral")[-1].args["text"], text
    assert "accepted_remedy" not in (await case_row(srt, case_id)).details


async def test_a_slack_grant_of_send_part_names_the_part(
    srt: Runtime, web: httpx.AsyncClient, fake_slack: FakeSlack
) -> None:
    """Issue 19 item 2: `/mediator grant ID send_part ITEM part: PART` records and tells the part; without a part
    the person alone is told which field is missing."""
    case_id = await approval_case(srt)
    thread = await thread_row(srt, case_id)
    await post_command(web, f"grant {case_id} send_part Familienzelt Trollheim 6", thread.channel_id)
    await settle(srt)
    assert "part: send_part needs the part's name" in fake_slack.called("chat.postEphemeral")[-1].args["text"]
    assert "accepted_remedy" not in (await case_row(srt, case_id)).details
    await post_command(web, f"grant {case_id} send_part Familienzelt Trollheim 6 part: Zeltstange", thread.channel_id)
    await settle(srt)
    remedy = (await case_row(srt, case_id)).details["accepted_remedy"]
    assert (remedy["type"], remedy["part"], remedy["item"]) == ("send_part", "Zeltstange", "Familienzelt Trollheim 6")
    [told] = [m for m in await messages(srt, case_id, "staff") if m.action == "staff_remedy"]
    assert told.language == "de" and "Zeltstange" in told.text, told.text
    assert any("send_part (Zeltstange)" in n.args["text"] for n in fake_slack.posts(thread_ts=thread.thread_ts))


async def test_slash_command_bad_text_shows_usage(web: httpx.AsyncClient, fake_slack: FakeSlack) -> None:
    response = await post_command(web, "status please")
    assert response.status_code == 200 and "Usage: /mediator case ID" in response.text
    response = await post_command(web, "case 999999")
    assert response.status_code == 200


async def test_reminders_ping_the_thread_and_its_owner(
    srt: Runtime, web: httpx.AsyncClient, fake_slack: FakeSlack, clock: VirtualClock
) -> None:
    case_id = await approval_case(srt)
    thread = await thread_row(srt, case_id)
    await post_action(web, "mediator_take_over", str(case_id), thread.channel_id)
    await settle(srt)
    async with srt.sessions() as session:
        job = (
            await session.execute(
                select(Job).where(Job.kind == "staff_reminder", Job.case_id == case_id, Job.status == "pending")
            )
        ).scalar_one()
    # 2 business hours (policies/mediation.yml, Mon-Fri 09-17 Warsaw) after the handoff at 11:00 Warsaw.
    assert job.run_at - job.created_at == timedelta(hours=2)
    clock.advance(timedelta(hours=2))
    await srt.worker.run_due()
    pings = [c for c in fake_slack.posts(thread_ts=thread.thread_ts) if "waiting for an answer" in c.args["text"]]
    assert len(pings) == 1 and "<@U0MAJA>" in pings[0].args["text"]
    # The deadline reminder, 3 days before the 21-day deadline.
    case = await case_row(srt, case_id)
    clock.set(case.deadline_at - timedelta(days=3))
    await srt.worker.run_due()
    near = [c for c in fake_slack.posts(thread_ts=thread.thread_ts) if "deadline is close" in c.args["text"]]
    assert len(near) == 1 and "3 d 0 h" in near[0].args["text"]


async def test_an_answered_handoff_gets_no_reminder(
    srt: Runtime, web: httpx.AsyncClient, fake_slack: FakeSlack, clock: VirtualClock
) -> None:
    case_id = await anger_case(srt, clock)
    thread = await thread_row(srt, case_id)
    await post_event(
        web,
        {
            "type": "message",
            "channel": thread.channel_id,
            "user": "U0MAJA",
            "ts": "1763900600.000001",
            "thread_ts": thread.thread_ts,
            "client_msg_id": "cm-a",
            "text": "Hello Gary, Maja here.",
        },
        "EvA1",
    )
    await settle(srt)
    clock.advance(timedelta(days=1))
    await srt.worker.run_due()
    assert not [c for c in fake_slack.posts(thread_ts=thread.thread_ts) if "waiting for an answer" in c.args["text"]]


async def test_black_pr_is_posted_for_flagging_without_bot_contact(
    srt: Runtime, web: httpx.AsyncClient, fake_slack: FakeSlack
) -> None:
    case_id = await open_case(srt, scenario_review("de_black_pr_awaiting_staff.yml"))
    [card] = fake_slack.posts(top_level=True)
    assert card.args["text"].startswith("Review for flagging")
    assert "hand_back" not in block_texts(card.args["blocks"])
    assert await messages(srt, case_id) == []  # the bot never wrote to them
    thread = await thread_row(srt, case_id)
    await post_action(web, "mediator_flag", f"{case_id}:black_pr", thread.channel_id, selected=True)
    await settle(srt)
    case = await case_row(srt, case_id)
    assert (case.stage, case.outcome, case.kind) == ("closed", "not_contacted", "black_pr")
    assert await messages(srt, case_id) == []


# ── reliability ─────────────────────────────────────────────────────────────────────────────────


async def test_slack_down_queues_the_card_and_nothing_is_lost(
    srt: Runtime, fake_slack: FakeSlack, clock: VirtualClock
) -> None:
    fake_slack.down = True
    case_id = await approval_case(srt)
    await buyer(srt, case_id, "Hallo? Ist da jemand?")
    async with srt.sessions() as session:
        card_job = (await session.execute(select(Job).where(Job.kind == "slack_card"))).scalar_one()
    assert card_job.status == "pending" and card_job.attempts >= 1 and "503" in (card_job.last_error or "")
    assert fake_slack.posts(top_level=True)  # it was tried, and refused
    fake_slack.down = False
    clock.advance(timedelta(minutes=5))  # past the backoff
    await srt.worker.run_due()
    thread = await thread_row(srt, case_id)
    assert thread.thread_ts is not None
    # The card, sent late, shows the conversation so far, including what the buyer wrote meanwhile.
    assert "Ist da jemand" in block_texts(fake_slack.posts(top_level=True)[-1].args["blocks"])
    async with srt.sessions() as session:
        statuses = {
            j.kind: j.status for j in (await session.execute(select(Job))).scalars() if j.kind.startswith("slack_")
        }
    assert statuses["slack_card"] == "done" and statuses["slack_relay"] == "done"


# ── bad input ───────────────────────────────────────────────────────────────────────────────────


async def test_forged_signature_and_stale_timestamp_are_rejected(
    srt: Runtime,
    web: httpx.AsyncClient,
    fake_slack: FakeSlack,
    clock: VirtualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    case_id = await anger_case(srt, clock)
    thread = await thread_row(srt, case_id)
    reply = {
        "type": "message",
        "channel": thread.channel_id,
        "user": "U0MAJA",
        "ts": "1763900700.000001",
        "thread_ts": thread.thread_ts,
        "client_msg_id": "cm-forged",
        "text": "Send me your card number",
    }
    caplog.set_level(logging.WARNING, logger="mediator.slack")
    forged = await post_event(web, reply, "EvForged", secret="not-the-secret")
    stale = await post_event(web, reply, "EvStale", age=10 * 60)
    assert forged.status_code == 401 and stale.status_code == 401
    await settle(srt)
    assert await messages(srt, case_id, "staff") == []
    assert caplog.text.count("bad signature or stale timestamp") == 2
    assert forged.json()["field"] == "X-Slack-Signature" and stale.json()["field"] == "X-Slack-Request-Timestamp"


async def test_unknown_action_and_closed_case_are_refused_and_logged(
    srt: Runtime, web: httpx.AsyncClient, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    case_id = await approval_case(srt)
    thread = await thread_row(srt, case_id)
    caplog.set_level(logging.WARNING, logger="mediator.slack")
    assert (await post_action(web, "mediator_self_destruct", str(case_id), thread.channel_id)).status_code == 200
    await settle(srt)
    assert "unknown slack action id 'mediator_self_destruct'" in caplog.text
    await post_action(web, "mediator_close", f"{case_id}:unresolved", thread.channel_id, selected=True)
    await settle(srt)
    await post_action(web, "mediator_approve", str(case_id), thread.channel_id)
    await settle(srt)
    assert "refused: case_closed" in caplog.text
    ephemeral = [c.args["text"] for c in fake_slack.called("chat.postEphemeral")]
    assert any("does not know the action" in t for t in ephemeral)
    assert any(f"case {case_id} is closed" in t for t in ephemeral)
    assert [m for m in await messages(srt, case_id, "bot") if m.action == "propose_remedy"] == []


async def test_a_reply_in_a_thread_not_ours_is_ignored(
    srt: Runtime, web: httpx.AsyncClient, clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    case_id = await anger_case(srt, clock)
    caplog.set_level(logging.INFO, logger="mediator.slack")
    stray = {
        "type": "message",
        "channel": "C0RANDOM",
        "user": "U0MAJA",
        "ts": "1763900800.000002",
        "thread_ts": "1763900800.000001",
        "client_msg_id": "cm-stray",
        "text": "lunch?",
    }
    assert (await post_event(web, stray, "EvStray")).status_code == 200
    await settle(srt)
    assert await messages(srt, case_id, "staff") == []
    assert "not a case thread of ours" in caplog.text


async def test_slack_off_answers_404_with_the_fix(client: httpx.AsyncClient) -> None:
    response = await client.post("/webhooks/slack", content=b"{}")
    assert response.status_code == 404
    assert response.json()["field"] == "SLACK_BOT_TOKEN" and "/staff" in response.json()["fix"]


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.binary(max_size=400),
    signature=st.text(max_size=80),
    age=st.integers(-(10**6), 10**6),
    stamp=st.none() | st.text(st.characters(min_codepoint=33, max_codepoint=255), max_size=12),
)
@example(body=b"{}", signature="v0=00", age=0, stamp="\u00b9")  # "¹".isdigit() is True; int("¹") raises
async def test_any_unsigned_request_is_refused_never_a_crash(
    web: httpx.AsyncClient, body: bytes, signature: str, age: int, stamp: str | None
) -> None:
    headers = {
        "X-Slack-Request-Timestamp": (stamp if stamp is not None else str(int(time.time()) - age)).encode("latin-1"),
        "X-Slack-Signature": signature.encode("ascii", "replace").decode(),
        "Content-Type": "application/json",
    }
    response = await web.post("/webhooks/slack", content=body, headers=headers)
    assert response.status_code == 401


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    payload=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=12,
    )
)
async def test_any_signed_payload_is_answered_without_a_server_error(web: httpx.AsyncClient, payload: Any) -> None:
    body = urlencode({"payload": json.dumps(payload)}).encode()
    response = await web.post(
        "/webhooks/slack", content=body, headers=signed_headers(body, content_type="application/x-www-form-urlencoded")
    )
    assert 200 <= response.status_code < 500 and response.status_code != 401


@given(st.text(max_size=60))
def test_parse_command_accepts_only_a_case_id(text: str) -> None:
    parsed = parse_command(text)
    if parsed is not None:  # only digits remain once "case" and "#" are taken away
        assert parsed == int(text.strip().lower().removeprefix("case").strip().lstrip("#"))
    assert parse_command("case 42") == 42 and parse_command("#7") == 7 and parse_command("case forty") is None


@given(st.text(max_size=100))
def test_parse_value_never_raises(value: str) -> None:
    parsed = parse_value(value)
    if parsed is not None:
        case_id, arg = parsed
        assert int(value.split(":")[0]) == case_id and (arg or "") == value.partition(":")[2]
    assert parse_value("42:resolved_kept") == (42, "resolved_kept") and parse_value("x") is None


def test_slack_text_unescapes_and_drops_mentions() -> None:
    assert (
        slack_text("<@U0MAJA> fish &amp; chips &lt;3 <https://x.example|link>")
        == "fish & chips <3 link (https://x.example)"
    )


def test_docs_mention_the_settings() -> None:
    readme = Path(ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_BASE", "/staff"):
        assert name in readme


# ── the buyer on Telegram (issue 5's adapter, against its fake Bot API) ─────────────────────────


@pytest.fixture
async def tg() -> AsyncIterator[Any]:
    from tests.fakes.telegram_api import FakeTelegram

    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()


async def test_a_staff_reply_in_slack_reaches_a_telegram_buyer(
    settings: Settings, clock: VirtualClock, fake_slack: FakeSlack, tg: Any
) -> None:
    from bot.platform.config import ChannelSettings
    from channels.telegram import SECRET_HEADER
    from tests.fakes.telegram_api import TOKEN

    chat, secret = 515151, "tg-secret"
    channels = ChannelSettings(
        telegram_bot_token=TOKEN,
        telegram_bot_username="mediator_test_bot",
        telegram_webhook_secret=secret,
        telegram_api_base=tg.url,
        twilio_account_sid=None,
        twilio_auth_token=None,
        twilio_from_number=None,
        twilio_messaging_service_sid=None,
    )
    slack = SlackSettings(bot_token=fake_slack.token, signing_secret=SECRET, api_base=fake_slack.base_url)
    rt = await open_runtime(settings.model_copy(update={"channels": channels, "slack": slack}), clock)
    app = create_app(runtime=rt, run_scheduler=False)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://mediator.test", headers={"X-Api-Key": "test-key"}
        ) as web:
            body = review("tg-slack")
            body["buyer"]["consent"] = {"sms": False, "telegram": True, "webchat": True}
            case_id = (await web.post("/api/reviews", json=body)).json()["case_id"]
            link = (await web.get(f"/api/cases/{case_id}/telegram-link")).json()

            async def telegram(text: str) -> None:
                r = await web.post(
                    "/webhooks/telegram", json=tg.message_update(chat, text), headers={SECRET_HEADER: secret}
                )
                assert r.status_code == 200, r.text
                await rt.worker.run_due()

            await telegram(f"/start {link['token']}")
            await telegram("I want to talk to a human being, not a bot. Please get me a person.")
            case = await case_row(rt, case_id)
            assert case.stage == "awaiting_staff" and case.handoff_reason == "buyer_asked"
            thread = await thread_row(rt, case_id)
            card = fake_slack.posts(top_level=True)[-1].args
            assert "telegram" in block_texts(card["blocks"])  # the card names the buyer's channel
            await telegram("Hello? The lamp shade is smashed.")
            await settle(rt)
            assert any(
                "lamp shade is smashed" in c.args["text"] and "(telegram)" in c.args["text"]
                for c in fake_slack.posts(thread_ts=thread.thread_ts)
            )
            sent_before = len(tg.texts(chat))
            reply = {
                "type": "message",
                "channel": thread.channel_id,
                "user": "U0MAJA",
                "ts": "1763900900.000001",
                "thread_ts": thread.thread_ts,
                "client_msg_id": "cm-tg",
                "text": "Hi Anna, Maja here. A new shade is on its way to you today.",
            }
            assert (await post_event(web, reply, "EvTg")).status_code == 200
            assert (await post_event(web, reply, "EvTg", retry=1)).status_code == 200
            await settle(rt)
            new = tg.texts(chat)[sent_before:]
            assert len(new) == 1 and "A new shade is on its way to you today." in new[0]
            [staff] = await messages(rt, case_id, "staff")
            assert staff.status in ("sent", "delivered")
    finally:
        await rt.close()


def test_slack_is_off_without_settings_and_says_so_once(caplog: pytest.LogCaptureFixture) -> None:
    from channels.base import ChannelSet
    from channels.slack import SocketMode, build_slack

    caplog.set_level(logging.INFO, logger="mediator.slack")
    off = Settings(slack=SlackSettings(bot_token=None, signing_secret=None))
    assert build_slack(off, None, None, None) is None
    assert caplog.text.count("slack handoff off") == 1 and "SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET" in caplog.text
    # Socket Mode needs the app-level token too; with it, the socket runs beside the scheduler.
    half = Settings(slack=SlackSettings(bot_token="xoxb-1", signing_secret="s", socket_mode=True, app_token=None))
    assert build_slack(half, None, None, None) is None and "SLACK_APP_TOKEN" in caplog.text
    channels = ChannelSet()
    on = Settings(slack=SlackSettings(bot_token="xoxb-1", signing_secret="s", socket_mode=True, app_token="xapp-1"))
    assert build_slack(on, None, None, None, channels) is not None
    assert [type(task) for task in channels.background] == [SocketMode]


async def test_a_photo_from_the_buyer_is_mentioned_and_uploaded_into_the_thread(
    srt: Runtime, fake_slack: FakeSlack
) -> None:
    """Issue 21.4: the thread says a photo arrived, and the image follows it there (files_upload_v2), so staff
    working in Slack see it; erasure deletes it (tests/test_slack_photo_uploads.py)."""
    case_id = await approval_case(srt)
    thread = await thread_row(srt, case_id)
    async with srt.sessions() as session, session.begin():
        photo = await photos.store(
            session,
            shop_id=SHOP,
            case_id=case_id,
            provider_id=f"web:{case_id}:p1",
            content_type="image/png",
            data=png(),
            now=srt.clock.now(),
        )
    await srt.conversation.buyer_message(
        case_id, "", channel="webchat", provider_id=f"web:{case_id}:p1", photo=photo.id
    )
    await settle(srt)
    relayed = [c.args["text"] for c in fake_slack.posts(thread_ts=thread.thread_ts)]
    assert any("sent a photo" in text and "/staff" in text for text in relayed), relayed
    assert [f.data for f in fake_slack.shared(thread_ts=thread.thread_ts)] == [png()]
    assert (await case_row(srt, case_id)).details["evidence"] == "yes"
