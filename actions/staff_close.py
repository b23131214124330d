"""The closing words when staff close a conversation: the buyer hears that it ends, and where to turn next."""

from __future__ import annotations

from actions.base import MediatorAction


class ActionStaffClose(MediatorAction):
    label = "staff_close"
