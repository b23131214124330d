"""Photos buyers send on Telegram or by MMS (issue 21.4): fetched by the inbound job, kept like the web chat's.

The webhook only records the provider's reference (a Telegram file_id, a Twilio MediaUrl) in the inbound job and
answers 2xx at once; the worker fetches the photo here, through the adapter (`channels.base.PhotoSource`), and
stores it in the `photos` table, where /staff, the Slack thread, erasure and retention find every photo alike.

A fetch that fails for now (network, provider) makes the job try again with backoff; after `FETCH_ATTEMPTS` the
message goes on without the photo and the buyer is asked to send it again. A photo that will never be taken (too
large, not an image, by what the provider declared or by its bytes) is refused at once, in the buyer's language.
Either way the words that came with it still have their turn: nothing accepted is lost.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.store import photos
from bot.store.models import Case, Job
from bot.store.queue import JobContext, RetryLater
from channels.base import Inbound, PhotoRefused, SendError

log = logging.getLogger("mediator.inbox")
# About four minutes of backoff (30 s, 60 s, 120 s) before a photo is given up on: a provider outage longer
# than that should not hold the buyer's words back any longer.
FETCH_ATTEMPTS = 4
NOT_FETCHED, TOO_LARGE, NOT_IMAGE = "not_fetched", "too_large", "not_image"
# Not a file at all: a sticker, a location, a contact, a poll, a voice note (`Inbound.attachment`). Nothing is
# fetched; the buyer hears that the bot reads text and photos, and the conversation goes on (issue 21).
NOT_READABLE = "not_readable"


async def fetch(ctx: JobContext, job: Job, case: Case, msg: Inbound) -> tuple[Inbound, str | None]:
    """`msg` with its photo stored (`photo` set), or the reason it was not: "too_large", "not_image" or
    "not_fetched". Raises RetryLater while a failing fetch has attempts left."""
    adapter = ctx.channels.get(msg.channel) if ctx.channels else None
    if not msg.media or adapter is None or not hasattr(adapter, "fetch_photo"):
        return msg, NOT_FETCHED
    limit = ctx.settings.webchat.max_photo_bytes
    try:
        data = await adapter.fetch_photo(msg.media, msg.media_type, limit)
    except PhotoRefused as exc:
        log.info("inbound %s %s: photo refused (%s)", msg.channel, msg.provider_id, exc)
        return msg, exc.reason
    except SendError as exc:
        if job.attempts < FETCH_ATTEMPTS:
            raise RetryLater(f"photo of {msg.channel} {msg.provider_id} not fetched: {exc.reason}") from exc
        log.warning("inbound %s %s: photo not fetched after %s attempts", msg.channel, msg.provider_id, job.attempts)
        return msg, NOT_FETCHED
    sniffed = photos.sniff(data)
    if sniffed.content_type is None:  # whatever the provider called it, the bytes decide (as in the web chat)
        log.info("inbound %s %s: photo refused, the bytes are %s", msg.channel, msg.provider_id, sniffed.seen)
        return msg, NOT_IMAGE
    async with ctx.sessions() as session, session.begin():
        row = await photos.store(
            session,
            shop_id=case.shop_id,
            case_id=case.id,
            # One row per provider message: a retried job finds the photo it stored before.
            provider_id=f"{msg.channel}:{msg.provider_id}",
            content_type=sniffed.content_type,
            data=data,
            now=ctx.clock.now(),
        )
        photo_id = row.id
    return replace(msg, photo=photo_id), None


def limit_words(limit: int) -> str:
    """The size limit as the refusal names it, rounded down (digits and units read alike in every language)."""
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
