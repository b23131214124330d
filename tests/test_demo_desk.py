"""The demo's staff desk and script dealer (bot/app/demo_desk.py, bot/app/demo_history.py): what a real team does
with a handoff, and which buyer script a review gets. The replay itself is covered by tests/test_cli.py."""

from __future__ import annotations

import yaml

from bot.app.demo_desk import desk_steps
from bot.app.demo_history import HERE, Dealer
from bot.platform.vocab import Kind, Problem, Topic, names
from bot.store.models import Case

PLAN = yaml.safe_load((HERE / "history.yml").read_text(encoding="utf-8"))
DESK = PLAN["staff_desk"]


def case(language: str = "pl", **details: object) -> Case:
    return Case(
        language=language, stage="awaiting_staff", details=details, handoff_reason=details.get("handoff_reason")
    )


def test_approvals_within_the_desk_limit_are_approved_and_above_it_rejected() -> None:
    reship = {"type": "reship", "amount": None, "currency": "EUR"}
    assert [s.staff for s in desk_steps(case(pending_remedy=reship), DESK, False)] == ["/approve"]
    small = {"type": "refund_full", "amount": "159.00", "currency": "EUR"}
    assert [s.staff for s in desk_steps(case(pending_remedy=small), DESK, False)] == ["/approve"]
    large = {"type": "refund_full", "amount": "900.00", "currency": "EUR"}
    assert [s.staff for s in desk_steps(case(pending_remedy=large), DESK, False)] == ["/reject"]
    unknown = {"type": "refund_full", "amount": "10.00", "currency": "JPY"}  # no limit set: not approved
    assert [s.staff for s in desk_steps(case(pending_remedy=unknown), DESK, False)] == ["/reject"]


def test_other_handoffs_get_a_reply_in_the_buyers_language_and_go_back_to_the_bot() -> None:
    steps = desk_steps(case("de", handoff_reason="not_understood", wants="replacement"), DESK, False)
    assert steps[0].staff == DESK["replies"]["de"]["default"].format(name="Jonas")
    assert [s.staff for s in steps[1:]] == ["/grant replacement", "/handback"]
    # A buyer who asked for a person is asked what would help, and the desk reads the answer first.
    asked = desk_steps(case("sv", handoff_reason="buyer_asked"), DESK, False)
    assert [s.staff for s in asked] == [DESK["replies"]["sv"]["buyer_asked"].format(name="Jonas")]
    # Nothing the policy allows and nothing the desk may grant: it stays with staff, unanswered by the bot.
    assert desk_steps(case("en", handoff_reason="no_acceptable_remedy", wants="refund"), DESK, False) == []
    # Trolls, black PR and buyers who opted out are never written to.
    assert desk_steps(case("en", handoff_reason="suspected_troll"), DESK, False) == []
    assert desk_steps(case("en", handoff_reason="buyer_asked", opted_out=True), DESK, False) == []
    # No words in the buyer's language: a person would not write in another one.
    assert desk_steps(case("it", handoff_reason="not_understood"), DESK, False) == []


def test_scripts_are_dealt_by_what_the_review_is_about() -> None:
    dealer = Dealer(PLAN["scripts"])
    about = {name: set(s.get("about", ["any"])) for name, s in PLAN["scripts"].items()}
    first = {name: s["steps"][0] for name, s in PLAN["scripts"].items()}

    def dealt(language: str, problems: set[str], labels: set[str]) -> str:
        steps = dealer.deal(language, problems, labels)
        assert steps is not None
        dumped = steps[0].model_dump(exclude_defaults=True)
        return next(n for n, f in first.items() if f == dumped and PLAN["scripts"][n]["language"] == language)

    assert about[dealt("en", {"charged_twice"}, {"billing", "constructive"})] & {"charged_twice"}
    assert about[dealt("sv", set(), {"delivery", "constructive"})] & {"delivery"}  # no problem named: the topic
    assert "impulsive" in about[dealt("ru", set(), {"other", "impulsive"})]
    assert dealer.deal("it", {"damaged"}, {"product"}) is None  # no Italian scripts: a buyer who never answers


def test_every_script_names_what_it_is_about_in_the_vocabulary() -> None:
    known = set(names(Problem)) | set(names(Topic)) | set(names(Kind)) | {"any"}
    for name, script in PLAN["scripts"].items():
        assert set(script.get("about", [])) <= known and script.get("about"), name


def test_money_is_granted_as_the_policy_allows_it_for_the_case_and_within_the_desks_limit() -> None:
    """Issue 19 item 6: the desk grants a refund or a partial refund where the buyer wants their money back and the
    policy allows one for the case (the /staff card's list, with its amount), within its own limit; never an amount
    the policy does not list, never above the limit."""
    full = {"type": "refund_full", "amount": "89.00", "currency": "EUR", "needs_approval": True}
    partial = {"type": "refund_partial", "amount": "26.70", "currency": "EUR", "needs_approval": False}
    waiting = case("en", handoff_reason="not_understood", wants="refund", item="Fjord table lamp")
    steps = [s.staff for s in desk_steps(waiting, DESK, True, [partial, full])]
    assert steps == ["/grant refund_full 89.00 Fjord table lamp", "/handback"]
    # Only a partial refund allowed: that one, at the policy's amount.
    only_partial = desk_steps(waiting, DESK, True, [partial])
    assert only_partial[0].staff == "/grant refund_partial 26.70 Fjord table lamp"
    # Above the desk's limit: a partial refund within it, else nothing granted (the bot goes on from the hand back).
    dear = {**full, "amount": "900.00"}
    within = desk_steps(waiting, DESK, True, [dear, partial])
    assert str(within[0].staff).startswith("/grant refund_partial")
    assert [s.staff for s in desk_steps(waiting, DESK, True, [dear])] == ["/handback"]
    # Nothing allowed for money and nothing else to grant: the case stays with staff, as before.
    stuck = case("en", handoff_reason="no_acceptable_remedy", wants="refund")
    assert desk_steps(stuck, DESK, True, []) == []
    granted = desk_steps(stuck, DESK, True, [partial])
    assert [s.staff for s in granted] == ["/grant refund_partial 26.70", "/handback"]
    # A shipping wish gets the shipping cost back; a remedy already agreed is not granted twice.
    shipping = {"type": "refund_shipping", "amount": "9.90", "currency": "EUR"}
    late = case("en", handoff_reason="anger", wants="shipping")
    assert desk_steps(late, DESK, True, [shipping])[0].staff == "/grant refund_shipping 9.90"
    agreed = case("en", handoff_reason="anger", wants="refund", accepted_remedy=partial)
    assert [s.staff for s in desk_steps(agreed, DESK, True, [full])] == ["/handback"]
