"""The bot did not understand: asks to rephrase and offers a person."""

from __future__ import annotations

from actions.base import MediatorAction


class ActionClarify(MediatorAction):
    label = "clarify"
