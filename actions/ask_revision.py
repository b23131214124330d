"""Asks, once and neutrally, whether the buyer wants to update the review (PLAYBOOK rule 10), with the
platform's own edit link; the second call is the single reminder. Never tied to any remedy."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.base import MediatorAction


class ActionAskRevision(MediatorAction):
    label = "ask_revision"

    def key(self, tracker: Tracker) -> str:
        return "remind_revision" if int(tracker.get_slot("revision_asks") or 1) > 1 else "ask_revision"
