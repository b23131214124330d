"""The closing words when staff close a conversation: the buyer hears that it ends, and where to turn next."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.base import MediatorAction, message_variables
from actions.services import Services


class ActionStaffClose(MediatorAction):
    label = "staff_close"

    async def prepare(self, tracker: Tracker, services: Services) -> dict[str, Any]:
        # Closed by a caller that gave no name (a timer, a script): the team's name signs it, never a blank.
        if tracker.get_slot("staff_name"):
            return {}
        return {"staff_name": message_variables(tracker, services)["team"] or services.shop.name}
