"""Issue 19 (item 6): what gives the buyer what they asked for is offered before what only serves the wish. "I want
my money back" for a grill that never arrived was offered the shipping cost, since the shipping refund serves the
`refund` wish and its rule ranked first. The real flow and remedy policy; sentences are hand-written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.conversation import flow
from bot.platform.vocab import Stage
from tests.test_flow import facts, turn

# "I want my money back" for a parcel that never came, in several languages.
MONEY_BACK = {
    "sv": "jag vill bara ha pengarna tillbaka",
    "en": "I just want my money back",
    "de": "ich will einfach mein Geld zurück",
    "pl": "chcę po prostu zwrotu pieniędzy",
}
# "Just the shipping cost back".
SHIPPING_BACK = {
    "sv": "ge mig bara tillbaka fraktkostnaden",
    "en": "just give me the shipping cost back",
}


def lost_grill(language: str, price: str = "159.00") -> flow.State:
    """A grill shipped 14 days ago, tracking stalled for 11 days: lost, never delivered, 6.90 EUR shipping."""
    return flow.State(
        Stage.GATHERING,
        {
            "language": language,
            "what": "the parcel is lost, tracking has not moved for 11 days",
            "item": "grill",
            "problems": ["lost_in_transit", "late"],
            "requested_slot": "outcome",
            "asked": ["when", "evidence"],
        },
        facts(
            topic="delivery",
            order_value=Decimal(price),
            delivered=False,
            days_since_delivery=None,
            shipping_cost=Decimal("6.90"),
            details={"late_days": 7},
        ),
    )


@pytest.mark.parametrize("language", sorted(MONEY_BACK))
def test_money_back_for_a_lost_parcel_is_the_refund_of_the_item(language: str) -> None:
    """On main: refund_shipping 6.90 was offered first."""
    plan = turn(lost_grill(language, "99.00"), intent="request_refund", language=language, text=MONEY_BACK[language])
    offer = plan.slots["proposed_remedy"]
    assert offer["type"] == "refund_full" and offer["amount"] == "99.00", offer


@pytest.mark.parametrize("language", sorted(MONEY_BACK))
def test_money_back_above_authority_asks_a_person_for_the_refund(language: str) -> None:
    plan = turn(lost_grill(language), intent="request_refund", language=language, text=MONEY_BACK[language])
    assert plan.handoff == "approval_needed", plan
    assert plan.slots["pending_remedy"]["type"] == "refund_full"
    assert plan.slots["pending_remedy"]["amount"] == "159.00"


@pytest.mark.parametrize("language", sorted(SHIPPING_BACK))
def test_the_shipping_wish_still_gets_the_shipping_refund(language: str) -> None:
    plan = turn(lost_grill(language), intent="request_refund", language=language, text=SHIPPING_BACK[language])
    offer = plan.slots["proposed_remedy"]
    assert offer["type"] == "refund_shipping" and offer["amount"] == "6.90", offer
