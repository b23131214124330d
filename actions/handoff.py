"""Tells the buyer a person takes over, and why (PLAYBOOK rule 9), and roughly when they will answer."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.base import MediatorAction
from actions.services import Services
from actions.waiting import eta_sentence


class ActionHandoff(MediatorAction):
    label = "handoff"
    sub_slot = "handoff_reason"

    def then(self, tracker: Tracker, services: Services, sub: str | None) -> str:
        # One message: "I'm passing you to a person…" and, in the same breath, when that person will answer.
        # An approval request is answered by the bot once staff decide ("I'll be back to you"), not by a person
        # writing here: promising a person would not be true.
        return eta_sentence(tracker, services) if sub != "approval_needed" else ""
