"""The bot did not understand: asks to rephrase and offers a person.

At an offer it asks the offer's question again instead (`clarify_offer`): the buyer then knows that a yes, a no or
another wish is all the bot needs. `offer_misses` counts the answers to the current offer the flow could not place
(bot/conversation/flow.py: answer_proposal; reset when an answer is placed or a new offer made), so it is set exactly
when this clarify is about an offer.
"""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.base import MediatorAction
from actions.services import get_services


class ActionClarify(MediatorAction):
    label = "clarify"

    def key(self, tracker: Tracker) -> str:
        services = get_services()
        language = tracker.get_slot("language") or services.shop.default_language
        offer = tracker.get_slot("offer_misses") and tracker.get_slot("proposed_remedy")
        if offer and services.catalog.has("clarify_offer", language=language):
            return "clarify_offer"
        return self.label
