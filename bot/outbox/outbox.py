"""The outbox: durable jobs that carry the bot's messages out.

    turn transaction ─▶ outbound `messages` rows + one `deliver` job each (enqueue(), same transaction)
    worker ─▶ deliver: opt-out and consent checks, quiet hours, the channel order, retry with backoff

`deliver` is keyed by message id, so no reply is queued twice. (A kill in the instant between a provider
accepting a send and our recording it can repeat that one send: at-least-once is the best any provider API
allows.) A database too busy to record a send that went out is asked again, a few times, by `_record_sent`: the
job failing there would be retried and would send the message a second time.

Deliver jobs carry no case_id on purpose: closing a case cancels its pending timers, but a reply already
written must still go out (or be suppressed by the opt-out check here, which is the one rule that wins).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbox import contacts
from bot.outbox.consent import OPTED_OUT_JOB, last_inbound_channel, record, route
from bot.platform.config import Settings
from bot.platform.vocab import ADDRESSED_CHANNELS, Channel
from bot.policy.bundle import active_bundle, active_mediation_policy
from bot.policy.channels import ChannelsPolicy, load_channels_policy
from bot.policy.mediation import next_allowed_send
from bot.store import buyer_contacts
from bot.store.buyer_contacts import Contacts
from bot.store.models import Buyer, Case, Delivery, Job, Message, Shop
from bot.store.queue import JobContext, RetryLater, RunAt, job_handler, schedule, wake_on_commit
from bot.store.sql import insert_ignoring_conflicts
from channels.base import (
    Button,
    ChannelSet,
    OptedOut,
    Outbound,
    Rejected,
    SendError,
    TemporaryFailure,
    Unreachable,
)

log = logging.getLogger("mediator.outbox")
DELIVER = "deliver"
# Statuses a message can end in; only "pending" is still the outbox's business.
FINAL = {"sent", "delivered", "read", "failed", "undelivered", "suppressed", "recorded", "undeliverable"}


def channels_file(settings: Settings) -> Path:
    return settings.resolve(settings.policies_dir) / "channels.yml"


def channels_policy(settings: Settings) -> ChannelsPolicy:
    """The deployment's policies/channels.yml: for what happens before a shop is known (a webhook's size
    limit, a Telegram deep link)."""
    return load_channels_policy(channels_file(settings))


async def shop_channels_policy(session: AsyncSession, shop_id: str, fallback: Path) -> ChannelsPolicy:
    """channels.yml as the shop published it, the version its turns run under (the engine's turns and the
    outbox both read it here); the `fallback` file when the version has none. The outbox once read the
    file instead, and sent replies by a channel order and keywords the admin had already replaced."""
    return (await active_bundle(session, shop_id)).channels() or load_channels_policy(fallback)


# ── enqueueing (inside the caller's transaction) ────────────────────────────────────────────────


async def enqueue(session: AsyncSession, rows: list[dict[str, Any]], now: datetime) -> list[int]:
    """Insert message rows and a deliver job for each outbound one, in the caller's transaction. (A turn
    passes the buyer's inbound message along, status "received", so that all its messages are one insert.)

    A reply to a web-chat message is returned to the page synchronously, so it is delivered as written.
    """
    for row in rows:
        if row["direction"] == "out" and row["channel"] == "webchat" and row.get("provider_id"):
            row["status"] = "delivered"
    stmt = insert(Message.__table__).returning(Message.__table__.c.id, sort_by_parameter_order=True)
    ids = list((await session.execute(stmt, rows)).scalars())
    pending = [(mid, row["case_id"]) for mid, row in zip(ids, rows, strict=True) if row["status"] == "pending"]
    if pending:
        await schedule_deliveries(session, rows[0]["shop_id"], pending, now)
    return ids


async def schedule_deliveries(
    session: AsyncSession, shop_id: str, messages: list[tuple[int, int | None]], now: datetime, attempt: str = ""
) -> None:
    """A deliver job per (message id, case id). A case's messages share a lane, so the worker sends them in
    the order they were written while sending other cases' messages at the same time."""
    jobs = [
        {
            "shop_id": shop_id,
            "case_id": None,
            "kind": DELIVER,
            "run_at": now,
            "status": "pending",
            "attempts": 0,
            "payload": {"message_id": message_id, "lane": f"case:{case_id}"},
            # One delivery job per message (and per re-route), however often the enqueue is retried.
            "dedupe_key": f"deliver:{message_id}" + (f":{attempt}" if attempt else ""),
            "created_at": now,
        }
        for message_id, case_id in messages
    ]
    await session.execute(insert_ignoring_conflicts(session, Job.__table__, ["dedupe_key"]), jobs)
    wake_on_commit(session)


