"""Consent and contact ledger, keywords and the shop's channel order (PLAYBOOK rule 11).

- Consent is per buyer and per channel, as intake recorded it in `buyer_contacts` (bot/store/buyer_contacts.py);
  every later change (a Telegram deep link, an SMS keyword, a provider refusal) is appended to
  `consent_events` with its source and time and applied to those rows in the same transaction.
- An opt-out anywhere stamps the buyer's contact rows: it applies to every channel, and the outbox sends
  nothing but the one confirmation after it.
- `route()` lists the channels a message may take, in the shop's order (policies/channels.yml), keeping
  only those with consent, reachability and a switched-on adapter.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.platform.vocab import ADDRESSED_CHANNELS, Channel
from bot.policy.channels import ChannelsPolicy
from bot.store import buyer_contacts
from bot.store.buyer_contacts import Contacts
from bot.store.models import Buyer, Case, ConsentEvent, Message

# ── the ledger ───────────────────────────────────────────────────────────────────────────────────

# The job that closes an opted-out buyer's open cases (bot/conversation/timers.py handles it).
OPTED_OUT_JOB = "opted_out"

Change = Literal["granted", "revoked", "opted_out", "resubscribed", "unreachable", "reachable"]


async def record(
    session: AsyncSession,
    buyer: Buyer,
    channel: str,
    change: Change,
    source: str,
    at: datetime,
    detail: dict[str, object] | None = None,
) -> None:
    """Append one ledger row and apply it to the buyer's contact rows."""
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
    if change in ("granted", "revoked") and channel != "all":
        await buyer_contacts.set_consent(session, buyer, channel, change == "granted", at)
    elif change in ("unreachable", "reachable") and channel != "all":
        await buyer_contacts.set_reachable(session, buyer, channel, change == "reachable", at)
    elif change == "opted_out":
        await buyer_contacts.opt_out(session, buyer, channel, at)
    elif change == "resubscribed":
        await buyer_contacts.resubscribe(session, buyer, at)


def usable(item: str, contacts: Contacts, enabled: frozenset[str]) -> bool:
    """May this step of the channel order carry a message to this buyer right now? A channel needs its
    adapter, the buyer's consent, an address and no provider verdict against it; the web-chat link rides on
    SMS. (Opt-out is checked by the caller: the one confirmation after an opt-out still needs a route.)"""
    carrier = Channel.SMS.value if item == "webchat_link" else item
    if carrier not in ADDRESSED_CHANNELS or carrier not in enabled:
        return False
    ok = contacts.consented(carrier) and bool(contacts.address(carrier)) and contacts.reachable(carrier)
    if item == "webchat_link":
        return ok and contacts.consented(Channel.WEBCHAT.value)
    return ok


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
    contacts: Contacts | None = None,
) -> list[str]:
    """The steps a message may take, best first: `first` (the channel the buyer wrote on) if usable, then
    the shop's order. An empty list means the buyer cannot be reached outside the web chat."""
    if buyer is None:
        return []
    contacts = contacts or await buyer_contacts.of(session, buyer.id)
    if contacts.opted_out_at is not None and not confirming_opt_out:
        return []
    steps = [item for item in policy.order(case.shop_id) if usable(item, contacts, enabled)]
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
