"""Where a dictated message's clauses meet, without the punctuation that would say so (data/answers/negation.yml:
`opens_clause`). "...aber das Teil fuer die Seife nicht das fehlt einfach komplett": the "nicht" ends the clause about
the soap dish, and "das fehlt" opens the next; read as one clause, the missing item was taken as denied (held-out
round 11, de, voice-to-text). The NLU asks `ends_clause` before it denies a problem (nlu._denied)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from bot.platform.folding import normalise

NEGATION_FILE = Path(__file__).resolve().parents[2] / "data" / "answers" / "negation.yml"


@lru_cache(maxsize=2)
def clause_openers(path: Path = NEGATION_FILE) -> frozenset[str]:
    """The words that open a clause (`opens_clause`), normalised."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return frozenset(normalise(w) for w in doc.get("opens_clause", []))


def ends_clause(words: list[str], negations: frozenset[str]) -> bool:
    """Do the last two (normalised) words before a problem word read "<negation> <clause opener>" ("nicht das",
    "not it")? The negation then belongs to the clause before; it denies nothing of the problem after."""
    return len(words) >= 2 and words[-2] in negations and words[-1] in clause_openers()
