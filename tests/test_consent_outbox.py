"""Consent, opt-out across channels, quiet hours, the channel order and SMS segments, on the virtual clock."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from bot.app.runtime import Runtime
from bot.outbox import outbox
from bot.platform.clock import VirtualClock
from bot.platform.config import ChannelSettings, Settings
from bot.policy.channels import load_channels_policy, normalise
from bot.policy.validate import validate_policies
from bot.store import buyer_contacts
from bot.store.models import Buyer, Case, ConsentEvent, Job, Message
from channels.sms_segments import count_segments, split_to_budget
from channels.telegram import SECRET_HEADER
from tests.conftest import ROOT, review
from tests.fakes.telegram_api import TOKEN, FakeTelegram
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

PUBLIC, SECRET, PHONE, CHAT = "https://mediator.example", "tg-secret", "+48601234567", 5151


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeTelegram, FakeTwilio]]:
    tg, tw = FakeTelegram(), FakeTwilio()
    await tg.start()
    await tw.start()
    yield tg, tw
    await tg.stop()
    await tw.stop()


@pytest.fixture
def policies_dir(tmp_path: Path) -> Path:
    target = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", target)
    return target


@pytest.fixture
def settings(settings: Settings, fakes: tuple[FakeTelegram, FakeTwilio], policies_dir: Path) -> Settings:
    tg, tw = fakes
    channels = ChannelSettings(
        telegram_bot_token=TOKEN,
        telegram_bot_username="mediator_test_bot",
        telegram_webhook_secret=SECRET,
        telegram_api_base=tg.url,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        twilio_from_number="+15005550006",
        twilio_messaging_service_sid=None,
        twilio_api_base=tw.url,
    )
    return settings.model_copy(update={"public_url": PUBLIC, "channels": channels, "policies_dir": policies_dir})


async def sms_in(client: httpx.AsyncClient, tw: FakeTwilio, text: str, sender: str = PHONE) -> None:
    params = tw.inbound_params(sender, text)
    signature = tw.signature(PUBLIC + "/webhooks/twilio", params)
    r = await client.post("/webhooks/twilio", data=params, headers={"X-Twilio-Signature": signature})
    assert r.status_code == 200, r.text


async def open_case(client: httpx.AsyncClient, rt: Runtime, external_id: str, text: str | None = None, **buyer) -> int:
    body = review(external_id, text=text)
    body["buyer"].update(buyer)
    r = await client.post("/api/reviews", json=body)
    assert r.status_code == 201, r.text
    await rt.worker.run_due()
    return r.json()["case_id"]


REVIEWS = {
    "en": ("STOP", "The lamp arrived broken and nobody answered my emails."),
    "pl": ("KONIEC", "Lampa przyszła rozbita, a nikt nie odpowiada na moje maile."),
    "sv": ("STOPP", "Lampan kom trasig och ingen svarar på mina mejl."),
    "ru": ("СТОП", "Лампа пришла разбитой, и никто не отвечает на мои письма."),
    "sq": ("NDALO", "Llamba erdhi e thyer dhe askush nuk u përgjigjet emaileve të mia."),
    "de": ("ABMELDEN", "Die Lampe kam kaputt an und niemand beantwortet meine E-Mails."),
    "fr": ("ARRÊT", "La lampe est arrivée cassée et personne ne répond à mes e-mails."),
    "es": ("BAJA", "La lámpara llegó rota y nadie contesta a mis correos."),
    "it": ("ANNULLA", "La lampada è arrivata rotta e nessuno risponde alle mie email."),
    "cs": ("KONEC", "Lampa přišla rozbitá a nikdo neodpovídá na moje e-maily."),
}
CONFIRM_WORD = {
    "en": "unsubscribed",
    "pl": "wypisano",
    "sv": "avregistrerad",
    "ru": "отписаны",
    "sq": "çregjistruat",
    "de": "abgemeldet",
    "fr": "désinscription",
    "es": "de baja",
    "it": "disiscrizione",
    "cs": "odhlášení",
}


@pytest.mark.parametrize("language", sorted(REVIEWS))
async def test_sms_opt_out_in_every_language_confirms_once_then_silence(
    client: httpx.AsyncClient,
    rt: Runtime,
    fakes: tuple[FakeTelegram, FakeTwilio],
    clock: VirtualClock,
    language: str,
) -> None:
    tg, tw = fakes
    keyword, text = REVIEWS[language]
    case_id = await open_case(client, rt, f"stop-{language}", text)
    other = await open_case(client, rt, f"stop2-{language}", text)  # the same buyer's second case
    assert tw.sent, "the first contact went out by SMS"
    before = len(tw.sent)
    await sms_in(client, tw, f"{keyword.lower()}!")
    await rt.worker.run_due()
    confirmations = tw.sent[before:]
    assert len(confirmations) == 1 and CONFIRM_WORD[language] in confirmations[0]["Body"].lower()
    async with rt.sessions() as session:
        assert (await session.get(Case, case_id)).outcome == "opted_out"
        assert (await session.get(Case, other)).outcome == "opted_out"
        ledger = (await session.execute(select(ConsentEvent.change, ConsentEvent.source))).all()
    assert ("opted_out", "sms_keyword") in ledger
    # Nothing after that, on any channel: not a reply, not a timer, not staff, not a second STOP.
    await sms_in(client, tw, "hello? are you there?")
    await sms_in(client, tw, keyword)
    await rt.conversation.staff_message(case_id, "We are sorry, can we still help?", "Maja")
    clock.advance(timedelta(days=10))
    await rt.worker.run_due()
    assert len(tw.sent) == before + 1 and tg.sent == []
    # START resubscribes (and says so, once).
    await sms_in(client, tw, "START")
    await rt.worker.run_due()
    assert len(tw.sent) == before + 2
    async with rt.sessions() as session:
        everyone = await buyer_contacts.of_many(session, (await session.execute(select(Buyer.id))).scalars())
        assert {c.opted_out_at for c in everyone.values()} == {None}


async def test_opt_out_on_telegram_stops_sms_too(
    client: httpx.AsyncClient, rt: Runtime, fakes: tuple[FakeTelegram, FakeTwilio]
) -> None:
    tg, tw = fakes
    case_id = await open_case(client, rt, "both-1", consent={"sms": True, "telegram": True, "webchat": True})
    token = (await client.get(f"/api/cases/{case_id}/telegram-link")).json()["token"]
    await client.post(
        "/webhooks/telegram", json=tg.message_update(CHAT, f"/start {token}"), headers={SECRET_HEADER: SECRET}
    )
    await rt.worker.run_due()
    sms_before = len(tw.sent)
    await client.post("/webhooks/telegram", json=tg.message_update(CHAT, "/stop"), headers={SECRET_HEADER: SECRET})
    await rt.worker.run_due()
    assert "unsubscribed" in tg.texts(CHAT)[-1]
    tg_before = len(tg.sent)
    await rt.conversation.staff_message(case_id, "One more thing", "Maja")
    await sms_in(client, tw, "hello")
    await rt.worker.run_due()
    assert len(tw.sent) == sms_before and len(tg.sent) == tg_before


async def test_free_form_opt_out_goes_through_the_conversation_and_the_ledger(
    client: httpx.AsyncClient, rt: Runtime, fakes: tuple[FakeTelegram, FakeTwilio]
) -> None:
    _, tw = fakes
    await open_case(client, rt, "ff-1")
    before = len(tw.sent)
    await sms_in(client, tw, "please stop writing to me")
    await rt.worker.run_due()
    async with rt.sessions() as session:
        actions = (await session.execute(select(Message.action).where(Message.direction == "out"))).scalars().all()
        ledger = (await session.execute(select(ConsentEvent.source))).scalars().all()
    assert actions[-1] == "opt_out_confirm" and "conversation" in ledger
    assert len(tw.sent) == before + 1


async def test_help_answers(client: httpx.AsyncClient, rt: Runtime, fakes: tuple[FakeTelegram, FakeTwilio]) -> None:
    _, tw = fakes
    await open_case(client, rt, "help-1")
    before = len(tw.sent)
    await sms_in(client, tw, "help")
    await rt.worker.run_due()
    assert len(tw.sent) == before + 1 and "STOP" in tw.sent[-1]["Body"]


async def test_quiet_hours_defer_a_staff_sms_but_not_a_reply(
    client: httpx.AsyncClient, rt: Runtime, fakes: tuple[FakeTelegram, FakeTwilio], clock: VirtualClock
) -> None:
    _, tw = fakes
    case_id = await open_case(client, rt, "quiet-1")
    clock.set(datetime(2026, 11, 2, 22, 30, tzinfo=UTC))  # 23:30 in Warsaw
    before = len(tw.sent)
    await sms_in(client, tw, "The lamp arrived broken")  # the buyer writes at night: answered at once
    await rt.worker.run_due()
    assert len(tw.sent) > before
    before = len(tw.sent)
    await rt.conversation.staff_message(case_id, "We have sent a replacement.", "Maja")
    await rt.worker.run_due()
    assert len(tw.sent) == before, "a staff message waits for the buyer's morning"
    clock.set(datetime(2026, 11, 3, 6, 59, tzinfo=UTC))  # 07:59 in Warsaw
    await rt.worker.run_due()
    assert len(tw.sent) == before
    clock.set(datetime(2026, 11, 3, 7, 0, tzinfo=UTC))  # 08:00: quiet hours are over
    await rt.worker.run_due()
    assert len(tw.sent) == before + 1 and "replacement" in tw.sent[-1]["Body"]


async def test_the_first_contact_waits_for_daytime(
    client: httpx.AsyncClient, rt: Runtime, fakes: tuple[FakeTelegram, FakeTwilio], clock: VirtualClock
) -> None:
    _, tw = fakes
    clock.set(datetime(2026, 11, 2, 21, 0, tzinfo=UTC))  # 22:00 in Warsaw
    await open_case(client, rt, "night-1")
    assert tw.sent == []
    clock.set(datetime(2026, 11, 3, 7, 1, tzinfo=UTC))
    await rt.worker.run_due()
    assert tw.sent and tw.sent[0]["To"] == PHONE


async def test_no_consent_means_nothing_is_sent(
    client: httpx.AsyncClient, rt: Runtime, fakes: tuple[FakeTelegram, FakeTwilio]
) -> None:
    tg, tw = fakes
    case_id = await open_case(client, rt, "nocons-1", consent={"sms": False, "telegram": False, "webchat": True})
    await rt.conversation.staff_message(case_id, "Hello from the team", "Maja")
    await rt.worker.run_due()
    assert tw.sent == [] and tg.sent == []
    async with rt.sessions() as session:
        statuses = (await session.execute(select(Message.status).where(Message.direction == "out"))).scalars().all()
    assert statuses and set(statuses) == {"recorded"}  # waiting in the web chat, nowhere else


async def test_when_telegram_fails_the_next_channel_is_tried(
    client: httpx.AsyncClient, rt: Runtime, fakes: tuple[FakeTelegram, FakeTwilio]
) -> None:
    tg, tw = fakes
    case_id = await open_case(client, rt, "fall-1", consent={"sms": True, "telegram": True, "webchat": True})
    token = (await client.get(f"/api/cases/{case_id}/telegram-link")).json()["token"]
    await client.post(
        "/webhooks/telegram", json=tg.message_update(CHAT, f"/start {token}"), headers={SECRET_HEADER: SECRET}
    )
    await rt.worker.run_due()
    tg.blocked.add(CHAT)
    sms_before = len(tw.sent)
    await rt.conversation.staff_message(case_id, "Your refund is on its way.", "Maja")
    await rt.worker.run_due()
    assert tw.sent[-1]["Body"].endswith("Your refund is on its way.") or "refund" in tw.sent[-1]["Body"]
    assert len(tw.sent) == sms_before + 1


async def test_the_web_chat_link_goes_by_sms_when_the_order_says_so(
    client: httpx.AsyncClient, rt: Runtime, fakes: tuple[FakeTelegram, FakeTwilio], policies_dir: Path
) -> None:
    _, tw = fakes
    path = policies_dir / "channels.yml"
    text = path.read_text()
    path.write_text(text.replace("demo: [telegram, sms, webchat_link]", "demo: [webchat_link]"))
    await rt.seed_policies()  # published, as an admin's change is
    # The file changes again on disk but is not published: neither the engine nor the outbox may follow it
    # (the outbox once read the file, and sent by an order the shop had not published).
    path.write_text(text)
    await open_case(client, rt, "link-1")
    [sms] = tw.sent
    assert f"{PUBLIC}/chat/" in sms["Body"]
    token = sms["Body"].split("/chat/")[1].split()[0]
    page = await client.get(f"/chat/{token}/history")
    assert page.status_code == 200 and page.json()["messages"][0]["action"] == "first_contact"


def test_the_channels_policy_is_validated_with_lines(policies_dir: Path) -> None:
    assert validate_policies(policies_dir) == []
    path = policies_dir / "channels.yml"
    text = path.read_text()
    path.write_text(text.replace("  default: [telegram, sms, webchat_link]", "  default: [telegram, pigeon]"))
    issues = validate_policies(policies_dir)
    assert any(i.file.endswith("channels.yml") and i.line == 13 and "webchat_link" in i.message for i in issues), issues
    path.write_text(text.replace("REVOKE, ", ""))
    assert any("REVOKE" in i.message for i in validate_policies(policies_dir))
    path.write_text(text.replace("any: [HELP, INFO, /help]", "any: [HELP, STOP]"))
    assert any("STOP" in i.message and "both" in i.message for i in validate_policies(policies_dir))


@given(st.text(max_size=80))
def test_keyword_matching_never_fails_and_only_matches_whole_messages(text: str) -> None:
    policy = load_channels_policy(ROOT / "policies" / "channels.yml")
    kind = policy.keyword(text)
    assert kind in (None, "opt_out", "resubscribe", "help")
    assert policy.keyword(f"please do not {text} stop") is None or normalise(text) == ""


def test_keywords_cover_the_carrier_words_and_our_languages() -> None:
    policy = load_channels_policy(ROOT / "policies" / "channels.yml")
    for word in ("STOP", "stopall", "Unsubscribe", "end.", "QUIT", "cancel", "revoke", "optout", "/stop@shop_bot"):
        assert policy.keyword(word) == "opt_out", word
    for word in ("koniec", "stopp", "стоп", "ndalo", "abmelden", "Avsluta"):
        assert policy.keyword(word) == "opt_out", word
    assert policy.keyword("start") == policy.keyword("UNSTOP") == "resubscribe"
    assert policy.keyword("help") == policy.keyword("POMOC") == "help"
    assert policy.keyword("stop the delivery please") is None


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 459, "GSM-7", 3),
        ("a" * 460, "GSM-7", 4),
        ("€" * 80, "GSM-7", 1),  # extension characters cost two septets
        ("€" * 81, "GSM-7", 2),
        ("a" * 159 + "€", "GSM-7", 2),  # an escape pair is never split across segments
        ("ż" * 70, "UCS-2", 1),
        ("ż" * 71, "UCS-2", 2),
        ("ż" * 201, "UCS-2", 3),
        ("😀" * 35, "UCS-2", 1),  # surrogate pairs count two
        ("a" * 66 + "😀", "UCS-2", 1),
        ("a" * 69 + "😀", "UCS-2", 2),
    ],
)
def test_segments_are_counted_like_carriers(text: str, encoding: str, segments: int) -> None:
    got = count_segments(text)
    assert (got.encoding, got.count) == (encoding, segments)


@given(st.text(alphabet=st.sampled_from(list("abc ąż€😀.\n")), max_size=1500), st.integers(min_value=1, max_value=4))
def test_split_parts_stay_within_the_budget_and_keep_the_words(text: str, budget: int) -> None:
    parts = split_to_budget(text, budget)
    assert all(count_segments(p).count <= budget for p in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


# ── one inbox: a buyer's message enters the same way on every channel (docs/ARCHITECTURE.md) ───────────
# Each channel's entry point (the Twilio and Telegram webhooks, the web chat's HTTP endpoint) persists an
# `inbound` job and hands it to `bot.inbox.inbox.take`, so a keyword, the consent ledger and the opt-out act
# identically whichever channel carried them.

CONSENT = {"sms": True, "telegram": True, "webchat": True}


async def say(
    client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram, tw: FakeTwilio, case_id: int, channel: str, text: str
) -> list[str]:
    """The buyer writes `text` on `channel` through that channel's real entry point; the web chat's replies."""
    if channel == "sms":
        await sms_in(client, tw, text)
    elif channel == "telegram":
        r = await client.post("/webhooks/telegram", json=tg.message_update(CHAT, text), headers={SECRET_HEADER: SECRET})
        assert r.status_code == 200, r.text
    else:
        token = (await client.post(f"/api/cases/{case_id}/chat-link")).json()["token"]
        r = await client.post(f"/chat/{token}/messages", json={"text": text})
        assert r.status_code == 200, r.text
        await rt.worker.run_due()
        return [reply["text"] for reply in r.json()["replies"]]
    await rt.worker.run_due()
    return []


@pytest.mark.parametrize("channel", ["sms", "telegram", "webchat"])
async def test_stop_takes_the_same_path_on_every_channel(
    client: httpx.AsyncClient,
    rt: Runtime,
    fakes: tuple[FakeTelegram, FakeTwilio],
    channel: str,
) -> None:
    tg, tw = fakes
    case_id = await open_case(client, rt, f"one-inbox-{channel}", consent=CONSENT)
    if channel == "telegram":
        token = (await client.get(f"/api/cases/{case_id}/telegram-link")).json()["token"]
        await say(client, rt, tg, tw, case_id, "telegram", f"/start {token}")
    replies = await say(client, rt, tg, tw, case_id, channel, "STOP")
    async with rt.sessions() as session:
        ledger = (await session.execute(select(ConsentEvent.change, ConsentEvent.source))).all()
        case = await session.get(Case, case_id)
        confirms = (
            (
                await session.execute(
                    select(Message.channel).where(Message.case_id == case_id, Message.action == "opt_out_confirm")
                )
            )
            .scalars()
            .all()
        )
        jobs = (
            (
                await session.execute(
                    select(Job.status).where(Job.kind == "inbound", Job.payload["channel"].as_string() == channel)
                )
            )
            .scalars()
            .all()
        )
    # The keyword, not the conversation's reading of the word, acted: the same ledger source on every channel.
    assert ("opted_out", f"{channel}_keyword") in ledger
    assert case.outcome == "opted_out"
    assert confirms == [channel], "one confirmation, on the channel the buyer used"
    assert "done" in jobs, "the message went through an inbound job"
    if channel == "webchat":
        assert len(replies) == 1 and "unsubscribed" in replies[0]
    # After STOP, a message is kept for the record and nothing answers it, on every channel.
    async with rt.sessions() as session:
        before = len((await session.execute(select(Message.id).where(Message.direction == "out"))).all())
    assert await say(client, rt, tg, tw, case_id, channel, "hello? is anyone there?") == []
    async with rt.sessions() as session:
        after = (await session.execute(select(Message.direction).where(Message.case_id == case_id))).scalars().all()
        outbound = len((await session.execute(select(Message.id).where(Message.direction == "out"))).all())
    assert outbound == before and after[-1] == "in"


async def test_after_an_sms_stop_the_web_chat_records_and_stays_silent(
    client: httpx.AsyncClient, rt: Runtime, fakes: tuple[FakeTelegram, FakeTwilio]
) -> None:
    """Security review L7: after STOP by SMS the web chat answered synchronously while the ledger said the reply
    was suppressed. Now the page gets no reply, and no reply is recorded as if it had been written."""
    tg, tw = fakes
    case_id = await open_case(client, rt, "l7-1", consent=CONSENT)
    await say(client, rt, tg, tw, case_id, "sms", "STOP")
    async with rt.sessions() as session:
        outbound = len((await session.execute(select(Message.id).where(Message.direction == "out"))).all())
    assert await say(client, rt, tg, tw, case_id, "webchat", "hello again") == []
    async with rt.sessions() as session:
        rows = (
            await session.execute(select(Message.direction, Message.status).where(Message.case_id == case_id))
        ).all()
    assert len([r for r in rows if r[0] == "out"]) == outbound, "no reply was written, suppressed or not"
    assert rows[-1][0] == "in", "the buyer's message is kept for the record"


async def test_web_chat_message_ids_are_the_case_s_own(
    client: httpx.AsyncClient,
    rt: Runtime,
    fakes: tuple[FakeTelegram, FakeTwilio],
) -> None:
    """Two buyers' pages both number their first message "1": both are messages (security review M6)."""
    first = await open_case(client, rt, "ids-1", consent=CONSENT)
    second = await open_case(client, rt, "ids-2", consent=CONSENT, email="someone.else@example.com")
    answers = []
    for case_id in (first, second, first):
        token = (await client.post(f"/api/cases/{case_id}/chat-link")).json()["token"]
        r = await client.post(f"/chat/{token}/messages", json={"text": "The lamp arrived broken", "id": "1"})
        assert r.status_code == 200, r.text
        answers.append(r.json()["replies"])
    async with rt.sessions() as session:
        stored = (
            (
                await session.execute(
                    select(Message.case_id).where(Message.direction == "in", Message.channel == "webchat")
                )
            )
            .scalars()
            .all()
        )
    assert sorted(stored) == sorted([first, second]), "each case stored its own message once"
    assert answers[1], "the second buyer was answered"
    assert answers[2] == answers[0], "a resent message gets the same replies and no second turn"


