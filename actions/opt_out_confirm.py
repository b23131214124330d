"""The single confirmation after an opt-out (PLAYBOOK rule 11); nothing is sent after it."""

from __future__ import annotations

from actions.base import MediatorAction


class ActionOptOutConfirm(MediatorAction):
    label = "opt_out_confirm"
