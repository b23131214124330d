"""Is a "missing" word about a piece come off the item's own surface? (data/answers/chipped.yml)

"A chunk is missing from the rim", "en flisa saknas i kanten", "емаль відсутня на краю": what is missing is part of
the item's rim, glaze or paint, which is damage. Read as a missing item, a chipped birdbath was offered a reship of
"what was missing" and its buyer's partial refund refused (held-out round 16, sv).
"""

from __future__ import annotations

import re

from bot.platform.folding import normalise
from bot.understanding.answers import word_patterns

# A clause ends at a sentence mark, a comma or a semicolon: "the glaze is fine, the lid is missing" keeps the lid.
_CLAUSE_MARK = re.compile(r"[.!?;,\n]")


def chipped_off(text: str, start: int, end: int, language: str | None) -> bool:
    """Does the clause holding text[start:end] (a missing-item phrase) name the item's surface (rim, edge, glaze)?
    In the buyer's language only: Swedish "lack" (lacquer) is English "lack"."""
    before = _CLAUSE_MARK.split(text[:start])[-1]
    after = _CLAUSE_MARK.split(text[end:])[0]
    said = normalise(f"{before} {after}")
    return any(p.search(said) for p in word_patterns("chipped.yml").get(language or "en", []))
