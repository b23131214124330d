"""SMS abbreviations written out before a message is read (data/sms_words.yml, issue 18, held-out round 12).

Buyers on a phone write "tngo q devolver las 2 rotas o q?", "nn so, cmq ok", "har ni skickat ngt?". Every reader
of a buyer's message (yes/no, wishes, the offer's terms, problems, the intent classifier) is written for whole
words, so a short form went unread, and a question about the offer was taken for a refusal of it. Writing the
short forms out once, in the message's language, lets each reader see the words it knows.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from bot.understanding.number_words import digits_for_words

SMS_FILE = Path(__file__).resolve().parents[2] / "data" / "sms_words.yml"

# A whole word: no letter, digit or hyphen on either side ("e-post", "40x50" and "2gg" stay as they are).
_EDGE_BEFORE = r"(?<![\w-])"
_EDGE_AFTER = r"(?![\w-])"


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=4)
def _table(path: Path = SMS_FILE) -> dict[str, tuple[list[re.Pattern[str]], dict[str, str]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    table: dict[str, tuple[list[re.Pattern[str]], dict[str, str]]] = {}
    for language, words in data.items():
        if not isinstance(words, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in words.items()):
            raise ValueError(f"{path}: {language}: give abbreviation: words, both text")
        written = {k.lower(): v for k, v in words.items()}
        longer = [k for k in written if len(k) > 1]
        single = [k for k in written if len(k) == 1]
        patterns = []
        if longer:
            patterns.append(re.compile(_EDGE_BEFORE + f"({_alternation(longer)})" + _EDGE_AFTER, re.IGNORECASE))
        if single:  # a lone capital is an initial or a name ("E. Lund"), never the short form
            patterns.append(re.compile(_EDGE_BEFORE + f"({_alternation(single)})" + _EDGE_AFTER))
        table[str(language)] = (patterns, written)
    return table


def written_out(text: str, language: str | None) -> str:
    """`text` with the SMS abbreviations of `language` written out ("tngo q" -> "tengo que"); unchanged for a
    language the table does not list."""
    # A sum said in words ("sept euros quatre-vingt-dix") is read in digits by every reader too (number_words.py).
    text = digits_for_words(text, language)
    entry = _table().get(language or "")
    if entry is None:
        return text
    patterns, written = entry
    for pattern in patterns:
        text = pattern.sub(lambda m: written[m.group(0).lower()], text)
    return text
