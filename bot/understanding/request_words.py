"""Does a sentence ask for something in so many words ("I ask you to", "please", "must be")?

The words are in data/answers/request_words.yml.

Read with the wish phrases (data/answers/wishes.yml) on one sentence of a longer message: a buyer who tells the whole
story in one formal letter ends it with the wish ("Прошу замінити саме заварник", "Vetëm pagesa e dytë duhet kthyer"),
which the classifier read as a description, and was asked "what would be fair?" (held-out round 11).
"""

from __future__ import annotations

from bot.understanding.answers import mentions, wishes_in


def asks_in_words(text: str, language: str | None) -> bool:
    """A request word of the buyer's language (or English) in the text ("proshu" read as "прошу" too)."""
    return mentions("request_words.yml", text, language)


def requests_a_wish(text: str, language: str | None) -> bool:
    """A sentence that asks for an outcome in so many words ("Pagesa e dytë duhet kthyer", the second payment must be
    returned): a request word and a wish phrase, and no question mark. It asks for the remedy, not for a passage of
    the shop's documents, whatever the classifier read (ask_policy 0.71 quoted the double-charge passage back)."""
    return "?" not in text and asks_in_words(text, language) and bool(wishes_in(text, language)[0])
