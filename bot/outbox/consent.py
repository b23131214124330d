"""Consent and contact ledger, keywords and the shop's channel order (PLAYBOOK rule 11).

- Consent is per buyer and per channel, as intake recorded it on `buyers`; every later change (a Telegram
  deep link, an SMS keyword, a provider refusal) is appended to `consent_events` with its source and time
  and applied to the flags in the same transaction.
- An opt-out anywhere sets `buyers.opted_out_at`: it applies to every channel, and the outbox sends
  nothing but the one confirmation after it.
- `route()` lists the channels a message may take, in the shop's order (policies/channels.yml), keeping
  only those with consent, reachability and a switched-on adapter.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.platform.vocab import ADDRESSED_CHANNELS, Channel, names
from bot.policy.channels import ChannelsPolicy
from bot.store.models import Buyer, Case, ConsentEvent, Message

# ── the ledger ───────────────────────────────────────────────────────────────────────────────────

# The job that closes an opted-out buyer's open cases (bot/conversation/timers.py handles it).
OPTED_OUT_JOB = "opted_out"

Change = Literal["granted", "revoked", "opted_out", "resubscribed", "unreachable", "reachable"]


def record(
    session: AsyncSession,
    buyer: Buyer,
    channel: str,
    change: Change,
    source: str,
    at: datetime,
    detail: dict[str, object] | None = None,
) -> None:
    """Append one ledger row and apply it to the buyer's current flags."""
    session.add(
        ConsentEvent(
            shop_id=buyer.shop_id,
            buyer_id=buyer.id,
            channel=channel,
            change=change,
            source=source,
            detail=detail or {},
            at=at,
        )
    )
    if change in ("granted", "revoked") and channel in names(Channel):
        setattr(buyer, f"consent_{channel}", change == "granted")
    elif change == "opted_out":
        buyer.opted_out_at = buyer.opted_out_at or at
    elif change == "resubscribed":
        buyer.opted_out_at = None


async def unreachable_channels(session: AsyncSession, buyer_id: int) -> set[str]:
    """Channels whose latest reachability entry says the buyer cannot be reached there."""
    rows = await session.execute(
        select(ConsentEvent.channel, ConsentEvent.change)
        .where(ConsentEvent.buyer_id == buyer_id, ConsentEvent.change.in_(("unreachable", "reachable")))
        .order_by(ConsentEvent.id)
    )
    state: dict[str, str] = {}
    for channel, change in rows:
        state[channel] = change
    return {c for c, change in state.items() if change == "unreachable"}


def usable(item: str, buyer: Buyer, enabled: frozenset[str], unreachable: set[str]) -> bool:
    """May this step of the channel order carry a message to this buyer right now? (Opt-out is checked by
    the caller: the one confirmation after an opt-out still needs a route.)"""
    sms_ok = "sms" in enabled and bool(buyer.consent_sms and buyer.phone) and "sms" not in unreachable
    if item == "telegram":
        return (
            "telegram" in enabled
            and bool(buyer.consent_telegram and buyer.telegram_chat_id)
            and "telegram" not in unreachable
        )
    if item == "sms":
        return sms_ok
    if item == "webchat_link":
        return sms_ok and bool(buyer.consent_webchat)
    return False


async def last_inbound_channel(session: AsyncSession, case_id: int) -> str | None:
    return (
        await session.execute(
            select(Message.channel)
            .where(Message.case_id == case_id, Message.direction == "in")
            .order_by(Message.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def route(
    session: AsyncSession,
    policy: ChannelsPolicy,
    case: Case,
    buyer: Buyer | None,
    enabled: frozenset[str],
    first: str | None = None,
    *,
    confirming_opt_out: bool = False,
) -> list[str]:
    """The steps a message may take, best first: `first` (the channel the buyer wrote on) if usable, then
    the shop's order. An empty list means the buyer cannot be reached outside the web chat."""
    if buyer is None or (buyer.opted_out_at is not None and not confirming_opt_out):
        return []
    unreachable = await unreachable_channels(session, buyer.id)
    steps = [item for item in policy.order(case.shop_id) if usable(item, buyer, enabled, unreachable)]
    if first in steps:
        steps.remove(first)
        steps.insert(0, first)
    return steps


async def pick_channel(
    session: AsyncSession, policy: ChannelsPolicy, case: Case, buyer: Buyer | None, enabled: frozenset[str]
) -> str:
    """The channel a bot-initiated or staff message is written for: where the buyer last wrote, if still
    usable (the web chat always is: the page shows it); else the first usable step of the shop's order.
    The web-chat link step and "nowhere" both record the message for the web chat."""
    last = await last_inbound_channel(session, case.id)
    if last == "webchat":
        return "webchat"
    steps = await route(session, policy, case, buyer, enabled, last)
    return steps[0] if steps and steps[0] in ADDRESSED_CHANNELS else Channel.WEBCHAT.value