# ── contact points: two shops, one deployment, one sender number (security review H1-H3) ──────────────────

OTHER_KEY = "other-shop-key"


async def second_shop(rt: Runtime) -> None:
    from bot.store.shops import ensure_shop

    async with rt.sessions() as session, session.begin():
        await ensure_shop(session, "other", "Other shop", OTHER_KEY, rt.clock.now())
    await rt.seed_policies()


async def open_case_in(client: httpx.AsyncClient, rt: Runtime, key: str, external_id: str, **buyer: object) -> int:
    body = review(external_id)
    body["buyer"].update(buyer)
    r = await client.post("/api/reviews", json=body, headers={"X-Api-Key": key})
    assert r.status_code == 201, r.text
    await rt.worker.run_due()
    return r.json()["case_id"]


async def test_a_reply_goes_to_the_shop_that_wrote_never_to_one_that_only_posted_a_review(
    client: httpx.AsyncClient, rt: Runtime, fakes: tuple[FakeTelegram, FakeTwilio]
) -> None:
    _, tw = fakes
    await second_shop(rt)
    mine = await open_case_in(client, rt, "test-key", "h1-a")
    assert tw.sent, "shop A texted the buyer"
    # Shop B posts a review carrying the same number, but has no consent to text it: B never writes.
    theirs = await open_case_in(client, rt, OTHER_KEY, "h1-b", consent={"sms": False, "webchat": True})
    await sms_in(client, tw, "Hello, my order number is 5551 and the lamp from you is broken")
    await rt.worker.run_due()
    async with rt.sessions() as session:
        inbound = (
            await session.execute(select(Message.case_id, Message.shop_id).where(Message.direction == "in"))
        ).all()
    assert inbound == [(mine, "demo")], "the reply reached the conversation that wrote, and only it"
    assert theirs not in {case_id for case_id, _ in inbound}


