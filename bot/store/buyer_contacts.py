"""A buyer's contact points and consent, as rows of `buyer_contacts` (issue 17.4).

Every reader and writer of a buyer's addresses, consent, reachability and opt-out goes through here, so a new
channel is a new `channel` value in rows, never a new column. The rules it keeps:

- one row per buyer and channel (the unique key also names the address, so an erased row, address None,
  never collides with a later one); a channel's address may be None (the web chat, a Telegram chat not yet
  bound) while its consent is known;
- a buyer has opted out when any of their rows carries `opted_out_at` (STOP applies to every channel,
  PLAYBOOK rule 11); an opt-out stamps every row, START clears them all;
- the history of each change is `consent_events` (bot/outbox/consent.py appends it, then calls in here).

Per-sender carrier opt-outs are another thing: `contact_points` (bot/outbox/contacts.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.platform.vocab import ADDRESSED_CHANNELS, EMAIL, Channel
from bot.store.models import Buyer, BuyerContact

ROWS = BuyerContact.__table__


@dataclass(frozen=True)
class Point:
    channel: str
    address: str | None
    consent: bool
    reachable: bool
    opted_out_at: datetime | None


@dataclass(frozen=True)
class Contacts:
    """What the store knows of how to reach one buyer, read in one statement."""

    points: tuple[Point, ...] = ()

    def point(self, channel: str) -> Point | None:
        return next((p for p in self.points if p.channel == channel), None)

    def address(self, channel: str) -> str | None:
        found = self.point(channel)
        return found.address if found else None

    def consented(self, channel: str) -> bool:
        found = self.point(channel)
        return bool(found and found.consent)

    def reachable(self, channel: str) -> bool:
        found = self.point(channel)
        return found is None or found.reachable

    @property
    def opted_out_at(self) -> datetime | None:
        stamps = [p.opted_out_at for p in self.points if p.opted_out_at is not None]
        return min(stamps) if stamps else None

    @property
    def email(self) -> str | None:
        return self.address(EMAIL)

    def addressed(self) -> list[tuple[str, str]]:
        """The (channel, address) pairs a carrier reaches: the phone for SMS, the chat for Telegram."""
        return [(c, a) for c in ADDRESSED_CHANNELS if (a := self.address(c))]

    def identifiers(self) -> list[str]:
        """Every address, for finding the buyer's traces in free text (erasure)."""
        return [p.address for p in self.points if p.address]


_COLUMNS = (ROWS.c.channel, ROWS.c.address, ROWS.c.consent, ROWS.c.reachable, ROWS.c.opted_out_at)


async def of(session: AsyncSession, buyer_id: int | None) -> Contacts:
    if buyer_id is None:
        return Contacts()
    rows = await session.execute(select(*_COLUMNS).where(ROWS.c.buyer_id == buyer_id).order_by(ROWS.c.id))
    return Contacts(tuple(Point(*row) for row in rows))


async def of_many(session: AsyncSession, buyer_ids: Iterable[int]) -> dict[int, Contacts]:
    """Several buyers' contacts in one statement (the staff card's list, reports)."""
    ids = sorted(set(buyer_ids))
    if not ids:
        return {}
    rows = await session.execute(select(ROWS.c.buyer_id, *_COLUMNS).where(ROWS.c.buyer_id.in_(ids)).order_by(ROWS.c.id))
    found: dict[int, list[Point]] = {i: [] for i in ids}
    for buyer_id, *values in rows:
        found[buyer_id].append(Point(*values))
    return {i: Contacts(tuple(points)) for i, points in found.items()}


# ── intake: a new buyer's rows ────────────────────────────────────────────────────────────────────


def new_rows(
    shop_id: str, buyer_id: int, addresses: dict[str, str | None], consent: dict[str, bool], at: datetime
) -> list[dict[str, Any]]:
    """The rows a new buyer starts with: one per channel that has an address or consent."""
    channels = [c for c in (EMAIL, *(ch.value for ch in Channel)) if addresses.get(c) or consent.get(c)]
    channels += [c for c in {**addresses, **consent} if c not in channels and (addresses.get(c) or consent.get(c))]
    return [
        {
            "shop_id": shop_id,
            "buyer_id": buyer_id,
            "channel": c,
            "address": addresses.get(c),
            "consent": bool(consent.get(c)),
            "reachable": True,
            "opted_out_at": None,
            "created_at": at,
            "updated_at": at,
        }
        for c in channels
    ]


