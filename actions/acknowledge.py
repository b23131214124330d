"""Shows the buyer they were heard."""

from __future__ import annotations

from actions.base import MediatorAction


class ActionAcknowledge(MediatorAction):
    label = "acknowledge"
