"""Contact points: a phone number or Telegram chat as one of our senders reaches it (DESIGN decision 8).

- Every send over SMS or Telegram records which shop's conversation last wrote to the contact from which
  sender (`wrote`); an inbound message from that contact goes to that shop, and never to a shop that has
  not written to it (security review H1).
- STOP on a contact opts the contact out for that sender (`opt_out`), for every shop that sends from it, for
  good: new buyer records, re-imports and new reviews do not lift it (H2, H3); START (`resubscribe`) does.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, String, and_, bindparam, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.platform.vocab import ADDRESSED_CHANNELS
from bot.store.models import ContactPoint

POINTS = ContactPoint.__table__
CHANNELS = ADDRESSED_CHANNELS


async def _upsert(session: AsyncSession, channel: str, address: str, sender: str, **values: object) -> None:
    """Insert the contact point or update it in place, in one statement: two shops writing to one number at
    the same moment must not fail a delivery on the unique key."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    row = {"channel": channel, "address": address, "sender": sender, **values}
    stmt = insert(POINTS).values(row)
    stmt = stmt.on_conflict_do_update(index_elements=["channel", "address", "sender"], set_=values)
    await session.execute(stmt)


async def wrote(
    session: AsyncSession, channel: str, address: str, sender: str, shop_id: str, case_id: int, at: datetime
) -> None:
    """A shop's conversation wrote to this contact: its replies now belong to that conversation."""
    await _upsert(session, channel, address, sender, shop_id=shop_id, case_id=case_id, last_out_at=at, updated_at=at)


async def opt_out(session: AsyncSession, channel: str, address: str, sender: str, at: datetime, source: str) -> None:
    await _upsert(session, channel, address, sender, opted_out_at=at, opt_out_source=source[:32], updated_at=at)


async def resubscribe(session: AsyncSession, channel: str, address: str, sender: str, at: datetime) -> None:
    await _upsert(session, channel, address, sender, opted_out_at=None, opt_out_source=None, updated_at=at)


async def any_opted_out(session: AsyncSession, points: list[tuple[str, str, str]]) -> bool:
    """Did any of these (channel, address, sender) contact points say STOP? One statement for all of them:
    the outbox asks before every send."""
    if not points:
        return False
    found = await session.execute(
        select(POINTS.c.id)
        .where(
            or_(
                *(
                    and_(POINTS.c.channel == ch, POINTS.c.address == address, POINTS.c.sender == sender)
                    for ch, address, sender in points
                )
            ),
            POINTS.c.opted_out_at.is_not(None),
        )
        .limit(1)
    )
    return found.first() is not None


async def opted_out_addresses(session: AsyncSession, channel: str, addresses: list[str]) -> set[str]:
    """Which of these addresses said STOP to any of our senders. Intake asks before a first contact: a new
    review must not reach a number that opted out, whichever buyer record it comes with."""
    if not addresses:
        return set()
    found = await session.execute(
        select(POINTS.c.address).where(
            POINTS.c.channel == channel, POINTS.c.address.in_(addresses), POINTS.c.opted_out_at.is_not(None)
        )
    )
    return set(found.scalars())


def route_statement(channel: str) -> Select[tuple[str | None]]:
    """The shop whose conversation last wrote to the contact `:sender` (the buyer's number or chat, a bind
    parameter) from our identity `:via`; no row when no shop has written to it."""
    return select(POINTS.c.shop_id).where(
        POINTS.c.channel == channel,
        POINTS.c.address == bindparam("sender", type_=String),
        POINTS.c.sender == bindparam("via", type_=String),
        POINTS.c.shop_id.is_not(None),
    )


async def shop_for(session: AsyncSession, channel: str, address: str, sender: str) -> str | None:
    found = await session.execute(route_statement(channel), {"sender": address, "via": sender})
    return found.scalar_one_or_none()
