"""First message (PLAYBOOK rules 1–3): says it is the shop's automated assistant, that a person can take
over at any time, acknowledges the problem, and asks for nothing yet."""

from __future__ import annotations

from actions.base import MediatorAction


class ActionFirstContact(MediatorAction):
    label = "first_contact"
