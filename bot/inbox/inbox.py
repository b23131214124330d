"""The inbox: every buyer message, from every channel, comes in the same way.

    webhook ─verify, normalise─▶ `inbound` job (dedupe key = provider id) ─commit─▶ 2xx to the provider
    worker ─▶ keywords (STOP/START/HELP), deep-link binding, consent, or Engine.buyer_message (dedupes again)

Why a job for inbound too: a worker killed after acknowledging a webhook and before replying loses
nothing, because the acknowledgement comes only after the job is committed, and the job is retried when
its lease runs out. The engine's dedupe by provider id makes that retry harmless.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, String, bindparam, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from bot.conversation.engine import Reply, TurnResult
from bot.conversation.lifecycle import opt_out_everywhere
from bot.inbox import photos as inbox_photos
from bot.outbox import contacts
from bot.outbox.consent import record
from bot.outbox.outbox import (
    channels_file,
    enqueue,
    message_row,
    schedule_deliveries,
    shop_channels_policy,
    shop_name,
)
from bot.platform.config import Settings
from bot.platform.vocab import ADDRESSED_CHANNELS, Channel, Stage
from bot.policy.bundle import active_bundle
from bot.policy.channels import ChannelsPolicy
from bot.policy.messages import OPTIONAL_SUBS
from bot.store import buyer_contacts
from bot.store.db import DURABLE
from bot.store.models import Buyer, Case, Delivery, Event, Job, LinkTokenUse, Message
from bot.store.queue import JobContext, finish_in, job_handler, lease_in, wake, wake_on_commit
from bot.store.sql import insert_ignoring_conflicts
from channels.base import Inbound, Outbound, SendError

log = logging.getLogger("mediator.inbox")
INBOUND = "inbound"


async def enqueue_inbound(session: AsyncSession, shop_id: str, inbound: Inbound, now: datetime) -> bool:
    """The inbox: persist a verified inbound message as a job. False if the provider id was seen before."""
    result = await session.execute(
        insert_ignoring_conflicts(session, Job.__table__, ["dedupe_key"], returning=[Job.__table__.c.id]),
        [_inbound_job(shop_id, inbound, now)],
    )
    new = result.first() is not None
    if new:
        wake_on_commit(session)
    return new


def _inbound_job(shop_id: str, inbound: Inbound, now: datetime) -> dict[str, Any]:
    return {
        "shop_id": shop_id,
        "case_id": None,
        "kind": INBOUND,
        "run_at": now,
        "status": "pending",
        "attempts": 0,
        "payload": inbound_payload(inbound),
        "dedupe_key": f"in:{shop_id}:{inbound.channel}:{inbound.provider_id}"[:200],
        "created_at": now,
    }


def inbound_payload(inbound: Inbound) -> dict[str, Any]:
    """The job's payload: the message, and its lane, so one sender's messages have their turns in order."""
    return {**inbound.as_payload(), "lane": f"{inbound.channel}:{inbound.sender}"}


class Inbox:
    """The webhooks' side of the inbox, built once per app: one statement per message.

    `INSERT INTO jobs … SELECT … FROM contact_points … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`
    finds the shop whose conversation last wrote to the sender from our identity `via` (never a shop that
    has not written to them: bot/outbox/contacts.py) and persists the job in one round trip. A provider's
    retry of the same message id inserts nothing. The provider is answered only after the statement returns,
    so an acknowledged message is durable.

    On PostgreSQL the inbox has its own few connections, in autocommit (no BEGIN and COMMIT round trips)
    and without the shared pool's pre-ping, which costs asyncpg three round trips per checkout (BEGIN, a
    ping, ROLLBACK). A statement that finds its connection dropped is retried once on a new one: it is
    idempotent. On SQLite it goes through the app's engine, whose write gate keeps one writer.
    """

    def __init__(self, engine: AsyncEngine, via: str, connections: int = 4):
        self._via = via
        self._own = engine.dialect.name == "postgresql"
        if self._own:
            engine = create_async_engine(
                engine.url, pool_size=connections, max_overflow=0, isolation_level="AUTOCOMMIT"
            )
        else:  # the provider hears 200 after this commit: it must survive a power cut (bot/store/db.py)
            engine = engine.execution_options(**{DURABLE: True})
        self._engine = engine
        self._insert = {channel: _inbox_statement(channel, self._own) for channel in ADDRESSED_CHANNELS}
        self._known = {channel: contacts.route_statement(channel) for channel in ADDRESSED_CHANNELS}

    async def accept(self, inbound: Inbound, now: datetime) -> str:
        """Returns "accepted", "duplicate" (the provider retried) or "unknown" (no buyer with a case)."""
        params = {
            "sender": inbound.sender,
            "via": self._via,
            "payload": inbound_payload(inbound),
            "key_tail": f":{inbound.channel}:{inbound.provider_id}",
            "now": now,
        }
        try:
            new, known = await self._store(inbound.channel, params)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            new, known = await self._store(inbound.channel, params)
        if new:
            wake()  # a worker in this process (the embedded deployment) takes it at once
            return "accepted"
        return "duplicate" if known else "unknown"

    async def _store(self, channel: str, params: dict[str, Any]) -> tuple[bool, bool]:
        connect = self._engine.connect if self._own else self._engine.begin
        async with connect() as conn:
            if (await conn.execute(self._insert[channel], params)).first() is not None:
                return True, True
            return False, (await conn.execute(self._known[channel], params)).first() is not None

    async def close(self) -> None:
        if self._own:
            await self._engine.dispose()


def _inbox_statement(channel: str, postgres: bool) -> Any:
    jobs = Job.__table__
    newest = contacts.route_statement(channel).subquery()
    now = bindparam("now", type_=jobs.c.run_at.type)
    row = select(
        newest.c.shop_id,
        literal(INBOUND, String),
        now,
        literal("pending", String),
        literal(0, Integer),
        bindparam("payload", type_=jobs.c.payload.type),  # not CAST: "AS JSON" means NUMERIC to SQLite
        func.substr(literal("in:", String) + newest.c.shop_id + bindparam("key_tail", type_=String), 1, 200),
        now,
    ).where(newest.c.shop_id.is_not(None))  # SQLite's INSERT … SELECT … ON CONFLICT needs a WHERE
    columns = ["shop_id", "kind", "run_at", "status", "attempts", "payload", "dedupe_key", "created_at"]
    insert_ = (pg_insert if postgres else sqlite_insert)(jobs).from_select(columns, row)
    return insert_.on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(jobs.c.id)


def _via(ctx: JobContext, channel: str) -> str | None:
    """Our identity on a channel (the sender half of a contact point); None for the web chat."""
    adapter = ctx.channels.get(channel) if ctx.channels and channel in contacts.CHANNELS else None
    return adapter.identity if adapter is not None else None


# ── inbound ──────────────────────────────────────────────────────────────────────────────────────


async def buyer_for(session: AsyncSession, channel: str, sender: str, shop_id: str | None = None) -> Buyer | None:
    """The buyer a chat or number belongs to; with several (one per shop), the one with the newest case."""
    query = (
        select(Buyer)
        .join(Case, Case.buyer_id == Buyer.id)
        .where(Buyer.id.in_(buyer_contacts.buyers_at_statement(channel, sender)))
        .order_by(Case.opened_at.desc(), Case.id.desc())
        .limit(1)
    )
    if shop_id is not None:
        query = query.where(Buyer.shop_id == shop_id)
    return (await session.execute(query)).scalars().first()


async def buyers_at(session: AsyncSession, channel: str, sender: str, *, opted_out: bool = False) -> list[Buyer]:
    """Every buyer record behind one number or chat, in every shop (a buyer may have reviewed twice, and
    in two shops that write from the same sender)."""
    query = select(Buyer).where(Buyer.id.in_(buyer_contacts.buyers_at_statement(channel, sender)))
    stopped = Buyer.id.in_(buyer_contacts.opted_out_buyers())
    query = query.where(stopped if opted_out else ~stopped)
    return list((await session.execute(query)).scalars())


async def case_for(session: AsyncSession, buyer: Buyer) -> Case | None:
    """The case a buyer's message belongs to: the newest open one, else the newest."""
    cases = (
        (await session.execute(select(Case).where(Case.buyer_id == buyer.id).order_by(Case.id.desc()))).scalars().all()
    )
    open_cases = [c for c in cases if c.stage != Stage.CLOSED]
    return (open_cases or list(cases) or [None])[0]


