"""Closes the conversation kindly, whatever the buyer decided about the review."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.base import MediatorAction


class ActionClose(MediatorAction):
    label = "close"
    sub_slot = "close_kind"

    def key(self, tracker: Tracker) -> str:
        return "closed_case" if tracker.get_slot("close_kind") == "after_close" else "close"

    def sub(self, tracker: Tracker, extra: dict[str, Any]) -> str | None:
        return None if self.key(tracker) == "closed_case" else str(tracker.get_slot("close_kind") or "kept")
