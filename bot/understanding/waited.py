"""Does a long wait, told in the past tense, say the parcel came late? (data/answers/waited.yml)

"Заказала лампу, ждала 11 дней" names no problem word; the classifier, which learned "заказала ..." from the
wrong-item lines, read a wrong item, and a late buyer was offered the correct item sent again (held-out round 16, ru).
"""

from __future__ import annotations

from bot.understanding.answers import word_patterns


def says_waited(folded: str) -> bool:
    """`folded`: the message folded as the phrase lookup reads it (lower case, no diacritics). Every language's
    patterns: a short message's language is often unsure, and the words of one do not start another's."""
    return any(p.search(folded) for patterns in word_patterns("waited.yml").values() for p in patterns)
