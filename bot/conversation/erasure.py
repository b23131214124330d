"""Erasing a buyer (GDPR art. 17): `DELETE /api/buyers/{id}` and `mediator buyer erase` both end here.

What goes: the buyer's name, e-mail, phone, Telegram chat and timezone; every photo the buyer sent (the rows
themselves: a photo is nothing but personal data); the text of every message of the
buyer's cases (theirs, the bot's and staff's: a reply quotes what it answers); the review's text and edit
link; the order's number; the slots of free text the conversation gathered (what happened, the words the
buyer used for the item, staff notes); job payloads and consent details that carry any of it; Slack relay
rows; Telegram link-token chat ids; and contact points (numbers, chats) no other buyer uses. Slack holds
copies too: once this transaction commits, a `slack_erase` job deletes the buyer messages relayed into the
case threads (chat.delete) and the photos uploaded there (files.delete), replaces each case card with a note
that the data was erased (chat.update), and audits what it did (`slack_erased`). Messages staff typed in
Slack are theirs and stay (a bot token cannot delete them).

What stays, with nothing in it that names the buyer: the rows themselves, so reports count the case, its
stages, outcome, channel, timings and the remedy accepted (type and amount) exactly as before; the review's
platform id (so a re-import of the same review is still a duplicate and never contacts the buyer again); and
the opt-out ledger. A number or chat that said STOP keeps its contact-point row with the address: that row
is the legal record of the objection (TCPA, and GDPR art. 17(3)(b) and 21: we must be able to keep honouring
it), and without the address the next review carrying the same number would text it again. Its link to the
erased case is cut.

Open cases are closed first (outcome `opted_out`: the buyer withdrew), which also cancels their timers.
Erasing twice changes nothing the second time.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, and_, cast, delete, false, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation import flow
from bot.conversation.lifecycle import CALLBACK, apply_stage
from bot.platform.vocab import EMAIL, Channel, Stage
from bot.store import buyer_contacts, photos
from bot.store.audit import record
from bot.store.models import (
    Buyer,
    Case,
    ConsentEvent,
    ContactPoint,
    Delivery,
    Event,
    Job,
    LinkTokenUse,
    Message,
    Order,
    Review,
    SlackRelay,
    SlackThread,
)
from bot.store.queue import schedule

ERASED = "[erased]"
# The Slack copies: each relayed buyer message is a slack_relays row of this kind (its channel and ts), and
# a `slack_erase` job deletes them in Slack and blanks the case card once the erasure has committed.
RELAYED_BUYER = "buyer"
SLACK_ERASE = photos.SLACK_ERASE
ERASED_KEY = "erased:"  # buyers.buyer_key of an erased buyer: unique per shop, and how a repeat is recognised
# Slots of a case that reports read or the flow's state needs, none of them the buyer's words: problems and
# item are values of the shop's own vocabulary (the NLU's lookups), the remedy is the shop's offer.
KEPT_SLOTS = {"problems", "item", "language", "wants", "turn", "handoff_reason", "within_warranty", "late_days"}
REMEDY_SLOTS = {"accepted_remedy", "pending_remedy"}
REMEDY_FIELDS = {"type", "amount", "currency", "percent"}
# The shortest value worth searching other rows for: a one-letter name would match everything.
MIN_NEEDLE = 4
MIN_TEXT = 12


@dataclass(frozen=True)
class Erasure:
    buyer_id: int
    already_erased: bool
    cases: int = 0
    cases_closed: int = 0
    messages: int = 0
    jobs: int = 0
    contact_points_deleted: int = 0
    contact_points_kept_as_opt_out: int = 0
    slack_messages: int = 0
    photos: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _contains(value: Any, needles: list[str]) -> bool:
    text = json.dumps(value, ensure_ascii=False).casefold() if not isinstance(value, str) else value.casefold()
    return any(n in text for n in needles)


def scrub(value: Any, needles: list[str]) -> Any:
    """A JSON value with every string that contains one of `needles` replaced by ERASED."""
    if isinstance(value, str):
        return ERASED if _contains(value, needles) else value
    if isinstance(value, list):
        return [scrub(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v, needles) for k, v in value.items()}
    return value


def kept_details(details: dict[str, Any]) -> dict[str, Any]:
    """The slots that stay: numbers, flags and the shop's own vocabulary; free text goes."""
    out: dict[str, Any] = {}
    for key, value in (details or {}).items():
        if key in REMEDY_SLOTS and isinstance(value, dict):
            out[key] = {k: v for k, v in value.items() if k in REMEDY_FIELDS}
        elif key in KEPT_SLOTS or value is None or isinstance(value, bool | int | float):
            out[key] = value
    return out


