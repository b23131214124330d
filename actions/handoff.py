"""Tells the buyer a person takes over, and why (PLAYBOOK rule 9)."""

from __future__ import annotations

from actions.base import MediatorAction


class ActionHandoff(MediatorAction):
    label = "handoff"
    sub_slot = "handoff_reason"
