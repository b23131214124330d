"""policies/mediation.yml: schema, playbook guard rails, quiet hours and `mediator policy validate`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.app.cli.main import app
from bot.platform.durations import format_duration, parse_duration
from bot.platform.yaml_lines import PolicyFileError, load_model_text
from bot.policy.mediation import MediationPolicy, load_mediation_policy, next_allowed_send

ROOT = Path(__file__).resolve().parent.parent
TEXT = (ROOT / "policies" / "mediation.yml").read_text()


def policy(text: str = TEXT) -> MediationPolicy:
    return load_model_text(text, MediationPolicy, "mediation.yml")


def issues(text: str) -> list[str]:
    with pytest.raises(PolicyFileError) as exc:
        policy(text)
    return [str(i) for i in exc.value.issues]


def test_demo_policy_loads() -> None:
    p = load_mediation_policy(ROOT / "policies" / "mediation.yml")
    assert p.rating_threshold == 3 and p.window == timedelta(days=21)
    assert p.contact.impulsive.delay == timedelta(hours=4)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("window: 21d", "window: 21 days"), "mediation.yml:7: window: '21 days' is not a duration"),
        (("rating_threshold: 3", "rating_threshold: 5"), "mediation.yml:5: rating_threshold:"),
        (("troll: {mode: none}", "troll: {mode: now}"), "PLAYBOOK rule 5"),
        (("impulsive: {mode: delayed, delay: 4h}", "impulsive: {mode: none}"), "PLAYBOOK rule 4"),
        (("impulsive: {mode: delayed, delay: 4h}", "impulsive: {mode: delayed}"), "needs a positive delay"),
        (('start: "21:00"', 'start: "23:30"'), "22:00, 23:00 is not covered"),
        (("default_timezone: Europe/Warsaw", "default_timezone: Mars/Olympus"), "unknown timezone"),
        (("window: 21d", "window: 21d\nwindw: 3d"), "mediation.yml:8: windw: unknown key"),
    ],
)
def test_mistakes_are_reported_with_line_and_reason(change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in TEXT
    found = issues(TEXT.replace(old, new))
    assert any(expected in i for i in found), found


def test_durations_round_trip() -> None:
    assert parse_duration("1d12h") == timedelta(days=1, hours=12)
    assert format_duration(parse_duration("90m")) == "1h30m"
    for bad in ("", "4 hours", "h", "-3h"):
        with pytest.raises(ValueError, match="30m, 4h"):
            parse_duration(bad)


def test_quiet_hours_defer_to_the_buyers_morning_across_dst() -> None:
    p = policy()
    night = datetime(2026, 10, 24, 21, 30, tzinfo=UTC)  # 23:30 in Warsaw, the night before DST ends
    assert next_allowed_send(p, night, "Europe/Warsaw") == datetime(2026, 10, 25, 7, 0, tzinfo=UTC)  # 08:00 CET
    day = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    assert next_allowed_send(p, day, "Europe/Warsaw") == day
    # Unknown timezone: the policy's default applies.
    assert next_allowed_send(p, night, None) == datetime(2026, 10, 25, 7, 0, tzinfo=UTC)
    # 12:00 UTC is 21:00 in Tokyo: quiet.
    assert next_allowed_send(p, day, "Asia/Tokyo") == datetime(2026, 11, 2, 23, 0, tzinfo=UTC)


def test_policy_validate_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["policy", "validate", str(ROOT / "policies")])
    assert ok.exit_code == 0, ok.output
    (tmp_path / "mediation.yml").write_text(TEXT.replace("window: 21d", "window: soon"))
    bad = runner.invoke(app, ["policy", "validate", str(tmp_path)])
    assert bad.exit_code == 2
    assert f"{tmp_path / 'mediation.yml'}:7: window:" in bad.output
