"""Sentences beside a yes that ask nothing: the buyer apologising for their own tone, or a kind word to close.

"jo, tak to jo, diky moc. a jeste jednou sorry za ten zacatek" accepts the offer and apologises for how the buyer
began; "Отлично, спасибо! Дочка будет рада" accepts and says the daughter will be glad. flow.side_request read the
second sentence as a request beside the yes, and the confirmation told the buyer "your other request is with the team
too" (held-out round 11, cs and ru). So was what the buyer will do themselves ("I'll let my bank know", held-out round
13: `own_step`). The phrases are in data/answers/courtesy.yml.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from bot.platform.folding import normalise
from bot.understanding.answers import compile_patterns, wishes_in

FILE = Path(__file__).resolve().parents[2] / "data" / "answers" / "courtesy.yml"
KINDS = ("own_tone", "pleasantry", "own_step")
_PUNCTUATION = re.compile(r"[^\w\s]")


@lru_cache(maxsize=2)
def _patterns(path: Path = FILE) -> dict[str, list[re.Pattern[str]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[str, list[re.Pattern[str]]] = {}
    for language, kinds in data.items():
        if not isinstance(kinds, dict) or not set(kinds) <= set(KINDS):
            raise ValueError(f"{path}: {language}: give only {', '.join(KINDS)}")
        # Russian typed in Latin letters ("izvinite za nachalo") as the Cyrillic pattern reads it, too.
        out[language] = compile_patterns([p for kind in KINDS for p in kinds.get(kind, [])])
    return out


def only_courtesy(sentence: str, language: str | None) -> bool:
    """Is the sentence an apology for the buyer's own tone, a closing kind word or the buyer's own next step, with no
    question and no wish?
    Read in the buyer's language and in English."""
    if "?" in sentence or wishes_in(sentence, language)[0]:
        return False  # "sorry, but earlier I asked for my money back" asks for something
    said = " ".join(_PUNCTUATION.sub(" ", normalise(sentence)).split())  # the patterns read words, end to end
    patterns = _patterns()
    return any(p.search(said) for lang in dict.fromkeys([language or "en", "en"]) for p in patterns.get(lang, []))
