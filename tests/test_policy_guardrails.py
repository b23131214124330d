"""PLAYBOOK guard rails on drafts: each broken rule fails validation and says why, by file and line.

The five examples of the issue, the floor that lives in code (so weakening guardrails.yml does not open
the door), other features' files (a quiet-hours window for SMS in any file), and the form editor that
rewrites YAML in place."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.policy.forms import Edit, FormError, apply_edits, form_values, set_value
from bot.policy.validate import validate_files
from bot.policy.versions import read_policy_dir
from tests.conftest import ROOT

BASE = read_policy_dir(ROOT / "policies")


def edit(name: str, old: str, new: str) -> dict[str, str]:
    assert old in BASE[name], f"{name} no longer contains {old!r}"
    return {name: BASE[name].replace(old, new, 1)}


def line_of(name: str, text: str) -> int:
    return BASE[name][: BASE[name].index(text)].count("\n") + 1


def check(files: dict[str, str]) -> list[str]:
    return [str(i) for i in validate_files({**BASE, **files})]


def test_the_shipped_policies_pass() -> None:
    assert check({}) == []


def test_a_template_offering_something_for_changing_the_review_fails() -> None:
    out = check(
        edit(
            "messages/en.yml",
            "I can send you {remedy} free of charge.",
            "We can send a coupon if you change your review to 5 stars. I can send you {remedy} free of charge.",
        )
    )
    assert any(
        i.startswith("messages/en.yml:") and "offers something on condition that the review is changed" in i
        for i in out
    ), out


def test_a_template_asking_to_delete_the_review_fails_in_any_language() -> None:
    out = check(edit("messages/en.yml", "If you'd like to update your review", "Please delete your review"))
    assert any("asks for the review to be deleted" in i for i in out), out
    pl = BASE["messages/pl.yml"]
    line = next(ln for ln in pl.splitlines() if "ask_revision:" in ln)
    out = check({"messages/pl.yml": pl.replace(line, line + '\n    - "Prosimy o usunięcie opinii: {edit_url}"', 1)})
    assert any(i.startswith("messages/pl.yml:") and "usunięcie opinii" in i for i in out), out


def test_a_remedy_with_no_limit_fails() -> None:
    out = check(edit("remedies.yml", "    limit: {percent: 10, max_amount: 25.00}\n    rank: 3\n", "    rank: 3\n"))
    assert any(i.startswith("remedies.yml:") and "coupon is unbounded" in i for i in out), out


def test_quiet_hours_that_allow_sms_at_night_fail() -> None:
    out = check(edit("mediation.yml", 'start: "21:00"', 'start: "23:30"'))
    line = line_of("mediation.yml", "\nquiet_hours:") + 1
    assert any(i.startswith(f"mediation.yml:{line}:") and "22:00, 23:00" in i for i in out), out
    # Another feature's file (say, notifications.yml): its own window for SMS is held to the same rule.
    out = check({"notifications.yml": 'sms:\n  quiet_hours: {start: "23:00", end: "06:00"}\n'})
    assert any(i.startswith("notifications.yml:2:") and "allow messages (SMS) at night" in i for i in out), out
    out = check({"notifications.yml": "sms:\n  ignore_quiet_hours: true\n"})
    assert any("notifications.yml:2:" in i and "at night" in i for i in out), out
    assert check({"notifications.yml": 'sms:\n  quiet_hours: {start: "21:00", end: "08:00"}\n'}) == []


def test_a_first_contact_without_the_automation_disclosure_fails() -> None:
    out = check(
        edit("messages/en.yml", "I'm the automated assistant of {shop_name}, and I read", "We at {shop_name} read")
    )
    assert any("first contact must say it is the shop's automated assistant" in i and "EU AI Act" in i for i in out), (
        out
    )


def test_a_revision_ask_before_resolution_fails() -> None:
    out = check(
        edit(
            "messages/en.yml",
            "I can send you {remedy} free of charge.",
            "Would you update your review? I can send you {remedy} free of charge.",
        )
    )
    assert any("mentions the review" in i and "PLAYBOOK rule 10" in i for i in out), out
    out = check(edit("conversation.yml", "revision_ask_after: 1d", "revision_ask_after: 1h"))
    line = line_of("conversation.yml", "revision_ask_after: 1d")
    assert any(i.startswith(f"conversation.yml:{line}:") and "cool-off" in i for i in out), out


def test_the_floor_holds_when_guardrails_yml_is_weakened() -> None:
    rails = BASE["guardrails.yml"]
    start = rails.index("    forbidden:\n", rails.index("  en:"))
    end = rails.index("  pl:\n")
    weakened = rails[:start] + "    forbidden: []\n" + rails[end:]
    out = check(
        {
            "guardrails.yml": weakened,
            **edit("messages/en.yml", "If you'd like to update your review", "Please delete your review"),
        }
    )
    assert any("languages.en.forbidden: must keep at least one pattern" in i for i in out), out
    assert any("guard rail built into Mediator" in i and "delete the review" in i for i in out), out


def test_the_team_signature_is_held_to_the_same_rules() -> None:
    out = check(
        edit("shop.yml", '"— the Nordlys customer care team"', '"— Nordlys (10% off if you remove your review)"')
    )
    assert any(i.startswith("shop.yml:") and "team_signature.en" in i for i in out), out


def test_forms_rewrite_values_in_place_and_keep_comments() -> None:
    values = form_values(BASE)
    rule = next(r for r in values["rules"] if r["id"] == "rude-support-coupon")
    assert rule["limit"]["percent"] == 10 and values["quiet_hours"] == {"start": "21:00", "end": "08:00"}
    edited = apply_edits(
        BASE,
        [
            Edit(file="remedies.yml", path=["rules", rule["index"], "limit", "percent"], value=5),
            Edit(file="mediation.yml", path=["contact", "impulsive", "delay"], value="6h"),
            Edit(file="shop.yml", path=["team_signature", "en"], value="— the Nordlys care team"),
        ],
    )
    assert validate_files(edited) == []
    assert form_values(edited)["contact"]["impulsive"]["delay"] == "6h"
    changed = [n for n in BASE if BASE[n] != edited[n]]
    assert sorted(changed) == ["mediation.yml", "remedies.yml", "shop.yml"]
    for name in changed:  # only the edited line differs; every comment survives
        a, b = BASE[name].splitlines(), edited[name].splitlines()
        assert len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1
    try:
        set_value(BASE["remedies.yml"], ["rules", 999, "limit"], 1)
    except FormError as exc:
        assert "does not exist" in str(exc)
    else:
        raise AssertionError("an unknown path must be refused")


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=120))
def test_any_form_text_round_trips_through_the_yaml(text: str) -> None:
    out = set_value(BASE["shop.yml"], ["team_signature", "en"], text)
    got = form_values({"shop.yml": out})["team_signature"]["en"]
    assert got == text


def test_a_message_file_checked_before_is_read_from_memory_and_an_edit_is_checked_again() -> None:
    """The eleven message files' rule-10 check is kept by their text (bot/policy/guardrails.py _checked_messages):
    a second draft that changes one file checks that one again, the issue follows the edit both ways, and every
    issue names the file relative to the draft, never a folder of an earlier check."""
    from bot.policy import guardrails

    asking = edit("messages/sv.yml", "ask_revision:", 'ask_revision:\n    - "Ta bort din recension, tack: {edit_url}"')
    assert check({}) == []
    kept = dict(guardrails._checked_messages)
    out = check(asking)
    assert any(i.startswith("messages/sv.yml:") and "Ta bort din recension" in i for i in out), out
    changed = set(guardrails._checked_messages) - set(kept)
    assert {name for name, _, _ in changed} == {"messages/sv.yml"}  # the other ten came from memory
    assert check({}) == []  # the edit undone: the kept result for the shipped text again
