"""Answers a question about the shop's policy from the shop's own documents (DESIGN decision 3)."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import QUOTED_LANGUAGE, MediatorAction
from actions.services import Services

QUOTE_CHARS = 400


class ActionAnswerQuestion(MediatorAction):
    label = "answer_question"

    async def prepare(self, tracker: Tracker, services: Services) -> dict[str, Any]:
        # The question sentence of a message that says more ("The jug is cracked, | how long do refunds take?"):
        # searched alone, the problem's words do not pull in the passage about damaged goods.
        question = tracker.get_slot("question_text") or (tracker.latest_message or {}).get("text") or ""
        found: dict[str, Any] = {"policy_quote": None, "policy_source": None}
        kind = tracker.get_slot("question")
        if kind in ("identity", "contact"):
            # "are you a bot?" (and "how did you get my number?", `contact`) is answered from the catalogue, not
            # searched; a question in another sentence of the message (the flow keeps it in `question_text`: "who is
            # this, a bot? how long till the refund shows?") is searched too and answered after the truth (held-out
            # round 9: only one of the two was answered).
            said = {"identity": True, **({"contact": True} if kind == "contact" else {})}
            if not tracker.get_slot("question_text"):
                return {**found, **said}
            return {**(await self.search(tracker, services, question)), **said}
        return await self.search(tracker, services, question)

    async def search(self, tracker: Tracker, services: Services, question: str) -> dict[str, Any]:
        found: dict[str, Any] = {"policy_quote": None, "policy_source": None}
        if services.knowledge is not None and question.strip():
            language = tracker.get_slot("language")
            about = remedy_section(tracker)
            hits = await services.knowledge.find(question, 1, language, about)
            shop_language = services.shop.default_language
            if hits and hits[0].language != language and shop_language != language:
                # No document in the buyer's language: the shop's own language, not whichever translation
                # happened to rank first (issue 18.4), and the reply says so.
                hits = await services.knowledge.find(question, 1, shop_language, about) or hits
            if hits:
                found = {
                    "policy_quote": quote(hits[0].text, question),
                    "policy_source": hits[0].source,
                    QUOTED_LANGUAGE: hits[0].language,
                }
        return found

    def sub(self, tracker: Tracker, extra: dict[str, Any]) -> str | None:
        if extra.get("identity"):
            return "contact" if extra.get("contact") else "identity"
        return "found" if extra["policy_quote"] else "not_found"

    def say(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        services: Services,
        variables: dict[str, Any],
        *,
        key: str | None = None,
        sub: str | None = None,
        lead: str = "",
    ) -> None:
        if sub not in ("identity", "contact") or not variables.get("policy_quote"):
            super().say(dispatcher, tracker, services, variables, key=key, sub=sub, lead=lead)
            return
        # The truth first (no note about the quote's language there), then the other question of the same message.
        truth = {k: v for k, v in variables.items() if k != QUOTED_LANGUAGE}
        super().say(dispatcher, tracker, services, truth, key=key, sub=sub, lead=lead)
        super().say(dispatcher, tracker, services, variables, key=key, sub="found")


def remedy_section(tracker: Tracker) -> tuple[str, str] | None:
    """(file, heading) of the policy section the case's remedy under way rests on (its rule's `cite`): the offer
    on the table, else the remedy agreed. A question asked then is most likely about it (issue 18: "do I post the
    wired ones back?" during a wrong-item offer)."""
    for slot in ("proposed_remedy", "accepted_remedy"):
        cite = (tracker.get_slot(slot) or {}).get("cite") or {}
        if cite.get("source") and cite.get("heading"):
            return (str(cite["source"]), str(cite["heading"]))
    return None


_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_MARKUP = re.compile(r"(\*\*|__|`|^#+\s*|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w))", re.MULTILINE)


def plain(text: str) -> str:
    """Policy documents are Markdown; a chat message shows the words, not the asterisks."""
    return _MARKUP.sub("", _LINK.sub(r"\1", text))


def quote(text: str, question: str = "") -> str:
    """Up to about QUOTE_CHARS of a passage, ending on a sentence boundary, starting at the sentence that
    shares the most words with the question (a chunk often opens with context the buyer did not ask)."""
    text = " ".join(plain(text).split())
    sentences = _SENTENCE.split(text)
    start = _best_sentence(sentences, question) if question else 0
    out = ""
    for sentence in sentences[start:]:
        if out and len(out) + len(sentence) + 1 > QUOTE_CHARS:
            break
        out = f"{out} {sentence}".strip()
    if len(out) > QUOTE_CHARS:
        out = out[:QUOTE_CHARS].rsplit(" ", 1)[0] + " …"
    return out


_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"\w{3,}")


def _stems(text: str) -> set[str]:
    # Five letters are a crude but language-neutral stem: "returns"/"return", "zwrotu"/"zwrot".
    return {w[:5] for w in _WORD.findall(text.lower())}


def _best_sentence(sentences: list[str], question: str) -> int:
    wanted = _stems(question)
    scores = [len(_stems(s) & wanted) for s in sentences]
    best = max(range(len(sentences)), key=lambda i: (scores[i], -i)) if sentences else 0
    return best if scores and scores[best] > 0 else 0