async def _record_inbound(
    session: AsyncSession, case: Case, msg: Inbound, text: str, now: datetime, meta: dict[str, Any] | None = None
) -> bool:
    """Store a message the engine does not see (a keyword, /start, a photo refused). False if it was stored
    before."""
    row = {
        "shop_id": case.shop_id,
        "case_id": case.id,
        "direction": "in",
        "role": "buyer",
        "channel": msg.channel,
        "text": text,
        "action": None,
        "language": None,
        "provider_id": msg.provider_id,
        "status": "received",
        "stage": case.stage,
        "meta": meta if meta is not None else ({"photo": msg.photo} if msg.photo else {}),
        "created_at": now,
    }
    stmt = insert_ignoring_conflicts(
        session, Message.__table__, ["shop_id", "channel", "provider_id"], returning=[Message.__table__.c.id]
    )
    return (await session.execute(stmt, [row])).first() is not None


# in_order: a sender's messages take their turns in the order they came; one whose photo fetch is being retried
# holds back the next ones (bot/store/queue.py) rather than letting them be answered first.
@job_handler(INBOUND, external=True, max_attempts=20, in_order=True)
async def handle_inbound(ctx: JobContext, job: Job) -> None:
    """One buyer message from its job: a deep-link start, or whatever `take` makes of it."""
    msg = Inbound.from_payload(job.payload)
    adapter = ctx.channels.get(msg.channel) if ctx.channels else None
    if msg.callback_id and adapter is not None and hasattr(adapter, "answer_button"):
        await adapter.answer_button(msg.callback_id)
    if msg.start_token:
        await _bind_telegram(ctx, job.shop_id, msg)
        return
    refused = inbox_photos.NOT_READABLE if msg.attachment else None
    if msg.media and msg.photo is None:  # a Telegram photo or an MMS: fetched here, never in the webhook
        async with ctx.sessions() as session:
            buyer, case = await _sender(session, job.shop_id, msg)
            # A buyer who said stop has their words kept for the record (`take`), but we take no more of their
            # data than that: the photo is not fetched (data minimisation, issue 20).
            opted_out = buyer is not None and (await buyer_contacts.of(session, buyer.id)).opted_out_at is not None
        if case is not None and not opted_out:
            msg, refused = await inbox_photos.fetch(ctx, job, case, msg)
    await take(ctx, job.shop_id, msg, refused=refused)


