"""Does the buyer say their last message went off unfinished? (data/answers/sent_early.yml)

"Sorry, hit send too early" or "message parti tout seul" finishes a thought split over two messages; its words "send"
and "message" read as a request to stop sending, and a buyer finishing a sentence was asked whether to stop (held-out
round 12).
"""

from __future__ import annotations

from bot.understanding.answers import mentions


def sent_too_early(text: str, language: str | None) -> bool:
    """The message says the one before was sent too early or by itself, in the buyer's language or English."""
    return mentions("sent_early.yml", text, language)
