"""A buyer waiting for a person is told so, and roughly when (PLAYBOOK rule 9).

The estimate (`staff_eta` slot: its kind and the moment, in the buyer's timezone) comes from the engine, which
reads the staff working hours; here it becomes words in the buyer's language: the clock time and the day as
that language writes them (Babel). Languages whose file lacks `waiting` (a version published before it
existed) say nothing rather than another language's words."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import MediatorAction, message_variables
from actions.services import Services, get_services
from bot.platform.local_time import clock_time, day_and_date

ETA_KINDS = ("soon", "today", "tomorrow", "later")


def eta_sentence(tracker: Tracker, services: Services) -> str:
    """The sentence that says when a person will answer, or "" when it cannot be said."""
    eta = tracker.get_slot("staff_eta") or {}
    kind, at = eta.get("kind"), eta.get("at")
    if kind not in ETA_KINDS or not at:
        return ""
    language = _language(tracker, services)
    return waiting_text(tracker, services, kind, eta_variables(datetime.fromisoformat(at), language))


def eta_variables(at: datetime, language: str) -> dict[str, str]:
    return {"time": clock_time(at, language), "day": day_and_date(at, language)}


def waiting_text(tracker: Tracker, services: Services, sub: str, extra: dict[str, Any]) -> str:
    language = _language(tracker, services)
    if not services.catalog.has("waiting", sub):
        return ""
    variables = {**message_variables(tracker, services), **extra}
    try:
        return services.catalog.render("waiting", language, variables, sub=sub, seed=int(tracker.get_slot("turn") or 0))
    except KeyError:  # this language's file has no `waiting` yet: silence beats another language
        return ""


def _language(tracker: Tracker, services: Services) -> str:
    return tracker.get_slot("language") or services.shop.default_language


class ActionWaiting(MediatorAction):
    """The buyer wrote while waiting for a person: their message is with the team, and when to expect them."""

    label = "waiting"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        services = get_services()
        # Waiting for an approval, the bot itself comes back once staff decide: no person is promised then.
        approval = tracker.get_slot("handoff_reason") == "approval_needed"
        parts = [waiting_text(tracker, services, "still", {}), "" if approval else eta_sentence(tracker, services)]
        text = " ".join(p for p in parts if p)
        if text:
            language = _language(tracker, services)
            dispatcher.utter_message(text=text, json_message={"action": self.label, "language": language})
        return []


class ActionStaffJoined(MediatorAction):
    """A person took the conversation over: the buyer is told who, once."""

    label = "staff_joined"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        services = get_services()
        text = waiting_text(tracker, services, "joined", {})
        if text:
            language = _language(tracker, services)
            dispatcher.utter_message(text=text, json_message={"action": self.label, "language": language})
        return []
