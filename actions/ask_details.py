"""Asks for the next missing detail (PLAYBOOK rule 6): what, which item, when, evidence, wanted outcome."""

from __future__ import annotations

from actions.base import MediatorAction


class ActionAskDetails(MediatorAction):
    label = "ask_details"
    sub_slot = "requested_slot"
