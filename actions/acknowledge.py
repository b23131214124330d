"""Shows the buyer they were heard."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.base import MediatorAction


class ActionAcknowledge(MediatorAction):
    label = "acknowledge"

    def sub(self, tracker: Tracker, extra: dict[str, Any]) -> str | None:
        return "resolved" if tracker.get_slot("resolved") else "heard"
