"""When a person will answer a buyer who waits for one (PLAYBOOK rule 9: "told that a person will answer in
this same conversation, and roughly when").

Computed from the staff working hours (mediation.yml `business_hours`) and how long staff usually take
(conversation.yml `waiting.answer_within`). Pure: the engine passes the time; the action writes the words.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.policy.mediation import DAYS, BusinessHours


def staff_eta(hours: BusinessHours, now: datetime, within: timedelta, buyer_timezone: str | None) -> dict[str, Any]:
    """{"kind", "at"}: `at` is when to expect a person, in the buyer's timezone (the staff's when unknown);
    `kind` says how to word it: "soon" (during working hours: by `at`), "today" / "tomorrow" / "later"
    (outside them: after `at`, when work starts again)."""
    staff_tz = ZoneInfo(hours.timezone)
    shown_tz = _zone(buyer_timezone) or staff_tz
    local = now.astimezone(staff_tz)
    if _working(hours, local) and local + within <= _at(local, hours.end, staff_tz):
        at = _round_up(now + within)  # a promise to a person: rounded up to a quarter hour, never down
        return {"kind": "soon", "at": at.astimezone(shown_tz).isoformat()}
    opening = _next_opening(hours, local, staff_tz)
    days = (opening.astimezone(shown_tz).date() - now.astimezone(shown_tz).date()).days
    kind = "today" if days <= 0 else "tomorrow" if days == 1 else "later"
    return {"kind": kind, "at": opening.astimezone(shown_tz).isoformat()}


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _at(local: datetime, t: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(local.date(), t, tz)


def _working(hours: BusinessHours, local: datetime) -> bool:
    return DAYS[local.weekday()] in hours.days and hours.start <= local.time() < hours.end


def _next_opening(hours: BusinessHours, local: datetime, tz: ZoneInfo) -> datetime:
    """The next start of working hours after `local` (today's, if the day has not begun yet)."""
    day = local.date()
    for _ in range(8):  # a week always holds a working day (the schema requires one)
        start = datetime.combine(day, hours.start, tz)
        if DAYS[day.weekday()] in hours.days and start > local:
            return start
        day += timedelta(days=1)
    raise AssertionError("business_hours has no working day")  # the schema refuses such a policy


def _round_up(at: datetime) -> datetime:
    base = at.replace(second=0, microsecond=0)
    if base < at:
        base += timedelta(minutes=1)
    return base + timedelta(minutes=(15 - base.minute % 15) % 15)
