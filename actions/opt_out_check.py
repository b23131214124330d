"""Asks whether the buyer wants no more contact, when their message reads as a request to stop but not a
clear one (PLAYBOOK rule 11; bot/understanding/opt_out.py), and carries on after a "no"."""

from __future__ import annotations

from actions.base import MediatorAction


class ActionOptOutCheck(MediatorAction):
    label = "opt_out_check"
    sub_slot = "opt_out_check"  # "ask", or after a no "resume" / "resume_offer" (bot/conversation/flow.py)