def message_row(case: Case, channel: str, text: str, now: datetime, **extra: Any) -> dict[str, Any]:
    row = {
        "shop_id": case.shop_id,
        "case_id": case.id,
        "direction": "out",
        "role": "bot",
        "channel": channel,
        "text": text,
        "action": None,
        "language": case.language,
        "provider_id": None,
        "status": "pending",
        "stage": case.stage,
        "meta": {},
        "created_at": now,
    }
    row.update(extra)
    return row


async def shop_name(session: AsyncSession, shop_id: str) -> str:
    return (await session.execute(select(Shop.name).where(Shop.id == shop_id))).scalar_one_or_none() or shop_id


# ── delivery ─────────────────────────────────────────────────────────────────────────────────────


DELIVER_ATTEMPTS = 8  # a channel that keeps failing for now is given up after this many tries


@job_handler(DELIVER, external=True, max_attempts=DELIVER_ATTEMPTS)
async def deliver(ctx: JobContext, job: Job) -> None:
    """Send one outbound message over the buyer's channel, falling through the shop's order on failure."""
    message_id = int(job.payload["message_id"])
    channels: ChannelSet = ctx.channels or ChannelSet()
    now = ctx.clock.now()
    # Decide in one read-only session, then act outside it: SQLite has one writer, and a send can be slow.
    verdict: str | None = None
    async with ctx.sessions() as session:
        message = await session.get(Message, message_id)
        if message is None or message.status in FINAL:
            return
        case = await session.get(Case, message.case_id)
        assert case is not None
        policy = await shop_channels_policy(session, case.shop_id, channels_file(ctx.settings))
        buyer = await session.get(Buyer, case.buyer_id) if case.buyer_id else None
        is_reply = bool(message.provider_id) or message.meta.get("notice") in ("help", "resubscribed", "bound")
        steps: list[str] = []
        reach = await buyer_contacts.of(session, buyer.id if buyer else None)
        opted_out = buyer is not None and (
            reach.opted_out_at is not None or await _contact_opted_out(session, channels, reach)
        )
        if opted_out and buyer is not None and not _allowed_after_opt_out(message, reach):
            log.info("message %s suppressed: buyer %s opted out", message.id, buyer.id)
            verdict = "suppressed"
        elif message.channel == "webchat" and (is_reply or await last_inbound_channel(session, case.id) == "webchat"):
            verdict = "webchat"
        else:
            first = message.channel if message.channel in ADDRESSED_CHANNELS else None
            steps = await route(
                session, policy, case, buyer, channels.enabled, first, confirming_opt_out=True, contacts=reach
            )
            tz = buyer.timezone if buyer else None
            quiet = (await active_mediation_policy(session, case.shop_id)).policy
            shop = await shop_name(session, case.shop_id)
    if verdict == "suppressed":
        return await _finish(ctx, message, "suppressed", None, [])
    if verdict == "webchat":
        return await _finish(ctx, message, "delivered", "webchat", [f"webchat:{message.id}"])
    if not steps:
        # Nobody to send it to outside the web chat: it waits in the case's web-chat history.
        return await _finish(ctx, message, "recorded", None, [])
    for step in steps:
        if step in ("sms", "webchat_link") and not is_reply and message.action != "opt_out_confirm":
            allowed = next_allowed_send(quiet, now, tz)  # SMS only by day in the buyer's timezone (rule 11)
            if allowed > now:
                raise RunAt(allowed, "quiet hours in the buyer's timezone")
        assert buyer is not None
        outbound = _outbound(channels, policy, step, message, case, reach, shop, now)
        adapter = channels.get("sms" if step == "webchat_link" else step)
        try:
            ids = await adapter.send(outbound)
        except OptedOut as exc:
            await _provider_opt_out(ctx, buyer.id, step, exc, case.shop_id)
            return await _finish(ctx, message, "failed", step, [], error=f"{exc.code}: {exc.reason}")
        except (Unreachable, Rejected) as exc:
            log.info("message %s: %s failed for good (%s); trying the next channel", message.id, step, exc.reason)
            if isinstance(exc, Unreachable):
                await _mark_unreachable(ctx, buyer.id, "sms" if step == "webchat_link" else step, exc)
            continue
        except TemporaryFailure as exc:
            if job.attempts < DELIVER_ATTEMPTS:
                raise RetryLater(f"{step}: {exc.reason}") from None
            # Out of retries: this channel failed for good, so the next in the shop's order gets a go, and a
            # message nothing carried ends "undeliverable", never "pending" forever (staff and reports see it).
            log.warning("message %s: %s still failing after %s tries (%s)", message.id, step, job.attempts, exc.reason)
            continue
        channel = "sms" if step == "webchat_link" else step
        address = str(reach.address(channel))
        return await _record_sent(ctx, message, step, ids, (channel, address, adapter.identity))
    await _finish(ctx, message, "undeliverable", None, [], error="every channel in the shop's order failed")