async def test_stop_on_a_shared_number_stops_every_shop_and_survives_new_buyer_records(
    client: httpx.AsyncClient, rt: Runtime, fakes: tuple[FakeTelegram, FakeTwilio], clock: VirtualClock
) -> None:
    _, tw = fakes
    await second_shop(rt)
    theirs = await open_case_in(client, rt, OTHER_KEY, "h2-b")
    mine = await open_case_in(client, rt, "test-key", "h2-a")  # shop A wrote last: the reply is A's
    await sms_in(client, tw, "STOP")
    await rt.worker.run_due()
    before = len(tw.sent)
    async with rt.sessions() as session:
        outcomes = {c: (await session.get(Case, c)).outcome for c in (mine, theirs)}
    assert outcomes == {mine: "opted_out", theirs: "opted_out"}, "both shops' cases stop (H2)"
    # Shop B's staff write, its timers come due: nothing goes to the number.
    await rt.conversation.staff_message(theirs, "Hi, checking in about your lamp.", "Maja")
    clock.advance(timedelta(days=3))
    await rt.worker.run_due()
    assert len(tw.sent) == before
    # A new review with the same number and another e-mail (a new buyer record) is not texted (H3).
    again = await open_case_in(client, rt, "test-key", "h3-a", email="someone.new@example.pl")
    await rt.worker.run_due()
    assert len(tw.sent) == before
    async with rt.sessions() as session:
        assert (await session.get(Case, again)).outcome == "opted_out"
    # START is the way back, for the number.
    await sms_in(client, tw, "START")
    await rt.worker.run_due()
    assert len(tw.sent) == before + 1, "the resubscription is confirmed, once"


