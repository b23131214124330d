"""Photos by Telegram and by MMS (issue 21.4), through the real app: aiogram's Bot and twilio's account credentials
against the fake Bot API and the fake Twilio REST API on loopback. The webhook only records the photo's reference;
the inbound job fetches it (capped while streaming, its type checked) into the same `photos` table the web chat
uses. A fetch that keeps failing ends with the buyer asked to send it again, and the words sent with it still
have their turn; too large or not a photo is said at once, in the buyer's language."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from bot.app.runtime import Runtime
from bot.inbox.photos import FETCH_ATTEMPTS
from bot.platform.clock import VirtualClock
from bot.platform.config import Settings
from bot.store.models import Event, Job, Message, Photo
from bot.store.queue import backoff
from tests.conftest import review
from tests.fakes.telegram_api import TOKEN, FakeTelegram
from tests.fakes.twilio_api import FakeTwilio
from tests.test_sms import sms_settings, text_in
from tests.test_telegram import CHAT, SECRET, bound_case, post_update, press, say
from tests.test_webchat_photos import HEIC, JPEG, png

LIMIT = 64 * 1024  # the smallest limit settings allow: an oversize photo stays small for the test
GERMAN = "Das Paket kam acht Tage zu spät und die Lampe darin war zerbrochen. Bestellung NL-1001."


@pytest.fixture
def settings(settings: Settings, tg: FakeTelegram, tw: FakeTwilio) -> Settings:
    webchat = settings.webchat.model_copy(update={"max_photo_bytes": LIMIT})
    return both_channels(settings, tg, tw).model_copy(update={"webchat": webchat})


def both_channels(settings: Settings, tg: FakeTelegram, tw: FakeTwilio) -> Settings:
    """Telegram and SMS on, each against its fake."""
    telegram = {
        "telegram_bot_token": TOKEN,
        "telegram_bot_username": "mediator_test_bot",
        "telegram_webhook_secret": SECRET,
        "telegram_api_base": tg.url,
    }
    return sms_settings(settings, tw, **telegram)


async def photos_of(rt: Runtime, case_id: int) -> list[Photo]:
    async with rt.sessions() as session:
        return list((await session.execute(select(Photo).where(Photo.case_id == case_id))).scalars())


async def inbound(rt: Runtime, case_id: int) -> list[Message]:
    async with rt.sessions() as session:
        rows = await session.execute(
            select(Message).where(Message.case_id == case_id, Message.direction == "in").order_by(Message.id)
        )
        return list(rows.scalars())


async def refusals(rt: Runtime, case_id: int) -> list[str]:
    async with rt.sessions() as session:
        rows = await session.execute(select(Event.data).where(Event.case_id == case_id, Event.type == "photo_refused"))
        return [d["reason"] for d in rows.scalars()]


async def run_retries(rt: Runtime, clock: VirtualClock, attempts: int) -> None:
    for n in range(1, attempts):
        clock.advance(backoff(n) + timedelta(seconds=1))
        await rt.worker.run_due()


# ── Telegram ────────────────────────────────────────────────────────────────────────────────────


async def test_a_telegram_photo_is_fetched_by_the_job_into_the_photos_table(
    client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram
) -> None:
    case_id = await bound_case(client, rt, tg)
    tg.files["lamp"] = png()
    r = await post_update(client, tg.message_update(CHAT, None, photo="lamp", caption="Here is the broken shade"))
    assert r.status_code == 200 and r.json()["result"] == "accepted"
    assert tg.downloads == 0 and not await photos_of(rt, case_id), "the webhook answers before any fetch"
    before = len(tg.sent)
    await rt.worker.run_due()
    [photo] = await photos_of(rt, case_id)
    assert photo.content_type == "image/png" and photo.data == png() and photo.provider_id.startswith("telegram:")
    last = (await inbound(rt, case_id))[-1]
    assert last.text == "Here is the broken shade" and last.meta == {"photo": photo.id}
    assert tg.sent[before:], "the message with its photo had a turn and an answer"
    assert "getFile" in tg.calls


async def test_a_telegram_fetch_that_keeps_failing_keeps_the_words_and_asks_for_the_photo_again(
    client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram, clock: VirtualClock
) -> None:
    case_id = await bound_case(client, rt, tg)
    tg.files["lamp"] = png()
    tg.file_fail_next = 100
    before = len(tg.sent)
    await post_update(client, tg.message_update(CHAT, None, photo="lamp", caption="The shade is in pieces"))
    await rt.worker.run_due()
    assert tg.downloads == 1 and not tg.sent[before:], "a failed fetch is retried, not answered yet"
    async with rt.sessions() as session:  # the file URL carries the bot's token: never in a stored error
        errors = (await session.execute(select(Job.last_error).where(Job.kind == "inbound"))).scalars().all()
    assert any(errors) and not any(TOKEN in (e or "") for e in errors), errors
    await run_retries(rt, clock, FETCH_ATTEMPTS)
    assert tg.downloads == FETCH_ATTEMPTS
    assert await refusals(rt, case_id) == ["not_fetched"] and not await photos_of(rt, case_id)
    texts = [m["text"] for m in tg.sent[before:]]
    assert texts[0] == "Sorry, your photo did not reach us. Could you send it again?"
    assert len(texts) >= 2, "the words sent with the photo still had their turn"
    assert (await inbound(rt, case_id))[-1].text == "The shade is in pieces"


async def test_a_telegram_fetch_that_recovers_stores_the_photo(
    client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram, clock: VirtualClock
) -> None:
    case_id = await bound_case(client, rt, tg)
    tg.files["lamp"] = JPEG
    tg.file_fail_next = 1
    await post_update(client, tg.message_update(CHAT, None, photo="lamp"))
    await rt.worker.run_due()
    assert not await photos_of(rt, case_id)
    await run_retries(rt, clock, 2)
    [photo] = await photos_of(rt, case_id)
    assert photo.content_type == "image/jpeg" and not await refusals(rt, case_id)


@pytest.mark.parametrize("worker_between", [True, False], ids=["worker-runs-between", "claimed-together"])
async def test_a_senders_next_message_waits_for_the_photo_whose_fetch_is_retried(
    client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram, clock: VirtualClock, worker_between: bool
) -> None:
    """Arrival order is turn order: the words after a photo are not answered before the photo's message, whether
    the worker sees the next message while the fetch waits, or claims both together once the wait is over."""
    case_id = await bound_case(client, rt, tg)
    tg.files["lamp"] = png()
    tg.file_fail_next = 1
    await post_update(client, tg.message_update(CHAT, None, photo="lamp", caption="The shade, as it arrived"))
    await rt.worker.run_due()
    assert not await photos_of(rt, case_id), "the fetch failed once and waits for its retry"
    before = len(tg.sent)
    await post_update(client, tg.message_update(CHAT, "It was the Fjord table lamp"))
    if worker_between:
        await rt.worker.run_due()
        assert not tg.sent[before:], "the next message is not answered while the photo's message waits"
    clock.advance(backoff(1) + timedelta(seconds=1))
    await rt.worker.run_due()
    [photo] = await photos_of(rt, case_id)
    photo_msg, words = (await inbound(rt, case_id))[-2:]
    assert (photo_msg.text, photo_msg.meta) == ("The shade, as it arrived", {"photo": photo.id})
    assert words.text == "It was the Fjord table lamp" and words.id > photo_msg.id
    assert tg.sent[before:], "both had their turns once the photo arrived"


async def test_an_oversize_or_non_photo_telegram_file_is_refused_in_the_buyers_language(
    client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram
) -> None:
    case_id = await bound_case(client, rt, tg, external_id="tg-de")
    async with rt.sessions() as session:  # the buyer writes German
        from bot.store.models import Case

        case = await session.get(Case, case_id)
        assert case is not None
        case.language, case.details = "de", {**case.details, "language": "de"}
        await session.commit()
    # Declared small by getFile but larger when streamed: the cap stops the download itself.
    tg.files["big"] = JPEG + b"\x00" * (LIMIT + 1)
    tg.declared_size["big"] = 1000
    tg.files["doc"] = b"%PDF-1.7 not a photo"
    before = len(tg.sent)
    await post_update(client, tg.message_update(CHAT, None, photo="big"))
    await rt.worker.run_due()
    await post_update(client, tg.message_update(CHAT, None, photo="doc"))
    await rt.worker.run_due()
    texts = [m["text"] for m in tg.sent[before:]]
    assert texts == [
        "Leider ist dieses Foto zu groß (höchstens 64 KB). Könnten Sie ein kleineres schicken?",
        "Leider kann ich nur Fotos annehmen (JPEG, PNG, WebP oder HEIC), und diese Datei ist keins. "
        "Könnten Sie sie als Foto schicken?",
    ]
    assert await refusals(rt, case_id) == ["too_large", "not_image"] and not await photos_of(rt, case_id)
    # Nothing accepted is lost: both messages are on record, with why their photo was not taken.
    assert [m.meta for m in (await inbound(rt, case_id))[-2:]] == [
        {"photo_error": "too_large"},
        {"photo_error": "not_image"},
    ]


async def test_a_picture_sent_as_a_file_on_telegram_is_taken_like_a_photo(
    client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram
) -> None:
    """Telegram's "send as file" (the only way a phone keeps HEIC or a full PNG) is a document, not a photo."""
    case_id = await bound_case(client, rt, tg)
    tg.files["shade.heic"], tg.files["shade.png"] = HEIC, png()
    before = len(tg.sent)
    for file_id, mime in (("shade.heic", "image/heic"), ("shade.png", None)):  # no type declared: the bytes decide
        update = tg.message_update(CHAT, None, document=(file_id, mime), caption=f"The broken shade ({file_id})")
        r = await post_update(client, update)
        assert r.status_code == 200 and r.json()["result"] == "accepted"
        await rt.worker.run_due()
    stored = await photos_of(rt, case_id)
    assert [p.content_type for p in stored] == ["image/heic", "image/png"] and not await refusals(rt, case_id)
    assert [m.meta for m in (await inbound(rt, case_id))[-2:]] == [{"photo": p.id} for p in stored]
    assert len(tg.sent) - before >= 2, "each message had its turn"