async def _needles(session: AsyncSession, buyer: Buyer, case_ids: list[int]) -> list[str]:
    """What identifies the buyer in the structured data of their own cases (event data, message meta, consent
    details, triage): their fields and name parts, and their cases' message and review texts. A short text
    ("Yes please") names nobody, and as a needle it would erase labels like an outcome's name, so texts
    count from MIN_TEXT characters on."""
    reach = await buyer_contacts.of(session, buyer.id)
    fields = [buyer.name, *reach.identifiers(), *(buyer.name or "").split()]
    texts: list[str | None] = []
    if case_ids:
        texts += (await session.execute(select(Message.text).where(Message.case_id.in_(case_ids)))).scalars()
        texts += (
            await session.execute(
                select(Review.text).join(Case, Case.review_id == Review.id).where(Case.id.in_(case_ids))
            )
        ).scalars()
    needles = {v.strip().casefold() for v in fields if v and len(v.strip()) >= MIN_NEEDLE}
    needles |= {v.strip().casefold() for v in texts if v and v != ERASED and len(v.strip()) >= MIN_TEXT}
    # A JSON dump escapes quotes and newlines: search for the escaped form too.
    needles |= {json.dumps(n, ensure_ascii=False)[1:-1] for n in needles}
    return sorted(needles, key=len, reverse=True)


