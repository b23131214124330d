"""Relays a staff member's words to the buyer, signed with their name."""

from __future__ import annotations

from actions.base import MediatorAction


class ActionStaffMessage(MediatorAction):
    label = "staff_message"