async def add_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(ROWS.insert(), rows)


# ── lookups by address ────────────────────────────────────────────────────────────────────────────


def buyers_at_statement(channel: str, address: str) -> Select[tuple[int]]:
    """The ids of the buyers (in every shop) whose `channel` contact point is `address`."""
    return select(ROWS.c.buyer_id).where(ROWS.c.channel == channel, ROWS.c.address == address)


def buyers_with_any(pairs: Iterable[tuple[str, str]]) -> Select[tuple[int]]:
    """The ids of the buyers holding any of these (channel, address) contact points."""
    return select(ROWS.c.buyer_id).where(or_(*(and_(ROWS.c.channel == c, ROWS.c.address == a) for c, a in pairs)))


def opted_out_buyers() -> Select[tuple[int]]:
    """The ids of the buyers with an opt-out on any of their rows."""
    return select(ROWS.c.buyer_id).where(ROWS.c.opted_out_at.is_not(None))


async def buyers_sharing(session: AsyncSession, channel: str, address: str, buyer_id: int) -> bool:
    """Does another buyer record (in any shop) hold this contact point too?"""
    found = await session.execute(buyers_at_statement(channel, address).where(ROWS.c.buyer_id != buyer_id).limit(1))
    return found.first() is not None


# ── changes (bot/outbox/consent.py records each in the ledger first) ─────────────────────────────


async def _set(session: AsyncSession, buyer: Buyer, channel: str, at: datetime, **values: Any) -> None:
    """Change the buyer's row for `channel`, or add it: a channel the buyer had no row for (a Telegram chat
    bound later, a channel added to the vocabulary since intake) starts with these values."""
    changed = await session.execute(
        update(ROWS).where(ROWS.c.buyer_id == buyer.id, ROWS.c.channel == channel).values(**values, updated_at=at)
    )
    if changed.rowcount:
        return
    row = {"address": None, "consent": False, "reachable": True, "opted_out_at": None, **values}
    await session.execute(
        ROWS.insert().values(
            shop_id=buyer.shop_id, buyer_id=buyer.id, channel=channel, created_at=at, updated_at=at, **row
        )
    )


async def set_address(session: AsyncSession, buyer: Buyer, channel: str, address: str | None, at: datetime) -> None:
    await _set(session, buyer, channel, at, address=address)


async def set_consent(session: AsyncSession, buyer: Buyer, channel: str, granted: bool, at: datetime) -> None:
    await _set(session, buyer, channel, at, consent=granted)


async def set_reachable(session: AsyncSession, buyer: Buyer, channel: str, reachable: bool, at: datetime) -> None:
    await _set(session, buyer, channel, at, reachable=reachable)


async def opt_out(session: AsyncSession, buyer: Buyer, channel: str, at: datetime) -> None:
    """Stamp every row of the buyer (the first opt-out's time stays); with no row yet, the channel the STOP
    came on gets one, so the opt-out is never lost."""
    stamped = await session.execute(
        update(ROWS).where(ROWS.c.buyer_id == buyer.id, ROWS.c.opted_out_at.is_(None)).values(opted_out_at=at)
    )
    if stamped.rowcount == 0 and not (await of(session, buyer.id)).points:
        known = channel if channel != "all" else Channel.WEBCHAT.value
        await _set(session, buyer, known, at, opted_out_at=at)


async def resubscribe(session: AsyncSession, buyer: Buyer, at: datetime) -> None:
    await session.execute(update(ROWS).where(ROWS.c.buyer_id == buyer.id).values(opted_out_at=None, updated_at=at))


async def erase_addresses(session: AsyncSession, buyer_id: int, at: datetime) -> None:
    """Erasure: the addresses go; consent and the opt-out stay, anonymously (they bind us still)."""
    await session.execute(update(ROWS).where(ROWS.c.buyer_id == buyer_id).values(address=None, updated_at=at))