async def _contact_opted_out(session: AsyncSession, channels: ChannelSet, reach: Contacts) -> bool:
    """Did the buyer's number or chat say STOP to our sender there, whichever shop or buyer record it was?"""
    points = [
        (channel, address, adapter.identity)
        for channel, address in reach.addressed()
        if (adapter := channels.get(channel)) is not None
    ]
    return await contacts.any_opted_out(session, points)


def _allowed_after_opt_out(message: Message, reach: Contacts) -> bool:
    """After an opt-out only the one confirmation goes out, and a HELP answer the buyer asked for."""
    if message.action == "opt_out_confirm" and reach.opted_out_at is not None:
        return message.created_at >= reach.opted_out_at - timedelta(seconds=1)
    return message.meta.get("notice") == "help"


def _outbound(
    channels: ChannelSet,
    policy: ChannelsPolicy,
    step: str,
    message: Message,
    case: Case,
    reach: Contacts,
    shop: str,
    now: datetime,
) -> Outbound:
    language = message.language or case.language
    if step == "telegram":
        buttons: tuple[Button, ...] = ()
        if message.action in policy.telegram.yes_no_actions:
            buttons = (Button(policy.text("yes", language), "yes"), Button(policy.text("no", language), "no"))
        return Outbound(
            str(reach.address(step)),
            message.text,
            buttons,
            str(message.id),
            max_chars=policy.telegram.max_message_chars,
        )
    text = message.text
    if step == "webchat_link":
        text = policy.text("webchat_link", language, shop=shop, url=channels.get("webchat").link(case, now))
    sms = Channel.SMS.value
    return Outbound(str(reach.address(sms)), text, (), str(message.id), max_segments=policy.sms.max_segments)


