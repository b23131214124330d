"""A buyer who says in words that they are calm (data/answers/calm.yml).

"No worries, these things happen", "kein Stress, kann passieren", "pas de souci, ça arrive", or a letter signed "Kind
regards" / "Mit freundlichen Grüßen" / "Cordialement": the emotion model read such first messages as upset or angry
(0.41-0.58) because they describe a fault, and the bot answered "I hear you, and I'm sorry we let you down. There's
no need to go through it all again" to a buyer who was smiling, then calmed them instead of asking what it still
needed (held-out round 11, en/de/fr). Said in so many words, calm wins over the model's guess, unless the same
message shouts (several words in capitals, "!!") or swears: a buyer who writes "no worries" in capitals is not calm.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from bot.platform.folding import normalise
from bot.understanding.answers import compile_patterns, read_as

# The anger of a message its words make calm: below every threshold the flow reads anger against.
CALM_ANGER = 0.25
CALM_FILE = Path(__file__).resolve().parents[2] / "data" / "answers" / "calm.yml"

# Shouting: "!!" or three or more words of three or more letters in capitals ("SEHR GEEHRTE" alone is two).
_EXCLAIMS = re.compile(r"!\s*!")
_WORD = re.compile(r"[^\W\d_]{3,}")


@lru_cache(maxsize=2)
def _calm(path: Path = CALM_FILE) -> dict[str, dict[str, tuple[re.Pattern[str], ...]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        lang: {kind: tuple(compile_patterns(pats or [])) for kind, pats in kinds.items()}
        for lang, kinds in data.items()
    }


def _said(text: str, language: str | None, kind: str) -> bool:
    said = normalise(text)
    by_language = _calm()
    return any(
        p.search(read_as(said, lang))
        for lang in dict.fromkeys([language or "en", "en"])
        for p in by_language.get(lang, {}).get(kind, ())
    )


def shouts(text: str) -> bool:
    """Does the message shout ("!!", several words in capitals)?"""
    return bool(_EXCLAIMS.search(text)) or sum(w.isupper() for w in _WORD.findall(text)) >= 3


def calm_level(text: str, language: str | None, level: str) -> str:
    """The emotion level once the buyer's own words are heard: calm when they say so ("no worries") or close a polite
    letter while read as merely upset; the model's level otherwise, and always when the message shouts."""
    if level == "calm" or shouts(text):
        return level
    if _said(text, language, "says") or (level == "upset" and _said(text, language, "signs_off")):
        return "calm"
    return level
