"""Is a risk word part of a thing's name? (data/answers/risk_things.yml)

The risk lookup (data/nlu.yml: fire, smoke, "pożar", "пожар") sends a case to staff as legal_or_safety. A fire pit, a
toy fire engine, smoked glass or a smoke alarm hold such a word and say only what the thing is: a late toy fire station
("straż pożarna") went to staff on the buyer's first message (held-out round 15, pl).
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

from bot.understanding.answers import ANSWERS, compile_patterns


@lru_cache(maxsize=1)
def _names() -> tuple[re.Pattern[str], ...]:
    doc = yaml.safe_load((ANSWERS / "risk_things.yml").read_text(encoding="utf-8"))
    # Every language's names: a product may be named in another language than the message ("fire pit" in Polish).
    return tuple(p for patterns in doc.values() for p in compile_patterns(patterns))


def names_a_thing(folded: str, start: int, end: int) -> bool:
    """Does a thing's name cover the risk phrase folded[start:end]? `folded` is the message folded (lower case, no
    diacritics), as the lookup reads it."""
    return any(m.start() <= start and end <= m.end() for p in _names() for m in p.finditer(folded))
