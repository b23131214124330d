"""How many pieces of one order line went wrong, said as a share of it ("two of the six chairs"), and the remedy held
against those pieces only (held-out round 12, pl: a resend of two wrong-coloured chairs was judged on all six, 330
EUR, and handed to a person for approval). Sentences written fresh for the test."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.conversation import flow
from bot.platform.vocab import Stage
from bot.policy.remedies import options_for
from bot.understanding.pieces import pieces_of
from tests.test_flow import REMEDIES, facts


@pytest.mark.parametrize(
    ("language", "text", "count", "pieces"),
    [
        ("en", "three of the eight glasses came chipped", 8, 3),
        ("en", "two plates out of six are cracked", 6, 2),
        ("de", "zwei von vier Tassen hatten Risse", 4, 2),
        ("fr", "deux des quatre bols sont fendus", 4, 2),
        ("es", "una de las 4 tazas llegó rota", 4, 1),
        ("it", "due delle sei sedie sono rovinate", 6, 2),
        ("sv", "två av fyra glas var spruckna", 4, 2),
        ("pl", "z czterech kubków dwa są pęknięte", 4, 2),
        ("cs", "dva ze čtyř hrnků jsou prasklé", 4, 2),
        ("ru", "из шести тарелок две с трещиной", 6, 2),
        ("uk", "дві з чотирьох чашок тріснули", 4, 2),
        ("sq", "dy nga gjashte gotat erdhen te thyera", 6, 2),
        # Not a share of the line: another whole, the whole line, a line of one, no share at all.
        ("en", "2 of 3 weeks I waited", 6, None),
        ("en", "all six of the six are wrong", 6, None),
        ("en", "one of two reasons I write", 1, None),
        ("pl", "dwa tygodnie czekalam na szesc krzesel", 6, None),
    ],
)
def test_the_share_of_the_line_gone_wrong_is_read(language: str, text: str, count: int, pieces: int | None) -> None:
    assert pieces_of(text, language, count) == pieces


@given(st.text(max_size=60), st.integers(min_value=0, max_value=20))
def test_pieces_read_from_any_text_are_fewer_than_the_line_holds(text: str, count: int) -> None:
    found = pieces_of(text, "en", count)
    assert found is None or 0 < found < count


def _chairs(**slots: object) -> flow.State:
    six = facts(
        topic="product",
        order_value=Decimal("330.00"),
        item_values={"Beech dining chair, white": Decimal("330.00")},
        item_counts={"Beech dining chair, white": 6},
        lines=1,
    )
    base = {"language": "en", "problems": ["wrong_item"], "item": "Beech dining chair, white", "wants": "replacement"}
    return flow.State(Stage.GATHERING, {**base, **slots}, six)


def test_a_resend_of_two_of_six_chairs_is_judged_on_the_two() -> None:
    whole = flow.remedy_facts(_chairs())
    two = flow.remedy_facts(_chairs(pieces=2))
    assert whole.at_stake("item") == Decimal("330.00") and two.at_stake("item") == Decimal("110.00")
    resend = {o.type: o for o in options_for(REMEDIES, two)}
    assert "reship" in resend or "replacement" in resend
    sent = resend.get("reship") or resend["replacement"]
    assert not sent.needs_approval
    everything = {o.type: o for o in options_for(REMEDIES, whole)}
    assert (everything.get("reship") or everything["replacement"]).needs_approval


def test_the_offer_and_the_staff_card_carry_the_pieces() -> None:
    s = _chairs(pieces=2)
    option = next(o for o in options_for(REMEDIES, flow.remedy_facts(s)) if o.type in ("reship", "replacement"))
    assert flow.remedy_slot(s, option)["pieces"] == 2
