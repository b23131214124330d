"""The vocabulary of a case's life, defined once: stages, outcomes, kinds, topics, problems, wishes, remedy
types and channel names. Other parts rely on these names; schemas, catalogues and models derive their lists
from here (`names`, `literal`), so adding a remedy type or a problem starts in this file, and the catalogue
checks then name every message file that lacks a text for it."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal


class Stage(StrEnum):
    # `opened` is ours, not DESIGN.md's: a case waiting for its first contact (an impulsive review in
    # its cool-down, or one deferred by quiet hours) must not claim to be `contacted` yet.
    OPENED = "opened"
    CONTACTED = "contacted"
    DEESCALATING = "deescalating"
    GATHERING = "gathering"
    PROPOSING = "proposing"
    RESOLVING = "resolving"
    FOLLOW_UP = "follow_up"
    REVISION_ASKED = "revision_asked"
    HANDOFF = "handoff"
    AWAITING_STAFF = "awaiting_staff"
    CLOSED = "closed"


class Outcome(StrEnum):
    RESOLVED_REVISED = "resolved_revised"
    RESOLVED_KEPT = "resolved_kept"
    UNRESOLVED = "unresolved"
    NO_RESPONSE = "no_response"
    OPTED_OUT = "opted_out"
    EXPIRED = "expired"
    NOT_CONTACTED = "not_contacted"


class Kind(StrEnum):
    CONSTRUCTIVE = "constructive"
    IMPULSIVE = "impulsive"
    TROLL = "troll"
    BLACK_PR = "black_pr"


class Topic(StrEnum):
    DELIVERY = "delivery"
    PRODUCT = "product"
    SERVICE = "service"
    BILLING = "billing"
    WEBSITE = "website"
    RETURNS = "returns"
    OTHER = "other"


class Problem(StrEnum):
    """What went wrong, as the buyer's messages tell it (the NLU's `problem` entity)."""

    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    MISSING_ITEM = "missing_item"
    LATE = "late"
    LOST_IN_TRANSIT = "lost_in_transit"
    DEFECT = "defect"
    CHARGED_TWICE = "charged_twice"
    HIDDEN_COST = "hidden_cost"
    SUPPORT_RUDE = "support_rude"
    OTHER = "other"


# Problems of the goods themselves, each of one line of the order; a late or lost parcel, a double charge, a hidden cost
# or rude support concern the whole order. No website review is about these (flow._topic), and a second line of the
# order is offered a remedy only for these (bot/conversation/second_item.py).
GOODS_PROBLEMS = frozenset({Problem.DAMAGED, Problem.DEFECT, Problem.WRONG_ITEM, Problem.MISSING_ITEM})


class Wish(StrEnum):
    """The outcome a buyer asks for, in their own words."""

    # The shipping cost back ("at least the postage back"), the narrower wish before `refund`: "the shipping money
    # back" names both, and it is not the whole price (issue 19.2: it was read as a full refund, which a late
    # parcel's policy does not allow, and the buyer was told so).
    SHIPPING = "shipping"
    REFUND = "refund"
    # Only the missing or broken part ("just send the lid"), not a whole new item (issue 19.5). Before
    # `replacement`, so a message naming both ("send a new lid") reads as the narrower wish.
    PART = "part"
    REPLACEMENT = "replacement"
    DISCOUNT = "discount"
    APOLOGY = "apology"
    RETURN = "return"


class RemedyType(StrEnum):
    """What a shop may grant; policies/remedies.yml's rules name these."""

    REPLACEMENT = "replacement"
    RESHIP = "reship"
    SEND_PART = "send_part"  # a part of the item (a lid, a charger, a piece of a set), named from the buyer's words
    REFUND_FULL = "refund_full"
    REFUND_PARTIAL = "refund_partial"
    REFUND_SHIPPING = "refund_shipping"
    COUPON = "coupon"
    RETURN_PICKUP = "return_pickup"
    APOLOGY_ONLY = "apology_only"


class Channel(StrEnum):
    TELEGRAM = "telegram"
    SMS = "sms"
    WEBCHAT = "webchat"


# The channels whose address is a contact point (a phone number, a Telegram chat); the web chat's
# address is its link, which belongs to one case.
ADDRESSED_CHANNELS: tuple[str, ...] = (Channel.SMS.value, Channel.TELEGRAM.value)

# A contact point no adapter sends to: the buyer's e-mail, which intake keys returning buyers by and erasure
# looks for. It is a row in `buyer_contacts` beside the channels' rows.
EMAIL = "email"

OPEN_STAGES = frozenset(s for s in Stage if s is not Stage.CLOSED)


def names(vocabulary: type[StrEnum]) -> tuple[str, ...]:
    """The plain strings of a vocabulary, in its order (for YAML, JSON and messages)."""
    return tuple(member.value for member in vocabulary)


def literal(vocabulary: type[StrEnum], *, without: tuple[str, ...] = ()) -> Any:
    """A `Literal[...]` of a vocabulary's names, for pydantic schemas: validation errors then list the
    allowed names, and values stay plain strings (a stored policy dumps to YAML unchanged)."""
    return Literal[tuple(n for n in names(vocabulary) if n not in without)]  # type: ignore[valid-type]
