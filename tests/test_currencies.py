"""Amounts read as the reader's language writes money (issue 21, issue 18 item 8): one helper, Babel's CLDR data."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import get_currency_precision
from hypothesis import given
from hypothesis import strategies as st

from actions.base import format_amount
from bot.platform.currencies import ISO_4217, format_money

NBSP = "\u00a0"
LANGUAGES = ("en", "pl", "sv", "ru", "sq", "de", "uk", "fr", "es", "it", "cs")


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        ("15.00", "EUR", "de", f"15,00{NBSP}€"),
        ("149.90", "PLN", "pl", f"149,90{NBSP}zł"),
        ("15.00", "EUR", "en", "€15.00"),
        ("149.90", "PLN", "en", f"PLN{NBSP}149.90"),  # letters kept apart from digits (CLDR currency spacing)
        ("1499", "CZK", "cs", f"1{NBSP}499,00{NBSP}Kč"),
        ("149.90", "SEK", "sv", f"149,90{NBSP}kr"),
        ("20", "EUR", "fr", f"20,00{NBSP}€"),
        ("35.7", "EUR", "pl-PL", f"35,70{NBSP}€"),  # a regional tag reads as its language
        ("35.7", "EUR", "xx", "€35.70"),  # a language Babel does not know: English conventions
    ],
)
def test_amounts_in_the_readers_language(amount: str, currency: str, language: str, expected: str) -> None:
    assert format_money(amount, currency, language) == expected


def test_nothing_given_is_nothing_shown_and_odd_input_is_kept() -> None:
    assert format_money(None, "EUR", "de") == ""
    assert format_money("", "EUR", "de") == ""
    assert format_money("about ten", "EUR", "de") == "about ten EUR"  # never lost, never a crash


def test_the_remedy_amount_a_buyer_reads() -> None:
    offer = {"type": "refund_partial", "amount": "35.70", "currency": "EUR"}
    assert format_amount(offer, "de") == f"35,70{NBSP}€"
    assert format_amount(offer, "en") == "€35.70"
    assert format_amount({"type": "coupon", "percent": "10.00"}, "de") == "10%"
    assert format_amount({"type": "replacement"}, "de") == ""


@given(
    amount=st.decimals(min_value=Decimal("0"), max_value=Decimal("10000000"), places=2, allow_nan=False),
    currency=st.sampled_from(sorted(ISO_4217)),
    language=st.sampled_from(LANGUAGES),
)
def test_any_amount_keeps_its_value_in_any_language(amount: Decimal, currency: str, language: str) -> None:
    text = format_money(str(amount), currency, language)
    assert text and "{" not in text
    # The digits read back to the same value, whatever the language's separators: nothing is rounded away
    # for a currency with cents. (Currencies without minor units, such as JPY, are rounded by CLDR's rules.)
    digits = "".join(ch for ch in text if ch.isdigit())
    places = get_currency_precision(currency)
    expected = amount.quantize(Decimal(1).scaleb(-places)) if places else amount.quantize(Decimal(1))
    assert int(digits) == int(expected.scaleb(places))
