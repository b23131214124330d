"""Schemas of `policies/conversation.yml` (how the bot talks) and `policies/routing.yml` (who takes over)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
    warranty_days: int = Field(730, ge=0, le=3650)


class ConversationPolicy(Strict):
    deescalation: Deescalation = Deescalation()
    handoff: Handoff = Handoff()
    opt_out_min_confidence: float = Field(0.3, ge=0.05, le=0.9)
    gathering: Gathering
    timers: Timers
    language_switch_min_letters: int = Field(12, ge=1, le=200)
    facts: Facts = Facts()


class Team(Strict):
    name: str = Field(min_length=1)
    slack_channel: str | None = None


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
