"""Sums written in words, read as digits ("sept euros quatre-vingt-dix" -> "7.90 EUR"; data/number_words.yml).

Every reader of a sum (the amount entity, haggle.sums_asked, the wish readers) knows digits only. A buyer who wrote the
7.90 EUR overcharged in words, as people do by voice dictation or in a formal letter, was read as asking for the whole
price back; one who asked for "dwadzieścia pięć euro" was met with the most the policy allows instead (held-out round
16). Only a run of number words next to a currency word is read: "une housse", "jeden kubek" name no sum.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml

from bot.platform.folding import fold

NUMBER_WORDS_FILE = Path(__file__).resolve().parents[2] / "data" / "number_words.yml"

_SEP = r"[\s\-]+"
_HUNDRED = 100


def _alternation(words: list[str]) -> str:
    """Longest first, so "quatre vingt" is read before "quatre"; a space in a word also matches a hyphen."""
    return "|".join(re.escape(w).replace(r"\ ", _SEP) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=2)
def _table(path: Path = NUMBER_WORDS_FILE) -> dict[str, tuple[re.Pattern[str], re.Pattern[str], dict]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    table = {}
    for language, entry in data.items():
        numbers = {str(k): int(v) for k, v in entry["numbers"].items()}
        word = rf"(?:{_alternation(list(numbers))})"
        joins = _alternation(entry.get("joins", [])) or "(?!)"
        run = rf"{word}(?:{_SEP}(?:(?:{joins}){_SEP})?{word})*"
        amount = rf"(?:{run}|\d{{1,4}})"
        currency = _alternation(list(entry["currency"]))
        cents = _alternation(entry.get("cents", [])) or "(?!)"
        decimal = _alternation(entry.get("decimal", [])) or "(?!)"
        sum_said = re.compile(
            rf"(?<![\w-])(?P<whole>{amount})"
            rf"(?:{_SEP}(?:{decimal}){_SEP}(?P<point>{amount}))?"
            rf"{_SEP}(?P<cur>{currency})"
            rf"(?:{_SEP}(?:(?:{joins}){_SEP})?(?P<frac>{amount})(?P<cents>{_SEP}(?:{cents}))?)?"
            rf"(?![\w-])"
        )
        table[language] = (sum_said, re.compile(word), {"numbers": numbers, "currency": entry["currency"]})
    return table


def _value(said: str, word: re.Pattern[str], numbers: dict[str, int]) -> int | None:
    """The value of a run of number words ("soixante et onze" 71, "deux cents" 200), or of digits."""
    if said.isdigit():
        return int(said)
    total = 0
    for m in word.finditer(said):
        n = numbers[re.sub(_SEP, " ", m.group(0))]
        total = (total or 1) * n if n == _HUNDRED else total + n
    return total


def digits_for_words(text: str, language: str | None) -> str:
    """`text` with each sum said in words written in digits and the currency's code ("7.90 EUR"); unchanged for a
    language data/number_words.yml does not list, or where no sum is said in words."""
    entry = _table().get(language or "")
    if entry is None or text.isdigit():
        return text
    sum_said, word, words = entry
    folded, index = fold(text)
    found = []
    for m in sum_said.finditer(folded):
        parts = [m.group("whole"), m.group("point") or "", m.group("frac") or ""]
        if all(p.isdigit() or not p for p in parts):
            continue  # digits already: the amount reader needs no help
        whole = _value(m.group("whole"), word, words["numbers"])
        hundredths = m.group("point") or m.group("frac")
        end = m.end()
        cents = _value(hundredths, word, words["numbers"]) if hundredths else 0
        if m.group("frac") and not m.group("cents") and not 10 <= (cents or 0) <= 99:
            # "vingt euros, deux fois" is no 20.02: hundredths after the currency are a two-figure number or named so
            cents, end = 0, m.end("cur")
        if whole is None or cents is None or cents > 99:
            continue
        amount = (Decimal(whole) + Decimal(cents) / 100).quantize(Decimal("0.01"))
        code = words["currency"][re.sub(_SEP, " ", m.group("cur"))]
        found.append((index[m.start()], index[end - 1] + 1, f"{amount} {code}"))
    for start, stop, digits in reversed(found):
        text = text[:start] + digits + text[stop:]
    return text
