"""A photo sent alone once the facts are gathered (issue 21.4): thanked for, said to be with the team, and the
stage's open question asked again (the offer, what happens next, or whether the remedy worked), so the buyer is
never left without an answer. The sub-key (`photo_note` slot) is the stage's, set by the flow."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import MediatorAction
from actions.services import get_services


class ActionPhotoReceived(MediatorAction):
    label = "photo_received"
    sub_slot = "photo_note"

    def key(self, tracker: Tracker) -> str:
        return "photo"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        # A version published before photos had words says nothing rather than another key's words.
        if not get_services().catalog.has("photo", tracker.get_slot(self.sub_slot)):
            return []
        return await super().run(dispatcher, tracker, domain)
