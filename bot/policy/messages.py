"""The bot's words: message catalogues per language (`policies/messages/<lang>.yml`) and their renderer.

Admins edit the message files; this module makes sure no edit can break a rule of PLAYBOOK.md by
accident. `validate_messages` reports every problem as `file:line: message`, and `load_catalog` refuses
to build a catalogue from files that have any. The checks that carry the playbook:

- first_contact says it is the shop's automated assistant and that a person can take over (rule 2,
  EU AI Act Art. 50), and signs with {team_signature};
- first_contact and deescalate never ask for an order number, a photo or other facts (rule 3);
- only ask_revision / remind_revision may talk about the review or carry {edit_url}, and no message
  anywhere may match a forbidden pattern of `policies/guardrails.yml` (rule 10: nothing is ever offered
  for, or conditioned on, a changed or deleted review; FTC 16 CFR 465, platform rules, EU UCPD);
- formulaic apologies listed in the guard rails are refused (rule 3: "never a formula").

Variables are a closed set (ALLOWED_VARIABLES). Rendering rules, in the order they apply:

- a template is pre-parsed once into literals and variable names, so a value is never re-parsed:
  a buyer who types "{edit_url}" gets exactly that text back, never a substitution;
- a missing or None variable renders as "" and the text is tidied (empty brackets or quotes dropped,
  no space before punctuation, double spaces collapsed), so no brace and no "  ," is ever left;
- {item} missing -> the language's `item_fallback` (e.g. "item"), so "your {item}" still reads;
- {problem} / {remedy} given as a type key ("damaged", "refund_partial") -> the language's
  problem_names / remedy_names phrase; {problem} missing -> problem_names.other;
- {buyer_name} is used only in `greetings.named`: the renderer puts the greeting (named when a name is
  known, anonymous otherwise) on its own line before first_contact. Messages themselves never carry
  the name, so nothing reads oddly when it is unknown.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, get_args

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError, create_model

from bot.platform.vocab import Problem, RemedyType, literal, names
from bot.platform.yaml_lines import (
    Loc,
    PolicyFileError,
    PolicyIssue,
    Upgrade,
    issues_from_validation,
    line_for,
    load_yaml_with_lines,
    read_policy_text,
    upgraded,
)

ALLOWED_VARIABLES: frozenset[str] = frozenset(
    {
        "buyer_name",
        "shop_name",
        "team_signature",
        "item",
        "part",
        "order_id",
        "order_items",  # the case's order's item names, joined: said when the buyer names one it does not hold
        "order_ref",  # an order number the buyer wrote (another order's, in handoff.other_order)
        "problem",
        "remedy",
        "amount",
        "policy_quote",
        "policy_source",
        "edit_url",
        "team",
        "staff_name",
        "text",
        "time",
        "day",
        "quote_language",
        "language",  # the buyer's language, named in language_unavailable
        "languages",  # the languages the shop's message files speak, named in language_unavailable
        "days",
        "limit",
    }
)
FALLBACK_LANGUAGE = "en"
# A chat bubble, not a letter: longer templates are refused so that admins keep replies short.
MAX_TEMPLATE_CHARS = 700

# Keys that may talk about the review, and must carry the platform's own edit link (PLAYBOOK rule 10).
REVISION_KEYS = frozenset({"ask_revision", "remind_revision"})
# Keys read by an upset buyer before they are calm: no request for facts there (PLAYBOOK rule 3).
CALM_FIRST_KEYS = frozenset({"first_contact", "deescalate"})
GREETED_KEYS = frozenset({"first_contact"})


# --- schema of policies/messages/<lang>.yml -------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Variants = Annotated[list[StrictStr], Field(min_length=1)]


class Greetings(_Strict):
    named: StrictStr  # may use {buyer_name}
    anonymous: StrictStr  # no variables: read when the name is unknown


# One name per remedy type and per problem, in every language: built from the vocabulary, so a new type
# is a required key of every catalogue and a catalogue that lacks it fails validation, naming the key.
RemedyNames = create_model("RemedyNames", __base__=_Strict, **{name: (StrictStr, ...) for name in names(RemedyType)})  # type: ignore[call-overload]
ProblemNames = create_model("ProblemNames", __base__=_Strict, **{name: (StrictStr, ...) for name in names(Problem)})  # type: ignore[call-overload]
# A remedy named for the problem its rule answers, where the general name would mislead: a double charge's
# refund_full is the second charge paid back, not the order's price returned with the goods ("a full refund"
# left buyers asking whether they had to send the item back). Optional, per problem and remedy type; a pair
# left out is named by remedy_names.
RemedyNamesFor = create_model(  # type: ignore[call-overload]
    "RemedyNamesFor",
    __base__=_Strict,
    **{name: (dict[literal(RemedyType), StrictStr] | None, None) for name in names(Problem)},
)


class AskDetails(_Strict):
    what: Variants
    when: Variants
    item: Variants
    evidence: Variants
    outcome: Variants
    # The buyer named an item the order does not hold ("my lamp" for an order of a kettle and boots): the order's
    # items ({order_items}, order {order_id}) and which one it is about (issue 21). Optional, so versions written
    # before it still load; without it the bot asks `item`.
    item_not_ordered: Variants | None = None
    # The buyer names that item again once told the order does not hold it ("it IS the lamp"): rather than a third
    # "which item?" and then a person, the bot believes them and asks whether it came in another order, and for
    # that order's number (issue 21). Optional like item_not_ordered; without it the bot says item_not_ordered.
    item_other_order: Variants | None = None


class AnswerQuestion(_Strict):
    found: Variants
    not_found: Variants
    identity: Variants  # "are you a bot?": the truth, the offer of a person, then on (PLAYBOOK rule 2)
    # "how did you get my number? why Telegram?": where the contact came from, that the buyer may stop it, then on
    # (held-out round 10). Optional, so versions written before it still load; without it the bot says `identity`.
    contact: Variants | None = None
    # "is this a scam? how do I know you're really the shop?": who writes and why, that nothing here asks for card
    # details, passwords or a payment, how to check with the shop, then on (held-out round 16). Optional like
    # `contact`, which is said in its place.
    genuine: Variants | None = None
    # "do I have to delete my review to get this? is it a bribe for my stars?": no, never, and nothing changes whatever
    # the buyer decides (PLAYBOOK rule 10; held-out round 13). Said without the review words, which only the revision
    # ask may use. Optional like `contact`; without it the bot says `not_found` (a colleague answers).
    review: Variants | None = None
    # "do you work weekends? is anyone there at this hour? can it wait till Monday?": this chat answers at any hour, the
    # team on business days, and nothing is lost by answering later (held-out round 15). Optional like `contact`;
    # without it the bot says `identity` (that it is the automated assistant, a person on request).
    hours: Variants | None = None


# The proposal of each remedy type, in every language (built from the vocabulary, like RemedyNames).
ProposeRemedy = create_model("ProposeRemedy", __base__=_Strict, **{name: (Variants, ...) for name in names(RemedyType)})  # type: ignore[call-overload]


class Handoff(_Strict):
    buyer_asked: Variants
    anger: Variants
    insults: Variants
    legal_or_safety: Variants
    approval_needed: Variants
    not_understood: Variants
    remedy_failed: Variants
    no_acceptable_remedy: Variants
    # The buyer named another item once the remedy was carried out (issue 19). Optional, so versions written
    # before it still load; without it the bot says `remedy_failed` (OPTIONAL_SUBS).
    item_changed: Variants | None = None
    # The buyer sent another order's number for an item the case's order does not hold: a person looks that order
    # up (the bot reads only the case's own order). Optional; without it the bot says `not_understood`.
    other_order: Variants | None = None


class Close(_Strict):
    revised: Variants
    kept: Variants
    unresolved: Variants
    expired: Variants


class Acknowledge(_Strict):
    heard: Variants  # the buyer told us something: show it landed
    resolved: Variants  # the buyer says the remedy worked
    # The remedy is agreed and on its way. Optional, because files and published versions written
    # before it existed must still load: without it the bot says `heard` (OPTIONAL_SUBS).
    pending: Variants | None = None
    # The buyer has a photo and asks whether to send it ("I have photos on my phone, shall I send them?"): yes,
    # here. Optional like `pending`; without it the bot says `heard`.
    photo_offered: Variants | None = None
    # The buyer's evidence is a video: the chat takes photos, so a screenshot from it is asked for. Optional like
    # `photo_offered`; without it the bot says `heard`.
    video_offered: Variants | None = None
    # The buyer asks why a photo, or of what ("of my kitchen?"): only the item matters, and it is optional; the next
    # question follows (round 16). Optional like `photo_offered`; without it the bot says `heard`.
    photo_why: Variants | None = None
    # The buyer cannot talk now ("I'm at work, later"): whenever it suits them, the case stays open (held-out round
    # 10). Optional like `pending`; without it the bot says `heard`.
    later: Variants | None = None
    # At the follow-up the remedy has not come yet ("not here yet"): it can take a few more days, and the bot asks
    # again later (flow.answer_follow_up). Optional like `pending`; without it the bot says `heard`.
    on_its_way: Variants | None = None


class Waiting(_Strict):
    """A buyer waiting for a person is told so, and roughly when (PLAYBOOK rule 9). The handoff message
    ends with the sentence for the estimate's kind; a message written while waiting gets `still` and it."""

    soon: Variants  # during staff hours: a person answers by {time}
    today: Variants  # before today's hours: after {time}
    tomorrow: Variants  # after hours: tomorrow after {time}
    later: Variants  # a weekend or a day off: on {day}, after {time}
    still: Variants  # the buyer writes again while waiting: their message is with the team
    joined: Variants  # a person ({staff_name}) has joined the conversation