async def _finish(
    ctx: JobContext,
    message: Message,
    status: str,
    via: str | None,
    ids: list[str],
    *,
    error: str | None = None,
    wrote_to: tuple[str, str, str] | None = None,
) -> None:
    """Record how the message ended; `wrote_to` (channel, address, our identity) is the contact point the
    send reached, whose replies now belong to this message's conversation."""
    now = ctx.clock.now()
    async with ctx.sessions() as session, session.begin():
        if wrote_to is not None and message.case_id is not None:
            await contacts.wrote(session, *wrote_to, message.shop_id, message.case_id, now)
        meta = {**message.meta, "sent_via": via} if via else dict(message.meta)
        if error:
            meta["error"] = error[:300]
        await session.execute(update(Message).where(Message.id == message.id).values(status=status, meta=meta))
        if ids and via not in (None, "webchat"):
            channel = "sms" if via == "webchat_link" else via
            await session.execute(
                insert_ignoring_conflicts(session, Delivery.__table__, ["channel", "provider_id"]),
                [
                    {
                        "shop_id": message.shop_id,
                        "message_id": message.id,
                        "channel": channel,
                        "provider_id": pid,
                        "status": status,
                        "error": None,
                        "at": now,
                        "updated_at": now,
                    }
                    for pid in ids
                ],
            )


# Pauses before asking a busy database again to record a send that went out (SQLite under overload: the write gate
# timed out). Seen on the scale bench: a job that failed here was retried, and the buyer got the SMS twice.
RECORD_SENT_PAUSES = (0.5, 2.0, 8.0)


async def _record_sent(
    ctx: JobContext, message: Message, via: str, ids: list[str], wrote_to: tuple[str, str, str]
) -> None:
    """Record a send the provider accepted. Failing now would fail the job, whose retry sends again, so a busy or
    briefly unreachable database is asked again after a pause; only when it stays away does the job fail (and
    the one send may then repeat: at-least-once, as for a kill at this instant)."""
    for pause in (*RECORD_SENT_PAUSES, None):
        try:
            return await _finish(ctx, message, "sent", via, ids, wrote_to=wrote_to)
        except OperationalError as exc:
            if pause is None:
                log.error("message %s went out via %s but could not be recorded: %s", message.id, via, exc)
                raise
            log.warning("message %s sent via %s; recording failed (%s), again in %ss", message.id, via, exc, pause)
            await asyncio.sleep(pause)


async def _mark_unreachable(ctx: JobContext, buyer_id: int, channel: str, exc: SendError) -> None:
    async with ctx.sessions() as session, session.begin():
        buyer = await session.get(Buyer, buyer_id)
        if buyer is not None:
            await record(session, buyer, channel, "unreachable", f"{channel}_send", ctx.clock.now(), {"code": exc.code})


async def _provider_opt_out(ctx: JobContext, buyer_id: int, channel: str, exc: SendError, shop_id: str) -> None:
    async with ctx.sessions() as session, session.begin():
        buyer = await session.get(Buyer, buyer_id)
        adapter = ctx.channels.get(channel) if ctx.channels else None
        reach = await buyer_contacts.of(session, buyer.id if buyer else None)
        address = reach.address(Channel.SMS.value) if channel != "telegram" else None
        if address and adapter is not None:  # the carrier's STOP is the number's, for every shop using it
            await contacts.opt_out(session, "sms", address, adapter.identity, ctx.clock.now(), f"{channel}_provider")
        if buyer is not None and reach.opted_out_at is None:
            await opted_out_at_provider(session, buyer, ctx.clock.now(), f"{channel}_provider", {"code": exc.code})


async def opted_out_at_provider(
    session: AsyncSession, buyer: Buyer, now: datetime, source: str, detail: dict[str, object] | None = None
) -> None:
    """The provider says the buyer opted out (Twilio 21610). The ledger row is written at once, so the opt-out
    check above suppresses every later send; closing the buyer's open cases is the conversation's business
    (a stage change), so it runs as an `opted_out` job in the same transaction's wake."""
    await record(session, buyer, "all", "opted_out", source, now, detail)
    await schedule(
        session,
        shop_id=buyer.shop_id,
        kind=OPTED_OUT_JOB,
        run_at=now,
        now=now,
        payload={"buyer_id": buyer.id, "source": source, "at": now.isoformat()},
        dedupe_key=f"{OPTED_OUT_JOB}:{buyer.id}:{now.isoformat()}",
    )


__all__ = ["deliver", "enqueue", "message_row"]
