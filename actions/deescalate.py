"""Calm first (PLAYBOOK rule 3): empathy and a specific apology, no questions about facts."""

from __future__ import annotations

from actions.base import MediatorAction


class ActionDeescalate(MediatorAction):
    label = "deescalate"