async def take_inline(ctx: JobContext, shop_id: str, msg: Inbound) -> TurnResult | None:
    """The web chat's way in: the same job as every channel's, leased to this request, so the page gets its
    replies in the same HTTP answer. The job is committed with `take`'s checks, before the turn, and marked
    done in the turn's own transaction: two commits a message, not four (bench/turn.py's HTTP figures; each
    commit waits its turn for SQLite's one writer). If the process dies mid-turn, the lease runs out and a
    worker runs the job; its replies then wait in the case's history, where the page finds them."""
    now = ctx.clock.now()
    lease = timedelta(seconds=ctx.settings.scheduler.lease_seconds)  # as long as a worker's
    return await take(ctx, shop_id, msg, inline=(_inbound_job(shop_id, msg, now), lease))


async def take(
    ctx: JobContext,
    shop_id: str,
    msg: Inbound,
    inline: tuple[dict[str, Any], timedelta] | None = None,
    refused: str | None = None,
) -> TurnResult | None:
    """One buyer message, on any channel, the same way: a keyword (STOP, START, HELP and their equivalents
    in policies/channels.yml), the opt-out and consent ledger, then a turn of the conversation. Returns the
    replies (None when the message belongs to no open conversation or must not be answered).

    `inline` is the job row and lease of a message run in its own request (`take_inline`): the job is
    committed with this transaction and finished with whatever answers the message. `refused` says why the
    photo sent with the message was not taken (bot/inbox/photos.py): the buyer is told, and the words go on."""
    now = ctx.clock.now()
    async with ctx.sessions() as session, session.begin():
        if inline:  # the web chat's inbox commit: the page's message must survive a power cut (bot/store/db.py)
            await session.connection(execution_options={DURABLE: True})
        # A resent message id has its job already (None): the engine answers it from the history.
        job_id = await lease_in(session, inline[0], now, inline[1]) if inline else None

        async def answered(result: TurnResult | None) -> TurnResult | None:
            if job_id is not None:
                await finish_in(session, job_id, now)
            return result

        buyer, case = await _sender(session, shop_id, msg)
        if case is None:
            log.info("inbound %s %s: no buyer or case for this sender any more; ignored", msg.channel, msg.provider_id)
            return await answered(None)
        policy = await shop_channels_policy(session, case.shop_id, channels_file(ctx.settings))
        language = case.details.get("language") or case.language
        text = msg.text
        if msg.button in ("yes", "no"):
            text = policy.text(msg.button, language)
        keyword = policy.keyword(text) if buyer is not None else None
        if keyword is not None and buyer is not None:
            if not await _record_inbound(session, case, msg, text, now):
                return await answered(None)  # a retried delivery of a keyword we already acted on
            row = await _keyword(ctx, session, policy, keyword, buyer, case, msg, text, language, now)
            if row is None:
                return await answered(TurnResult(case.id, case.stage, outcome=case.outcome))
            await enqueue(session, [row], now)
            reply = Reply(row["text"], row["action"] or "", language or "")
            return await answered(TurnResult(case.id, case.stage, [reply], outcome=case.outcome))
        reach = await buyer_contacts.of(session, buyer.id if buyer else None)
        if buyer is not None and reach.opted_out_at is not None:
            # Stop means stop: the message is kept for the record, and nothing answers it.
            await _record_inbound(session, case, msg, text, now)
            log.info(
                "inbound %s %s: buyer %s opted out; recorded, not answered", msg.channel, msg.provider_id, buyer.id
            )
            return await answered(TurnResult(case.id, case.stage, outcome=case.outcome))
        if buyer is not None and not reach.consented(msg.channel):
            # Writing to us on a channel is consent to be answered there; the ledger says where it came from.
            await record(session, buyer, msg.channel, "granted", "buyer_wrote", now)
        if refused is not None:
            notice = await _photo_refused(ctx, session, case, msg, refused, language, now)
            if not text:  # the photo was the whole message: it is on record, and the notice answers it
                return await answered(TurnResult(case.id, case.stage, notice, outcome=case.outcome))
        case_id = case.id
    return await ctx.engine.buyer_message(
        case_id,
        text,
        channel=msg.channel,
        provider_id=msg.provider_id,
        shop_id=shop_id,
        finish_job=job_id,
        photo=msg.photo,
    )


