"""Issue 19 (item 3): of several sums a message names, the one the buyer asks for is taken, not the smallest. The
real NLU finds the sums (with their places in the text); bot/conversation/haggle.py picks the ask from the words
of each sum's clause (data/answers/amounts.yml). Then the real flow sizes the offer to it. Sentences are
hand-written, not the simulator personas' lines."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bot.conversation import haggle
from bot.understanding.nlu import NLU, load_nlu
from tests.test_flow import turn
from tests.test_flow_remedies_fit import damaged_case

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def nlu(cache_dir: Path) -> NLU:
    return load_nlu(cache_dir, DATA)


def asked(nlu: NLU, text: str, language: str) -> Decimal | None:
    entities = nlu.entities(text, language)[0]
    return haggle.amount_asked(entities, "EUR", text, language)


# A smaller price first, then the ask (on main: the smaller, the 5 of the shipping).
PRICE_THEN_ASK = {
    "en": "Shipping cost 5 EUR, I want 20 EUR back",
    "de": "Der Versand hat 5 € gekostet, ich möchte 20 € zurück",
    "pl": "Wysyłka kosztowała 5 euro, chcę zwrotu 20 euro",
    "ru": "Доставка стоила 5 €, хочу вернуть 20 €",
    "uk": "Доставка коштувала 5 €, хочу повернути 20 €",
    "fr": "La livraison a coûté 5 €, je voudrais 20 € remboursés",
    "es": "El envío costó 5 €, quiero que me devuelvan 20 €",
    "it": "La spedizione è costata 5 €, vorrei 20 € di rimborso",
    "sv": "Frakten kostade 5 euro, jag vill ha 20 euro tillbaka",
    "cs": "Poštovné stálo 5 €, chci vrátit 20 €",
    "sq": "Transporti kushtoi 5 €, dua 20 € mbrapsht",
}

# A correction: the sum turned down first, the one meant last (on main: the smaller, 20).
CORRECTED = {
    "en": "not 20 €, 30 €",
    "de": "nicht 20 €, sondern 30 €",
    "pl": "nie 20 euro, tylko 30 euro",
    "ru": "не 20 €, а 30 €",
    "fr": "pas 20 €, 30 €",
    "es": "no 20 €, 30 €",
    "sv": "inte 20 euro, 30 euro",
}

# "I paid 45 and shipping was 6.99": two prices, no ask (on main: 6.99).
ONLY_PRICES = {
    "en": "I paid 45 EUR and shipping was 6.99 EUR",
    "de": "Ich habe 45 € bezahlt und der Versand kostete 6,99 €",
    "pl": "Zapłaciłem 45 euro, a wysyłka kosztowała 6,99 euro",
    "ru": "Я заплатил 45 € и доставка стоила 6,99 €",
    "fr": "J'ai payé 45 € et la livraison 6,99 €",
    "es": "Pagué 45 € y el envío fue de 6,99 €",
    "sv": "Jag betalade 45 euro och frakten var 6,99 euro",
}


@pytest.mark.parametrize("language", sorted(PRICE_THEN_ASK))
def test_the_sum_tied_to_the_wish_is_the_ask(nlu: NLU, language: str) -> None:
    assert asked(nlu, PRICE_THEN_ASK[language], language) == Decimal("20.00")


@pytest.mark.parametrize("language", sorted(CORRECTED))
def test_the_corrected_sum_is_the_ask(nlu: NLU, language: str) -> None:
    assert asked(nlu, CORRECTED[language], language) == Decimal("30.00")


@pytest.mark.parametrize("language", sorted(ONLY_PRICES))
def test_sums_said_as_prices_ask_for_nothing(nlu: NLU, language: str) -> None:
    assert asked(nlu, ONLY_PRICES[language], language) is None


def test_an_ask_named_before_the_price_is_still_the_ask(nlu: NLU) -> None:
    """The larger sum comes last here and is a price: "last" alone would take it."""
    assert asked(nlu, "It cost 80 EUR, I want 20 EUR back", "en") == Decimal("20.00")
    assert asked(nlu, "I'd like 20 EUR back of the 80 EUR I paid", "en") == Decimal("20.00")
    assert asked(nlu, "the 8 EUR difference of my 45 EUR order", "en") == Decimal("8.00")


def test_a_single_sum_after_a_no_is_still_the_ask(nlu: NLU) -> None:
    assert asked(nlu, "No, 30 EUR back please", "en") == Decimal("30.00")


@pytest.mark.parametrize("language", ["en", "de", "ru", "es"])
def test_the_offer_is_sized_to_the_corrected_sum(nlu: NLU, language: str) -> None:
    """Through the flow: a damaged 119.00 suitcase, 30% at most (35.70); the buyer asks for 30, not 20."""
    text = CORRECTED[language]
    plan = turn(
        damaged_case(language),
        intent="request_refund",
        language=language,
        text=text,
        entities=nlu.entities(text, language)[0],
    )
    offer = plan.slots["proposed_remedy"]
    assert offer["type"] == "refund_partial" and offer["amount"] == "30.00", offer
