"""Does the buyer say a device switches itself off or stops working? (data/answers/stops_by_itself.yml)

Such words ("schaltet sich nach 5 Sekunden ab", "it keeps cutting out") describe a fault; the classifier read one as a
request to stop contact and the buyer was asked whether to stop (held-out round 11).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from bot.platform.folding import normalise
from bot.understanding.answers import compile_patterns

_PATH = Path(__file__).resolve().parents[2] / "data" / "answers" / "stops_by_itself.yml"


@lru_cache(maxsize=1)
def _patterns() -> dict[str, list[re.Pattern[str]]]:
    doc = yaml.safe_load(_PATH.read_text(encoding="utf-8")) or {}
    if not isinstance(doc, dict) or not all(isinstance(v, list) for v in doc.values()):
        raise ValueError(f"{_PATH.name}: must map a language to a list of patterns")
    return {lang: compile_patterns(items) for lang, items in doc.items()}


def stops_by_itself(text: str, language: str | None) -> bool:
    """A device that switches itself off, cuts out or stops working, in the buyer's language or English."""
    said = normalise(text)
    return any(p.search(said) for lang in dict.fromkeys((language or "en", "en")) for p in _patterns().get(lang, []))