async def test_a_document_or_video_that_is_not_a_picture_is_refused_unfetched_and_the_words_go_on(
    client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram
) -> None:
    case_id = await bound_case(client, rt, tg)
    tg.files["receipt.pdf"], tg.files["clip"] = b"%PDF-1.7 receipt", b"\x00\x00\x00\x18ftypmp42"
    before = len(tg.sent)
    receipt = tg.message_update(
        CHAT, None, document=("receipt.pdf", "application/pdf"), caption="The lamp arrived with the shade smashed"
    )
    await post_update(client, receipt)
    await rt.worker.run_due()
    await post_update(client, tg.message_update(CHAT, None, video="clip"))
    await rt.worker.run_due()
    assert tg.downloads == 0 and "getFile" not in tg.calls, "a file declared as no image is not fetched"
    assert await refusals(rt, case_id) == ["not_image", "not_image"] and not await photos_of(rt, case_id)
    texts = [m["text"] for m in tg.sent[before:]]
    notices = [t for t in texts if "JPEG, PNG, WebP or HEIC" in t]
    assert len(notices) == 2, texts
    assert len(texts) >= 3, "the words sent with the receipt still had their turn"
    words, video = (await inbound(rt, case_id))[-2:]
    assert words.text == "The lamp arrived with the shade smashed" and video.meta == {"photo_error": "not_image"}


