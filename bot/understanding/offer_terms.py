"""Questions about the terms of the remedy under way, and the section of the shop's documents that answers each.

"When does the money reach my card?", "do I have to send the broken one back?", "when does the new one leave?":
asked at an offer, a search on the question's words quoted whatever ranked first (the complaints deadline, the
shipping-price table) in every language of held-out round 11. The kind of question names its section instead, and
the sentence of it to quote from (data/answers/offer_terms.yml, content an admin or a linguist edits).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.platform.folding import fold_pattern, normalise
from bot.understanding.answers import answers_file, compile_patterns, own_then_english, read_as

# The section a term question is answered from when it is the one the remedy under way cites (its rule's `cite`).
REMEDY_SECTION = "remedy"
# A question whose kind the remedy under way decides ("how long does that take?": the money or the parcel).
BY_REMEDY = "by_remedy"
# What such a question asks, by the remedy under way: money comes back, goods are sent.
_TIMING = {
    "refund_full": "money_when",
    "refund_partial": "money_when",
    "refund_shipping": "money_when",
    "replacement": "ship_when",
    "reship": "ship_when",
    "send_part": "ship_when",
}


@dataclass(frozen=True)
class TermQuestion:
    kind: str  # send_back | money_when | ship_when | coupon_use | send_cost
    section: tuple[str, str] | None  # (file, heading) in knowledge/, or None: the remedy's own section
    sentence: str  # folded pattern of the sentence to quote from, in the buyer's language; "": the section's start


@lru_cache(maxsize=1)
def _kinds() -> dict[str, dict]:  # type: ignore[type-arg]
    return answers_file("offer_terms.yml")


@lru_cache(maxsize=1)
def _asked() -> dict[str, dict[str, list[re.Pattern[str]]]]:
    """kind -> language -> compiled question patterns."""
    return {kind: {lang: compile_patterns(p) for lang, p in spec["asked"].items()} for kind, spec in _kinds().items()}


def term_asked(text: str, language: str | None, remedy: str | None = None) -> TermQuestion | None:
    """The first kind of term question the message asks (in the buyer's language, then English), or None. A question
    the remedy under way decides (`how_long`) counts only when `remedy` says what it asks."""
    said = normalise(text)
    for kind, by_language in _asked().items():
        if _kinds()[kind]["section"] == BY_REMEDY:
            kind = _TIMING.get(remedy or "", "")
            if not kind:
                continue
        for lang in own_then_english(language):
            if any(p.search(read_as(said, lang)) for p in by_language.get(lang, [])):
                return _question(kind, language or lang)
    return None


def _question(kind: str, language: str) -> TermQuestion:
    spec = _kinds()[kind]
    section = spec["section"]
    where = None if section == REMEDY_SECTION else (str(section["source"]), str(section["heading"]))
    pattern = (spec.get("sentence") or {}).get(language)
    return TermQuestion(kind, where, fold_pattern(pattern) if pattern else "")


def term_slot(text: str | None, language: str | None, remedy: str | None = None) -> dict[str, str] | None:
    """The term question `text` asks, as the flow hands it to the answering action (a slot holds plain values):
    kind, the section's file and heading ("" for the remedy's own section) and the sentence pattern ("" for none)."""
    found = term_asked(text, language, remedy) if text else None
    if found is None:
        return None
    source, heading = found.section or ("", "")
    return {"kind": found.kind, "source": source, "heading": heading, "sentence": found.sentence}