async def _photo_refused(
    ctx: JobContext, session: AsyncSession, case: Case, msg: Inbound, reason: str, language: str | None, now: datetime
) -> list[Reply]:
    """A photo that was not taken: an event for the record (staff and reports see it), the message itself when
    it had no words (the engine records those that do), and a notice to the buyer in their language."""
    meta = {"photo_error": reason, **({"attachment": msg.attachment} if msg.attachment else {})}
    if not msg.text and not await _record_inbound(session, case, msg, "", now, meta):
        return []  # a retried job whose notice went out already
    told = await session.execute(select(Event.data).where(Event.case_id == case.id, Event.type == "photo_refused"))
    if any(d.get("provider_id") == msg.provider_id and d.get("channel") == msg.channel for d in told.scalars()):
        return []  # the job ran this far before and died before its turn: the buyer was told once already
    event = {
        "shop_id": case.shop_id,
        "case_id": case.id,
        "type": "photo_refused",
        "from_stage": case.stage,
        "to_stage": case.stage,
        "data": {"reason": reason, "channel": msg.channel, "provider_id": msg.provider_id, **meta},
        "policy_version": case.policy_version,
        "at": now,
    }
    await session.execute(Event.__table__.insert(), [event])
    catalog = (await active_bundle(session, case.shop_id)).catalog
    if not catalog.has("photo", reason):  # a version published before the notice: its stand-in, if it has one
        reason = OPTIONAL_SUBS.get(("photo", reason), reason)
    if not catalog.has("photo", reason):  # a version published before photos came by Telegram and SMS
        return []
    language = language or case.language or "en"
    limit = inbox_photos.limit_words(ctx.settings.webchat.max_photo_bytes)
    text = catalog.render("photo", language, {"limit": limit}, sub=reason)
    row = message_row(case, msg.channel, text, now, language=language, meta={"notice": "photo"})
    await enqueue(session, [row], now)
    return [Reply(text, "", language)]


