"""Answers a question about the shop's policy from the shop's own documents (DESIGN decision 3)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from rasa_sdk import Tracker

from actions.base import MediatorAction
from actions.services import Services

QUOTE_CHARS = 400


class ActionAnswerQuestion(MediatorAction):
    label = "answer_question"

    async def prepare(self, tracker: Tracker, services: Services) -> dict[str, Any]:
        question = (tracker.latest_message or {}).get("text") or ""
        found = {"policy_quote": None, "policy_source": None}
        if services.knowledge is not None and question.strip():
            # Chroma's client is synchronous: keep the event loop free while it searches.
            hits = await asyncio.to_thread(services.knowledge.search, question, 1, tracker.get_slot("language"))
            if hits:
                found = {"policy_quote": quote(hits[0].text), "policy_source": hits[0].source}
        return found

    def sub(self, tracker: Tracker, extra: dict[str, Any]) -> str | None:
        return "found" if extra["policy_quote"] else "not_found"


_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_MARKUP = re.compile(r"(\*\*|__|`|^#+\s*|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w))", re.MULTILINE)


def plain(text: str) -> str:
    """Policy documents are Markdown; a chat message shows the words, not the asterisks."""
    return _MARKUP.sub("", _LINK.sub(r"\1", text))


def quote(text: str) -> str:
    """The first sentences of a passage, up to about QUOTE_CHARS, ending on a sentence boundary."""
    text = " ".join(plain(text).split())
    if len(text) <= QUOTE_CHARS:
        return text
    cut = text[:QUOTE_CHARS]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    return (cut[: end + 1] if end > 80 else cut.rsplit(" ", 1)[0] + " …").strip()
