"""Checks that the remedy worked (PLAYBOOK rule 8)."""

from __future__ import annotations

from actions.base import MediatorAction


class ActionFollowUp(MediatorAction):
    label = "follow_up"
