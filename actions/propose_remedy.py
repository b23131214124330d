"""Proposes the remedy the flow chose from the shop's rules (PLAYBOOK rule 7), quoting the policy passage
it rests on and asking whether it would feel fair."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.answer_question import quote
from actions.base import QUOTED_LANGUAGE, MediatorAction, format_amount, optional_sentence
from actions.services import Services, get_services


class ActionProposeRemedy(MediatorAction):
    label = "propose_remedy"

    def key(self, tracker: Tracker) -> str:
        """The offer's question alone (messages: offer_question) after a buyer's "I understand", which accepts
        nothing (flow.answer_proposal); a catalogue without it says the whole offer again."""
        if tracker.get_slot("offer_plain") and get_services().catalog.has("offer_question"):
            return "offer_question"
        return self.label

    async def prepare(self, tracker: Tracker, services: Services) -> dict[str, Any]:
        if self.key(tracker) == "offer_question":
            return {}  # no quote: the offer with its policy passage was said already
        remedy = tracker.get_slot("proposed_remedy") or {}
        cite = remedy.get("cite") or {}
        passage = None
        language = tracker.get_slot("language")
        if services.knowledge is not None and cite:
            passage = await services.knowledge.cite(cite, language)
            shop_language = services.shop.default_language
            if passage is not None and passage.language != language and shop_language != language:
                # No document in the buyer's language: quote the shop's own (issue 18.4), and say so.
                passage = await services.knowledge.cite(cite, shop_language) or passage
        return {
            "policy_quote": quote(passage.text, paragraph=True) if passage else None,
            "policy_source": passage.source if passage else cite.get("source"),
            QUOTED_LANGUAGE: passage.language if passage else None,
        }

    def sub(self, tracker: Tracker, extra: dict[str, Any]) -> str | None:
        if self.key(tracker) == "offer_question":
            return None
        return (tracker.get_slot("proposed_remedy") or {}).get("type", "apology_only")

    def before(self, tracker: Tracker, services: Services, language: str) -> str:
        """Why the buyer's wish is not what is offered (issue 19.3): one sentence from the rule that would allow
        it, in the buyer's language. A catalogue without `why_not` (an older version) says nothing here. An offer
        for the order's second line (bot/conversation/second_item.py) is led in by naming that line."""
        offer = tracker.get_slot("proposed_remedy") or {}
        second = tracker.get_slot("second_item_offered")
        if second and offer.get("item") == second and services.catalog.has("second_item_offer"):
            return optional_sentence(tracker, services, "second_item_offer", {"item": second}, language)
        why = tracker.get_slot("why_not") or {}
        if not why.get("kind") or self.key(tracker) == "offer_question":
            return ""
        # A counter-offer's sentence names money ("at most 9,00 €"): the amount the note carries, in the buyer's way.
        variables = {
            "remedy": why.get("remedy", ""),
            "amount": format_amount(why, language),
            "days": why.get("days", ""),
        }
        try:
            return services.catalog.render(
                "why_not", language, variables, sub=why["kind"], seed=int(tracker.get_slot("turn") or 0)
            )
        except KeyError:
            return ""