# ── SMS (MMS) ───────────────────────────────────────────────────────────────────────────────────


async def sms_case(client: httpx.AsyncClient, rt: Runtime, text: str | None = None) -> int:
    case_id = (await client.post("/api/reviews", json=review("mms-1", text=text))).json()["case_id"]
    await rt.worker.run_due()  # the first contact goes out by SMS
    return int(case_id)


async def test_an_mms_photo_is_fetched_with_the_accounts_credentials(
    client: httpx.AsyncClient, rt: Runtime, tw: FakeTwilio, clock: VirtualClock
) -> None:
    case_id = await sms_case(client, rt)
    url = tw.add_media(png(), "image/png")
    tw.media_fail_next = 1
    r = await text_in(client, tw, "", NumMedia="1", MediaUrl0=url, MediaContentType0="image/png")
    assert r.status_code == 200 and not tw.media_fetches, "the webhook answers before any fetch"
    await rt.worker.run_due()
    assert not await photos_of(rt, case_id), "Twilio's 503 is retried"
    await run_retries(rt, clock, 2)
    [photo] = await photos_of(rt, case_id)
    assert photo.data == png() and photo.provider_id.startswith("sms:")
    assert all(a is not None and a.startswith("Basic ") for a in tw.media_fetches)
    assert (await inbound(rt, case_id))[-1].meta == {"photo": photo.id}


async def test_an_mms_that_is_not_a_photo_or_too_large_is_refused_in_the_buyers_language(
    client: httpx.AsyncClient, rt: Runtime, tw: FakeTwilio
) -> None:
    case_id = await sms_case(client, rt, GERMAN)
    pdf = tw.add_media(b"%PDF-1.7", "application/pdf")
    big = tw.add_media(JPEG + b"\x00" * (LIMIT + 1), "image/jpeg")
    lying = tw.add_media(b"<svg onload=alert(1)>", "image/jpeg")  # declared a photo, the bytes say otherwise
    before = len(tw.sent)
    for url, kind in ((pdf, "application/pdf"), (big, "image/jpeg"), (lying, "image/jpeg")):
        r = await text_in(client, tw, "", NumMedia="1", MediaUrl0=url, MediaContentType0=kind)
        assert r.status_code == 200
        await rt.worker.run_due()
    assert len(tw.media_fetches) == 2, "a declared PDF is refused without fetching it"
    assert await refusals(rt, case_id) == ["not_image", "too_large", "not_image"]
    texts = [m["Body"] for m in tw.sent[before:]]
    assert len(texts) == 3 and texts[1].startswith("Leider ist dieses Foto zu groß")
    assert all(t.startswith("Leider") for t in texts)
    assert not await photos_of(rt, case_id)


