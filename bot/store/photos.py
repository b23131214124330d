"""Photos buyers send (issue 21.4): what a photo is, by its bytes, and where it is kept (the `photos` table).

The type is read from the content's first bytes, never from a file name or a Content-Type header a client
chose: a page renamed `.jpg` is refused, a phone's HEIC photo called `image.bin` is taken. Only the formats a
phone camera or a screenshot produces are accepted; anything else (SVG carries script, PDF is not a photo) is
refused by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Photo, SlackRelay
from bot.store.sql import insert_ignoring_conflicts

# ISO BMFF brands of HEIF images: what an iPhone's camera writes ("heic") and its relatives.
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"}
ACCEPTED = "JPEG, PNG, WebP or HEIC"

# A photo uploaded into its case's Slack thread (channels/slack.py, `slack_photos`) is a `slack_relays` row of
# this kind: event id `photo:{photo id}` (unique, so a retried job never uploads it twice), `slack_ts` the
# Slack file id. Erasure and retention delete the file in Slack with the photo (the `slack_erase` job).
SLACK_COPY = "photo"
SLACK_ERASE = "slack_erase"
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic", "image/avif": "avif"}


def slack_event_id(photo_id: int) -> str:
    return f"{SLACK_COPY}:{photo_id}"


@dataclass(frozen=True)
class Sniffed:
    content_type: str | None  # None: not an accepted image
    seen: str  # what the bytes look like, for the refusal's message


def sniff(data: bytes) -> Sniffed:
    """The image type of `data` by its magic bytes."""
    if data.startswith(b"\xff\xd8\xff"):
        return Sniffed("image/jpeg", "JPEG")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image/png", "PNG")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return Sniffed("image/webp", "WebP")
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return Sniffed("image/avif" if data[8:12] == b"avif" else "image/heic", "HEIC")
    return Sniffed(None, _looks_like(data))


def _looks_like(data: bytes) -> str:
    """A name for what a refused body seems to be, so the buyer (and a log) reads more than "invalid"."""
    head = data[:256].lstrip().lower()
    if not data:
        return "an empty file"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "a GIF animation"
    if data.startswith(b"%PDF"):
        return "a PDF document"
    if head.startswith((b"<svg", b"<?xml")) or b"<svg" in head:
        return "an SVG drawing"
    if head.startswith((b"<!doctype html", b"<html")):
        return "a web page"
    if data.startswith(b"PK\x03\x04"):
        return "a ZIP archive or office document"
    if data[4:8] == b"ftyp":
        return "a video"
    return "not an image"


async def store(
    session: AsyncSession,
    *,
    shop_id: str,
    case_id: int,
    provider_id: str,
    content_type: str,
    data: bytes,
    now: datetime,
) -> Photo:
    """Keep a photo for the message `provider_id` of a case. A second upload for the same message (a resend
    after a dropped connection) keeps the first and returns it."""
    row = {
        "shop_id": shop_id,
        "case_id": case_id,
        "provider_id": provider_id,
        "content_type": content_type,
        "size": len(data),
        "data": data,
        "created_at": now,
    }
    await session.execute(insert_ignoring_conflicts(session, Photo.__table__, ["shop_id", "provider_id"]), [row])
    found = await session.execute(select(Photo).where(Photo.shop_id == shop_id, Photo.provider_id == provider_id))
    return found.scalar_one()


async def of_case(session: AsyncSession, shop_id: str, case_id: int, photo_id: int) -> Photo | None:
    """A photo, only if it belongs to this shop's case: a chat link or a staff session of another shop or
    case never reads it."""
    found = await session.execute(
        select(Photo).where(Photo.id == photo_id, Photo.shop_id == shop_id, Photo.case_id == case_id)
    )
    return found.scalar_one_or_none()


async def of_shop(session: AsyncSession, shop_id: str, photo_id: int) -> Photo | None:
    found = await session.execute(select(Photo).where(Photo.id == photo_id, Photo.shop_id == shop_id))
    return found.scalar_one_or_none()


async def erase_cases(session: AsyncSession, case_ids: list[int]) -> int:
    """Delete every photo of these cases (a buyer's erasure). Returns how many."""
    if not case_ids:
        return 0
    result = await session.execute(delete(Photo).where(Photo.case_id.in_(case_ids)))
    return int(getattr(result, "rowcount", 0) or 0)


async def slack_files(session: AsyncSession, photo_ids: list[int]) -> list[str]:
    """The Slack file ids of these photos' uploads (what `files.delete` needs); their rows are deleted with the
    photos, so what is left in the database never points at a file that is gone."""
    if not photo_ids:
        return []
    events = [slack_event_id(i) for i in photo_ids]
    rows = select(SlackRelay.slack_ts).where(SlackRelay.kind == SLACK_COPY, SlackRelay.event_id.in_(events))
    files = [ts for ts in (await session.execute(rows)).scalars() if ts]
    await session.execute(delete(SlackRelay).where(SlackRelay.kind == SLACK_COPY, SlackRelay.event_id.in_(events)))
    return files
