"""The shared shape of Mediator's actions: read the tracker, render the admin's words, report events.

Every action is a Rasa SDK `Action` named `action_<label>`, where label is one of the bot-turn labels
of DESIGN.md. It reads only the tracker (slots built from the case row) and the services, so the
same class runs in process through `ActionExecutor` and behind `python -m rasa_sdk --actions actions`.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Any, ClassVar

from babel import Locale, UnknownLocaleError
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.services import Services, get_services
from bot.platform.currencies import format_money
from bot.policy.messages import FALLBACK_LANGUAGE


class MediatorAction(Action, metaclass=ABCMeta):
    # Abstract until a subclass names its label, so Rasa's executor does not register the base itself.
    @property
    @abstractmethod
    def label(self) -> str: ...

    # Which slot picks the message's sub-key (ask_details.<slot>, handoff.<reason>, close.<kind>).
    sub_slot: ClassVar[str | None] = None

    def name(self) -> str:
        return f"action_{self.label}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        services = get_services()
        extra = await self.prepare(tracker, services)
        variables = {
            **message_variables(tracker, services, self.remedy(tracker)),
            **{k: "" if v is None else v for k, v in extra.items()},
        }
        notice = unavailable_language_notice(tracker, services)
        self.say(
            dispatcher, tracker, services, variables, key=self.key(tracker), sub=self.sub(tracker, extra), lead=notice
        )
        # Keys starting with "_" are for this message only (e.g. the quoted passage's language), not slots.
        told = [SlotSet(LANGUAGE_NOTICE, tracker.get_slot("language"))] if notice else []
        return [SlotSet(k, v) for k, v in extra.items() if not k.startswith("_")] + told

    async def prepare(self, tracker: Tracker, services: Services) -> dict[str, Any]:
        """Anything the action looks up before speaking; the values become template variables and slots."""
        return {}

    def key(self, tracker: Tracker) -> str:
        return self.label

    def remedy(self, tracker: Tracker) -> dict[str, Any]:
        """The remedy the message names: the one on offer, else the one waiting for approval, else the agreed one."""
        slot = tracker.get_slot
        return slot("proposed_remedy") or slot("pending_remedy") or slot("accepted_remedy") or {}

    def sub(self, tracker: Tracker, extra: dict[str, Any]) -> str | None:
        return str(tracker.get_slot(self.sub_slot)) if self.sub_slot else None

    def say(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        services: Services,
        variables: dict[str, Any],
        *,
        key: str | None = None,
        sub: str | None = None,
        lead: str = "",
    ) -> None:
        language = tracker.get_slot("language") or services.shop.default_language
        seed = int(tracker.get_slot("turn") or 0)
        text = services.catalog.render(key or self.label, language, variables, sub=sub, seed=seed)
        note = quote_language_note(services, language, variables.get(QUOTED_LANGUAGE), seed)
        before = " ".join(filter(None, [self.before(tracker, services, language), note]))
        text = " ".join(filter(None, [before, text, self.then(tracker, services, sub)]))
        if lead:  # its own bubble first: it speaks of the conversation, not of this message
            dispatcher.utter_message(text=lead, json_message={"action": self.label, "language": language})
        dispatcher.utter_message(text=text, json_message={"action": self.label, "language": language})

    def before(self, tracker: Tracker, services: Services, language: str) -> str:
        """A sentence said in the same breath before the message; none by default."""
        return ""

    def then(self, tracker: Tracker, services: Services, sub: str | None) -> str:
        """A sentence said in the same breath after the message; none by default."""
        return ""


def optional_sentence(
    tracker: Tracker, services: Services, key: str, variables: dict[str, Any] | None = None, language: str | None = None
) -> str:
    """A sentence of the shop's messages that a catalogue may leave out (an older version, or a language file without
    it), said in the case's language, or nothing: silence beats another language."""
    if not services.catalog.has(key):
        return ""
    language = language or tracker.get_slot("language") or services.shop.default_language
    try:
        return services.catalog.render(key, language, variables or {}, seed=int(tracker.get_slot("turn") or 0))
    except KeyError:  # this language's file lacks the sentence
        return ""


# The language of a quoted policy passage, returned by `prepare` beside the quote (never stored as a slot).
QUOTED_LANGUAGE = "_quote_language"


def quote_language_note(services: Services, language: str, quoted: object, seed: int) -> str:
    """One short sentence saying the policy is quoted in another language (issue 18.4): the shop has no
    document in the buyer's, so the quote is the shop's own text, and the buyer should know why."""
    if not quoted or quoted == language or not services.catalog.has("quote_in_other_language"):
        return ""
    said = services.catalog.spoken(language)
    try:
        name = Locale.parse(said).languages.get(str(quoted)) or str(quoted)
    except (ValueError, UnknownLocaleError):
        name = str(quoted)
    try:
        return services.catalog.render("quote_in_other_language", language, {"quote_language": name}, seed=seed)
    except KeyError:  # this language's file has no such sentence yet: silence beats another language
        return ""


# The slot that remembers the buyer's language was said to be unavailable, so the sentence is said once.
LANGUAGE_NOTICE = "language_notice_for"