async def test_a_send_the_database_was_too_busy_to_record_goes_out_once(
    client: httpx.AsyncClient, rt: Runtime, fakes: tuple[FakeTelegram, FakeTwilio], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The provider took the SMS, then the database refused the write that records it (SQLite's write gate timed
    out under overload). The job must not fail there: its retry would send the buyer the same SMS again."""
    _, tw = fakes
    case_id = await open_case(client, rt, "busy-1", consent={"sms": True, "webchat": True})
    before = len(tw.sent)
    monkeypatch.setattr(outbox, "RECORD_SENT_PAUSES", (0.01, 0.01, 0.01))
    refused: list[str] = []

    def busy(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.startswith("UPDATE messages SET status") and len(refused) < 2:
            refused.append(statement)
            raise OperationalError(statement, parameters, sqlite3.OperationalError("database is busy"))

    event.listen(rt.engine.sync_engine, "before_cursor_execute", busy)
    try:
        await rt.conversation.staff_message(case_id, "Your refund is on its way.", "Maja")
        await rt.worker.run_due()
        rt.clock.advance(timedelta(hours=1))  # past any retry's backoff
        await rt.worker.run_due()
    finally:
        event.remove(rt.engine.sync_engine, "before_cursor_execute", busy)
    assert len(refused) == 2, "the database never refused: this test no longer tests anything"
    assert [m["Body"] for m in tw.sent[before:]] == [tw.sent[-1]["Body"]] and "refund" in tw.sent[-1]["Body"]
    async with rt.sessions() as session:
        message = (await session.execute(select(Message).order_by(Message.id.desc()).limit(1))).scalar_one()
    assert message.status == "sent" and message.meta["sent_via"] == "sms"
