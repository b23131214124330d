"""How many pieces of one order line went wrong, said as a share of it: "two of the six chairs", "dwa z sześciu".

A line of six chairs where two came in the wrong colour needs two chairs sent, not six: judged on the whole line, the
resend was held against the line's full value and handed to a person for approval (held-out round 12, pl). The words
are data (data/answers/pieces.yml); this module reads them and is pure.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from bot.platform.folding import fold_pattern, normalise
from bot.understanding.answers import answers_file, own_then_english, read_as


@lru_cache(maxsize=1)
def _numbers() -> dict[str, dict[str, int]]:
    return {
        lang: {normalise(str(w)): int(n) for w, n in words.items()}
        for lang, words in answers_file("pieces.yml")["numbers"].items()
    }


@cache
def _patterns(language: str) -> list[re.Pattern[str]]:
    """ "two (chairs) of the six" and the whole first, as Slavic word order has it: "z sześciu krzeseł dwa"."""
    spec = answers_file("pieces.yml")
    words, of = _numbers().get(language), spec["of"].get(language)
    if not words or not of:
        return []
    number = r"(?:\d{1,3}|" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")"
    of, noun = fold_pattern(of.strip()), r"(?:\w+\s+){0,2}?"
    return [
        re.compile(rf"\b(?P<n>{number})\s+{noun}{of}\s*(?P<m>{number})\b"),
        re.compile(rf"(?:^|(?<=[\s,.;:!?]))(?:{of})\s*(?P<m>{number})\s+{noun}(?P<n>{number})\b"),
    ]


def _value(word: str, language: str) -> int | None:
    return int(word) if word.isdigit() else _numbers().get(language, {}).get(word)


def pieces_of(text: str, language: str | None, line_count: int) -> int | None:
    """The number of pieces the buyer says went wrong out of a line of `line_count` ("2 of the 6" -> 2), when the
    whole they name is that line's quantity and the part is smaller; None otherwise (a line of one, no share named,
    or numbers that are something else: "2 of 3 weeks" of a line of six)."""
    if line_count < 2:
        return None
    said = normalise(text)
    for lang in own_then_english(language):
        for pattern in _patterns(lang):
            for found in pattern.finditer(read_as(said, lang)):
                part, whole = _value(found["n"], lang), _value(found["m"], lang)
                if part is not None and whole == line_count and 0 < part < whole:
                    return part
    return None
