"""Does a count short of the whole say that part of the order is missing? (data/answers/short_counts.yml)

"tylko 5 z 10 talerzy", "bara 6 av 12": no problem word, yet part of the order did not come. Round 15 (pl, sv) read
such a message as naming no problem, and the buyer was asked what had happened.
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

from bot.understanding.answers import ANSWERS, compile_patterns


@lru_cache(maxsize=1)
def _counts() -> tuple[re.Pattern[str], ...]:
    doc = yaml.safe_load((ANSWERS / "short_counts.yml").read_text(encoding="utf-8"))
    # Every language's: the numbers read the same, and a short message's language is often unsure.
    return tuple(p for patterns in doc.values() for p in compile_patterns(patterns))


def says_short(folded: str) -> bool:
    """`folded`: the message folded as the phrase lookup reads it (lower case, no diacritics)."""
    return any(p.search(folded) for p in _counts())
