"""Scenarios: a review and the buyer's and staff's steps, as YAML or JSON, for `mediator simulate`, the
scenario tests and the admin page's preview. This module only reads them; bot/app/simulate.py runs them.

Scenario (YAML or JSON):
    shop: demo                      # optional
    start: 2026-11-02T10:00:00Z     # optional; the virtual clock's start
    review: {...}                   # the intake shape
    steps:
      - buyer: "text"
      - staff: "text"               # relayed to the buyer; or a command: /approve /reject /handback /close OUTCOME
                                    # /takeover, /grant TYPE [AMOUNT|PERCENT%] [item] (as staff `name:`)
      - wait: 3h                    # time passes; every timer due meanwhile fires at its own moment
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.platform.durations import parse_duration

DEFAULT_START = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday, 11:00 in Warsaw


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")
    buyer: str | None = None
    staff: str | None = None
    wait: str | None = None
    name: str = "Staff"

    @model_validator(mode="after")
    def _one(self) -> Step:
        if sum(x is not None for x in (self.buyer, self.staff, self.wait)) != 1:
            raise ValueError("each step is exactly one of buyer:, staff: or wait:")
        if self.wait is not None:
            parse_duration(self.wait)
        return self


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")
    shop: str = "demo"
    start: datetime = DEFAULT_START
    review: dict[str, Any]
    steps: list[Step] = Field(default_factory=list)
    # Free text for people reading the scenario; the engine ignores it.
    description: str | None = None
    expect: dict[str, Any] | None = None

    @field_validator("start")
    @classmethod
    def _utc(cls, v: datetime) -> datetime:
        return v.replace(tzinfo=UTC) if v.tzinfo is None else v


def load_scenario(path: Path) -> Scenario:
    return Scenario.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


MAX_TYPED_MESSAGES = 30


class Typed(BaseModel):
    """A conversation typed on the admin page: the review, then the buyer's messages in order."""

    model_config = ConfigDict(extra="forbid")
    review: str = Field("The parcel arrived a week late and nobody answered my emails.", min_length=1, max_length=4000)
    rating: int = Field(2, ge=1, le=3)
    messages: list[str] = Field(min_length=1, max_length=MAX_TYPED_MESSAGES)
    order_total: str = Field("120.00", pattern=r"^\d{1,7}(\.\d{1,2})?$")
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")


def typed_scenario(typed: Typed) -> Scenario:
    return Scenario(
        review={
            "platform": "preview",
            "external_id": "preview-1",
            "rating": typed.rating,
            "text": typed.review,
            "created_at": "2026-11-02T09:00:00Z",
            "verified_purchase": True,
            "edit_url": "https://reviews.example/preview/edit",
            "buyer": {
                "name": "Preview Buyer",
                "email": "preview@example.com",
                "timezone": "Europe/London",
                "consent": {"webchat": True},
            },
            "order": {
                "id": "PREVIEW-1",
                "total": typed.order_total,
                "currency": typed.currency,
                "ordered_at": "2026-10-20T10:00:00Z",
                "shipped_at": "2026-10-21T10:00:00Z",
                "delivered_at": "2026-10-30T12:00:00Z",
                "items": [{"sku": "PREVIEW", "name": "order", "qty": 1, "price": typed.order_total}],
            },
        },
        steps=[Step(buyer=m) for m in typed.messages],
        start=DEFAULT_START,
    )


def scenario_dirs(base_dir: Path) -> list[Path]:
    return [base_dir / "data" / "scenarios", Path(__file__).resolve().parents[2] / "data" / "scenarios"]


def list_scenarios(base_dir: Path) -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    for folder in scenario_dirs(base_dir):
        for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
            if path.stem not in seen:
                try:
                    description = str((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("description", ""))
                except yaml.YAMLError:
                    description = "(does not parse)"
                seen[path.stem] = {"name": path.stem, "description": " ".join(description.split())}
    return list(seen.values())


def load_named_scenario(base_dir: Path, name: str) -> Scenario:
    """A scenario by name; LookupError or ValueError with a message for the admin."""
    if not name.replace("_", "").replace("-", "").isalnum():
        raise LookupError(f"no scenario {name!r}")
    for folder in scenario_dirs(base_dir):
        path = folder / f"{name}.yml"
        if path.is_file():
            try:
                return Scenario.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
            except (yaml.YAMLError, ValidationError) as exc:
                raise ValueError(f"scenario {name} does not load: {exc}") from None
    raise LookupError(f"no scenario {name!r}")
