"""The questions a knowledge section answers, listed by the admin under its heading.

    ## When you get your money back

    <!-- questions
    - when do I get my money back after returning it?
    - sent it back on Monday, where is my refund
    -->

An HTML comment, so the Markdown reads and renders as before. Search matches a buyer's question against these
lines as well as against the policy text, and quotes the section, never the lines (bot/retrieval/index.py).
Why: a policy passage and a buyer's question share few words ("we refund within 14 days of receiving your
return" / "when does the money land on my card?"); bench/retrieval_accuracy.py measured the gain.

Kept apart from index.py (Chroma, langchain) so that checking a knowledge file stays light.
"""

from __future__ import annotations

import re

BLOCK = re.compile(r"<!--\s*questions\b(.*?)-->[ \t]*\n?", re.DOTALL | re.IGNORECASE)
_OPENING = re.compile(r"<!--\s*questions\b", re.IGNORECASE)


def asked(text: str) -> list[str]:
    """Every question listed in `text`'s questions blocks: their lines that start with "- "."""
    lines = (line.strip() for block in BLOCK.findall(text) for line in block.split("\n"))  # "\n" only, as Markdown
    return [line[2:].strip() for line in lines if line.startswith("- ") and line[2:].strip()]


def without_questions(text: str) -> str:
    """`text` with its questions blocks taken out: the policy itself, as quoted to buyers."""
    return BLOCK.sub("", text)


def unclosed(text: str) -> bool:
    """Whether `text`, its closed blocks taken out, still opens a questions block (one with no `-->`)."""
    return bool(_OPENING.search(without_questions(text)))
