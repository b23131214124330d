"""Does a long wait, told in the past tense, say the parcel came late? (data/answers/waited.yml)

"Заказала лампу, ждала 11 дней" names no problem word; the classifier, which learned "заказала ..." from the
wrong-item lines, read a wrong item, and a late buyer was offered the correct item sent again (held-out round 16, ru).
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

from bot.understanding.answers import ANSWERS, compile_patterns


@lru_cache(maxsize=1)
def _waits() -> tuple[re.Pattern[str], ...]:
    doc = yaml.safe_load((ANSWERS / "waited.yml").read_text(encoding="utf-8"))
    # Every language's: a short message's language is often unsure, and the words of one do not start another's.
    return tuple(p for patterns in doc.values() for p in compile_patterns(patterns))


def says_waited(folded: str) -> bool:
    """`folded`: the message folded as the phrase lookup reads it (lower case, no diacritics)."""
    return any(p.search(folded) for p in _waits())
