"""Shows the buyer they were heard."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.base import MediatorAction


class ActionAcknowledge(MediatorAction):
    label = "acknowledge"

    def sub(self, tracker: Tracker, extra: dict[str, Any]) -> str | None:
        if tracker.get_slot("on_its_way"):
            return "on_its_way"  # the remedy has not come yet: the bot asks again later (flow.answer_follow_up)
        if tracker.get_slot("resolved"):
            return "resolved"
        if tracker.get_slot("later"):
            return "later"  # "I'm at work, later": whenever it suits them (flow: puts_off)
        if tracker.get_slot("photo_why"):
            return "photo_why"  # "why do you need a photo of my kitchen?": only the item, and it is optional
        offered = tracker.get_slot("photo_offered")
        if offered == "video":
            return "video_offered"
        if offered:
            return "photo_offered"
        # Agreed but not done yet: "when will it arrive?" deserves "it's with the team", not a replay of
        # the problem as if the buyer had just described it.
        return "pending" if tracker.get_slot("accepted_remedy") else "heard"
