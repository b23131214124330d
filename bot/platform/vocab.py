"""The vocabulary of a case's life: stages, outcomes, kinds, topics. Other parts rely on these names."""

from __future__ import annotations

from enum import StrEnum


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


OPEN_STAGES = frozenset(s for s in Stage if s is not Stage.CLOSED)
