"""When a person will answer a waiting buyer (PLAYBOOK rule 9), from the staff hours; and the team names a
buyer reads in their own language (issue 18 item 8)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.conversation import flow
from bot.platform.local_time import clock_time, day_and_date
from bot.platform.vocab import Stage
from bot.policy.conversation import Routing, Team, Waiting, load_conversation_policy, load_routing
from bot.policy.mediation import DAYS, BusinessHours
from bot.policy.remedies import CaseFacts
from bot.policy.staff_wait import staff_eta

HOURS = BusinessHours(days=["mon", "tue", "wed", "thu", "fri"], start="09:00", end="17:00", timezone="Europe/Warsaw")
HOUR = timedelta(hours=1)
REPO = Path(__file__).resolve().parents[1]


def eta(at: str, tz: str | None = "Europe/Warsaw", within: timedelta = HOUR) -> tuple[str, datetime]:
    found = staff_eta(HOURS, datetime.fromisoformat(at).replace(tzinfo=UTC), within, tz)
    return found["kind"], datetime.fromisoformat(found["at"])


def test_during_hours_a_person_answers_within_the_policy_time_rounded_up() -> None:
    kind, at = eta("2026-11-02T10:07:00")  # Monday 11:07 in Warsaw
    assert kind == "soon"
    assert at == datetime(2026, 11, 2, 12, 15, tzinfo=ZoneInfo("Europe/Warsaw"))


def test_too_close_to_closing_time_is_tomorrow_not_a_promise_we_cannot_keep() -> None:
    kind, at = eta("2026-11-02T15:30:00")  # Monday 16:30 in Warsaw; an hour would pass 17:00
    assert kind == "tomorrow"
    assert at == datetime(2026, 11, 3, 9, 0, tzinfo=ZoneInfo("Europe/Warsaw"))


def test_before_hours_is_today_and_a_weekend_is_the_next_working_day() -> None:
    assert eta("2026-11-03T06:00:00")[0] == "today"  # Tuesday 07:00 in Warsaw
    kind, at = eta("2026-11-07T12:00:00")  # Saturday
    assert kind == "later"
    assert at == datetime(2026, 11, 9, 9, 0, tzinfo=ZoneInfo("Europe/Warsaw"))


def test_shown_in_the_buyers_timezone() -> None:
    kind, at = eta("2026-11-02T10:00:00", tz="Europe/London")
    assert kind == "soon" and at.utcoffset() == timedelta(0) and (at.hour, at.minute) == (11, 0)
    # Monday 23:30 in Kyiv is already Tuesday for the buyer, 22:30 Monday for staff: "tomorrow" is theirs.
    kind, _at = eta("2026-11-02T21:30:00", tz="Europe/Kyiv")
    assert kind == "tomorrow"
    assert eta("2026-11-02T10:00:00", tz="Not/AZone")[1].utcoffset() == timedelta(hours=1)  # unknown: staff's


def test_times_and_days_read_in_the_buyers_language() -> None:
    at = datetime(2026, 11, 9, 9, 0, tzinfo=ZoneInfo("Europe/Warsaw"))
    assert clock_time(at, "de") == "09:00"
    assert clock_time(at, "en") == "9:00\u202fAM" or clock_time(at, "en") == "9:00 AM"
    assert day_and_date(at, "pl") == "poniedziałek, 9 listopada 2026"
    assert day_and_date(at, "uk").startswith("понеділок")


@given(
    moment=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    minutes=st.integers(min_value=10, max_value=2 * 24 * 60),
    tz=st.sampled_from(["Europe/Warsaw", "Europe/London", "Europe/Kyiv", "America/New_York", None]),
)
def test_the_estimate_is_never_in_the_past_and_always_in_working_time(
    moment: datetime, minutes: int, tz: str | None
) -> None:
    now = moment.replace(tzinfo=UTC)
    within = timedelta(minutes=minutes)
    found = staff_eta(HOURS, now, within, tz)
    at = datetime.fromisoformat(found["at"])
    assert at >= now
    local = at.astimezone(ZoneInfo(HOURS.timezone))
    assert DAYS[local.weekday()] in HOURS.days
    if found["kind"] == "soon":
        assert now + within <= at < now + within + timedelta(minutes=15)
        assert local.time() <= HOURS.end
    else:  # the start of a working day
        assert (local.hour, local.minute) == (9, 0)
        assert at - now <= timedelta(days=4)  # at worst a long weekend


def test_waiting_settings_are_checked_with_the_fix() -> None:
    with pytest.raises(ValidationError, match=r"answer_within must be between 10m and 2d"):
        Waiting(answer_within=timedelta(minutes=1))
    with pytest.raises(ValidationError, match=r"repeat_after must be between 5m and 1d"):
        Waiting(repeat_after=timedelta(seconds=10))


def test_team_names_in_the_buyers_language_with_the_documented_fallback() -> None:
    routing = load_routing(REPO / "policies" / "routing.yml")
    service = routing.teams["service"]
    assert service.name_in("de", "en") == "Servicequalität"
    assert service.name_in("pl-PL", "en") == "Jakość obsługi"
    assert service.name_in("nl", "en") == ""  # no Dutch name: left out, never English inside Dutch
    assert Team(name="Logistics").name_in("en", "en") == "Logistics"  # the shop's own language: `name`
    assert Team(name="Logistyka").name_in("pl", "pl") == "Logistyka"
    for team in routing.teams.values():  # every team speaks every language the catalogues have
        assert set(team.names) >= {"en", "pl", "sv", "ru", "sq", "de", "uk", "fr", "es", "it", "cs"}


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ({"Polish": "Logistyka"}, "is not a language code"),
        ({"pl": "  "}, "names.pl: empty"),
        ({"pl": "Logi{styka}"}, "braces are not allowed"),
    ],
)
def test_bad_team_names_say_what_to_fix(names: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Routing.model_validate(
            {
                "teams": {"logistics": {"name": "Logistics", "names": names}},
                "routes": dict.fromkeys(TOPICS, "logistics"),
            }
        )


TOPICS = ("delivery", "returns", "product", "service", "website", "billing", "other")


@given(gaps=st.lists(st.integers(min_value=0, max_value=120), min_size=1, max_size=30))
def test_a_waiting_buyer_is_answered_at_most_once_per_repeat_after(gaps: list[int]) -> None:
    """However the buyer's messages are spaced, the waiting answers are `repeat_after` apart, and the first
    message after the handoff is always answered (rule 9: never silence, never a flood)."""
    policy = load_conversation_policy(REPO / "policies" / "conversation.yml")
    facts = CaseFacts(topic="delivery", currency="EUR")
    now, slots, answered = datetime(2026, 11, 2, 10, 0, tzinfo=UTC), {"joined_by": None}, []
    for gap in gaps:
        now += timedelta(minutes=gap)
        plan = flow.while_waiting(flow.State(Stage.AWAITING_STAFF, dict(slots), facts, now), policy, {})
        assert plan.stage == Stage.AWAITING_STAFF and plan.handoff is None  # never a new handoff
        if plan.actions:
            assert plan.actions == ["action_waiting"]
            slots["waiting_told_at"] = now.isoformat()  # as the engine records it
            answered.append(now)
    assert answered and answered[0] == datetime(2026, 11, 2, 10, 0, tzinfo=UTC) + timedelta(minutes=gaps[0])
    assert all(b - a >= policy.waiting.repeat_after for a, b in pairwise(answered))
    # And once a person has joined, nothing at all.
    joined = flow.State(Stage.AWAITING_STAFF, {"joined_by": "Maja"}, facts, now + timedelta(days=1))
    assert flow.while_waiting(joined, policy, {}).actions == []