async def _sender(session: AsyncSession, shop_id: str, msg: Inbound) -> tuple[Buyer | None, Case | None]:
    """Whose message this is. A web-chat link names its case; a phone number or a Telegram chat is looked
    up among the shop's buyers."""
    if msg.channel == "webchat":
        case = await session.get(Case, int(msg.sender))
        if case is None or case.shop_id != shop_id:
            return None, None
        return (await session.get(Buyer, case.buyer_id) if case.buyer_id else None), case
    buyer = await buyer_for(session, msg.channel, msg.sender, shop_id)
    return buyer, (await case_for(session, buyer) if buyer else None)


async def _keyword(
    ctx: JobContext,
    session: AsyncSession,
    policy: ChannelsPolicy,
    keyword: str,
    buyer: Buyer,
    case: Case,
    msg: Inbound,
    text: str,
    language: str | None,
    now: datetime,
) -> dict[str, Any] | None:
    """Act on STOP, START or HELP; the notice to send, or None when nothing is said (a second STOP)."""
    shop = await shop_name(session, case.shop_id)
    # The number (or chat) and our sender there are the contact point: the keyword acts on it, and on every
    # buyer record behind that number in every shop that writes from this sender (carriers require it).
    via = _via(ctx, msg.channel)
    same = [buyer] if via is None else None
    reach = await buyer_contacts.of(session, buyer.id)
    if keyword == "opt_out":
        if reach.opted_out_at is not None:
            return None  # one confirmation, ever: the buyer already has it
        if via is not None:
            await contacts.opt_out(session, msg.channel, msg.sender, via, now, f"{msg.channel}_keyword")
        for each in same or await buyers_at(session, msg.channel, msg.sender):
            await opt_out_everywhere(
                session,
                each,
                now,
                f"{msg.channel}_keyword",
                ctx.settings.callback_url(each.shop_id),
                {"keyword": text[:40]},
            )
        confirm = policy.text("opt_out_confirm", language, shop=shop)
        return message_row(case, msg.channel, confirm, now, action="opt_out_confirm")
    if keyword == "resubscribe":
        if reach.opted_out_at is None and reach.consented(msg.channel):
            return None
        if via is not None:
            await contacts.resubscribe(session, msg.channel, msg.sender, via, now)
        for each in same or await buyers_at(session, msg.channel, msg.sender, opted_out=True):
            await record(session, each, "all", "resubscribed", f"{msg.channel}_keyword", now)
            await record(session, each, msg.channel, "granted", f"{msg.channel}_keyword", now)
        notice = policy.text("resubscribed", language, shop=shop)
        return message_row(case, msg.channel, notice, now, meta={"notice": "resubscribed"})
    notice = policy.text("help", language, shop=shop)
    return message_row(case, msg.channel, notice, now, meta={"notice": "help"})


async def _bind_telegram(ctx: JobContext, shop_id: str, msg: Inbound) -> None:
    """/start <token>: bind the chat to the case's buyer. The token is single-use: spending it is a row."""
    now = ctx.clock.now()
    adapter = ctx.channels.get("telegram") if ctx.channels else None
    # The adapter knows its own link format; a deployment without Telegram has no valid link to bind.
    claims = adapter.verify_start(msg.start_token or "", now) if adapter is not None else None
    refusal = await _bind(ctx, shop_id, msg, claims, now)
    if refusal:  # said outside the transaction: a send must never hold the database
        await _say_directly(ctx, msg, refusal)


