"""Schema of `policies/mediation.yml`: when a case opens, how long it runs, when the bot may write."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

from bot.platform.durations import format_duration, parse_duration
from bot.platform.yaml_lines import load_model_file

Duration = Annotated[
    timedelta,
    BeforeValidator(lambda v: parse_duration(v) if isinstance(v, str | int) else v),
    PlainSerializer(format_duration, return_type=str),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContactRule(Strict):
    mode: Literal["now", "delayed", "none"]
    delay: Duration | None = None

    @model_validator(mode="after")
    def _delay_matches_mode(self) -> ContactRule:
        if self.mode == "delayed" and (self.delay is None or self.delay <= timedelta(0)):
            raise ValueError("mode 'delayed' needs a positive delay, e.g. delay: 4h")
        if self.mode != "delayed" and self.delay is not None:
            raise ValueError(f"delay only applies to mode 'delayed'; remove it or change mode from {self.mode!r}")
        if self.delay is not None and self.delay > timedelta(days=7):
            raise ValueError("a cool-down over 7d leaves the buyer ignored; use at most 7d")
        return self


class ContactPlanPolicy(Strict):
    constructive: ContactRule
    impulsive: ContactRule
    troll: ContactRule
    black_pr: ContactRule

    @model_validator(mode="after")
    def _playbook(self) -> ContactPlanPolicy:
        # PLAYBOOK rule 4: an impulsive review is contacted later, but never ignored.
        if self.impulsive.mode == "none":
            raise ValueError("impulsive: mode 'none' ignores a real buyer; use 'delayed' (PLAYBOOK rule 4)")
        # PLAYBOOK rule 5: the bot never engages trolls or black PR.
        for kind in ("troll", "black_pr"):
            if getattr(self, kind).mode != "none":
                raise ValueError(f"{kind}: the bot must not contact it; use mode: none (PLAYBOOK rule 5)")
        return self


def _hhmm(v: object) -> object:
    if isinstance(v, str):
        try:
            hours, minutes = v.split(":")
            return time(int(hours), int(minutes))
        except ValueError:
            raise ValueError(f'{v!r} is not a time of day: write HH:MM, e.g. "21:00"') from None
    if isinstance(v, int):  # YAML 1.1 reads 21:00 unquoted as a base-60 integer
        return time(v // 60, v % 60) if v < 24 * 60 else v
    return v


TimeOfDay = Annotated[time, BeforeValidator(_hhmm), PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str)]


class QuietHours(Strict):
    start: TimeOfDay
    end: TimeOfDay
    default_timezone: str = "UTC"

    @field_validator("default_timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {v!r}: use an IANA name like Europe/Warsaw") from None
        return v

    @model_validator(mode="after")
    def _covers_night(self) -> QuietHours:
        # SMS and chat at night are never acceptable (PLAYBOOK rule 11): the window must cover 22:00–07:00.
        night = [time(h) for h in (22, 23, 0, 1, 2, 3, 4, 5, 6)]
        uncovered = [t.strftime("%H:%M") for t in night if not self.is_quiet(t)]
        if uncovered:
            raise ValueError(f"quiet hours must cover the night (22:00–07:00); {', '.join(uncovered)} is not covered")
        return self

    def is_quiet(self, t: time) -> bool:
        if self.start <= self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end


class SeverityRules(Strict):
    high_if_rating_at_most: int = Field(1, ge=1, le=5)
    high_if_order_value_at_least: float = Field(200, ge=0)
    low_if_rating_at_least: int = Field(3, ge=1, le=5)


class BusinessHours(Strict):
    """When staff are at work: a handoff's reminder counts only these minutes (issue 6)."""

    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = ["mon", "tue", "wed", "thu", "fri"]
    start: TimeOfDay = time(9, 0)
    end: TimeOfDay = time(17, 0)
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        return QuietHours._tz(v)

    @model_validator(mode="after")
    def _open_sometime(self) -> BusinessHours:
        if not self.days:
            raise ValueError("days: list at least one working day, e.g. [mon, tue, wed, thu, fri]")
        if self.start >= self.end:
            raise ValueError('start must be before end, e.g. start: "09:00", end: "17:00"')
        return self


class MediationPolicy(Strict):
    rating_threshold: int = Field(3, ge=1, le=4)
    window: Duration = timedelta(days=21)
    contact: ContactPlanPolicy
    # A review the model files as troll/black_pr with less confidence than this is contacted as
    # impulsive (delayed) instead: a real buyer ignored costs more than a troll written to.
    dismiss_min_confidence: float = Field(0.5, ge=0.0, le=1.0)
    quiet_hours: QuietHours
    severity: SeverityRules = SeverityRules()
    staff_reminder_after: Duration = timedelta(hours=2)
    deadline_reminder_before: Duration = timedelta(days=3)
    business_hours: BusinessHours = BusinessHours()

    @field_validator("window")
    @classmethod
    def _window(cls, v: timedelta) -> timedelta:
        if not timedelta(days=1) <= v <= timedelta(days=90):
            raise ValueError("window must be between 1d and 90d")
        return v


def load_mediation_policy(path: Path) -> MediationPolicy:
    return load_model_file(path, MediationPolicy)


def next_allowed_send(policy: MediationPolicy, at: datetime, timezone: str | None) -> datetime:
    """The first moment at or after `at` that is outside the buyer's quiet hours (returned in UTC)."""
    quiet = policy.quiet_hours
    tz = ZoneInfo(timezone or quiet.default_timezone)
    local = at.astimezone(tz)
    if not quiet.is_quiet(local.time()):
        return at
    end = local.replace(hour=quiet.end.hour, minute=quiet.end.minute, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    # Re-localise so a DST change during the night is honoured.
    return end.replace(tzinfo=None).replace(tzinfo=tz).astimezone(at.tzinfo)


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def add_business_time(hours: BusinessHours, at: datetime, amount: timedelta) -> datetime:
    """The moment `amount` of working time after `at` (staff reminders count business minutes only)."""
    tz = ZoneInfo(hours.timezone)
    local, left = at.astimezone(tz), amount
    for _ in range(400):  # at most about a year of days; a policy always has a working day
        day_start = datetime.combine(local.date(), hours.start, tz)
        day_end = datetime.combine(local.date(), hours.end, tz)
        if DAYS[local.weekday()] in hours.days and local < day_end:
            begin = max(local, day_start)
            if begin + left <= day_end:
                return (begin + left).astimezone(at.tzinfo)
            left -= day_end - begin
        local = datetime.combine(local.date() + timedelta(days=1), time(0), tz)
    return at + amount