class OptOutCheck(_Strict):
    """A message the NLU reads as a request to stop, but not clearly enough to stop on (PLAYBOOK rule 11;
    bot/understanding/opt_out.py): the buyer is asked, and a "no" carries the conversation on."""

    ask: Variants  # would you like us to stop contacting you? (a yes stops all contact)
    resume: Variants  # the buyer said no: we carry on (the pending question follows, if there is one)
    resume_offer: Variants  # the same while an offer waits for an answer: asks about {remedy} again, briefly


class WhyNot(_Strict):
    """One sentence before an offer when the buyer's wish is not allowed (issue 19.3): why, from the rule that
    would allow it; {remedy} is the wished remedy, and the offer that follows is the nearest allowed one."""

    window: Variants  # the rule's time limit ({days} days after delivery) has passed
    case: Variants  # the policy allows it for other problems, or not at all
    # The team did not approve {remedy}, which the bot had asked them for (flow.on_staff_hand_back). Optional,
    # so versions written before it still load; without it the next offer comes without the sentence.
    declined: Variants | None = None
    # Optional, so versions written before them still load; without them the bot says `case` (OPTIONAL_SUBS).
    late: Variants | None = None  # the parcel was not more than {days} business days late
    no_cost: Variants | None = None  # the order has no shipping cost to refund
    # Counter-offers on a money remedy (issue 19.3, 19.5). Optional, so versions written before them still load;
    # without them the offer comes without the sentence (none of `case`'s meaning fits).
    most: Variants | None = None  # asked for more: {remedy} (with its amount) is already the most allowed
    raised: Variants | None = None  # asked for more: the offer goes up to the most the policy allows
    asked: Variants | None = None  # the buyer named {amount}, within the cap: that is what is offered
    cap: Variants | None = None  # the buyer named more than the cap, {amount}: the cap is offered
    # Every allowed remedy was declined and {remedy}, what the buyer wants, is not allowed: the best one is offered
    # once more (issue 19 item 1). Optional like `most`: without it the offer comes again without the sentence.
    last: Variants | None = None
    # A partial refund or a coupon asked above the bot's authority: {amount} is the most it grants alone; a colleague is
    # asked only if the buyer keeps the larger ask (issue 19 item 2). Optional like `most`.
    authority: Variants | None = None
    # The buyer named two sums as alternatives ("20 or 30 EUR"): {amount}, the lower, is what is offered, said
    # plainly (issue 19). Optional; without it the bot says `asked` (OPTIONAL_SUBS).
    either: Variants | None = None