async def _bind(ctx: JobContext, shop_id: str, msg: Inbound, claims: Any, now: datetime) -> str | None:
    async with ctx.sessions() as session, session.begin():
        # The texts the shop published (the inbox job knows the shop: the link named its case).
        policy = await shop_channels_policy(session, shop_id, channels_file(ctx.settings))
        case = await session.get(Case, claims.case_id) if claims else None
        buyer = await session.get(Buyer, case.buyer_id) if case and case.buyer_id else None
        if claims is None or case is None or buyer is None or case.shop_id != shop_id:
            log.info("telegram start %s: invalid or expired link", msg.provider_id)
            return policy.text("link_invalid", None)
        spent = await session.execute(
            insert_ignoring_conflicts(
                session, LinkTokenUse.__table__, ["token_id"], returning=[LinkTokenUse.__table__.c.id]
            ),
            [
                {
                    "shop_id": case.shop_id,
                    "token_id": claims.token_id,
                    "case_id": case.id,
                    "chat_id": msg.sender,
                    "used_at": now,
                }
            ],
        )
        if spent.first() is None:
            used_by = (
                await session.execute(select(LinkTokenUse.chat_id).where(LinkTokenUse.token_id == claims.token_id))
            ).scalar_one()
            if used_by != msg.sender:
                log.info("telegram start %s: link already used by another chat", msg.provider_id)
                return policy.text("link_invalid", case.language)
            return None
        await _record_inbound(session, case, msg, "/start", now)
        await buyer_contacts.set_address(session, buyer, Channel.TELEGRAM.value, msg.sender, now)
        via = _via(ctx, "telegram")
        if via is not None:  # the buyer reached this shop's conversation: their chat's replies belong here
            await contacts.wrote(session, "telegram", msg.sender, via, case.shop_id, case.id, now)
        await record(session, buyer, "telegram", "granted", "telegram_start", now, {"case_id": case.id})
        await record(session, buyer, "telegram", "reachable", "telegram_start", now)
        if (await buyer_contacts.of(session, buyer.id)).opted_out_at is not None:
            return None  # binding is kept, but an opted-out buyer hears nothing until they resubscribe
        shop = await shop_name(session, case.shop_id)
        language = case.details.get("language") or case.language
        notice = policy.text("bound", language, shop=shop)
        await enqueue(session, [message_row(case, "telegram", notice, now, meta={"notice": "bound"})], now)
        # What the bot already wrote while it had no way to reach the buyer now goes to the new chat.
        waiting = (
            (
                await session.execute(
                    select(Message.id).where(
                        Message.case_id == case.id, Message.direction == "out", Message.status == "recorded"
                    )
                )
            )
            .scalars()
            .all()
        )
        if waiting:
            await session.execute(
                update(Message).where(Message.id.in_(waiting)).values(status="pending", channel="telegram")
            )
            await schedule_deliveries(
                session, case.shop_id, [(message_id, case.id) for message_id in waiting], now, attempt="bound"
            )
    return None


async def _say_directly(ctx: JobContext, msg: Inbound, text: str) -> None:
    """A reply to someone who is not (yet) a buyer we know: best effort, nothing to record it against."""
    adapter = ctx.channels.get(msg.channel) if ctx.channels else None
    if adapter is None:
        return
    try:
        await adapter.send(Outbound(msg.sender, text))
    except SendError as exc:
        log.info("could not answer %s %s: %s", msg.channel, msg.sender, exc.reason)


async def delivery_status(
    ctx_sessions: Any,
    clock: Any,
    settings: Settings,
    channel: str,
    provider_id: str,
    status: str,
    code: str | None,
    via: str | None = None,
) -> bool:
    """A provider's status callback for one of our sends: traffic in, like a message, so it lives here.
    True if we knew the send. Error 21610 (Twilio: the number replied STOP to the carrier) is an opt-out
    everywhere."""
    now = clock.now()
    async with ctx_sessions() as session, session.begin():
        delivery = (
            await session.execute(
                select(Delivery).where(Delivery.channel == channel, Delivery.provider_id == provider_id)
            )
        ).scalar_one_or_none()
        if delivery is None:
            return False
        delivery.status, delivery.updated_at = status[:16], now
        delivery.error = code
        message = await session.get(Message, delivery.message_id)
        if message is not None and message.status in ("sent", "delivered", "queued"):
            message.status = status[:16]
        if code in ("21610", "30004", "30003", "30005", "30006") and message is not None:
            case = await session.get(Case, message.case_id)
            buyer = await session.get(Buyer, case.buyer_id) if case and case.buyer_id else None
            reach = await buyer_contacts.of(session, buyer.id if buyer else None)
            phone = reach.address(Channel.SMS.value)
            if buyer is not None and code == "21610" and phone and via:
                await contacts.opt_out(session, "sms", phone, via, now, "sms_provider")
            if buyer is not None and code == "21610" and reach.opted_out_at is None:
                await opt_out_everywhere(session, buyer, now, "sms_provider", settings.callback_url(buyer.shop_id))
            elif buyer is not None and code != "21610":
                await record(session, buyer, channel, "unreachable", "sms_status", now, {"code": code})
    return True
