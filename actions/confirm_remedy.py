"""Confirms the accepted remedy and what happens next (PLAYBOOK rule 8: an apology without action is worthless)."""

from __future__ import annotations

from actions.base import MediatorAction


class ActionConfirmRemedy(MediatorAction):
    label = "confirm_remedy"
