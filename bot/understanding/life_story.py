"""Is a problem word about the buyer's life rather than the order? (data/answers/life_story.yml)

A long, venting message tells a life story around the facts: "my mum broke her wrist", "the van broke down". A problem
word in the same clause as a part of the body or a vehicle is about them: read as the order's problem, a late
lampshade was called faulty (held-out round 12).
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

from bot.platform.folding import normalise
from bot.understanding.answers import ANSWERS, compile_patterns

# A clause ends at a sentence mark, a comma or a semicolon: "the van broke down, and the lamp came cracked" keeps the
# lamp's damage.
_CLAUSE_MARK = re.compile(r"[.!?;,\n]")


@lru_cache(maxsize=1)
def _words() -> dict[str, list[re.Pattern[str]]]:
    doc = yaml.safe_load((ANSWERS / "life_story.yml").read_text(encoding="utf-8"))
    return {language: compile_patterns(patterns) for language, patterns in doc.items()}


def about_life(text: str, start: int, end: int, language: str | None) -> bool:
    """Does the clause holding text[start:end] (a problem phrase) name a part of the body or a vehicle? In the buyer's
    language only: English "car" and "train" are French words too ("car il est cassé", "en train de fuir")."""
    before = _CLAUSE_MARK.split(text[:start])[-1]
    after = _CLAUSE_MARK.split(text[end:])[0]
    said = normalise(f"{before} {after}")
    return any(p.search(said) for p in _words().get(language or "en", []))
