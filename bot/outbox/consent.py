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

import re
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation.lifecycle import close_case
from bot.platform.vocab import Outcome, Stage
from bot.platform.yaml_lines import load_model_file
from bot.store.models import Buyer, Case, ConsentEvent, Message

OrderItem = Literal["telegram", "sms", "webchat_link"]
Keyword = Literal["opt_out", "resubscribe", "help"]
TEXT_KEYS = ("opt_out_confirm", "resubscribed", "help", "bound", "link_invalid", "webchat_link", "yes", "no")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChannelOrder(Strict):
    default: list[OrderItem] = Field(min_length=1)
    shops: dict[str, list[OrderItem]] = {}

    @field_validator("default")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("a channel is listed twice; list each once")
        return v


class SmsPolicy(Strict):
    max_segments: int = Field(3, ge=1, le=10)
    max_inbound_chars: int = Field(1600, ge=160, le=10_000)


class TelegramPolicy(Strict):
    max_message_chars: int = Field(4096, ge=100, le=4096)
    yes_no_actions: list[str] = ["propose_remedy", "confirm_remedy", "ask_revision"]


class Keywords(Strict):
    opt_out: dict[str, list[str]]
    resubscribe: dict[str, list[str]]
    help: dict[str, list[str]]

    @model_validator(mode="after")
    def _disjoint(self) -> Keywords:
        seen: dict[str, str] = {}
        for kind in ("opt_out", "resubscribe", "help"):
            for words in getattr(self, kind).values():
                for word in words:
                    key = normalise(word)
                    if not key:
                        raise ValueError(f"{kind}: an empty keyword; remove it")
                    if seen.get(key, kind) != kind:
                        raise ValueError(f"{word!r} is both a {seen[key]} and a {kind} keyword; keep it in one")
                    seen[key] = kind
        for required in ("STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "CANCEL", "REVOKE", "OPTOUT"):
            if required not in {normalise(w) for words in self.opt_out.values() for w in words}:
                raise ValueError(f"opt_out must include the carrier keyword {required} (PLAYBOOK rule 11)")
        return self


class Texts(Strict):
    opt_out_confirm: str
    resubscribed: str
    help: str
    bound: str
    link_invalid: str
    webchat_link: str
    yes: str
    no: str

    @field_validator("webchat_link")
    @classmethod
    def _has_url(cls, v: str) -> str:
        if "{url}" not in v:
            raise ValueError("webchat_link must contain {url}, the link to the web chat")
        return v


class ChannelsPolicy(Strict):
    channel_order: ChannelOrder
    sms: SmsPolicy = SmsPolicy()
    telegram: TelegramPolicy = TelegramPolicy()
    keywords: Keywords
    texts: dict[str, Texts]

    @field_validator("texts")
    @classmethod
    def _english(cls, v: dict[str, Texts]) -> dict[str, Texts]:
        if "en" not in v:
            raise ValueError("texts needs an 'en' entry: it is the fallback for every other language")
        return v

    def order(self, shop_id: str) -> list[str]:
        return list(self.channel_order.shops.get(shop_id, self.channel_order.default))

    def text(self, key: str, language: str | None, **values: str) -> str:
        entry = self.texts.get(language or "en") or self.texts["en"]
        return getattr(entry, key).replace("{shop}", values.get("shop", "")).replace("{url}", values.get("url", ""))

    def keyword(self, text: str) -> Keyword | None:
        return _keyword_index(self).get(normalise(text))


def normalise(text: str) -> str:
    """What a keyword match compares: upper case, no surrounding punctuation, single spaces, and a
    Telegram command's @botname dropped ("/stop@shop_bot" is "/STOP")."""
    text = re.sub(r"^(/\w+)@\w+", r"\1", text.strip())
    text = re.sub(r"[\s.!?,;:¡¿\"'«»„“”]+", " ", text).strip()
    return text.upper()


_indexes: dict[int, tuple[ChannelsPolicy, dict[str, Keyword]]] = {}


def _keyword_index(policy: ChannelsPolicy) -> dict[str, Keyword]:
    """Keyword → kind, built once per loaded policy (a policy is immutable once loaded)."""
    hit = _indexes.get(id(policy))
    if hit is not None and hit[0] is policy:
        return hit[1]
    index: dict[str, Keyword] = {}
    for kind in ("opt_out", "resubscribe", "help"):
        for words in getattr(policy.keywords, kind).values():
            for word in words:
                index[normalise(word)] = kind  # type: ignore[assignment]
    if len(_indexes) > 32:
        _indexes.clear()
    _indexes[id(policy)] = (policy, index)
    return index


_cache: dict[Path, tuple[float, ChannelsPolicy]] = {}


def load_channels_policy(path: Path) -> ChannelsPolicy:
    """Read policies/channels.yml, again only when the file changed (admins edit it while we run)."""
    mtime = path.stat().st_mtime
    hit = _cache.get(path)
    if hit is None or hit[0] != mtime:
        hit = (mtime, load_model_file(path, ChannelsPolicy))
        _cache[path] = hit
    return hit[1]


# ── the ledger ───────────────────────────────────────────────────────────────────────────────────

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
    if change in ("granted", "revoked") and channel in ("sms", "telegram", "webchat"):
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
    return steps[0] if steps and steps[0] in ("telegram", "sms") else "webchat"


async def opt_out_everywhere(
    session: AsyncSession,
    buyer: Buyer,
    at: datetime,
    source: str,
    callback_url: str | None,
    detail: dict[str, object] | None = None,
) -> list[Case]:
    """Rule 11: record the opt-out and close every open case of the buyer. Returns the cases closed."""
    record(session, buyer, "all", "opted_out", source, at, detail)
    open_cases = (
        (await session.execute(select(Case).where(Case.buyer_id == buyer.id, Case.stage != Stage.CLOSED)))
        .scalars()
        .all()
    )
    for case in open_cases:
        await close_case(session, case, Outcome.OPTED_OUT, at, reason=f"opted_out_{source}", callback_url=callback_url)
    return list(open_cases)
