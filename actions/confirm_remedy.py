"""Confirms the accepted remedy and what happens next (PLAYBOOK rule 8: an apology without action is worthless)."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.base import MediatorAction
from actions.services import Services


class ActionConfirmRemedy(MediatorAction):
    label = "confirm_remedy"

    def then(self, tracker: Tracker, services: Services, sub: str | None) -> str:
        """A request made beside the yes ("Yes please, and could the courier ring the bell?") is said back as
        noted for the team (issue 18.1: a side request is acknowledged), where the shop's messages have the
        sentence (`side_request`, optional: an older version says nothing)."""
        if not tracker.get_slot("side_request") or not services.catalog.has("side_request"):
            return ""
        language = tracker.get_slot("language") or services.shop.default_language
        try:
            return services.catalog.render("side_request", language, {}, seed=int(tracker.get_slot("turn") or 0))
        except KeyError:  # this language's file lacks the sentence: silence beats another language
            return ""
