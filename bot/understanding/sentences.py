"""A buyer's message read sentence by sentence (issue 18.1: one message, several things).

Buyers put several things in one message: "I already disputed the charge with my bank. Stop writing to me,
please." is a statement and an opt-out; "The jug is cracked, how long do refunds usually take?" is a problem
and a question. Classified as a whole, such a message gets one intent, and the other thing is lost: the
French buyer above was read as describing a problem (opt_out only second, at 0.29), asked which remedy would
be fair, and never let go. Each sentence classified on its own says what it is (opt_out 0.46 and a phrase).

Splitting is punctuation, not a model: sentences end at . ! ? … or a line break; and in a question, the
clause before its first comma is a sentence of its own ("Yes please, | and could the courier ring?"), since
buyers glue a statement and a question together with a comma far more often than they write a comma inside
a question. A wrong split costs little: the whole message is still classified as before, and the flow acts
on a sentence only where the whole reading misses it (an opt-out, a question beside a problem).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at its punctuation when whitespace follows (so "3.5" and "e-mail.com" stay whole), or at a
# line break. Several marks ("?!", "...") end one sentence.
_END = re.compile(r"[.!?…]+(?=\s)|\n+")
_QUESTION_CLAUSE = re.compile(r",\s+")
_LETTER = re.compile(r"[^\W\d_]")
_MIN_LETTERS = 2  # "ok." is a sentence; "2." (a list number) or ":)" is not
MAX_SENTENCES = 8  # a long rant is read as a whole; its first sentences say what it is (bounded cost per turn)


@dataclass(frozen=True)
class Sentence:
    """One sentence of a message, its span in the message, and what the intent classifier makes of it alone."""

    text: str
    start: int
    end: int
    intent: str = ""
    confidence: float = 0.0


def split(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of the sentences of `text`, in order, trimmed of spaces; a message of one sentence
    gives one span. At most MAX_SENTENCES: the rest of a longer message stays with the last one."""
    spans: list[tuple[int, int]] = []
    at = 0
    for m in _END.finditer(text):
        spans += _clauses(text, at, m.end())
        at = m.end()
    spans += _clauses(text, at, len(text))
    spans = [s for s in (_trim(text, a, b) for a, b in spans) if s is not None]
    if len(spans) > MAX_SENTENCES:
        spans = [*spans[: MAX_SENTENCES - 1], (spans[MAX_SENTENCES - 1][0], spans[-1][1])]
    return spans


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A question's leading clause as a sentence of its own; any other sentence whole."""
    if "?" not in text[start:end]:
        return [(start, end)]
    comma = _QUESTION_CLAUSE.search(text, start, end)
    if comma is None or _letters(text[start : comma.start()]) < _MIN_LETTERS:
        return [(start, end)]
    return [(start, comma.start()), (comma.end(), end)]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if _letters(text[start:end]) >= _MIN_LETTERS else None


def _letters(text: str) -> int:
    return len(_LETTER.findall(text))


def sentences_of(text: str) -> list[str]:
    """The sentences' texts, when there are at least two; a one-sentence message has nothing to add."""
    spans = split(text)
    return [text[a:b] for a, b in spans] if len(spans) > 1 else []
