"""Asks for the next missing detail (PLAYBOOK rule 6): what, which item, when, evidence, wanted outcome."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.base import MediatorAction
from actions.services import Services


class ActionAskDetails(MediatorAction):
    label = "ask_details"
    sub_slot = "requested_slot"

    async def prepare(self, tracker: Tracker, services: Services) -> dict[str, Any]:
        """The item question names the order's items when the buyer named one the order does not hold (flow.absorb
        sets `item_not_ordered`), so they hear why they are asked about something they just named; said once."""
        named = tracker.get_slot("item_not_ordered") and tracker.get_slot("order_items")
        asked = tracker.get_slot("requested_slot") == "item"
        if asked and named and services.catalog.has("ask_details", "item_not_ordered"):
            return {"item_not_ordered": None, NOT_ORDERED: True}
        return {}

    def sub(self, tracker: Tracker, extra: dict[str, Any]) -> str | None:
        return "item_not_ordered" if extra.get(NOT_ORDERED) else super().sub(tracker, extra)


NOT_ORDERED = "_item_not_ordered"  # for this message only (keys starting with "_" never become slots)