class PhotoNotes(_Strict):
    """Photos a buyer sends (issue 21.4). A photo alone, once the facts are gathered, is thanked for, said to be
    seen by the team, and the stage's open question asked again; a photo that could not be taken is said so."""

    offer: Variants  # while an offer waits: asks about {remedy} again
    resolving: Variants  # while the remedy ({remedy}) is carried out: what happens next
    follow_up: Variants  # while the bot asks whether the remedy worked: asks it again
    too_large: Variants  # over the size limit ({limit})
    not_image: Variants  # a file that is not a photo
    not_fetched: Variants  # the provider never gave it to us: please send it again
    # Not a file at all (a Telegram sticker, location, contact, poll, voice note): the bot reads text and photos
    # only, please say it in words. Optional, so versions written before it still load; without it the bot
    # says `not_image` (OPTIONAL_SUBS).
    not_readable: Variants | None = None


class Messages(_Strict):
    first_contact: Variants
    acknowledge: Acknowledge
    deescalate: Variants
    ask_details: AskDetails
    answer_question: AnswerQuestion
    propose_remedy: ProposeRemedy
    # Optional, so versions written before it still load; without it the offer comes without the reason.
    why_not: WhyNot | None = None
    confirm_remedy: Variants
    handoff: Handoff
    staff_message: Variants
    # A remedy a person granted (in /staff or Slack), named with its item: the buyer's one confirmation of it.
    staff_remedy: Variants
    # Said before staff close a conversation, so the buyer's last message never goes unanswered (issue 21).
    staff_close: Variants
    follow_up: Variants
    ask_revision: Variants
    remind_revision: Variants
    close: Close
    opt_out_confirm: Variants
    opt_out_check: OptOutCheck
    clarify: Variants
    closed_case: Variants
    # Optional, so published versions written before it existed still load; without it nothing is added.
    waiting: Waiting | None = None
    # Said after a policy quote in another language than the buyer's (the shop has no document in theirs),
    # naming it as {quote_language} (issue 18.4). Optional like `waiting`: without it nothing is added.
    quote_in_other_language: Variants | None = None
    # Said once, before the bot's message, when the shop has no message file for the buyer's language (issue 18.4):
    # names it as {language} and the languages it can write as {languages}, and offers a person. Only the fallback
    # language's file needs it (the sentence is rendered in that language); without it nothing is added.
    language_unavailable: Variants | None = None
    # Said after confirming a remedy when the buyer's yes came with a request beside it ("Yes please, and could
    # the courier ring the bell this time?"): it is noted for the team (issue 18.1). Optional like `waiting`.
    side_request: Variants | None = None
    # Said after confirming a refund when the buyer mentioned a payment dispute (PayPal, the bank): the team refunds
    # once, through it or by the shop (round 15). Optional like `side_request`.
    dispute_noted: Variants | None = None
    # Photos by Telegram or MMS, and a photo alone after the facts are gathered (issue 21.4). Optional like
    # `waiting`: an older version refuses or thanks for nothing, and the open question stands unrepeated.
    photo: PhotoNotes | None = None
    # Said after confirming a remedy the buyer agreed with an extra on top (issue 19): `add_on` names the extra the
    # policy combines with it (remedies.yml `combine`); `add_on_refused` says in one sentence that the extra asked
    # for cannot be added, while the agreed remedy stands. Optional like side_request: an older file says nothing.
    add_on: Variants | None = None
    add_on_refused: Variants | None = None
    # The agreed remedy moved to another item the buyer named after confirming it ("it was the mug, not the plate"),
    # said before the confirmation; optional like add_on.
    remedy_item_changed: Variants | None = None
    # The offer's question asked again plainly, naming {remedy}, after a buyer's "I understand" that accepts nothing
    # (issue 18). Optional like add_on: without it the whole offer is said again.
    offer_question: Variants | None = None
    # The order's second line with a problem of its own (bot/conversation/second_item.py): `second_item_offer` leads
    # in its offer by naming it ({item}), `second_item_agreed` confirms it after a yes ({remedy}; no {item}, which
    # the remedy's name may say already). Optional like add_on: without them the offer and confirmation stand alone.
    second_item_offer: Variants | None = None
    second_item_agreed: Variants | None = None
    # Said instead of `clarify` when the answer to an offer could not be placed: the offer's question again, naming
    # {remedy}, with the ways to answer it (yes, no, another wish, a person). A bare "could you put it another way?"
    # left the buyer to guess what the bot wanted to hear. Optional like add_on: without it `clarify` is said.
    clarify_offer: Variants | None = None


