"""Tells the buyer a person takes over, and why (PLAYBOOK rule 9), and roughly when they will answer."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import MediatorAction
from actions.services import Services
from actions.waiting import eta_sentence


class ActionHandoff(MediatorAction):
    label = "handoff"
    sub_slot = "handoff_reason"

    def say(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        services: Services,
        variables: dict[str, Any],
        *,
        key: str | None = None,
        sub: str | None = None,
    ) -> None:
        # One message: "I'm passing you to a person…" and, in the same breath, when that person will answer.
        language = tracker.get_slot("language") or services.shop.default_language
        text = services.catalog.render(
            key or self.label, language, variables, sub=sub, seed=int(tracker.get_slot("turn") or 0)
        )
        # An approval request is answered by the bot once staff decide ("I'll be back to you"), not by a person
        # writing here: promising a person would not be true.
        eta = eta_sentence(tracker, services) if sub != "approval_needed" else ""
        text = f"{text} {eta}" if eta else text
        dispatcher.utter_message(text=text, json_message={"action": self.label, "language": language})
