""" "How long does that take?" asked at or after an offer, with no word of what: the remedy under way says whether it
asks when the money comes back or when the goods leave (data/answers/offer_terms.yml `how_long`). Sentences written
fresh for the test."""

from __future__ import annotations

import pytest

from bot.understanding.offer_terms import term_asked, term_slot


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "ok deal. how long will that take roughly?"),
        ("de", "passt. wie lange dauert das ungefähr?"),
        ("fr", "d'accord, ça prend combien de temps ?"),
        ("es", "vale, ¿y cuánto tarda eso?"),
        ("it", "va bene, quanto ci vuole?"),
        ("sv", "okej, hur lång tid tar det?"),
        ("pl", "ok, a jak długo to potrwa?"),
        ("cs", "dobře, jak dlouho to bude trvat?"),
        ("ru", "хорошо, а сколько это займет?"),
        ("uk", "добре, а скільки це займе?"),
        ("sq", "mire, sa kohe zgjat?"),
    ],
)
def test_how_long_asks_for_the_money_after_a_refund_and_the_parcel_after_a_replacement(
    language: str, text: str
) -> None:
    money = term_asked(text, language, "refund_partial")
    goods = term_asked(text, language, "replacement")
    assert money is not None and money.kind == "money_when"
    assert goods is not None and goods.kind == "ship_when"


@pytest.mark.parametrize(("language", "text"), [("en", "how long does it take?"), ("de", "wie lange dauert das?")])
def test_how_long_with_no_remedy_under_way_or_a_coupon_is_left_to_the_search(language: str, text: str) -> None:
    assert term_asked(text, language) is None
    assert term_slot(text, language, "coupon") is None


def test_a_question_that_names_what_it_asks_keeps_its_own_kind_whatever_the_remedy() -> None:
    found = term_asked("how long until the money is back on my card?", "en", "replacement")
    assert found is not None and found.kind == "money_when"
