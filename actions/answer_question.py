"""Answers a question about the shop's policy from the shop's own documents (DESIGN decision 3)."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import QUOTED_LANGUAGE, MediatorAction
from actions.services import Services
from bot.platform.folding import normalise

QUOTE_CHARS = 400
# What the flow answers from the catalogue rather than the shop's documents (bot/conversation/flow.py: `question`):
# each is a message of answer_question in policies/messages.
ASIDES = ("identity", "contact", "genuine", "review", "hours")


class ActionAnswerQuestion(MediatorAction):
    label = "answer_question"

    async def prepare(self, tracker: Tracker, services: Services) -> dict[str, Any]:
        # The question sentence of a message that says more ("The jug is cracked, | how long do refunds take?"):
        # searched alone, the problem's words do not pull in the passage about damaged goods.
        question = tracker.get_slot("question_text") or (tracker.latest_message or {}).get("text") or ""
        found: dict[str, Any] = {"policy_quote": None, "policy_source": None}
        aside = tracker.get_slot("question")
        if aside in ASIDES:
            # "are you a bot?" and "how did you get my number?" are answered from the catalogue, not searched; a
            # question in another sentence of the message (the flow keeps it in `question_text`: "who is this, a
            # bot? how long till the refund shows?") is searched too and answered after (held-out round 9: only one
            # of the two was answered).
            if not tracker.get_slot("question_text"):
                return {**found, "aside": aside}
            return {**(await self.search(tracker, services, question)), "aside": aside}
        return await self.search(tracker, services, question)

    async def search(self, tracker: Tracker, services: Services, question: str) -> dict[str, Any]:
        found: dict[str, Any] = {"policy_quote": None, "policy_source": None}
        if services.knowledge is not None and question.strip():
            language = tracker.get_slot("language")
            about = remedy_section(tracker)
            term = tracker.get_slot("question_term") if about is not None else None
            if term and (answer := await self.term_answer(services, term, about, language)):
                return answer
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

    async def term_answer(
        self, services: Services, term: dict[str, str], remedy: tuple[str, str], language: str | None
    ) -> dict[str, Any] | None:
        """A question about the terms of the remedy under way ("when does the money reach my card?", "must I send
        the broken one back?") quoted from the section that answers it (the flow read which: `question_term`,
        bot/understanding/offer_terms.py), from the sentence that does; None when that section holds no such
        sentence, and the search answers instead."""
        source, heading = (term["source"], term["heading"]) if term.get("source") else remedy
        passage = await services.knowledge.cite({"source": source, "heading": heading}, language)
        if passage is None:
            return None
        sentences = passage_sentences(passage.text)
        start = sentence_at(sentences, term.get("sentence", ""))
        if start is None:
            return None
        # The sentence that answers, and the next when it is short: quoted from there to the section's end, "how long
        # until it arrives?" was answered with the rest of the damaged-parcel section (round 12, it).
        answer = sentences[start:] if not term.get("sentence") else sentences[start : start + 2]
        if term.get("sentence") and len(answer[0]) >= _ENOUGH:
            answer = answer[:1]
        return {
            "policy_quote": quote(" ".join(answer)),
            "policy_source": passage.source,
            QUOTED_LANGUAGE: passage.language,
        }

    def sub(self, tracker: Tracker, extra: dict[str, Any]) -> str | None:
        if extra.get("aside"):
            return str(extra["aside"])
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
        if sub not in ASIDES or not variables.get("policy_quote"):
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


def quote(text: str, question: str = "", *, paragraph: bool = False) -> str:
    """Up to about QUOTE_CHARS of a passage, ending on a sentence boundary, starting at the sentence that
    shares the most words with the question (a chunk often opens with context the buyer did not ask).
    `paragraph`: the passage's first paragraph only, the one an offer rests on (a remedy rule cites its section,
    whose first paragraph says the remedy): quoted on, a refund was justified with "If the box is visibly crushed,
    you may refuse it"."""
    if paragraph:
        text = first_paragraph(text)
    text = " ".join(_BULLET.sub("", plain(text)).split())
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


def first_paragraph(text: str) -> str:
    """The first paragraph of a passage: up to a blank line, or, in an indexed chunk, up to the two spaces before a
    newline with which the Markdown splitter ends a paragraph (it joins the lines of one with a bare newline)."""
    return _PARAGRAPH_END.split(text.strip(), maxsplit=1)[0]


_PARAGRAPH_END = re.compile(r" {2}\n|\n[ \t]*\n")


_SENTENCE = re.compile(r"(?<=[.!?])\s+")
# A Markdown list item's mark: run into one line, "You choose: - a replacement; - a full refund" read as a stray dash.
_BULLET = re.compile(r"^[ \t]*[-*•][ \t]+", re.MULTILINE)
# A sentence this long answers on its own; a shorter one is quoted with the next.
_ENOUGH = 40


def passage_sentences(text: str) -> list[str]:
    """A Markdown passage's sentences, a list item each one: joined, a list ("- a replacement, within 2 business days;")
    ran on into the next paragraph as one sentence."""
    found: list[str] = []
    for line in plain(text).splitlines():
        line = " ".join(line.split()).lstrip("-*• ").rstrip(";")
        found += [s for s in _SENTENCE.split(line) if s]
    return found


def sentence_at(sentences: list[str], pattern: str) -> int | None:
    """Index of the first sentence matching `pattern` (lower-case, without diacritics; 0 for no pattern), or None
    when no sentence does: the section does not answer the question."""
    if not pattern:
        return 0
    found = re.compile(pattern)
    return next((i for i, s in enumerate(sentences) if found.search(normalise(s))), None)


_WORD = re.compile(r"\w{3,}")


def _stems(text: str) -> set[str]:
    # Five letters are a crude but language-neutral stem: "returns"/"return", "zwrotu"/"zwrot".
    return {w[:5] for w in _WORD.findall(text.lower())}


def _best_sentence(sentences: list[str], question: str) -> int:
    wanted = _stems(question)
    scores = [len(_stems(s) & wanted) for s in sentences]
    best = max(range(len(sentences)), key=lambda i: (scores[i], -i)) if sentences else 0
    return best if scores and scores[best] > 0 else 0
