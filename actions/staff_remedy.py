"""Tells the buyer about a remedy a person granted (in /staff or Slack), naming the remedy and the item.

This message is the remedy's one confirmation: when staff hand the case back the bot does not confirm it
again (bot/conversation/flow.py, on_staff_hand_back)."""

from __future__ import annotations

from actions.base import MediatorAction


class ActionStaffRemedy(MediatorAction):
    label = "staff_remedy"
