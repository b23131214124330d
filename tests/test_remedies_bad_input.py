"""Issue 19, bad input: an order the policy's money limits cannot be applied to gets a clear answer, never a wrong
amount and never another remedy offered as if the wish were not allowed. The real flow and remedy policy; the
buyer's message as the NLU would hand it over. Sentences are hand-written.

- a currency without a rate in remedies.yml (`rates`): no amount can be converted;
- an order without prices, or an item the buyer names that the order does not hold: the value a limit is taken of
  (the affected item's price x quantity) is unknown.

Each goes to a person (no_acceptable_remedy), the card saying what kept the remedy from being priced. On main the
first two were offered a replacement, the money wish swapped in silence (the rate) or with a false reason ("our
policy does not provide a refund for this kind of problem"). The other items of the list are proven elsewhere:
a staff grant on a closed case is a 409 naming it (test_staff_remedy: test_bad_grants_name_the_field); a rule's
fact an order lacks never matches (test_remedies: test_unknown_fact_never_matches); an order of several lines gets
no amount until the item is known (test_remedies)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.conversation import flow
from bot.handoff.card import reason_text
from bot.platform.vocab import Stage
from bot.policy.remedies import unpriced
from tests.test_flow import REMEDIES, facts, turn

# "I want my money back", in several languages.
MONEY_BACK = {
    "en": "I just want my money back",
    "de": "ich will einfach mein Geld zurück",
    "pl": "chcę po prostu zwrotu pieniędzy",
    "ru": "верните мне деньги",
    "sv": "jag vill bara ha pengarna tillbaka",
    "fr": "je veux être remboursé",
}


def broken_lamp(language: str, **over: object) -> flow.State:
    """A lamp that arrived broken two days ago; the buyer was asked what would be fair."""
    return flow.State(
        Stage.GATHERING,
        {
            "language": language,
            "what": "the lamp arrived broken",
            "item": "lamp",
            "problems": ["damaged"],
            "requested_slot": "outcome",
            "asked": ["when", "evidence"],
        },
        facts(topic="product", **over),
    )


def asks_money(s: flow.State, language: str) -> flow.Plan:
    return turn(s, intent="request_refund", language=language, text=MONEY_BACK[language])


def no_amount_offered(plan: flow.Plan) -> bool:
    offered = [plan.slots.get(k) for k in ("proposed_remedy", "pending_remedy", "accepted_remedy")]
    return not any(o and o.get("amount") for o in offered)


@pytest.mark.parametrize("language", sorted(MONEY_BACK))
def test_a_currency_without_a_rate_goes_to_a_person_saying_so(language: str) -> None:
    """NOK has no rate in the demo policy."""
    plan = asks_money(broken_lamp(language, currency="NOK"), language)
    assert plan.handoff == "no_acceptable_remedy", plan
    assert plan.slots["unpriced"] == "rate" and no_amount_offered(plan)


@pytest.mark.parametrize("language", sorted(MONEY_BACK))
def test_an_order_without_prices_goes_to_a_person_saying_so(language: str) -> None:
    plan = asks_money(broken_lamp(language, order_value=None), language)
    assert plan.handoff == "no_acceptable_remedy", plan
    assert plan.slots["unpriced"] == "price" and no_amount_offered(plan)


@pytest.mark.parametrize("language", ["en", "pl", "sv"])
def test_an_item_the_order_does_not_hold_gets_no_amount_of_another(language: str) -> None:
    """An order of a mug and a plate; the buyer's "lamp" is in neither line: no amount is taken from the order."""
    s = broken_lamp(
        language,
        order_value=Decimal("60.00"),
        lines=2,
        item_values={"mug": Decimal("20.00"), "plate": Decimal("40.00")},
    )
    plan = asks_money(s, language)
    assert plan.handoff == "no_acceptable_remedy", plan
    assert plan.slots["unpriced"] == "price" and no_amount_offered(plan)


def test_a_priced_order_is_offered_its_money_as_before() -> None:
    plan = asks_money(broken_lamp("en"), "en")
    assert plan.handoff is None and plan.slots["proposed_remedy"]["type"] == "refund_full"
    assert plan.slots["proposed_remedy"]["amount"] == "129.90"


def test_a_wish_for_goods_is_not_held_up_by_a_missing_rate() -> None:
    """A replacement needs no amount: only a money wish is handed over for want of a rate."""
    plan = turn(broken_lamp("en", currency="NOK"), intent="request_replacement", text="a new lamp please")
    assert plan.slots.get("unpriced") is None


def test_unpriced_names_what_is_missing_and_nothing_when_nothing_is() -> None:
    damaged = {"damaged": True}
    assert unpriced(REMEDIES, facts(topic="product", currency="NOK", details=damaged), "refund") == "rate"
    assert unpriced(REMEDIES, facts(topic="product", order_value=None, details=damaged), "discount") == "price"
    assert unpriced(REMEDIES, facts(topic="product", details=damaged), "refund") is None
    # No rule for money fits (nothing went wrong that the policy pays for): nothing to price, nothing said.
    assert unpriced(REMEDIES, facts(topic="product", currency="NOK"), "refund") is None


def test_the_card_says_what_kept_the_remedy_from_being_priced() -> None:
    said = reason_text("no_acceptable_remedy", {"unpriced": "rate"})
    assert said.startswith("no remedy the policy allows fits") and "rates" in said
    assert "no prices" in reason_text("no_acceptable_remedy", {"unpriced": "price"})
    assert reason_text("no_acceptable_remedy", {}) == "no remedy the policy allows fits"
    assert reason_text("anger", {"unpriced": "rate"}) == "anger stayed high after de-escalation"


def test_another_handoff_clears_the_reason() -> None:
    s = broken_lamp("en", currency="NOK")
    plan = asks_money(s, "en")
    s = flow.State(Stage.PROPOSING, {**s.slots, **plan.slots}, s.facts)
    again = flow.handoff("buyer_asked", Stage.PROPOSING, dict(s.slots))
    assert again.slots["unpriced"] is None
