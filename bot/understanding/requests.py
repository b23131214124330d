"""A sentence that makes a request, in a letter or a polite message (data/answers/requests.yml).

"I would be grateful if you could send me ...", "Ich erwarte Ersatz durch eine neue Leuchte", "Je souhaiterais que vous
me fassiez parvenir ...": the classifier reads a whole letter (order number, dates, the fault, the wish) as a
description, and the wish it names was then asked for again (held-out round 11). The flow reads such a sentence's wish
as the buyer's (flow.sentence_wish); the words of the wish itself stay in data/answers/wishes.yml.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from bot.platform.folding import normalise
from bot.understanding.answers import read_as

REQUESTS_FILE = Path(__file__).resolve().parents[2] / "data" / "answers" / "requests.yml"


@lru_cache(maxsize=2)
def _requests(path: Path = REQUESTS_FILE) -> dict[str, tuple[re.Pattern[str], ...]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {lang: tuple(re.compile(normalise(p)) for p in pats or []) for lang, pats in data.items()}


def makes_request(text: str, language: str | None) -> bool:
    """Does the sentence ask for something in a request's words, in the buyer's language or in English?"""
    said = normalise(text)
    by_language = _requests()
    return any(
        p.search(read_as(said, lang))
        for lang in dict.fromkeys([language or "en", "en"])
        for p in by_language.get(lang, ())
    )
