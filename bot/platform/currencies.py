"""Money as people read it: ISO 4217 codes in circulation, and amounts written the way the reader's language
writes them ("15,00 €" in German, "149,90 zł" in Polish, "€15.00" in English) through Babel's CLDR data.

One helper, `format_money`, for every amount a buyer or staff member reads: remedy offers, confirmations,
the staff case card. The codes are reference data, not policy: they change once a decade."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.core import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_decimal

ISO_4217 = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BHD",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CRC",
        "CUP",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "IRR",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KPW",
        "KRW",
        "KWD",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "LYD",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TND",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "UYU",
        "UZS",
        "VES",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XCD",
        "XOF",
        "XPF",
        "YER",
        "ZAR",
        "ZMW",
        "ZWG",
    ]
)


# The locale whose conventions stand in for a language Babel does not know (a shop may add any language).
FALLBACK_LOCALE = "en"


def format_money(amount: object, currency: str | None, language: str | None) -> str:
    """`amount` in `currency`, written as `language` writes money; "" when there is no amount.

    A code Babel has no symbol for is written as the code itself, so nothing is ever lost; an amount that is
    not a number is returned as given with its code (the remedy rules only ever produce decimals, but the
    card also shows what an integration sent)."""
    if amount is None or amount == "":
        return ""
    code = (currency or "").strip().upper()
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return f"{amount} {code}".strip()
    if not value.is_finite():
        return f"{amount} {code}".strip()
    if not code:
        return _number(value, language)
    return _spaced(format_currency(value, code, locale=locale_for(language)))


# CLDR's currency-spacing rule, which Babel's formatter does not apply: a currency written in letters ("PLN",
# "Kč") is kept apart from the digits by a no-break space, so English reads "PLN 149.90", not "PLN149.90".
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def _spaced(text: str) -> str:
    return _LETTER_DIGIT.sub("\u00a0", text)


def _number(value: Decimal, language: str | None) -> str:
    return format_decimal(value, format="#,##0.00", locale=locale_for(language))


def locale_for(language: str | None) -> Locale:
    """The Babel locale for a language code ("pl", "pl-PL"); English conventions for one Babel lacks."""
    tag = (language or FALLBACK_LOCALE).replace("-", "_")
    try:
        return Locale.parse(tag)
    except (UnknownLocaleError, ValueError, TypeError):
        try:
            return Locale.parse(tag.split("_", 1)[0].lower())
        except (UnknownLocaleError, ValueError, TypeError):
            return Locale.parse(FALLBACK_LOCALE)
