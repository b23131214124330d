"""Schemas of `policies/conversation.yml` (how the bot talks) and `policies/routing.yml` (who takes over)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.platform import vocab
from bot.platform.vocab import Topic, literal
from bot.platform.yaml_lines import load_model_file
from bot.policy.mediation import Duration

Slot = Literal["what", "item", "when", "evidence", "outcome"]
Problem = literal(vocab.Problem, without=("other",))  # "other" is no problem a topic can default to


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Deescalation(Strict):
    max_turns: int = Field(2, ge=1, le=5)
    upset_turns: int = Field(1, ge=0, le=5)
    handoff_anger: float = Field(0.75, gt=0, le=1)


class Handoff(Strict):
    insults: int = Field(2, ge=1, le=10)
    not_understood: int = Field(2, ge=1, le=10)
    min_confidence: float = Field(0.45, ge=0, le=1)
    # A buyer told this many times that the offer is the most the bot may give, who asks for more again, is
    # handed to a person (bot/conversation/flow.py counter_offer).
    told_most: int = Field(2, ge=1, le=10)


class Gathering(Strict):
    order: list[Slot]
    required: list[Slot]
    optional: list[Slot] = []
    evidence_for: list[Problem] = []
    item_not_needed_for: list[Topic] = []

    @model_validator(mode="after")
    def _consistent(self) -> Gathering:
        if sorted(self.order) != sorted(set(self.required) | set(self.optional)):
            raise ValueError("order must list every required and optional slot exactly once")
        if set(self.required) & set(self.optional):
            raise ValueError("a slot cannot be both required and optional")
        if "outcome" not in self.required:
            raise ValueError("outcome must be required: ask what outcome would be fair (PLAYBOOK rule 7)")
        return self


class Timers(Strict):
    follow_up_after: Duration
    revision_ask_after: Duration
    revision_remind_after: Duration
    revision_close_after: Duration

    @model_validator(mode="after")
    def _sane(self) -> Timers:
        for name in ("follow_up_after", "revision_ask_after", "revision_remind_after", "revision_close_after"):
            if not timedelta(hours=1) <= getattr(self, name) <= timedelta(days=14):
                raise ValueError(f"{name} must be between 1h and 14d")
        return self


class Facts(Strict):
    delivery_promise_business_days: int = Field(3, ge=0, le=60)
    # Where the promise starts: "shipping" (the parcel left the warehouse) or "order" (the buyer paid). A shop
    # that promises "delivered in 3 days" from checkout counts from the order, so a parcel the warehouse sent
    # late is late for the buyer too.
    delivery_promise_counted_from: Literal["shipping", "order"] = "shipping"
    warranty_days: int = Field(730, ge=0, le=3650)


class Waiting(Strict):
    """A buyer waiting for a person is told so, and roughly when (PLAYBOOK rule 9). The staff working hours
    the estimate counts come from mediation.yml `business_hours`."""

    # How long staff usually take to answer during working hours: the buyer reads "usually by 10:30".
    answer_within: Duration = timedelta(hours=1)
    # A buyer who writes again while waiting ("hello??", "how long will it take?") is answered at most once
    # in this long, so the bot never floods a conversation that belongs to a person now.
    repeat_after: Duration = timedelta(minutes=30)

    @model_validator(mode="after")
    def _sane(self) -> Waiting:
        if not timedelta(minutes=10) <= self.answer_within <= timedelta(days=2):
            raise ValueError("waiting.answer_within must be between 10m and 2d, e.g. answer_within: 1h")
        if not timedelta(minutes=5) <= self.repeat_after <= timedelta(days=1):
            raise ValueError("waiting.repeat_after must be between 5m and 1d, e.g. repeat_after: 30m")
        return self


class ConversationPolicy(Strict):
    deescalation: Deescalation = Deescalation()
    handoff: Handoff = Handoff()
    opt_out_min_confidence: float = Field(0.3, ge=0.05, le=0.9)
    gathering: Gathering
    timers: Timers
    language_switch_min_letters: int = Field(12, ge=1, le=200)
    # The case's language is sticky (issue 18): another language is followed after two messages in a row in it,
    # or at once on one message this long (letters) of which the detector is this sure.
    language_switch_strong_letters: int = Field(40, ge=1, le=1000)
    language_switch_strong_confidence: float = Field(0.95, ge=0.5, le=1.0)
    facts: Facts = Facts()
    waiting: Waiting = Waiting()


class Team(Strict):
    """A staff team. `name` is what staff see (the Slack channel, /staff); `names` is what a buyer reads in
    their own language ("a person from our team (Logistyka)").

    Fallback, so a reply never carries a fragment of another language (issue 18 item 8): the buyer's language
    from `names`; else `name`, but only for a buyer in the shop's default language (`name` is written in it);
    else nothing, and the message reads without it ("a person from our team"): every template that uses
    {team} is written to read when it is empty."""

    name: str = Field(min_length=1)
    names: dict[str, str] = {}
    slack_channel: str | None = None

    @field_validator("names")
    @classmethod
    def _names(cls, v: dict[str, str]) -> dict[str, str]:
        for language, text in v.items():
            if not re.fullmatch(r"[a-z]{2,3}", language):
                raise ValueError(f"names: {language!r} is not a language code; write two letters, e.g. pl: Logistyka")
            if not text.strip():
                raise ValueError(f"names.{language}: empty; write the team's name in that language or remove the line")
            if "{" in text or "}" in text:
                raise ValueError(f"names.{language}: braces are not allowed in a team name; remove them")
        return v

    def name_in(self, language: str | None, default_language: str) -> str:
        """The name a buyer reads (see the fallback rule above); "" when there is none in their language."""
        base = (language or "").replace("_", "-").split("-", 1)[0].lower()
        if base in self.names:
            return self.names[base]
        return self.name if base == default_language or not base else ""


class Routing(Strict):
    teams: dict[str, Team]
    routes: dict[Topic, str]

    @model_validator(mode="after")
    def _complete(self) -> Routing:
        missing = [t.value for t in Topic if t not in self.routes]
        if missing:
            raise ValueError(f"routes: every topic needs a team; missing {', '.join(missing)}")
        unknown = sorted({team for team in self.routes.values() if team not in self.teams})
        if unknown:
            raise ValueError(f"routes name unknown teams: {', '.join(unknown)}; define them under teams")
        return self

    def team_for(self, topic: str) -> str:
        return self.routes.get(topic, self.routes[Topic.OTHER])  # type: ignore[index]


def load_conversation_policy(path: Path) -> ConversationPolicy:
    return load_model_file(path, ConversationPolicy)


def load_routing(path: Path) -> Routing:
    return load_model_file(path, Routing)
