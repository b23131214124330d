"""Russian and Ukrainian typed in Latin letters (data/translit.yml, issue 18).

Many buyers from Ukraine and Russia write on a phone without a Cyrillic keyboard: "zdravstvuyte, multivarka
prishla pomyataya". lingua has no model for that and reads it as Czech, Albanian or Spanish, and the bot
answered a Russian buyer in Czech. A handful of words no other catalogue language writes tell the two apart.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

TRANSLIT_FILE = Path(__file__).resolve().parents[2] / "data" / "translit.yml"
MIN_WORDS = 2  # distinct marker words; one ("tovar", "dobre") is too weak a sign on its own
_WORD = re.compile(r"[a-z]+")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@lru_cache(maxsize=4)
def _markers(path: Path = TRANSLIT_FILE) -> dict[str, frozenset[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    markers: dict[str, frozenset[str]] = {}
    for language, words in data.items():
        if language not in ("ru", "uk") or not isinstance(words, list):
            raise ValueError(f"{path}: {language}: give 'ru' or 'uk' with a list of lower-case Latin words")
        markers[language] = frozenset(str(w).lower() for w in words)
    return markers


def latin_slavic(text: str) -> str | None:
    """ "ru" or "uk" for Russian or Ukrainian written in Latin letters, else None (Cyrillic text is lingua's)."""
    if CYRILLIC.search(text):
        return None
    words = set(_WORD.findall(text.lower()))
    counts = {language: len(words & markers) for language, markers in _markers().items()}
    ru, uk = counts.get("ru", 0), counts.get("uk", 0)
    if max(ru, uk) < MIN_WORDS or ru == uk:
        return None
    return "ru" if ru > uk else "uk"


# How buyers type Cyrillic on a Latin keyboard: no one standard, so a word is spelled each of these ways
# ("хочу" khochu/hochu, "новую" novuyu/novuju, "гроші" groshi/hroshi). Used to derive the Latin-letter
# folded-text model's training text from Cyrillic (bot/understanding/folded_words.py).
_COMMON = {
    "а": "a", "б": "b", "в": "v", "д": "d", "з": "z", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "ь": "", "ъ": "", "ё": "e", "э": "e",
    "ы": "y", "е": "e", "ж": "zh", "ч": "ch", "ш": "sh", "ц": "ts", "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
}  # fmt: skip
_SCHEMES: dict[str, tuple[dict[str, str], ...]] = {
    "ru": (
        {"и": "i", "г": "g", "х": "kh", "й": "y", "я": "ya", "ю": "yu", "щ": "shch"},
        {"и": "i", "г": "g", "х": "h", "й": "y", "я": "ya", "ю": "yu", "щ": "sch"},
        {"и": "i", "г": "g", "х": "h", "й": "j", "я": "ja", "ю": "ju", "щ": "sch"},
        {"и": "i", "г": "g", "х": "kh", "й": "i", "я": "ia", "ю": "iu", "щ": "shch"},
    ),
    "uk": (
        {"и": "y", "г": "h", "х": "kh", "й": "y", "я": "ya", "ю": "yu", "щ": "shch"},
        {"и": "y", "г": "g", "х": "h", "й": "y", "я": "ya", "ю": "yu", "щ": "sch"},
        {"и": "i", "г": "g", "х": "h", "й": "j", "я": "ja", "ю": "ju", "щ": "sch", "ї": "ji", "є": "je"},
        {"и": "y", "г": "h", "х": "kh", "й": "i", "я": "ia", "ю": "iu", "щ": "shch", "ї": "i", "є": "ie"},
    ),
}


def latin_texts(text: str, language: str) -> list[str]:
    """`text` (lower-cased) in Latin letters, once per way of typing it; letters outside the scheme stay."""
    text = text.lower()
    return ["".join(scheme.get(ch, _COMMON.get(ch, ch)) for ch in text) for scheme in _SCHEMES[language]]


# A folded Cyrillic letter (й -> и, ё -> е, ї -> і after folding) and the ways it is typed in Latin letters, for
# turning a Cyrillic pattern of data/answers into one that also reads "verni dengi" or "khochu novuyu".
_LATIN_OF = {
    "а": "a", "б": "b", "в": "[vw]", "г": "[gh]", "д": "d", "е": "(?:ye|je|e)", "ж": "(?:zh|z|j)", "з": "z",
    "и": "(?:[iyj])", "і": "(?:yi|ji|[iy])", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "(?:kh|[hx])", "ц": "(?:ts|tz|c)", "ч": "ch",
    "ш": "sh", "щ": "(?:shch|sch|sh)", "ъ": "'?", "ы": "[yi]", "ь": "'?", "э": "e", "ю": "(?:yu|ju|iu|u)",
    "я": "(?:ya|ja|ia|a)", "є": "(?:ye|je|ie|e)", "ґ": "g",
}  # fmt: skip


def latin_pattern(pattern: str) -> str | None:
    """A folded Cyrillic regular expression rewritten to match the same words typed in Latin letters, or None
    when it has no Cyrillic letter (it already matches Latin text). Cyrillic is never inside a character class
    in data/answers, so each letter becomes a group of its spellings."""
    if not CYRILLIC.search(pattern):
        return None
    return "".join(_LATIN_OF.get(ch, ch) for ch in pattern)
