"""Confirms the accepted remedy and what happens next (PLAYBOOK rule 8: an apology without action is worthless)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.base import MediatorAction, format_amount, optional_sentence
from actions.services import Services, get_services
from bot.platform.vocab import RemedyType
from bot.policy.remedies import MONEY_REMEDIES

# The remedies that pay money back (a coupon pays nothing): a payment dispute beside one must not pay it twice.
MONEY = MONEY_REMEDIES - {RemedyType.COUPON}


class ActionConfirmRemedy(MediatorAction):
    label = "confirm_remedy"

    def key(self, tracker: Tracker) -> str:
        """The order's second line agreed on top of the first remedy (bot/conversation/second_item.py): one sentence
        for it alone, where the shop's messages have it; the first remedy was confirmed already."""
        if tracker.get_slot("second_item_agreed") and get_services().catalog.has("second_item_agreed"):
            return "second_item_agreed"
        return self.label

    def remedy(self, tracker: Tracker) -> dict[str, Any]:
        """The agreed remedy, even while the order's second line is offered one (that offer is the proposed one);
        after a yes to the second line, its add-on."""
        agreed = tracker.get_slot("accepted_remedy") or {}
        if self.key(tracker) == "second_item_agreed":
            return agreed.get("add_on") or agreed
        return agreed or super().remedy(tracker)

    def before(self, tracker: Tracker, services: Services, language: str) -> str:
        """The remedy moved to the item the buyer now names ("oh wait, it was the mug"): said first, so the buyer
        knows the earlier one is replaced, not added to (issue 19)."""
        if not tracker.get_slot("item_changed_from"):
            return ""
        remedy = tracker.get_slot("accepted_remedy") or {}
        variables = {
            "item": tracker.get_slot("item_said") or tracker.get_slot("item"),
            "remedy": remedy.get("type", ""),
            "amount": format_amount(remedy, language),
            "part": remedy.get("part") or "",
        }
        return optional_sentence(tracker, services, "remedy_item_changed", variables, language)

    def then(self, tracker: Tracker, services: Services, sub: str | None) -> str:
        if self.key(tracker) == "second_item_agreed":
            return ""
        return " ".join(
            filter(
                None,
                [self.add_on(tracker, services), self.side_request(tracker, services), self.dispute(tracker, services)],
            )
        )

    def dispute(self, tracker: Tracker, services: Services) -> str:
        """A payment dispute the buyer mentioned, beside money agreed (a refund, or one added on): the team refunds
        once, through it or by the shop, and the buyer need not close it first (payments.md). Where the shop's
        messages have the sentence (`dispute_noted`, optional)."""
        agreed = tracker.get_slot("accepted_remedy") or {}
        money = {agreed.get("type"), (agreed.get("add_on") or {}).get("type")} & MONEY
        if not (tracker.get_slot("payment_dispute") and money):
            return ""
        return optional_sentence(tracker, services, "dispute_noted")

    def add_on(self, tracker: Tracker, services: Services) -> str:
        """The extra agreed on top of the remedy ("and a 5,00 € discount code for the trouble"), or one sentence
        saying the extra asked for cannot be added (issue 19: "no, but here is what I can do")."""
        language = tracker.get_slot("language") or services.shop.default_language
        extra = (tracker.get_slot("accepted_remedy") or {}).get("add_on")
        if extra and extra.get("item"):
            return ""  # the order's second line, confirmed by its own sentence (key), not an extra for the trouble
        refused = tracker.get_slot("add_on_refused")
        if extra:
            variables = {"remedy": extra["type"], "amount": format_amount(extra, language)}
            return optional_sentence(tracker, services, "add_on", variables, language)
        return optional_sentence(tracker, services, "add_on_refused", {"remedy": refused}) if refused else ""

    def side_request(self, tracker: Tracker, services: Services) -> str:
        """A request made beside the yes ("Yes please, and could the courier ring the bell?") is said back as
        noted for the team (issue 18.1: a side request is acknowledged), where the shop's messages have the
        sentence (`side_request`, optional: an older version says nothing)."""
        if not tracker.get_slot("side_request"):
            return ""
        return optional_sentence(tracker, services, "side_request")
