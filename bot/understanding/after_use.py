"""An item that failed some time after it arrived has a defect (data/failed_after_use.yml, issue 18).

"padła po 3 tygodniach" was read as a late parcel (the problem classifier learnt "after 3 weeks" from late
deliveries) and "ging nach zwei Wochen kaputt" as damage in transit (the lookup's "kaputt"); the bot then offered
remedies for the wrong problem. A verb of failing next to a span of time after delivery says a defect.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from bot.platform.folding import normalise

FILE = Path(__file__).resolve().parents[2] / "data" / "failed_after_use.yml"
_GAP = r"\W+(?:\w+\W+){0,3}?"  # up to three words between the verb and the span, either way round
# What such a message may have been misread as: lateness by its span of time, transit damage by its verb.
MISREAD = frozenset({"late", "damaged"})


@lru_cache(maxsize=2)
def _patterns(path: Path = FILE) -> dict[str, re.Pattern[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = {}
    for language, kinds in data.items():
        if not isinstance(kinds, dict) or not {"failed", "after"} <= set(kinds):
            raise ValueError(f"{path}: {language}: give `failed` and `after`, a regular expression or a list of them")
        failed, after = _alternatives(kinds["failed"]), _alternatives(kinds["after"])
        out[language] = re.compile(f"(?:{failed}){_GAP}(?:{after})|(?:{after}){_GAP}(?:{failed})")
    return out


def _alternatives(value: str | list[str]) -> str:
    """One regular expression of a file entry: itself, or its list's items as alternatives."""
    return "|".join(f"(?:{normalise(one)})" for one in ([value] if isinstance(value, str) else value))


def failed_after_use(text: str, language: str | None) -> bool:
    """Does the text say the item failed some time after it arrived? Read in its language and in English."""
    said = normalise(text)
    patterns = _patterns()
    return any(p.search(said) for lang in dict.fromkeys([language or "en", "en"]) if (p := patterns.get(lang)))


def as_defect(problems: list[str], text: str, language: str | None) -> list[str]:
    """`problems` with a misreading of a failure after use (late, damaged) turned into the defect it is; other
    problems the text names stand."""
    if (problems and not set(problems) <= MISREAD) or not failed_after_use(text, language):
        return problems
    return ["defect"]
