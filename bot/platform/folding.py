"""How buyers' text is folded before anything reads it: lower case, no diacritics, one apostrophe.

Buyers type "zmienie" as often as "zmienię", "Strasse" as "Straße", and "pokoj" for "pokój"; every reader
(the NLU, the answer patterns, the opt-out phrases, the guard rails' model, and the knowledge index's lexical
half) folds text the same way, so a phrase written in data/ or knowledge/ matches however the buyer typed it.

It lives in the platform layer because understanding and retrieval are sibling layers that may not import each
other (docs/ARCHITECTURE.md); both read it from here, so there is one definition of a folded letter
(retrieval kept a copy of its own until issue 17, which drifted: it left "`" unfolded).
"""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD does not decompose but buyers still drop on a phone keyboard, and the apostrophes they type.
_EXTRA = {"ł": "l", "ø": "o", "æ": "ae", "đ": "d", "ß": "ss", "’": "'", "ʼ": "'", "`": "'"}
_FOLDED: dict[str, str] = {}  # memo of _fold_char: the alphabets buyers write in are small


def _fold_char(ch: str) -> str:
    ch = ch.lower()
    if ch in _EXTRA:
        return _EXTRA[ch]
    if ch.isascii():
        return ch
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))


def fold(text: str) -> tuple[str, list[int]]:
    """Lower-case, diacritic-free text plus, per folded character, its index in `text`.

    Matching on the folded text makes "rozbity"/"rozbitý" and "Kaputt"/"kaputt" one phrase; the
    index map turns a match back into a span of the original message.
    """
    if text.isascii():  # most messages: one folded character per character, nothing to decompose
        return text.lower().replace("`", "'"), list(range(len(text)))
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        f = _FOLDED.get(ch)
        if f is None:
            f = _FOLDED[ch] = _fold_char(ch)
        out.append(f)
        index.extend([i] * len(f))
    return "".join(out), index


def plain(text: str) -> str:
    """The folded text alone."""
    return fold(text)[0]


def normalise(text: str) -> str:
    """Folded, with single spaces: what patterns written in data/ are matched against."""
    return " ".join(plain(text).split())


# A regular expression's escapes: "\W", "\S", "\D", "\B" mean the opposite of their lower-case letters.
_ESCAPE = re.compile(r"(\\.)")


def fold_pattern(pattern: str) -> str:
    """A regular expression written in data/, folded as `normalise` folds the text it reads, its escapes kept: folded
    whole, "^\\W*(na gut)\\W*$" became "^\\w*(na gut)\\w*$", and "Na gut." was no yes (held-out round 11; every pattern
    with "\\W", "\\S" or "\\D" in data/answers/ read the opposite of what its author wrote)."""
    return " ".join(
        "".join(part if _ESCAPE.fullmatch(part) else plain(part) for part in _ESCAPE.split(pattern)).split()
    )
