"""The team that owns a case is the one of what the buyer told, where it names another topic than the review's triage
(held-out round 12, uk: a double charge filed under a delivery review went to Logistics). A fault of the goods keeps
the product's team whatever else is told."""

from __future__ import annotations

from bot.platform.vocab import Stage
from tests.test_flow import facts, state, turn


def test_a_double_charge_told_on_a_delivery_review_goes_to_billing() -> None:
    s = state(Stage.GATHERING, requested_slot="what")
    plan = turn(s, text="the delay is nothing, you took the money twice", problems=["charged_twice"])
    assert plan.slots["team_topic"] == "billing"


def test_a_fault_of_the_goods_keeps_the_product_team_when_lateness_is_added() -> None:
    s = state(Stage.GATHERING, requested_slot="when", problems=["damaged"])
    s = type(s)(s.stage, s.slots, facts(topic="product"))
    plan = turn(s, text="oh and it was a week late as well", problems=["late"])
    assert plan.slots["team_topic"] == "product"


def test_a_message_naming_no_topic_keeps_the_team_already_chosen() -> None:
    s = state(Stage.GATHERING, requested_slot="when", problems=["charged_twice"], team_topic="billing")
    plan = turn(s, text="on tuesday I think", problems=[])
    assert plan.slots["team_topic"] == "billing"