def _with_send_part(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 -> 2: the remedy type `send_part` (issue 19.5) needs a name and a proposal. A file written
    before it gets those of `reship`, the nearest remedy, in the file's own language and words; a shop
    that offers parts on their own should then write its own (remedy_names.send_part, propose_remedy)."""
    names_, messages = data.get("remedy_names"), data.get("messages")
    if isinstance(names_, dict) and "send_part" not in names_ and "reship" in names_:
        data["remedy_names"] = {**names_, "send_part": names_["reship"]}
    propose = messages.get("propose_remedy") if isinstance(messages, dict) else None
    if isinstance(propose, dict) and "send_part" not in propose and "reship" in propose:
        data["messages"] = {**messages, "propose_remedy": {**propose, "send_part": propose["reship"]}}
    return data


class MessageFile(_Strict):
    language: Annotated[StrictStr, Field(pattern=r"^[a-z]{2,3}$")]
    greetings: Greetings
    item_fallback: StrictStr  # what {item} reads as when unknown; "" where the grammar allows it
    remedy_names: RemedyNames
    problem_names: ProblemNames
    # A missing part of an item, named as the problem once the buyer named the part ("the pegs missing from your
    # tent", not the whole tent missing from the parcel; issue 19). Optional, so versions written before it still
    # load; without it the problem is problem_names.missing_item.
    part_missing: StrictStr | None = None
    remedy_names_for: RemedyNamesFor | None = None
    messages: Messages

    # Version 2 (issue 19.5): remedy_names and propose_remedy have `send_part`; a stored version 1 gets reship's.
    SCHEMA_VERSION: ClassVar[int] = 2
    UPGRADES: ClassVar[dict[int, Upgrade]] = {1: _with_send_part}


def _message_keys() -> tuple[tuple[str, str | None], ...]:
    keys: list[tuple[str, str | None]] = []
    for name, field in Messages.model_fields.items():
        sub_model = field.annotation
        # An optional key (`Waiting | None`) holds the sub-keys of its model.
        sub_model = next((a for a in get_args(sub_model) if a is not type(None)), sub_model)
        if isinstance(sub_model, type) and issubclass(sub_model, BaseModel):
            keys += [(name, sub) for sub in sub_model.model_fields]
        else:
            keys.append((name, None))
    return tuple(keys)


# Every (key, sub) the catalogue holds; sub is None for keys without sub-keys.
MESSAGE_KEYS: tuple[tuple[str, str | None], ...] = _message_keys()
# Sub-keys a file may leave out, and the sub-key said in their place (in the same language).
OPTIONAL_SUBS: dict[tuple[str, str], str] = {
    ("acknowledge", "pending"): "heard",
    ("acknowledge", "photo_offered"): "heard",
    ("acknowledge", "video_offered"): "heard",
    ("acknowledge", "photo_why"): "heard",
    ("acknowledge", "later"): "heard",
    ("acknowledge", "on_its_way"): "heard",
    ("why_not", "late"): "case",
    ("why_not", "no_cost"): "case",
    ("why_not", "either"): "asked",
    ("handoff", "item_changed"): "remedy_failed",
    ("photo", "not_readable"): "not_image",
    ("ask_details", "item_not_ordered"): "item",
    ("ask_details", "item_other_order"): "item",
    ("handoff", "other_order"): "not_understood",
    ("answer_question", "contact"): "identity",
    ("answer_question", "genuine"): "contact",
    ("answer_question", "review"): "not_found",
    ("answer_question", "hours"): "identity",
}
KEYS_WITH_SUBS = frozenset(key for key, sub in MESSAGE_KEYS if sub is not None)
REMEDY_TYPES: tuple[str, ...] = tuple(RemedyNames.model_fields)
PROBLEM_TYPES: tuple[str, ...] = tuple(ProblemNames.model_fields)


# --- schema of policies/guardrails.yml -------------------------------------------------------------


class ForbiddenPattern(_Strict):
    pattern: StrictStr
    why: StrictStr = Field(min_length=1)


class LanguageRails(_Strict):
    disclosure: StrictStr  # regex: words that say "automated assistant" (first_contact must match)
    human_takeover: StrictStr  # regex: words that say a person can take over (first_contact must match)
    review_words: StrictStr  # regex: talk about the review, allowed only in the revision ask/reminder
    fact_requests: list[StrictStr]  # regexes refused in first_contact and deescalate
    forbidden: list[ForbiddenPattern]  # refused in every message of every language


class Guardrails(_Strict):
    languages: dict[StrictStr, LanguageRails]


@dataclass(frozen=True)
class _Rule:
    regex: re.Pattern[str]
    source: str
    why: str
    language: str


@dataclass(frozen=True, eq=False)  # hashed by identity: one object per guard-rail file text (_rails_from_text)
class _Rails:
    disclosure: dict[str, re.Pattern[str]]
    human_takeover: dict[str, re.Pattern[str]]
    review_words: dict[str, re.Pattern[str]]
    fact_requests: dict[str, list[re.Pattern[str]]]
    forbidden: list[_Rule]


_FLAGS = re.IGNORECASE | re.UNICODE


def _load_guardrails(path: Path) -> tuple[_Rails | None, tuple[PolicyIssue, ...]]:
    try:
        text = read_policy_text(path, note="; the guard rails are required")
    except PolicyFileError as exc:
        return None, tuple(exc.issues)
    rails, issues = _rails_from_text(text)
    return rails, tuple(PolicyIssue(str(path), i.line, i.message) for i in issues)


@functools.lru_cache(maxsize=4)
def _rails_from_text(text: str) -> tuple[_Rails | None, tuple[PolicyIssue, ...]]:
    """The guard rails compiled from a file's text, once per text wherever the file lies (the caller names the
    file in the issues): the same object for the same text, so the per-message checks below are cached against it."""
    file = ""
    try:
        data, lines = load_yaml_with_lines(text, file)
    except PolicyFileError as exc:
        return None, tuple(exc.issues)
    try:
        rails = Guardrails.model_validate(data if data is not None else {})
    except ValidationError as exc:
        return None, tuple(issues_from_validation(exc, lines, file))
    issues: list[PolicyIssue] = []

    def compile_at(loc: Loc, pattern: str) -> re.Pattern[str] | None:
        try:
            return re.compile(pattern, _FLAGS)
        except re.error as exc:
            path_ = ".".join(map(str, loc))
            issues.append(PolicyIssue(file, line_for(lines, loc), f"{path_}: invalid regular expression: {exc}"))
            return None

    out = _Rails({}, {}, {}, {}, [])
    for lang, lr in rails.languages.items():
        at: Loc = ("languages", lang)
        for name in ("disclosure", "human_takeover", "review_words"):
            rx = compile_at((*at, name), getattr(lr, name))
            if rx is not None:
                getattr(out, name)[lang] = rx
        out.fact_requests[lang] = [
            rx for i, p in enumerate(lr.fact_requests) if (rx := compile_at((*at, "fact_requests", i), p))
        ]
        for i, fp in enumerate(lr.forbidden):
            rx = compile_at((*at, "forbidden", i, "pattern"), fp.pattern)
            if rx is not None:
                out.forbidden.append(_Rule(rx, fp.pattern, fp.why, lang))
    return (None if issues else out), tuple(issues)


# --- templates ------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"^[a-z_]+$")


@dataclass(frozen=True)
class Template:
    """A parsed template: literals[i] is followed by names[i]; literals has one more item than names."""

    literals: tuple[str, ...]
    names: tuple[str, ...]


@functools.lru_cache(maxsize=32768)  # every runtime build parses the same 2,827 texts twice (_check_file, _compile)
def parse_template(text: str) -> tuple[Template, tuple[str, ...]]:
    """Split a template into literals and variable names; return it with every problem found."""
    literals: list[str] = []
    names: list[str] = []
    problems: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        name = m.group(1)
        if name is None:
            problems.append(f"malformed brace {m.group(0)!r} at column {m.start() + 1}: write variables as {{name}}")
            continue
        if not _NAME.match(name):
            problems.append(f"malformed variable {m.group(0)!r}: write variables as {{name}}, lower case")
            continue
        if name not in ALLOWED_VARIABLES:
            problems.append(f"unknown variable {{{name}}}; allowed: {', '.join(sorted(ALLOWED_VARIABLES))}")
            continue
        literals.append(text[pos : m.start()])
        names.append(name)
        pos = m.end()
    literals.append(text[pos:])
    # Stray braces were reported above; strip them from the literal so a broken template can never show one.
    if problems:
        literals = [lit.replace("{", "").replace("}", "") for lit in literals]
    return Template(tuple(literals), tuple(names)), tuple(problems)


# --- validation -----------------------------------------------------------------------------------


@dataclass
class _Parsed:
    lang: str
    model: MessageFile
    lines: dict[Loc, int]
    file: str


def _names_for(model: MessageFile) -> Iterator[tuple[str, str, str]]:
    """(problem, remedy type, name) for every remedy the file names for a problem (remedy_names_for)."""
    if model.remedy_names_for is None:
        return
    for problem in PROBLEM_TYPES:
        for remedy, text in (getattr(model.remedy_names_for, problem) or {}).items():
            yield problem, remedy, text


def _templates(model: MessageFile) -> Iterator[tuple[Loc, str, str]]:
    """Every template in a file as (location, message key, text); key is the first level under messages."""
    yield ("greetings", "named"), "greetings", model.greetings.named
    yield ("greetings", "anonymous"), "greetings", model.greetings.anonymous
    yield ("item_fallback",), "item_fallback", model.item_fallback
    for name in REMEDY_TYPES:
        yield ("remedy_names", name), "remedy_names", getattr(model.remedy_names, name)
    for name in PROBLEM_TYPES:
        yield ("problem_names", name), "problem_names", getattr(model.problem_names, name)
    if model.part_missing is not None:
        yield ("part_missing",), "part_missing", model.part_missing
    for problem, remedy, text in _names_for(model):
        yield ("remedy_names_for", problem, remedy), "remedy_names", text
    for key, sub in MESSAGE_KEYS:
        node = getattr(model.messages, key)
        variants = (getattr(node, sub) if node is not None else None) if sub else node
        if variants is None:  # an optional key or sub-key left out
            continue
        base: Loc = ("messages", key, sub) if sub else ("messages", key)
        for i, text in enumerate(variants):
            yield (*base, i), key, text


# Variables allowed only in a few places, with the reason shown to the admin.
_ONLY_IN: dict[str, tuple[frozenset[str], str]] = {
    "buyer_name": (
        frozenset({"greetings"}),
        "the name may be unknown; it is used only in greetings.named, which the renderer puts first",
    ),
    "edit_url": (REVISION_KEYS, "the review is mentioned only in ask_revision / remind_revision, after resolution"),
    "text": (frozenset({"staff_message"}), "{text} is a staff member's own words, relayed by staff_message"),
    "staff_name": (
        frozenset({"staff_message", "staff_remedy", "staff_close", "waiting"}),
        "{staff_name} belongs to the messages staff send (staff_message, staff_remedy, staff_close) and waiting",
    ),
    "time": (frozenset({"waiting"}), "{time} is when a person will answer, known only in waiting"),
    "day": (frozenset({"waiting"}), "{day} is the day a person will answer, known only in waiting"),
    "limit": (frozenset({"photo"}), "{limit} is the photo size limit, known only in photo"),
    "quote_language": (
        frozenset({"quote_in_other_language"}),
        "{quote_language} names the language of a quoted policy, known only in quote_in_other_language",
    ),
    "language": (
        frozenset({"language_unavailable"}),
        "{language} names a language the shop writes no messages in, known only in language_unavailable",
    ),
    "languages": (
        frozenset({"language_unavailable"}),
        "{languages} lists the languages of the shop's message files, known only in language_unavailable",
    ),
}
_NAME_VARS = {
    "remedy_names": frozenset({"amount", "item", "part"}),
    "problem_names": frozenset({"item"}),
    "part_missing": frozenset({"item", "part"}),
}


def _check_file(p: _Parsed, rails: _Rails | None) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []

    def add(loc: Loc, message: str) -> None:
        issues.append(PolicyIssue(p.file, line_for(p.lines, loc), f"{'.'.join(map(str, loc))}: {message}"))

    stem = Path(p.file).stem
    if p.model.language != stem:
        add(("language",), f"says {p.model.language!r} but the file is {stem}.yml: make them the same")
    lang = stem
    for loc, key, text in _templates(p.model):
        tmpl, problems = parse_template(text)
        for problem in problems:
            add(loc, problem)
        names = set(tmpl.names)
        if len(text) > MAX_TEMPLATE_CHARS:
            add(loc, f"{len(text)} characters; a chat message should stay under {MAX_TEMPLATE_CHARS}: shorten it")
        if key in _NAME_VARS or key in ("greetings", "item_fallback"):
            allowed = _NAME_VARS.get(key, frozenset({"buyer_name"}) if loc == ("greetings", "named") else frozenset())
            for name in sorted(names - allowed):
                add(loc, f"{{{name}}} cannot be used here (allowed: {', '.join(sorted(allowed)) or 'none'})")
        else:
            for name in sorted(names):
                places, why = _ONLY_IN.get(name, (None, ""))
                if places is not None and key not in places:
                    add(loc, f"{{{name}}} is not allowed in {key}: {why}")
        if key in REVISION_KEYS and "edit_url" not in names:
            add(loc, "must give {edit_url}, the platform's own page where the buyer may update the review")
        if key == "staff_message" and "text" not in names:
            add(loc, "must contain {text}, or the staff member's words are lost")
        if key == "staff_remedy" and "remedy" not in names:
            add(loc, "must contain {remedy}: the buyer is told what was granted")
        if key == "first_contact" and not text.rstrip().endswith("{team_signature}"):
            add(loc, "must end with {team_signature}: the bot signs with the team's name (PLAYBOOK rule 2)")
        if rails is None:
            continue
        if key == "first_contact":
            for what, table, rail in (
                ("say it is the shop's automated assistant", rails.disclosure, "disclosure"),
                ("say that a person from the team can take over at any time", rails.human_takeover, "human_takeover"),
            ):
                rx = table.get(lang)
                if rx is None:
                    add(loc, f"guardrails.yml has no words for language {lang!r}: add them")
                elif not rx.search(text):
                    add(loc, f"first contact must {what} (EU AI Act Art. 50); {_say_it_like(rx, p.model, lang, rail)}")
        for message in _rail_findings(rails, lang, key in REVISION_KEYS, key in CALM_FIRST_KEYS, text):
            add(loc, message)
    return issues


@functools.lru_cache(maxsize=16384)
def _rail_findings(rails: _Rails, lang: str, may_mention_review: bool, calm_first: bool, text: str) -> tuple[str, ...]:
    """What the guard rails find in one message text. Cached because it is the cost of loading a catalogue:
    2,827 texts against 85 forbidden patterns of every language (240,000 searches) took 1-2 s of every runtime
    build on an idle host (10 s under load), and the suite builds a runtime for each of ~400 tests on each
    database; the same texts recur in every build and in every version an admin validates."""
    found: list[str] = []
    review_rx = rails.review_words.get(lang)
    if review_rx is not None and not may_mention_review and (m := review_rx.search(text)):
        found.append(
            f"mentions the review ({m.group(0)!r}); only ask_revision / remind_revision may, so that nothing "
            "is ever tied to the review (PLAYBOOK rule 10)"
        )
    if calm_first:
        for rx in rails.fact_requests.get(lang, []):
            if m := rx.search(text):
                found.append(
                    f"asks for facts ({m.group(0)!r}) before the buyer is calm; move it to ask_details "
                    "(PLAYBOOK rule 3)"
                )
    # One issue per message, in the words of each rule's `why`: several patterns often catch one sentence.
    hits = [(rule, m) for rule in rails.forbidden if (m := rule.regex.search(text))]
    if hits:
        langs = " ".join(dict.fromkeys(f"({rule.language})" for rule, _ in hits))
        whys = "; ".join(dict.fromkeys(rule.why for rule, _ in hits))
        found.append(f"matches a forbidden pattern of guardrails.yml {langs}: {whys} (found {hits[0][1].group(0)!r})")
    return tuple(found)


def _say_it_like(rx: re.Pattern[str], model: MessageFile, lang: str, rail: str) -> str:
    """How to fix a missing disclosure, in words, never the raw regular expression (issue 21): the words another
    variant of this file already uses, else where the accepted words are listed."""
    for other in model.messages.first_contact:
        if m := rx.search(other):
            return f"say it in words such as \u201c{m.group(0)}\u201d, as another variant of this message does"
    return f"use one of the words listed in guardrails.yml under languages.{lang}.{rail}"


def _parse_file(path: Path) -> tuple[_Parsed | None, list[PolicyIssue]]:
    try:
        text = read_policy_text(path)
    except PolicyFileError as exc:
        return None, exc.issues
    model, lines, issues = _model_from_text(text, path.name)
    if model is None:
        return None, [PolicyIssue(str(path), i.line, i.message) for i in issues]
    return _Parsed(path.stem, model, lines, str(path)), []


@functools.lru_cache(maxsize=64)
def _model_from_text(text: str, name: str) -> tuple[MessageFile | None, dict[Loc, int], tuple[PolicyIssue, ...]]:
    """A messages file's model (frozen) and line map, read once per text: every runtime build reads the same eleven
    files (0.6 s of a 2 s build under load). Issues name the file by `name` only; the caller puts in the path."""
    path, file = Path(name), ""
    try:
        data, lines = load_yaml_with_lines(text, file)
    except PolicyFileError as exc:
        return None, {}, tuple(exc.issues)
    try:
        data = upgraded(data, lines, MessageFile, file)
    except PolicyFileError as exc:
        return None, lines, tuple(exc.issues)
    try:
        model = MessageFile.model_validate(data if data is not None else {})
    except ValidationError as exc:
        issues = issues_from_validation(exc, lines, file)
        if path.stem != FALLBACK_LANGUAGE:
            # Name the key and the language, since the fix is "translate this key from en.yml".
            for i, err in enumerate(exc.errors()):
                if err["type"] == "missing":
                    key = ".".join(map(str, err["loc"]))
                    issues[i] = PolicyIssue(
                        file,
                        issues[i].line,
                        f"{key}: present in {FALLBACK_LANGUAGE}.yml but missing in {path.stem} ({path.name}): "
                        "add its translation",
                    )
        return None, lines, tuple(issues)
    return model, lines, ()


def _default_guardrails(messages_dir: Path) -> Path:
    return messages_dir.parent / "guardrails.yml"


def _validate(messages_dir: Path, guardrails: Path | None) -> tuple[list[_Parsed], list[PolicyIssue]]:
    if not messages_dir.is_dir():
        return [], [PolicyIssue(str(messages_dir), 1, "no such folder: point at policies/messages/")]
    issues: list[PolicyIssue] = []
    rails, rail_issues = _load_guardrails(guardrails or _default_guardrails(messages_dir))
    issues += rail_issues
    paths = sorted(messages_dir.glob("*.yml"))
    if not any(p.stem == FALLBACK_LANGUAGE for p in paths):
        issues.append(
            PolicyIssue(str(messages_dir / "en.yml"), 1, "missing: en.yml is the fallback for every language")
        )
    parsed: list[_Parsed] = []
    for path in paths:
        p, file_issues = _parse_file(path)
        issues += file_issues
        if p is not None:
            parsed.append(p)
            issues += _check_file(p, rails)
    if rails is not None:
        for p in parsed:
            if p.lang not in rails.disclosure:
                issues.append(
                    PolicyIssue(p.file, 1, f"guardrails.yml has no section for {p.lang!r}: add its guard rails first")
                )
    return parsed, issues


def validate_messages(messages_dir: Path, guardrails: Path | None = None) -> list[PolicyIssue]:
    """Every problem in the message files and guard rails, [] when they are fine.

    `guardrails` defaults to `guardrails.yml` beside the messages folder; it is required, never skipped.
    """
    return _validate(messages_dir, guardrails)[1]


# --- the catalogue --------------------------------------------------------------------------------

# Quote and bracket pairs left empty by a missing variable, in every quoting style the languages use.
_EMPTY_PAIRS = re.compile(r"\(\s*\)|„\s*[”“]|«\s*»|“\s*”|\"\s*\"|‘\s*’|»\s*«|”\s*”")
_DANGLING_PUNCT = re.compile(r"[:;,]+(\s*[.!?])")
# A name set between two dashes where its case does not matter ("the part you need — {part} — sent on its own",
# issue 19.5): left empty, the two dashes go with it.
_EMPTY_DASHES = re.compile(r"[ \t]*[–—][ \t]*[–—][ \t]*")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+([.,;:!?)])")
# French sets a space before the high marks (« Votre commande : … ») : a tidy-up must leave it there.
_SPACE_BEFORE_LOW_PUNCT = re.compile(r"[ \t]+([.,)])")
_SPACED_HIGH_PUNCT = ("fr",)
_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_AROUND_NEWLINE = re.compile(r"[ \t]*\n[ \t]*")
_NEWLINES = re.compile(r"\n{3,}")


# Two bracketed notes in a row read as one: a remedy's name with its amount and a message's item became
# "a partial refund (12,00 €) (lamp)" (issue 19); it reads "a partial refund (12,00 €, lamp)" in every language.
_TWO_NOTES = re.compile(r"\(([^()]+)\) \(([^()]+)\)")
# A bracketed remedy inside a message's own brackets: "the team is on it (a partial refund (1 000,00 Kč))" reads
# "(a partial refund, 1 000,00 Kč)".
_NESTED_NOTE = re.compile(r"\(([^()]+) \(([^()]+)\)\)")


def _tidy(text: str, had_empty: bool, language: str = "") -> str:
    if ") (" in text:
        text = _TWO_NOTES.sub(r"(\1, \2)", text)
    if "))" in text:
        text = _NESTED_NOTE.sub(r"(\1, \2)", text)
    if had_empty:
        text = _EMPTY_DASHES.sub(" ", _EMPTY_PAIRS.sub("", text))
        spaced = language.split("-")[0] in _SPACED_HIGH_PUNCT
        text = (_SPACE_BEFORE_LOW_PUNCT if spaced else _SPACE_BEFORE_PUNCT).sub(r"\1", text)
        text = _DANGLING_PUNCT.sub(r"\1", text).replace(" .", ".")
    if "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = _NEWLINES.sub("\n\n", _SPACE_AROUND_NEWLINE.sub("\n", text))
    return text.strip()


@dataclass(frozen=True)
class _Language:
    templates: dict[tuple[str, str | None], tuple[Template, ...]]
    greeting_named: Template
    greeting_anonymous: Template
    item_fallback: str
    remedy_names: dict[str, Template]
    problem_names: dict[str, Template]
    part_missing: Template | None = None
    remedy_names_for: dict[tuple[str, str], Template] = dataclasses.field(default_factory=dict)


def _compile(model: MessageFile) -> _Language:
    def one(text: str) -> Template:
        return parse_template(text)[0]

    templates: dict[tuple[str, str | None], tuple[Template, ...]] = {}
    for key, sub in MESSAGE_KEYS:
        node = getattr(model.messages, key)
        variants = (getattr(node, sub) if node is not None else None) if sub else node
        if variants is not None:
            templates[(key, sub)] = tuple(one(t) for t in variants)
    return _Language(
        templates=templates,
        greeting_named=one(model.greetings.named),
        greeting_anonymous=one(model.greetings.anonymous),
        item_fallback=model.item_fallback,
        remedy_names={k: one(getattr(model.remedy_names, k)) for k in REMEDY_TYPES},
        problem_names={k: one(getattr(model.problem_names, k)) for k in PROBLEM_TYPES},
        part_missing=one(model.part_missing) if model.part_missing is not None else None,
        remedy_names_for={(problem, remedy): one(text) for problem, remedy, text in _names_for(model)},
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _fill(tmpl: Template, values: Mapping[str, str]) -> tuple[str, bool]:
    lits, names = tmpl.literals, tmpl.names
    if not names:
        return lits[0], False
    parts = [lits[0]]
    had_empty = False
    for i, name in enumerate(names):
        value = values.get(name, "")
        if not value:
            had_empty = True
        parts.append(value)
        parts.append(lits[i + 1])
    return "".join(parts), had_empty


class MessageCatalog:
    """Validated message templates of every language, ready to render."""

    def __init__(self, languages: Mapping[str, _Language]):
        if FALLBACK_LANGUAGE not in languages:
            raise ValueError("a catalogue needs the fallback language 'en'")
        self._langs = dict(languages)
        self.languages: list[str] = sorted(self._langs)

    def _own(self, language: str | None) -> str | None:
        """The catalogue language written for `language`: its own file, else its base language's
        ("pl-PL", "PL", "sv_SE" -> pl, sv); None when the catalogue has neither."""
        if language in self._langs:
            return language
        base = (language or "").replace("_", "-").split("-", 1)[0].lower()
        return base if base in self._langs else None

    def spoken(self, language: str | None) -> str:
        """The catalogue language messages for `language` come in: its own, else the fallback language."""
        return self._own(language) or FALLBACK_LANGUAGE

    def _lang(self, language: str | None) -> _Language:
        return self._langs[self.spoken(language)]

    def speaks(self, language: str | None) -> bool:
        """Whether a message file of this language (or of its base language: "pl-PL" -> pl) is in the catalogue;
        otherwise messages come in the fallback language."""
        return self._own(language) is not None

    def has(self, key: str, sub: str | None = None, *, language: str | None = None) -> bool:
        """Whether the catalogue has this message: in the fallback file, or (given `language`) in the file the
        buyer's messages come from, which may leave out an optional key the fallback has."""
        lang = self._lang(language) if language else self._langs[FALLBACK_LANGUAGE]
        return (key, sub) in lang.templates

    def variants(self, key: str, language: str, *, sub: str | None = None) -> int:
        lang = self._lang(language)
        return len(lang.templates[self._in(lang, self._key(key, sub))])

    @staticmethod
    def _in(lang: _Language, k: tuple[str, str | None]) -> tuple[str, str | None]:
        """`k` as this language has it: an optional sub-key it left out becomes its stand-in."""
        if k not in lang.templates and k[1] is not None:
            return (k[0], OPTIONAL_SUBS[(k[0], k[1])])
        return k

    def _key(self, key: str, sub: str | None) -> tuple[str, str | None]:
        if sub is None and "." in key:
            key, sub = key.split(".", 1)
        k = (key, sub)
        if k not in self._langs[FALLBACK_LANGUAGE].templates:
            if k in OPTIONAL_SUBS:
                return k  # left out of every file: render says its stand-in
            if key in KEYS_WITH_SUBS and sub is None:
                raise KeyError(f"message {key!r} needs a sub-key (sub=...)")
            raise KeyError(f"no message {key!r}" + (f" with sub-key {sub!r}" if sub else ""))
        return k

    def remedy_name(
        self,
        remedy_type: str,
        language: str,
        amount: object = None,
        item: object = None,
        part: object = None,
        problem: str = "",
    ) -> str:
        """The buyer-facing name of a remedy type ("a partial refund (12.00 EUR)"); `problem`, the one the offer's
        rule answers, picks the file's remedy_names_for name where it has one."""
        lang = self._lang(language)
        tmpl = _remedy_template(lang, remedy_type, problem)
        if tmpl is None:
            return remedy_type.replace("_", " ")
        values = {"amount": _text(amount), "item": _text(item) or lang.item_fallback, "part": _text(part)}
        text, had_empty = _fill(tmpl, values)
        return _tidy(text, had_empty, language)

    def problem_name(self, problem_type: str, language: str, item: object = None) -> str:
        """The buyer-facing phrase for a problem type; an unknown type reads as `other`."""
        lang = self._lang(language)
        tmpl = lang.problem_names.get(problem_type) or lang.problem_names["other"]
        text, had_empty = _fill(tmpl, {"item": _text(item) or lang.item_fallback})
        return _tidy(text, had_empty, language)

    def render(
        self,
        key: str,
        language: str,
        variables: Mapping[str, object],
        *,
        sub: str | None = None,
        seed: int = 0,
    ) -> str:
        """Render message `key` (or `key.sub`) in `language`, falling back to English.

        The variant is `seed % n`, so the same seed always gives the same words (replays and tests stay
        stable, while different cases can read differently). Raises KeyError only for an unknown key.
        """
        lang = self._lang(language)
        k = self._in(lang, self._key(key, sub))
        options = lang.templates[k]
        tmpl = options[seed % len(options)]
        values = self._values(lang, tmpl.names, variables)
        text, had_empty = _fill(tmpl, values)
        if k[0] in GREETED_KEYS:
            named = _text(variables.get("buyer_name")).strip()
            greet = lang.greeting_named if named else lang.greeting_anonymous
            greeting, g_empty = _fill(greet, {"buyer_name": named})
            text, had_empty = greeting + "\n" + text, had_empty or g_empty
        return _tidy(text, had_empty, language)

    def _values(self, lang: _Language, names: tuple[str, ...], variables: Mapping[str, object]) -> dict[str, str]:
        values: dict[str, str] = {}
        said_by_remedy: tuple[str, ...] = ()
        for name in names:
            if name in values:
                continue
            value = _text(variables.get(name))
            if name == "item" and not value.strip():
                value = lang.item_fallback
            elif name == "problem":
                ptmpl = lang.problem_names.get(value) or (lang.problem_names["other"] if not value.strip() else None)
                part = _text(variables.get("part")).strip()
                if value == "missing_item" and part and lang.part_missing is not None:
                    ptmpl = lang.part_missing  # the part the buyer named is what is missing, not the whole item
                if ptmpl is not None:
                    item = _text(variables.get("item")) or lang.item_fallback
                    value = _tidy(*_fill(ptmpl, {"item": item, "part": part}))
            elif name == "remedy":
                rtmpl = _remedy_template(lang, value, _text(variables.get("remedy_problem")))
                if rtmpl is not None:
                    said_by_remedy = rtmpl.names
                    item = _text(variables.get("item")) or lang.item_fallback
                    part = _text(variables.get("part"))  # the part the buyer named (send_part); may be unknown
                    value = _tidy(*_fill(rtmpl, {"amount": _text(variables.get("amount")), "item": item, "part": part}))
            values[name] = value
        for said in said_by_remedy:
            # The remedy's name already says it ("a replacement {item}"): the message does not say it again. A
            # staff grant read "a replacement Fjord lamp (Fjord lamp)"; the emptied "()" is tidied away.
            if said in values:
                values[said] = ""
        return values


def _remedy_template(lang: _Language, remedy_type: str, problem: str) -> Template | None:
    return lang.remedy_names_for.get((problem, remedy_type)) or lang.remedy_names.get(remedy_type)


def load_catalog(messages_dir: Path, guardrails: Path | None = None) -> MessageCatalog:
    """Load and validate every `<lang>.yml`; raises PolicyFileError listing every `file:line` issue."""
    parsed, issues = _validate(messages_dir, guardrails)
    if issues:
        raise PolicyFileError(issues)
    return MessageCatalog({p.lang: _compile(p.model) for p in parsed})