def unavailable_language_notice(tracker: Tracker, services: Services) -> str:
    """One sentence, once per case and language, when the shop has no message file for the buyer's language
    (issue 18.4: "say plainly which languages are available and offer a person"): the bot then writes in the
    fallback language, and the buyer should know why and what else they can choose."""
    language = tracker.get_slot("language")
    catalog = services.catalog
    if (
        not language
        or catalog.speaks(language)
        or tracker.get_slot(LANGUAGE_NOTICE) == language
        or not catalog.has("language_unavailable")
    ):
        return ""
    names = Locale.parse(FALLBACK_LANGUAGE).languages
    try:
        theirs = names.get(Locale.parse(language).language) or language
    except (ValueError, UnknownLocaleError):
        theirs = language
    spoken = ", ".join(_autonym(code) for code in catalog.languages)
    seed = int(tracker.get_slot("turn") or 0)
    return catalog.render("language_unavailable", language, {"language": theirs, "languages": spoken}, seed=seed)


def _autonym(code: str) -> str:
    """A language as its speakers write it ("polski", "svenska"): a buyer looks for their own language's name."""
    try:
        return Locale.parse(code).get_display_name(code) or code
    except (ValueError, UnknownLocaleError):
        return code


# Titles a buyer's name may open with ("Dr. Ingrid Wallner", "Frau Petra Lang", "Mme Claire Roux"): the greeting
# skips them, or "Hallo Dr.," greeted a buyer (held-out round 11). Any word ending in "." counts as one too.
NAME_TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "sir",
        "dame",
        "herr",
        "frau",
        "fr",
        "hr",
        "ing",
        "dipl",
        "mag",
        "m",
        "mme",
        "mlle",
        "monsieur",
        "madame",
        "mademoiselle",
    ]
)


def greeting_name(name: str | None) -> str:
    """The name a message greets the buyer by: the first name after any titles ("Dr. Ingrid Wallner" -> "Ingrid");
    a title and a surname alone stay whole ("Dr. Wallner"), as a letter would greet them."""
    parts = (name or "").split()
    rest = list(parts)
    while rest and (rest[0].endswith(".") or rest[0].lower() in NAME_TITLES):
        rest.pop(0)
    if not rest:
        return ""
    if len(rest) == 1 and len(parts) > 1:
        return " ".join(parts)
    return rest[0]


def message_variables(tracker: Tracker, services: Services, remedy: dict[str, Any] | None = None) -> dict[str, Any]:
    """The template variables of DESIGN.md, from the case's slots; `remedy` is the one the message names (by
    default as MediatorAction.remedy picks it)."""
    slot = tracker.get_slot
    language = slot("language") or services.shop.default_language
    if not services.catalog.speaks(language):
        # The message is written in the fallback language; the signature must be too (no fragment of another
        # language inside a reply, PLAYBOOK rule 12).
        language = FALLBACK_LANGUAGE
    if remedy is None:
        remedy = slot("proposed_remedy") or slot("pending_remedy") or slot("accepted_remedy") or {}
    problems = slot("problems") or []
    # The topic of what the buyer told, where it names another than the review's (flow.absorb `team_topic`).
    team = services.routing.teams.get(services.routing.team_for(slot("team_topic") or slot("topic") or "other"))
    return {
        "buyer_name": greeting_name(slot("buyer_name")),
        "shop_name": services.shop.name,
        "team_signature": services.shop.signature(language),
        "item": remedy.get("item") or slot("item") or "",  # a remedy for the order's second line names that line
        "part": remedy.get("part") or slot("part") or "",  # the part sent on its own (send_part)
        "order_id": slot("order_id") or "",
        "order_items": slot("order_items") or "",
        "order_ref": slot("order_ref") or "",
        "problem": _problem(problems, slot),
        "remedy": remedy.get("type", ""),
        "remedy_problem": remedy.get("problem") or "",  # picks a remedy_names_for name; never a template variable
        "amount": format_amount(remedy, language),
        "policy_quote": slot("policy_quote") or "",
        "policy_source": slot("policy_source") or "",
        "edit_url": slot("edit_url") or "",
        "team": team.name_in(language, services.shop.default_language) if team else "",
        "staff_name": slot("staff_name") or "",
        "text": slot("staff_text") or "",
    }


def _problem(problems: list[str], slot: Any) -> str:
    """The problem the message names: the first the buyer told, else the review's topic's. Damage told weeks after
    delivery broke in use (the flow's `broke_in_use`): named as the fault it is, never as "arrived damaged"."""
    if not problems:
        return _topic_problem(slot("topic_problem"), slot("denied_problems"))
    return "defect" if problems[0] == "damaged" and slot("broke_in_use") else problems[0]


def _topic_problem(topic_problem: str | None, denied: list[str] | None) -> str:
    """The problem the review's topic suggests, unless the buyer said it is not that ("it wasn't late"): then
    the generic "the problem with your order" rather than the very problem they corrected."""
    return topic_problem if topic_problem and topic_problem not in (denied or []) else "other"


def format_amount(remedy: dict[str, Any], language: str | None = None) -> str:
    """The remedy's amount as the buyer's language writes money ("15,00 €" in German), or its percentage."""
    if remedy.get("amount"):
        return format_money(remedy["amount"], remedy.get("currency"), language)
    if remedy.get("percent"):
        return f"{remedy['percent'].rstrip('0').rstrip('.')}%"
    return ""
