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
        sets `item_not_ordered`), so they hear why they are asked about something they just named; said once.
        Named again after that ("it IS the lamp"), the bot believes them and asks for the other order's number
        (item_other_order): the same question a second time only led to a person (issue 21)."""
        named = tracker.get_slot("item_not_ordered") and tracker.get_slot("order_items")
        asked = tracker.get_slot("requested_slot") == "item"
        told = tracker.get_slot("item_not_ordered_told")
        if asked and not named and not told and tracker.get_slot("slot_misses") and tracker.get_slot("order_items"):
            # Asked again, the buyer's answer named nothing the bot can place ("le rouleau a patisserie" for a "Beech
            # rolling pin"): the question now names the order's items, so they can point at one (held-out round 9:
            # the same bare question twice, then a person).
            return {"item_not_ordered_told": True, SUB: "item_not_ordered"}
        if not (asked and named):
            return {}
        if told and services.catalog.has("ask_details", "item_other_order"):
            return {"item_not_ordered": None, SUB: "item_other_order"}
        if services.catalog.has("ask_details", "item_not_ordered"):
            return {"item_not_ordered": None, "item_not_ordered_told": True, SUB: "item_not_ordered"}
        return {}

    def sub(self, tracker: Tracker, extra: dict[str, Any]) -> str | None:
        return extra.get(SUB) or super().sub(tracker, extra)


SUB = "_item_sub"  # for this message only (keys starting with "_" never become slots)