async def test_an_mms_with_words_and_a_photo_on_another_host_keeps_the_words_and_the_key(
    client: httpx.AsyncClient, rt: Runtime, tw: FakeTwilio
) -> None:
    case_id = await sms_case(client, rt)
    foreign = "http://127.0.0.1:9/2010-04-01/Accounts/AC/Messages/MM1/Media/ME1"
    r = await text_in(client, tw, "The shade broke", NumMedia="1", MediaUrl0=foreign, MediaContentType0="image/jpeg")
    assert r.status_code == 200
    await rt.worker.run_due()
    assert await refusals(rt, case_id) == ["not_fetched"], "our key is never sent to another host"
    assert (await inbound(rt, case_id))[-1].text == "The shade broke"
    async with rt.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(Photo))).scalar_one() == 0


# ── a photo alone in the later stages (issue 21.4): thanked, and the open question again ───────────


async def test_a_photo_alone_while_an_offer_waits_or_the_remedy_is_under_way_is_answered(
    client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram, clock: VirtualClock
) -> None:
    case_id = await bound_case(client, rt, tg)
    replies = await say(client, rt, tg, "Hi. The lamp arrived with the glass shade completely smashed.")
    for answer in ("It was the Fjord table lamp", "I'd like a replacement please", "no photo, sorry"):
        replies += await say(client, rt, tg, answer)
        if any(m["reply_markup"] for m in replies):
            break
    tg.files["p1"], tg.files["p2"], tg.files["p3"] = png(), png(rgb=(1, 2, 3)), JPEG
    proposing = await say_photo(client, rt, tg, "p1")
    assert len(proposing) == 1 and thanked(proposing[0]["text"])
    assert proposing[0]["text"].endswith("work for you?")
    await press(client, rt, tg, "yes")
    resolving = await say_photo(client, rt, tg, "p2")
    assert len(resolving) == 1 and thanked(resolving[0]["text"]) and "under way" in resolving[0]["text"]
    clock.advance(timedelta(days=3, hours=1))
    await rt.worker.run_due()  # the follow-up asks whether it worked
    following = await say_photo(client, rt, tg, "p3")
    assert len(following) == 1 and thanked(following[0]["text"])
    assert following[0]["text"].endswith("is all well now?")
    assert len(await photos_of(rt, case_id)) == 3


def thanked(text: str) -> bool:
    """One of the thanks of messages.photo in en.yml: the photo, and that the team will see it."""
    return "photo" in text and "team" in text


async def say_photo(client: httpx.AsyncClient, rt: Runtime, tg: FakeTelegram, file_id: str) -> list[dict]:
    before = len(tg.sent)
    r = await post_update(client, tg.message_update(CHAT, None, photo=file_id))
    assert r.json()["result"] == "accepted"
    await rt.worker.run_due()
    return tg.sent[before:]


async def test_a_job_run_again_after_its_refusal_tells_the_buyer_once(
    client: httpx.AsyncClient, rt: Runtime, tw: FakeTwilio
) -> None:
    """A worker that died after the refusal's commit and before the turn runs the job again: one notice."""
    from bot.inbox.inbox import take
    from channels.base import Inbound

    case_id = await sms_case(client, rt)
    msg = Inbound("sms", "SMretry1", "+48601234567", text="Here it is", media="x", media_type="application/pdf")
    before = len(tw.sent)
    for _ in range(2):
        await take(rt.worker.ctx, "demo", msg, refused="not_image")
        await rt.worker.run_due()
    notices = [t for t in tw.texts()[before:] if "only receive photos" in t]
    assert len(notices) == 1 and await refusals(rt, case_id) == ["not_image"]


async def test_a_photo_from_a_buyer_who_said_stop_is_not_fetched(
    client: httpx.AsyncClient, rt: Runtime, tw: FakeTwilio
) -> None:
    """Stop means stop: the words are kept for the record, unanswered, and their photo is not taken at all."""
    case_id = await sms_case(client, rt)
    await text_in(client, tw, "STOP")
    await rt.worker.run_due()
    before = len(tw.sent)
    url = tw.add_media(png(), "image/png")
    r = await text_in(client, tw, "look at this", NumMedia="1", MediaUrl0=url, MediaContentType0="image/png")
    assert r.status_code == 200
    await rt.worker.run_due()
    assert not tw.media_fetches and not await photos_of(rt, case_id)
    assert (await inbound(rt, case_id))[-1].text == "look at this" and not tw.sent[before:]