async def erase_buyer(
    session: AsyncSession,
    shop_id: str,
    buyer_id: int,
    now: datetime,
    *,
    actor: str,
    role: str,
    callback_url: str | None = None,
) -> Erasure | None:
    """Erase one buyer of `shop_id` in the caller's transaction. None when the shop has no such buyer."""
    query = select(Buyer).where(Buyer.id == buyer_id, Buyer.shop_id == shop_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    buyer = (await session.execute(query)).scalar_one_or_none()
    if buyer is None:
        return None
    if buyer.buyer_key.startswith(ERASED_KEY):
        return Erasure(buyer_id, already_erased=True)

    case_query = select(Case).where(Case.buyer_id == buyer.id).order_by(Case.id)
    if session.get_bind().dialect.name == "postgresql":
        case_query = case_query.with_for_update()  # the per-case lock a turn takes: no turn writes meanwhile
    cases = list((await session.execute(case_query)).scalars())
    case_ids = [c.id for c in cases]
    needles = await _needles(session, buyer, case_ids)
    slack_copies: dict[str, Any] = {"cards": [], "messages": [], "files": []}
    reach = await buyer_contacts.of(session, buyer.id)
    addresses = reach.addressed()

    closed = 0
    for case in cases:
        if case.stage != Stage.CLOSED:
            await apply_stage(session, case, flow.on_erasure(), now, callback_url=callback_url)
            closed += 1
        case.details = kept_details(case.details)

    messages = photos_deleted = 0
    if case_ids:
        for message in (await session.execute(select(Message).where(Message.case_id.in_(case_ids)))).scalars():
            message.text = ""
            message.meta = scrub(message.meta or {}, needles)
            if message.provider_id and _contains(message.provider_id, needles):
                message.provider_id = None
            messages += 1
        message_ids = select(Message.id).where(Message.case_id.in_(case_ids))
        for delivery in (await session.execute(select(Delivery).where(Delivery.message_id.in_(message_ids)))).scalars():
            if delivery.provider_id and _contains(delivery.provider_id, needles + [a for _, a in addresses]):
                delivery.provider_id = None
            delivery.error = None
        for event in (await session.execute(select(Event).where(Event.case_id.in_(case_ids)))).scalars():
            event.data = scrub(event.data or {}, needles)
        photos_deleted = await photos.erase_cases(session, case_ids)
        slack_copies = await _slack_copies(session, case_ids)
        await session.execute(delete(SlackRelay).where(SlackRelay.case_id.in_(case_ids)))
        await session.execute(update(LinkTokenUse).where(LinkTokenUse.case_id.in_(case_ids)).values(chat_id=ERASED))
        review_ids = [c.review_id for c in cases]
        await session.execute(update(Review).where(Review.id.in_(review_ids)).values(text="", edit_url=None))
        for review in (await session.execute(select(Review).where(Review.id.in_(review_ids)))).scalars():
            review.triage = scrub(review.triage or {}, needles)
    orders = select(Order).where(Order.shop_id == shop_id, Order.buyer_id == buyer.id)
    for order in (await session.execute(orders)).scalars():
        order.external_id = f"{ERASED_KEY}{order.id}"

    threads = (
        (await session.execute(select(SlackThread.thread_ts).where(SlackThread.case_id.in_(case_ids)))).scalars()
        if case_ids
        else []
    )
    # Jobs of other cases are matched only by what names this buyer alone (never by the words of their
    # messages: another buyer's "please don't stop" must not be wiped because this buyer wrote "STOP").
    identifiers = [v.casefold() for v in (reach.email, reach.address(Channel.SMS.value), *threads) if v]
    senders = {a for _, a in addresses}
    jobs = await _erase_jobs(session, shop_id, case_ids, identifiers, senders, now)
    if slack_copies["cards"] or slack_copies["messages"] or slack_copies["files"]:
        # After the job payloads above were emptied: this payload holds Slack ids only, nothing of the buyer.
        await schedule(
            session,
            shop_id=shop_id,
            kind=SLACK_ERASE,
            run_at=now,
            now=now,
            payload={"buyer_id": buyer.id, **slack_copies},
            dedupe_key=f"{SLACK_ERASE}:{buyer.id}",
        )
    for consent in (await session.execute(select(ConsentEvent).where(ConsentEvent.buyer_id == buyer.id))).scalars():
        consent.detail = scrub(consent.detail or {}, needles)
    deleted, kept = await _contact_points(session, buyer, addresses, case_ids)

    await buyer_contacts.erase_addresses(session, buyer.id, now)
    buyer.name = buyer.timezone = None
    buyer.buyer_key = f"{ERASED_KEY}{buyer.id}"
    copies = len(slack_copies["messages"])
    result = Erasure(buyer.id, False, len(cases), closed, messages, jobs, deleted, kept, copies, photos_deleted)
    # The audit entry names the buyer by id only, and counts what was erased.
    data = {k: v for k, v in result.as_dict().items() if k not in ("buyer_id", "already_erased")}
    record(session, shop_id, actor, role, "buyer_erased", now, target=f"buyer:{buyer.id}", data=data)
    await session.flush()
    return result


async def _slack_copies(session: AsyncSession, case_ids: list[int]) -> dict[str, Any]:
    """Where the buyer's data sits in Slack: each case's card (the thread's first message: first name, review,
    order), every buyer message relayed into its thread, and every photo uploaded there (its file id)."""
    cards = await session.execute(
        select(SlackThread.case_id, SlackThread.channel_id, SlackThread.thread_ts).where(
            SlackThread.case_id.in_(case_ids), SlackThread.thread_ts.is_not(None)
        )
    )
    relayed = await session.execute(
        select(SlackRelay.channel_id, SlackRelay.slack_ts).where(
            SlackRelay.case_id.in_(case_ids), SlackRelay.kind == RELAYED_BUYER, SlackRelay.slack_ts.is_not(None)
        )
    )
    files = await session.execute(
        select(SlackRelay.slack_ts).where(
            SlackRelay.case_id.in_(case_ids), SlackRelay.kind == photos.SLACK_COPY, SlackRelay.slack_ts.is_not(None)
        )
    )
    return {
        "cards": [[case_id, channel, ts] for case_id, channel, ts in cards if channel],
        "messages": [[channel, ts] for channel, ts in relayed if channel],
        "files": [file_id for file_id in files.scalars() if file_id],
    }


async def _erase_jobs(
    session: AsyncSession,
    shop_id: str,
    case_ids: list[int],
    identifiers: list[str],
    senders: set[str],
    now: datetime,
) -> int:
    """Job payloads of the buyer's cases, or from their number or chat (an inbound job has no case until its
    turn ran), or naming their e-mail, phone or Slack thread: emptied; the pending ones (a timer, a message
    not yet taken) are cancelled."""
    # Narrowed in SQL (the shop may hold hundreds of thousands of finished jobs): the buyer's cases' jobs, and
    # caseless ones (inbound, Slack) whose payload text mentions an identifier; decided exactly below.
    # Identifiers are ASCII (e-mail, E.164 number, chat id, Slack ts), so the JSON text holds them verbatim.
    terms = [cast(Job.payload, Text).ilike(f"%{term}%") for term in [*identifiers, *senders]]
    # A web-chat message waits in the inbox under its lane, "webchat:<case id>", with the case id as its
    # sender: no number or chat id names it (the audit of issue 20 found such texts left after an erasure).
    lanes = {f"webchat:{case_id}" for case_id in case_ids}
    terms += [cast(Job.payload, Text).ilike(f'%"{lane}"%') for lane in lanes]
    mentioned = and_(Job.case_id.is_(None), or_(*terms)) if terms else false()
    query = select(Job).where(Job.shop_id == shop_id, or_(Job.case_id.in_(case_ids), mentioned))
    touched = 0
    for job in (await session.execute(query)).scalars():
        payload = job.payload or {}
        mine = (
            (job.case_id is not None and job.case_id in case_ids)
            or payload.get("sender") in senders
            or payload.get("lane") in lanes
            or _contains(payload, identifiers)
        )
        if not mine or job.kind == CALLBACK or payload == {"erased": True}:
            continue  # a callback holds ids and an outcome, nothing personal, and the platform must still get it
        job.payload = {"erased": True}
        job.last_error = None
        if job.dedupe_key and _contains(job.dedupe_key, identifiers + sorted(senders)):
            job.dedupe_key = f"{ERASED_KEY}{job.id}"  # a Telegram message id names the chat
        if job.status in ("pending", "running"):
            job.status, job.finished_at, job.locked_by = "cancelled", now, None
        touched += 1
    return touched


async def _contact_points(
    session: AsyncSession, buyer: Buyer, addresses: list[tuple[str, str]], case_ids: list[int]
) -> tuple[int, int]:
    """Delete the buyer's contact points no other buyer uses, unless they said STOP (the kept legal record)."""
    deleted = kept = 0
    for channel, address in addresses:
        shared = await buyer_contacts.buyers_sharing(session, channel, address, buyer.id)
        points = (
            await session.execute(
                select(ContactPoint).where(ContactPoint.channel == channel, ContactPoint.address == address)
            )
        ).scalars()
        for point in points:
            if point.opted_out_at is not None or shared:
                if point.case_id in case_ids:
                    point.case_id = None
                kept += point.opted_out_at is not None
            else:
                await session.delete(point)
                deleted += 1
    if case_ids:  # a point another buyer's number shares may still route to an erased case
        await session.execute(update(ContactPoint).where(ContactPoint.case_id.in_(case_ids)).values(case_id=None))
    return deleted, kept


async def find_buyer(session: AsyncSession, shop_id: str, who: str) -> int | None:
    """A buyer of the shop by id, e-mail or phone (as the CLI takes them)."""
    if who.isdigit():
        found = await session.execute(select(Buyer.id).where(Buyer.shop_id == shop_id, Buyer.id == int(who)))
    else:
        value = who.strip()
        found = await session.execute(
            select(Buyer.id).where(
                Buyer.shop_id == shop_id,
                Buyer.id.in_(buyer_contacts.buyers_with_any([(EMAIL, value.lower()), (Channel.SMS.value, value)])),
            )
        )
    return found.scalars().first()
