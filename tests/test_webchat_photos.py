"""Photos in the web chat (issue 21.4), through the real app: the buyer's link uploads a photo, the message that
carries it runs a real turn, staff of the shop see it, nobody else does, and erasure and retention delete it.
The photos are real PNG/JPEG/WebP/HEIC headers built here; the refusals are judged by content, not names."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.app.runtime import Runtime
from bot.platform.clock import VirtualClock
from bot.platform.config import RetentionSettings, Settings
from bot.store.models import Case, Message, Photo
from bot.store.photos import sniff
from bot.store.retention import purge_photos
from bot.store.shops import ensure_shop
from tests.conftest import ROOT, SHOP

LAMP = yaml.safe_load((ROOT / "tests/scenarios/en_constructive_damaged_lamp.yml").read_text())["review"]
# The buyer is calmed first (rule 3), then the bot gathers: for a damaged item its next question is the photo.
FIRST = "Hi, yes, I was really disappointed, it was meant to be a gift."
SECOND = "It's fine, the shade is in pieces though."


def png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid PNG of one colour, built from its chunks (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64


async def open_chat(client: httpx.AsyncClient, rt: Runtime, external_id: str) -> tuple[int, str]:
    body = {**LAMP, "external_id": external_id, "buyer": {**LAMP["buyer"], "email": f"{external_id}@example.com"}}
    r = await client.post("/api/reviews", json=body)
    assert r.status_code == 201, r.text
    case_id = int(r.json()["case_id"])
    await rt.worker.run_due()  # first contact
    token = (await client.post(f"/api/cases/{case_id}/chat-link")).json()["token"]
    return case_id, token


async def upload(client: httpx.AsyncClient, token: str, message_id: str, data: bytes) -> httpx.Response:
    return await client.post(f"/chat/{token}/photos", params={"id": message_id}, content=data)


async def say(client: httpx.AsyncClient, token: str, text: str, message_id: str, photo: int | None = None) -> dict:
    body: dict[str, Any] = {"text": text, "id": message_id, **({"photo": photo} if photo is not None else {})}
    r = await client.post(f"/chat/{token}/messages", json=body)
    assert r.status_code == 200, r.text
    return r.json()


async def details(rt: Runtime, case_id: int) -> dict[str, Any]:
    async with rt.sessions() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        return dict(case.details or {})


async def photo_rows(rt: Runtime) -> int:
    async with rt.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(Photo))).scalar_one())


def test_the_type_is_read_from_the_bytes() -> None:
    assert sniff(png()).content_type == "image/png"
    assert sniff(JPEG).content_type == "image/jpeg"
    assert sniff(WEBP).content_type == "image/webp"
    assert sniff(HEIC).content_type == "image/heic"
    assert sniff(b"GIF89a" + b"\x00" * 20).seen == "a GIF animation"
    assert sniff(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>").content_type is None
    assert sniff(b"%PDF-1.7\n").seen == "a PDF document"
    assert sniff(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 16).seen == "a video"


async def test_a_photo_is_the_evidence_asked_for(client: httpx.AsyncClient, rt: Runtime) -> None:
    # Without a photo, this conversation's next question is the photo (tests/scenarios: "No photo, I threw...").
    plain, plain_token = await open_chat(client, rt, "photo-control")
    await say(client, plain_token, FIRST, "c1")
    await say(client, plain_token, SECOND, "c2")
    assert (await details(rt, plain))["requested_slot"] == "evidence"

    # With the photo sent beside the same words, it is never asked for.
    case_id, token = await open_chat(client, rt, "photo-with-text")
    await say(client, token, FIRST, "m0")
    up = await upload(client, token, "m1", png())
    assert up.status_code == 201, up.text
    assert up.json()["type"] == "image/png" and up.json()["bytes"] == len(png())
    replies = await say(client, token, SECOND, "m1", photo=up.json()["photo"])
    assert replies["replies"], "the turn answered"
    slots = await details(rt, case_id)
    assert slots["evidence"] == "yes" and slots["photos"] == 1
    assert "evidence" not in slots.get("asked", []) and slots["requested_slot"] != "evidence"
    history = (await client.get(f"/chat/{token}/history")).json()["messages"]
    [mine] = [m for m in history if m.get("photo")]
    assert mine["photo"] == up.json()["photo"] and mine["text"] == SECOND and mine["role"] == "buyer"
    shown = await client.get(f"/chat/{token}/photos/{mine['photo']}")
    assert shown.status_code == 200 and shown.content == png() and shown.headers["content-type"] == "image/png"


async def test_a_photo_alone_answers_the_photo_question(client: httpx.AsyncClient, rt: Runtime) -> None:
    case_id, token = await open_chat(client, rt, "photo-alone")
    await say(client, token, FIRST, "a0")
    await say(client, token, SECOND, "a1")
    assert (await details(rt, case_id))["requested_slot"] == "evidence"
    up = await upload(client, token, "a2", HEIC)
    assert up.status_code == 201 and up.json()["type"] == "image/heic"
    answer = await say(client, token, "", "a2", photo=up.json()["photo"])
    slots = await details(rt, case_id)
    assert slots["evidence"] == "yes" and slots["requested_slot"] == "outcome"
    assert [r["action"] for r in answer["replies"]] == ["ask_details"]  # the next question, not a rephrase
    assert slots["not_understood"] == 0
    # A resend of the same message (a flaky connection) is the same photo and the same replies.
    again = await upload(client, token, "a2", HEIC)
    assert again.json()["photo"] == up.json()["photo"]
    assert (await say(client, token, "", "a2", photo=up.json()["photo"]))["replies"] == answer["replies"]
    assert await photo_rows(rt) == 1


async def test_too_big_and_wrong_type_are_refused_by_name(client: httpx.AsyncClient, rt: Runtime) -> None:
    _case, token = await open_chat(client, rt, "photo-refused")
    limit = rt.settings.webchat.max_photo_bytes
    big = png() + b"\x00" * (limit - len(png()) + 1)
    r = await upload(client, token, "b1", big)
    assert r.status_code == 413, r.text
    body = r.json()
    assert body["error"] == "photo_too_large" and body["field"] == "photo"
    assert body["limit_bytes"] == limit and "the limit is 8 MB" in body["message"]
    # Exactly at the limit is taken.
    assert (await upload(client, token, "b2", png() + b"\x00" * (limit - len(png())))).status_code == 201
    # A web page named like a photo is refused for what it is; so is a GIF.
    for data, seen in ((b"<!doctype html><title>x</title>", "a web page"), (b"GIF89a" + b"\x00" * 9, "a GIF")):
        r = await client.post(
            f"/chat/{token}/photos", params={"id": "b3"}, content=data, headers={"Content-Type": "image/jpeg"}
        )
        assert r.status_code == 415 and r.json()["error"] == "not_a_photo"
        assert seen in r.json()["message"] and "JPEG, PNG, WebP or HEIC" in r.json()["message"]
    # The refusals lost nothing: the case takes the next message as usual, and only the accepted photo is kept.
    assert (await say(client, token, FIRST, "b4"))["replies"]
    assert await photo_rows(rt) == 1


async def test_photos_stay_within_their_shop_and_case(client: httpx.AsyncClient, rt: Runtime, as_staff: Any) -> None:
    case_id, token = await open_chat(client, rt, "photo-mine")
    up = await upload(client, token, "s1", JPEG)
    photo = up.json()["photo"]
    await say(client, token, FIRST, "s1", photo=photo)
    _other_case, other_token = await open_chat(client, rt, "photo-theirs")
    # Another case's link reads nothing, and cannot send the photo as its own message.
    assert (await client.get(f"/chat/{other_token}/photos/{photo}")).status_code == 404
    stolen = await client.post(f"/chat/{other_token}/messages", json={"text": "look", "id": "s1", "photo": photo})
    assert stolen.status_code == 422 and stolen.json()["error"] == "unknown_photo"
    # Within the case too, a photo belongs to the message it was uploaded for.
    reused = await client.post(f"/chat/{token}/messages", json={"text": "again", "id": "s2", "photo": photo})
    assert reused.status_code == 422 and reused.json()["field"] == "photo"
    # Staff of the shop open it full size; staff of another shop, or nobody signed in, get nothing.
    mine = await client.get(f"/staff/api/photos/{photo}", headers=await as_staff("Maja"))
    assert mine.status_code == 200 and mine.content == JPEG and mine.headers["content-type"] == "image/jpeg"
    assert "private" in mine.headers["cache-control"]
    async with rt.sessions() as session, session.begin():
        await ensure_shop(session, "other", "Other shop", "other-key", rt.clock.now())
    theirs = await client.get(f"/staff/api/photos/{photo}", headers=await as_staff("Ola", "other"))
    assert theirs.status_code == 404
    nobody = await client.get(f"/staff/api/photos/{photo}", headers={"X-Api-Key": ""})
    assert nobody.status_code == 401
    # The case card carries the photo with its message, for the /staff page and the Slack card.
    card = (await client.get(f"/staff/api/cases/{case_id}", headers=await as_staff("Maja"))).json()
    assert [m.get("photo") for m in card["conversation"] if m["role"] == "buyer"] == [photo]


async def test_erasure_deletes_the_photos(client: httpx.AsyncClient, rt: Runtime, as_staff: Any) -> None:
    case_id, token = await open_chat(client, rt, "photo-erased")
    up = await upload(client, token, "e1", png())
    await say(client, token, FIRST, "e1", photo=up.json()["photo"])
    kept, kept_token = await open_chat(client, rt, "photo-kept")  # another buyer's photo stays
    await say(client, kept_token, FIRST, "k1", photo=(await upload(client, kept_token, "k1", JPEG)).json()["photo"])
    assert await photo_rows(rt) == 2
    async with rt.sessions() as session:
        buyer_id = (await session.get(Case, case_id)).buyer_id  # type: ignore[union-attr]
    erased = await client.delete(f"/api/buyers/{buyer_id}")
    assert erased.status_code == 200 and erased.json()["photos"] == 1
    async with rt.sessions() as session:
        left = list((await session.execute(select(Photo.case_id))).scalars())
        meta = (await session.execute(select(Message.meta).where(Message.case_id == case_id))).scalars().all()
    assert left == [kept]
    assert any(m.get("photo") for m in meta)  # the message still says a photo came: reports may count it
    assert (await client.get(f"/chat/{token}/photos/{up.json()['photo']}")).status_code in (403, 404)
    # The staff card no longer offers the deleted photo (the message keeps only the mention).
    card = (await client.get(f"/staff/api/cases/{case_id}", headers=await as_staff("Maja"))).json()
    assert not any(m.get("photo") for m in card["conversation"])


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"retention": RetentionSettings(messages="180d", jobs="30d")})


async def test_retention_deletes_photos_of_old_closed_cases(
    client: httpx.AsyncClient, rt: Runtime, clock: VirtualClock
) -> None:
    old, token = await open_chat(client, rt, "photo-old")
    await say(client, token, FIRST, "o1", photo=(await upload(client, token, "o1", png())).json()["photo"])
    live, live_token = await open_chat(client, rt, "photo-live")
    await say(client, live_token, FIRST, "l1", photo=(await upload(client, live_token, "l1", png())).json()["photo"])
    async with rt.sessions() as session, session.begin():
        for case_id in (old,):
            case = await session.get(Case, case_id)
            assert case is not None
            case.stage = "closed"  # closed long ago: the live case keeps its photo whatever its age
    later = clock.now() + timedelta(days=181)
    assert await purge_photos(rt.sessions, SHOP, clock.now(), timedelta(days=180)) == 0  # not old yet
    assert await purge_photos(rt.sessions, SHOP, later, timedelta(days=180), batch=1) == 1
    async with rt.sessions() as session:
        assert list((await session.execute(select(Photo.case_id))).scalars()) == [live]
    assert await purge_photos(rt.sessions, SHOP, later, None) == 0  # retention off keeps them


BAD_BODIES = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda tail: b"\x89PNG\r\n\x1a" + tail, st.binary(max_size=50)),  # one byte short of PNG's magic
    st.builds(lambda tail: b"RIFF\x00\x00\x00\x00WEBX" + tail, st.binary(max_size=50)),
)


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BAD_BODIES)
async def test_bad_bodies_are_refused_never_a_500(client: httpx.AsyncClient, rt: Runtime, body: bytes) -> None:
    case_id, token = CHAT.get(id(rt)) or await open_chat(client, rt, "photo-fuzz")
    CHAT[id(rt)] = (case_id, token)
    r = await upload(client, token, "f", body)
    expected = sniff(body).content_type is not None
    assert r.status_code == (201 if expected else 415), r.text
    if not expected:
        assert r.json()["field"] == "photo"
    # A message with a photo field that is no upload of this message: refused by field, never a 500.
    for photo in (-1, 2**62, "1", True, 1.5, [1]):
        bad = await client.post(f"/chat/{token}/messages", json={"text": "x", "id": "g", "photo": photo})
        assert bad.status_code == 422 and bad.json()["field"] == "photo", bad.text


CHAT: dict[int, tuple[int, str]] = {}


def test_the_page_has_the_photo_picker() -> None:
    page = (Path(ROOT) / "channels/webchat.html").read_text()
    assert 'type="file" accept="image/*"' in page  # a phone offers its camera
    assert "{{PHOTO_LIMIT}}" in page
