"""The dialogue policy: Mediator's stage machine, in one file, following PLAYBOOK.md rule by rule.

    opened ─▶ contacted ─▶ deescalating ─▶ gathering ─▶ proposing ─▶ resolving ─▶ follow_up
           ─▶ revision_asked ─▶ closed          from any stage: handoff ─▶ awaiting_staff ⇄ bot

Pure: given the case's state, what the buyer just said (NLU) or which timer fired, and the admin's
policies, it returns a Plan — which bot actions run (by bot-turn label), the stage after the turn, the
slots to set, timers to start, and an outcome if the case closes. The engine applies the plan in one
transaction; the actions (actions/, Rasa SDK) write the words. Every threshold lives in policies/.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, is_dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from bot.conversation import haggle
from bot.conversation.offer_questions import (
    asks_terms,
    only_amount,
    question_beside_yes,
    question_then_yes,
    says_yes_then_asks,
)
from bot.conversation.opt_out_doubts import (
    device_stops,
    sent_too_early_note,
    stop_before_bot_question,
    yes_beside_a_doubt,
)
from bot.conversation.second_item import extra_for_line, lines_named, other_line, other_problems
from bot.platform.folding import fold
from bot.platform.vocab import GOODS_PROBLEMS, Outcome, Problem, Stage, names
from bot.policy.conversation import ConversationPolicy
from bot.policy.remedies import (
    CaseFacts,
    RemedyOption,
    RemedyPolicy,
    add_on_for,
    damage_window,
    meets,
    options_for,
    unpriced,
    why_not,
    within_authority,
)
from bot.understanding.answers import (
    announces_question,
    asks_about_hours,
    asks_for_information,
    asks_for_more,
    asks_for_person,
    asks_how_reached,
    asks_if_bot,
    asks_if_genuine,
    asks_if_review_tied,
    asks_offer_amount,
    asks_part_of_price,
    asks_what_next,
    asks_what_to_do,
    asks_whole_price,
    asks_why_photo,
    declined_wishes,
    follow_up_answer,
    lets_go_on,
    mentions_payment_dispute,
    mentions_video,
    names_person,
    negated,
    only_understood,
    part_named,
    percent_asked,
    photo_given,
    photo_said,
    position_rest,
    puts_off,
    requests_information,
    revision_answer,
    said_fine,
    said_kept,
    signs_off,
    states_preference,
    waits_for_offer,
    wishes_in,
    without_why_photo,
    writes_myself,
    yes_no,
)
from bot.understanding.colour_swap import variant_named
from bot.understanding.courtesy import only_courtesy
from bot.understanding.earlier_order import without_earlier
from bot.understanding.offer_terms import term_slot
from bot.understanding.opt_out import CLEAR_CONFIDENCE, default_rules, is_clear_opt_out, said_in_words
from bot.understanding.pieces import pieces_of
from bot.understanding.request_words import asks_in_words, requests_a_wish
from bot.understanding.sentences import Sentence
from bot.understanding.taken_back import taken_back

CALMING = {Stage.CONTACTED, Stage.DEESCALATING}
STAFF = {Stage.HANDOFF, Stage.AWAITING_STAFF}
WANTS = {
    "request_refund": "refund",
    "request_replacement": "replacement",
    "request_discount": "discount",
    "request_return": "return",
}

MONEY_INTENTS = frozenset({"request_refund", "request_discount"})


class Parsed(Protocol):
    """What the flow reads of an NLU result (bot.understanding.nlu.ParseResult)."""

    text: str
    language: str
    intent: str
    confidence: float
    anger: float
    level: str
    problems: list[str]
    risks: list[str]


@dataclass(frozen=True)
class Plan:
    actions: list[str]
    stage: Stage
    slots: dict[str, Any] = field(default_factory=dict)
    outcome: Outcome | None = None
    handoff: str | None = None
    timers: list[tuple[str, timedelta]] = field(default_factory=list)
    reason: str = ""


@dataclass(frozen=True)
class State:
    """A case as the flow sees it: its stage and the slots gathered so far (case.details)."""

    stage: Stage
    slots: dict[str, Any]
    facts: CaseFacts  # order facts; detail facts are merged from slots by `remedy_facts`
    now: datetime | None = None  # the engine's clock, for what depends on elapsed time (rule 9's waiting)

    def get(self, name: str, default: Any = None) -> Any:
        return self.slots.get(name, default)


# ── a buyer's message ───────────────────────────────────────────────────────────────────────────


def on_buyer_message(
    s: State, m: Parsed, p: ConversationPolicy, remedies: RemedyPolicy, *, photo: bool = False
) -> Plan:
    if s.get("opted_out"):
        return Plan([], Stage.CLOSED, {}, reason="opted_out_silence")  # rule 11: never message again
    slots = absorb(s, m, p)
    if photo:
        slots.update(photo_slots(s), photo_offered=None)
    if s.stage == Stage.CLOSED:
        slots["close_kind"] = "after_close"
        return Plan(["action_close"], Stage.CLOSED, slots, reason="message_after_close")

    # Rule 11: stop means stop — checked before anything else, in every stage, even with staff. Only a clear
    # request counts: "it never stops leaking" must not end the conversation (bot/understanding/opt_out.py).
    # A clear request in one sentence of several counts too: "I already disputed the charge with my bank. Stop
    # writing to me, please." reads as a problem whole, and the French buyer was asked which remedy would be fair.
    # An answer to an offer on the table stops contact only when it asks in so many words: a counter to the offer
    # ("groshi meni ne dopomozhut, meni treba ...", money won't help, I need the goods) read as opt_out at 0.60
    # and the buyer was never written to again (held-out personas, round 6). A guess there is asked about.
    # "How did you get my number? Why Telegram?" is a question to answer, not a request to stop, unless it also asks in
    # so many words (data/opt_out.yml): "d'où vous avez mon numéro ?" read as opt_out 0.62 and stopped all contact
    # (held-out round 10). The answer says how to stop, so a buyer who meant it can say so.
    reached = asks_how_reached(m.text, s.get("language") or m.language) and not said_in_words(m.text, sentences(m))
    # "Is this a scam? How do I know you're really the shop?" doubts who writes: answered like "how did you get my
    # number?" (who we are, why we write, that nothing here asks for card details) and never a request to stop unless
    # said in words (held-out round 16: such doubts got an opt-out check, then a handoff as not understood, or a
    # passage about card charges or tracking).
    genuine = asks_if_genuine(m.text, s.get("language") or m.language) and not said_in_words(m.text, sentences(m))
    reached = reached or genuine
    # "Not now, I'll write tonight" promises an answer: no request to stop either (held-out round 10).
    later = only_puts_off(m, s.get("language") or m.language) and not said_in_words(m.text, sentences(m))
    # "Do I have to delete my review for this? I'm not changing it" asks whether the remedy is tied to the review: it
    # is answered (never), and it is no request to stop unless it asks in so many words (held-out round 13, uk: read
    # as a possible opt-out, the buyer was asked whether to stop, then handed to staff). Not while our own review
    # question is open: the answer to it is read there (answer_revision).
    tied = (
        s.stage != Stage.REVISION_ASKED
        and asks_if_review_tied(m.text, s.get("language") or m.language)
        and not said_in_words(m.text, sentences(m))
    )
    # "Do you work weekends? I'm away till Monday, can it wait?" asks about availability: answered (any hour here, the
    # team on business days, nothing lost by answering later) and never a request to stop unless said in words
    # (held-out round 15: such questions got a clarify, then a handoff as not understood, or a passage about late
    # parcels).
    hours = asks_about_hours(m.text, s.get("language") or m.language) and not said_in_words(m.text, sentences(m))
    if hours and s.stage == Stage.PROPOSING and only_puts_off(m, s.get("language") or m.language):
        # "I'm away till Sunday, can this wait?" beside an offer puts the answer off: "no rush" and the offer waits
        # (acknowledge.later, b15), not the team's hours and the offer's question again at once (c15; both round 15).
        hours = False
    if (
        not (reached or later or tied or hours)
        and is_clear_opt_out(
            m.text,
            m.intent,
            m.confidence,
            p.opt_out_min_confidence,
            sentences=sentences(m),
            opt_out_p=dict(getattr(m, "ranking", ())).get("opt_out"),
        )
        and (s.stage != Stage.PROPOSING or said_in_words(m.text, sentences(m)))
        # A message that names what went wrong with the order, with no request to stop in words, is asked about, never
        # acted on by the classifier's confidence alone: "my statement shows the amount twice" read opt_out 0.60,
        # the clear bar (held-out round 14, de).
        and (not m.problems or said_in_words(m.text, sentences(m)))
        and not device_stops(m.text, sentences(m), s.get("language") or m.language)  # "it switches itself off"
    ):
        return Plan(["action_opt_out_confirm"], Stage.CLOSED, slots, outcome=Outcome.OPTED_OUT, reason="opt_out")
    checked = None if reached or later or tied or hours else check_opt_out(s, m, p, slots)
    if checked is not None:
        return checked

    # While staff handle the case the message is relayed to them. Until a person has joined, the buyer is not
    # left in silence: a short answer says the message is with the team and when to expect them, at most
    # once per `waiting.repeat_after` (rule 9); once a person is there, the bot stays out of their way.
    if s.stage in STAFF:
        return while_waiting(s, p, slots)

    # Rule 2: "are you a bot?" gets the truth at once, with the offer of a person. It is understood, and it
    # is not yet a request for a person (the classifier often reads it as one): the answer offers one.
    identity = asks_if_bot(m.text, s.get("language") or m.language)
    # A doubt about who writes beside "is this a bot?" gets the genuine answer, which says the bot is automated too.
    asides = (("genuine", genuine), ("identity", identity), ("contact", reached), ("review", tied), ("hours", hours))
    kind = next((name for name, said in asides if said), None)
    # "how did you reach me?", "must I delete my review?" and "do you work weekends?" are answered the same way: the
    # answer, then on
    identity = identity or reached or tied or hours
    if identity:
        # Understood: a miss before it and one after it are not "twice in a row" (rule 9), as for a policy question
        # answered while calming (absorb; round 15, a15: "a odpovidate i o svatcich?" kept the earlier miss).
        slots["not_understood"] = 0

    # Rule 9: the reasons a person takes over. A request for a person said in so many words is one whatever the
    # classifier read ("... the courier knows nothing. I want to talk to a real person"), and it is one beside
    # "are you a bot?" too ("are you a bot? put me through to a human"), where the classifier's ask_human alone
    # is taken for the question (held-out personas, round 5: such a buyer was kept in the chat to a refund).
    person = asks_for_person(m.text, s.get("language") or m.language)
    reason = handoff_reason(s, m, p, slots) or ("buyer_asked" if person else None)
    if reason and not (identity and reason == "buyer_asked" and not person):
        return handoff(reason, s.stage, slots)

    slots["question"] = kind
    if identity:
        language = s.get("language") or m.language
        floor = p.handoff.min_confidence
        parts = sentences(m)
        asked = [
            x.text
            for i, x in enumerate(parts)
            if x.intent == "ask_policy"
            and x.confidence >= floor
            and not asks_if_bot(x.text, language)
            and not asks_how_reached(x.text, language)
            and not asks_if_genuine(x.text, language)
            and not asks_if_review_tied(x.text, language)
            and not asks_about_hours(x.text, language)
            # Beside "can it wait till Monday?", "a question: I'm away over the weekend." announces it and asks
            # nothing, and "is it bad | if I only write then?" is one question the splitter cut at its comma: searched,
            # either was answered with the missing-parts passage (held-out round 15, de).
            and (
                kind != "hours"
                or ("?" in x.text and not (i and asks_about_hours(f"{parts[i - 1].text} {x.text}", language)))
            )
        ]
        # The question beside "are you a bot?" ("who is this, a bot? how long till the refund shows"): with the
        # message's question mark said, a sentence read as a policy question counts at the classifier's usual floor.
        slots["question_text"] = asked[-1] if asked and "?" in m.text else None
        # "Is this to buy my stars? I'm not changing anything" beside an offer says neither yes nor no to it: the
        # answer, and the offer stays on the table (round 13, uk: the rest was read as a counter to the offer).
        review_only = kind == "review" and s.stage == Stage.PROPOSING and yes_no(m.text, language) is None
        # So is "do you work weekends? I'm back on Monday" beside an offer, when it names no wish: read on, its other
        # sentence was taken for a yes and the offer confirmed unanswered (held-out round 15, pl, b15's note).
        hours_only = (
            kind == "hours"
            and s.stage == Stage.PROPOSING
            and bool(s.get("proposed_remedy"))
            and yes_no(m.text, language) is None
            and not wishes_named(m.text, language)[0]
        )
        if review_only or hours_only:
            # The answer, then the offer's question plainly: left alone, "ok. so what about my order?" after it got a
            # clarify and a thanks was taken for a yes (round 13, uk).
            slots["offer_plain"] = True
            return Plan(["action_answer_question", "action_propose_remedy"], s.stage, slots, reason="review_question")
        if m.intent not in CARRIES_ON or not (m.problems or len(sentences(m)) > 1):
            # Nothing but the question ("зачекайте, а ви взагалі бот?" reads as an insult or a description).
            if s.stage == Stage.GATHERING and s.get("requested_slot"):
                # The truth, then the detail the bot was waiting for, asked again: without it the buyer's next
                # "ok, what now?" was read as the answer to "what would be fair?" and an offer made blind
                # (held-out personas round 3).
                rest = gather(s, p, remedies, slots, miss=False)
                actions = ["action_answer_question", *rest.actions]
                return replace(rest, actions=actions, reason=f"identity_question+{rest.reason}")
            if s.stage == Stage.PROPOSING and s.get("proposed_remedy"):
                # The truth, then the offer's question plainly, as after a review question: "Oh I see, thank you for
                # being honest. Now, where were we." thanked for the answer and was taken for a yes to the offer
                # (round 14, en, replayed on the merged rounds).
                slots.update(offer_plain=True, asked_question=True)
                return Plan(
                    ["action_answer_question", "action_propose_remedy"], s.stage, slots, reason="identity_question"
                )
            return Plan(["action_answer_question"], s.stage, slots, reason="identity_question")
        # The message also carries an answer or a problem: that is taken up as usual, after the truth. A question
        # in another sentence ("who is this, a bot? and how long does the refund take?") is answered by the same
        # action after the truth (actions/answer_question.py reads `question_text`), so it is not run twice.
        rest = by_stage(s, m, p, remedies, slots)
        actions = [a for a in rest.actions if a != "action_answer_question"]
        return replace(rest, actions=["action_answer_question", *actions], reason=f"identity+{rest.reason}")
    if s.stage in PUT_OFF_STAGES and only_puts_off(m, s.get("language") or m.language):
        # "Jetzt nicht. Ich melde mich später." answers nothing and stops nothing: "whenever it suits you", the
        # question asked still open (held-out round 10: the next question came at once).
        slots.update(later=True, not_understood=s.get("not_understood", 0))
        return Plan(["action_acknowledge"], s.stage, slots, reason="put_off")
    return by_stage(s, m, p, remedies, slots)


PUT_OFF_STAGES = CALMING | {Stage.GATHERING, Stage.PROPOSING}


def only_puts_off(m: Parsed, language: str | None) -> bool:
    """The buyer cannot talk now ("at work, later") and says nothing else the flow could take up: no problem, wish,
    question, item or date (a first message "at work rn, quick one: the parcel never came" tells the problem)."""
    if not puts_off(m.text, language) or m.problems:
        return False
    # A question asks something, unless it is the putting off itself ("can you write later?", "on en reparle demain ?").
    questions = [q for q in re.findall(r"[^.!?\n]*\?", m.text) if q.strip(" ?")]
    if any(not puts_off(q, language) for q in questions):
        return False
    named = any(
        e.entity == "item" or (e.entity == "date" and not _in_put_off(m.text, e.start, e.end, language))
        for e in getattr(m, "entities", [])
    )
    return not (named or wishes_named(m.text, language)[0])


_CLAUSE_BREAK = re.compile(r"[.,;!?\n]")


def _in_put_off(text: str, start: int, end: int, language: str | None) -> bool:
    """Is the date at text[start:end] said inside the putting off itself ("I'm away till Monday, can it wait?"): the end
    of the wait, not a date of the case? Read as one, the Swedish buyer's "bortrest till måndag" was no put-off, and the
    message was not understood (held-out round 15)."""
    before = _CLAUSE_BREAK.split(text[:start])[-1]
    after = _CLAUSE_BREAK.split(text[end:])[0]
    return puts_off(f"{before}{text[start:end]}{after}", language)


def on_buyer_photo(s: State, p: ConversationPolicy, remedies: RemedyPolicy) -> Plan:
    """A photo sent without words. It is the evidence rule 6 asks for ("a photo would help"), so that question
    is never asked again; what the photo shows is for staff to see (the card and /staff), not for the bot to
    read. The conversation goes on from where it stood: while gathering, the next detail still missing (or the
    proposal); while calming, the move to the facts the buyer has started giving; with staff, the message is
    theirs. Later (an offer waiting, the remedy under way, the follow-up's question) the buyer is thanked, told
    the team will see it, and asked the stage's open question again: a photo is never met with silence."""
    if s.get("opted_out"):
        return Plan([], Stage.CLOSED, {}, reason="opted_out_silence")
    slots = photo_slots(s)
    if s.stage == Stage.CLOSED:
        slots["close_kind"] = "after_close"
        return Plan(["action_close"], Stage.CLOSED, slots, reason="message_after_close")
    if s.stage in STAFF:
        return while_waiting(s, p, slots)
    if s.stage == Stage.GATHERING:
        return gather(s, p, remedies, slots, miss=False)
    if s.stage in CALMING or s.stage == Stage.OPENED:
        return gather(s, p, remedies, slots, first=True)
    note = PHOTO_NOTES.get(s.stage)
    if note is not None:
        return Plan(["action_photo_received"], s.stage, {**slots, "photo_note": note}, reason="photo_thanked")
    return Plan([], s.stage, slots, reason="photo_noted")


# The open question of each later stage, as the photo's thanks repeats it (messages: photo.<note>).
PHOTO_NOTES = {Stage.PROPOSING: "offer", Stage.RESOLVING: "resolving", Stage.FOLLOW_UP: "follow_up"}


def photo_slots(s: State) -> dict[str, Any]:
    """What a photo tells the flow: there is evidence (the remedy rules' `has_evidence`), and one more photo."""
    return {"evidence": "yes", "photos": int(s.get("photos", 0)) + 1, "not_understood": 0}


def check_opt_out(s: State, m: Parsed, p: ConversationPolicy, slots: dict[str, Any]) -> Plan | None:
    """Rule 11 when the request to stop is not clear: the buyer is asked ("would you like us to stop contacting
    you?"), never stopped on a guess and never ignored. A yes is an opt-out like a clear one; a no carries the
    conversation on, asking the question that was waiting once more. Anything else is read as usual."""
    # "Stop" or "enough" about something else ("keine Ausreden mehr", "stop asking me for photos") asks nothing of the
    # kind: the buyer was asked whether to stop, the refund asked in the same message left unanswered (round 10).
    rules = default_rules()
    said_stop = (
        m.intent == "opt_out" and m.confidence >= p.opt_out_min_confidence and not rules.asks_nothing(m.text)
    ) or any(
        # One sentence of several that reads as a request to stop without a phrase of data/opt_out.yml: asked. Not one
        # about the buyer's own writing ("Довго писати буду, вибачайте" opened a long complaint; round 16, uk).
        x.intent == "opt_out"
        and x.confidence >= CLEAR_CONFIDENCE
        and not rules.asks_nothing(x.text)
        and not writes_myself(x.text, s.get("language") or m.language)
        for x in sentences(m)
    )
    # A stop said in so many words (a phrase of data/opt_out.yml) is a doubt to ask about whatever the classifier
    # read, and said to "shall we stop?" it is a yes even after "no, thanks" (held-out round 11, uk).
    in_words = said_in_words(m.text, sentences(m))
    said_stop = said_stop or in_words
    if said_stop and stop_before_bot_question(m.text, sentences(m), s.get("language") or m.language):
        said_stop = False
    if said_stop and device_stops(m.text, sentences(m), s.get("language") or m.language):
        said_stop = False
    if said_stop and not in_words and asks_if_bot(m.text, s.get("language") or m.language):
        # "Sagen Sie, sind Sie eine echte Person?": the opener "Sagen Sie" (tell me) read opt_out 0.67 on its own, and
        # the buyer was asked whether to stop instead of being told the truth (round 14's set re-run in round 15). The
        # question is answered (rule 2); a request to stop said in words beside it is still asked about.
        said_stop = False
    if said_stop and rules.limits_hours(m.text):
        # "don't write me at night, mornings are fine" asks for other hours, not for silence (held-out round 12)
        said_stop = False
    if said_stop and sent_too_early_note(m.text, sentences(m), s.get("language") or m.language):
        said_stop = False
    if (
        said_stop
        and s.stage == Stage.PROPOSING
        and yes_beside_a_doubt(m.text, sentences(m), s.get("language") or m.language)
    ):
        said_stop = False
    wanted = s.get("requested_slot")
    if said_stop and wanted in ("item", "when") and slots.get(wanted) and m.confidence < CLEAR_CONFIDENCE:
        # The detail the bot asked for, given ("seti me korniza" after "which item?"), is no request to stop
        # that a guess of the classifier makes one: the buyer was asked whether to stop, then handed to staff
        # (held-out personas, round 4). A clear request (data/opt_out.yml) was taken up before this.
        said_stop = False
    unsure = m.confidence < CLEAR_CONFIDENCE or m.intent != "opt_out"
    if said_stop and unsure and wishes_in(m.text, s.get("language") or m.language)[0]:
        # "mandadme las azules" (send me the blue ones) names what the buyer wants sent: an unsure opt_out reading of
        # it asked whether to stop, and the buyer's "sí" to the next line stopped all contact (held-out round 6).
        # So does a message read whole as something else, with one sentence read as opt_out: "Po i shkruaj me radhe
        # qe te mos ngaterrohemi:" (I'm writing it point by point so we don't get mixed up) opened a numbered list
        # whose last point asked for a new shade, and the buyer was asked whether to stop (held-out round 10).
        said_stop = False
    if said_stop and s.stage == Stage.REVISION_ASKED and revision_answer(m.text, s.get("language") or m.language):
        # "igual la edito más adelante, ya veremos" (maybe I'll edit it later) answers the review question; an unsure
        # opt_out reading of it asked "shall we stop writing?" (held-out round 10). A clear request stopped above.
        said_stop = False
    if s.get("opt_out_check") == "ask":
        slots["opt_out_check"] = None
        said = yes_no(m.text, s.get("language") or m.language)
        if said == "yes" or (said is None and said_stop) or in_words:
            # "oui", or the wish to stop said again (in words, it is a yes even after "no, thanks")
            return Plan(["action_opt_out_confirm"], Stage.CLOSED, slots, outcome=Outcome.OPTED_OUT, reason="opt_out")
        if said == "no":
            slots["not_understood"] = s.get("not_understood", 0)  # a plain "no" to our question was understood
            return resume_after_no(s, slots)
        return None
    if said_stop and not (s.stage in STAFF and s.get("joined_by")):  # a person who has joined asks themselves
        slots.update(opt_out_check="ask", not_understood=s.get("not_understood", 0))
        return Plan(["action_opt_out_check"], s.stage, slots, reason="opt_out_unclear")
    return None


def resume_after_no(s: State, slots: dict[str, Any]) -> Plan:
    """The buyer does not want contact to stop: say so briefly and ask again what was waiting for an answer."""
    if s.stage == Stage.PROPOSING and s.get("proposed_remedy"):
        slots["opt_out_check"] = "resume_offer"
        return Plan(["action_opt_out_check"], s.stage, slots, reason="opt_out_declined")
    slots["opt_out_check"] = "resume"
    actions = ["action_opt_out_check"]
    if s.stage == Stage.GATHERING and s.get("requested_slot"):
        actions.append("action_ask_details")
    elif s.stage == Stage.FOLLOW_UP:
        actions.append("action_follow_up")
    return Plan(actions, s.stage, slots, reason="opt_out_declined")


# What a message can carry beside "are you a bot?" that the flow takes up in the same turn.
CARRIES_ON = frozenset(
    {
        "describe_problem",
        "request_refund",
        "request_replacement",
        "request_discount",
        "request_return",
        "affirm",
        "deny",
    }
)


# Stages in which a question asked beside something else is answered before the flow goes on with the rest.
# Buyers on phones often drop the question mark: "also do I need to send the broken one back" at the end of a
# message is a question (ask_policy 0.53 alone) and went unanswered. Without the mark only a last sentence the
# classifier reads as a question with this much confidence counts, so a description is not answered with a quote.
UNMARKED_QUESTION_CONFIDENCE = 0.5
# The questions on_buyer_message answers from the catalogue, not the documents (actions/answer_question.py: ASIDES).
ASIDES = ("identity", "contact", "genuine", "review", "hours")
ANSWERS_ASIDE = CALMING | {Stage.OPENED, Stage.GATHERING, Stage.PROPOSING, Stage.RESOLVING}


def by_stage(s: State, m: Parsed, p: ConversationPolicy, remedies: RemedyPolicy, slots: dict[str, Any]) -> Plan:
    """The turn as the case's stage expects it, and a question asked in another sentence of the same message
    answered first (issue 18.1): "The jug is cracked. How long do refunds take?" read whole is a problem, and
    the question was lost."""
    rest = by_stage_whole(s, m, p, remedies, slots)
    if (
        slots.get("question_text")
        and m.intent in CARRIES_ON
        and s.stage in ANSWERS_ASIDE
        and slots.get("question") not in ASIDES  # answered already (on_buyer_message)
        and "action_answer_question" not in rest.actions
    ):
        return replace(rest, actions=["action_answer_question", *rest.actions], reason=f"question+{rest.reason}")
    return rest


def by_stage_whole(s: State, m: Parsed, p: ConversationPolicy, remedies: RemedyPolicy, slots: dict[str, Any]) -> Plan:
    """The turn as the case's stage expects it, from the message's reading as a whole."""
    if (
        s.stage == Stage.PROPOSING
        and not s.get("offer_restated")
        and asks_what_next(m.text, s.get("language") or m.language)
    ):
        # "y ahora qué?" (and now what?) to an offer asks for the offer again, not for a policy passage.
        return answer_proposal(s, m, p, remedies, slots)
    if s.stage == Stage.PROPOSING and waits_for_offer(m.text, s.get("language") or m.language):
        # "ok 👍 czekam na zwrot" (ok, I'm waiting for the refund) to an offer of it accepts it: read as ask_policy
        # (0.47) it got the refund-timing passage, and "Жду крышку" a clarify (held-out round 10).
        return answer_proposal(s, m, p, remedies, slots)
    if (
        s.stage == Stage.PROPOSING
        and "?" not in m.text
        and wishes_named(m.text, s.get("language") or m.language)[0]
        # A question about the offer's terms asked without its mark ("tengo que devolverlas o que") is no wish.
        and not slots.get("question_term")
    ):
        # A statement that names a wish, said to an offer, answers it ("only the shipping money", read as ask_policy
        # 0.5 at a coupon offer): quoted the freight-cost passage instead, the buyer was left with the coupon (round 9).
        return answer_proposal(s, m, p, remedies, slots)
    if s.stage in UNSURE_QUESTION_STAGES and asks_what_next(m.text, s.get("language") or m.language):
        # "ok. so what is the solution for me?" before any offer asks the bot to go on, not for a policy passage: a sq
        # buyer was quoted the complaints page, and her next "what now?" another passage, until the conversation ran
        # out (held-out round 10). The detail still missing is asked, or the remedy proposed.
        slots["question_text"] = None  # its "what is the solution?" sentence is no question to answer (by_stage)
        if s.stage == Stage.GATHERING:
            return gather(s, p, remedies, slots, miss=False)
        rest = calm_then_gather(s, m, p, remedies, slots)
        if rest.reason != "not_understood":
            return rest
    # A question about the shop's policy is answered from its own documents, in any stage; before an offer, also
    # one the classifier could not place (unsure_question).
    unsure = s.stage in UNSURE_QUESTION_STAGES and unsure_question(m, p, s.get("language") or m.language)
    if s.stage == Stage.PROPOSING and says_yes_then_asks(m, s.get("language") or m.language):
        # "In Ordnung, machen Sie. Wann wird der neue verschickt?": the yes is taken and the question answered after
        # the confirmation (answer_proposal); read as a question only, the yes was lost (held-out round 11).
        return answer_proposal(s, replace(m, intent="affirm"), p, remedies, slots)
    if (
        s.stage == Stage.PROPOSING
        and not s.get("amount_told")
        and asks_offer_amount(m.text, s.get("language") or m.language)
        and yes_no(m.text, s.get("language") or m.language) is None
    ):
        # "and how much would that come to?" asks the sum on the table: the offer, told again, names it. Searched, it
        # was quoted the shipping-price table (held-out round 14, es and ru). Once: asked again, it is read as usual.
        slots["amount_told"] = True
        return Plan(["action_propose_remedy"], Stage.PROPOSING, slots, reason="offer_amount_told")
    asked_first = question_then_yes(m, s.get("language") or m.language) if s.stage == Stage.PROPOSING else None
    if asked_first is not None and is_dataclass(m):
        # "Wie viel wäre das in Euro? Ok, passt." asks first and says yes last (held-out round 14, de/cs/uk): the answer
        # to the offer is what follows the question, read alone ("must she send the broken one back first? ... ok,
        # let's do that" names no return wish), and the question is answered after the confirmation.
        tail = m.text[m.text.rindex("?") + 1 :].strip(" .,!;:-\n")
        plan = answer_proposal(s, replace(m, text=tail, intent="affirm", sentences=()), p, remedies, slots)
        language = s.get("language") or m.language
        if (
            "action_confirm_remedy" in plan.actions
            and "action_answer_question" not in plan.actions
            and not only_amount(asked_first, language)  # the confirmation names the sum (round 14, c14)
        ):
            plan.slots["question_text"] = asked_first
            plan.slots["question_term"] = term_slot(asked_first, language, (s.get("proposed_remedy") or {}).get("type"))
            plan = replace(plan, actions=[*plan.actions, "action_answer_question"])
        return plan
    if s.stage == Stage.PROPOSING and "?" not in m.text and yes_no(m.text, s.get("language") or m.language) == "yes":
        # "po, ate te dyten qe e permende, transportin" (yes, the second one you said, the shipping) to the offer of
        # the shipping refund: a plain yes first, asking nothing, answers the offer (a wish named beside it is weighed
        # there). Read as ask_policy, it was quoted the policy twice and handed to staff (held-out round 13, sq).
        return answer_proposal(s, m, p, remedies, slots)
    if m.intent == "ask_policy" or unsure:
        if s.stage == Stage.REVISION_ASKED and _answers_review_question(s, m, p):
            # "ya veré lo de la reseña" (I'll see about the review) read as a policy question got a quote from the
            # complaints page instead of the kind close (held-out round 4, es): the review question is answered.
            return answer_revision(s, m, slots)
        if (
            s.stage == Stage.GATHERING
            and s.get("requested_slot")
            and "?" not in m.text
            # "Proszę o informację, jak długo ..." asks without a question mark (a formal letter; held-out round 9).
            and not requests_information(m.text, s.get("language") or m.language)
        ) or (s.stage == Stage.GATHERING and slots.get("photo_offered")):
            # "shall I send it here?" beside the photo or video offered asks how to send the evidence, which the
            # acknowledgement answers ("yes, here"): a returns passage was quoted instead (held-out round 10, sq).
            # While the bot waits for a detail, a statement is read as the answer to it, whatever the classifier
            # makes of it: "I think at least the shipping should be refunded" (ask_policy) was answered with a
            # policy passage and the question asked again, ten times (bench/buyers.py).
            return gather(s, p, remedies, slots)
        if s.stage == Stage.GATHERING and s.get("requested_slot") and (unsure or asks(m, p)):
            # The question is answered, then the flow resumes: the detail still missing is asked again. Without
            # it the buyer was left with an answer and no question, and their "ok, good to know" was read as
            # not understood, twice, then handed to staff (issue 18; bench/buyers.py).
            # The message may also have answered it ("a refund of the shipping would be fair, how long does it
            # take?"): the flow goes on from what is now known, asking the next detail or proposing.
            rest = gather(s, p, remedies, slots, miss=False)
            return replace(rest, actions=["action_answer_question", *rest.actions], reason=f"question+{rest.reason}")
        if (s.stage in CALMING or s.stage == Stage.OPENED) and (unsure or asks(m, p)) and tells_problem(m):
            # "The jug is cracked, how long do refunds usually take?" (issue 18.1): the question is answered AND
            # the problem taken up as any first description is, calming or asking the next detail. Answering
            # alone left the buyer with a quote and no word on their jug.
            rest = calm_then_gather(s, m, p, remedies, slots)
            if rest.reason != "not_understood":
                actions = ["action_answer_question", *rest.actions]
                return replace(rest, actions=actions, reason=f"question+{rest.reason}")
        if (s.stage in CALMING or s.stage == Stage.OPENED) and not (unsure or asks(m, p)) and tells_story(m):
            # An unsure policy reading with no question mark, of a message that tells what happened, is the story
            # told: "I wrote to your chat to ask whether the tray may go in the dishwasher, and was called
            # hysterical" reports a question asked elsewhere; the bot quoted the import-duty passage (round 7).
            rest = calm_then_gather(s, m, p, remedies, slots)
            if rest.reason != "not_understood":
                return rest
        return Plan(["action_answer_question"], s.stage, slots, reason="policy_question")
    if (
        s.stage == Stage.GATHERING
        and s.get("requested_slot")
        and m.intent in CARRIES_ON
        and (
            asks_for_information(m.text, s.get("language") or m.language)
            # "must I keep the broken one until the new one comes?" names the wish and asks what to do: passed over
            # with the offer, the question went unanswered (held-out round 7, it).
            or asks_what_to_do(m.text, s.get("language") or m.language)
        )
        and not slots.get("photo_offered")  # "I took pictures when I opened it, want them?" asks to send them
    ):
        # "How soon would a replacement get here? we really need it" names the wish and asks: the question is
        # answered, as an ask_policy one is (above), and the flow goes on from what is now known. Read as the wish
        # alone, the question was passed over with an offer (held-out round 4, de).
        rest = gather(s, p, remedies, slots, miss=False)
        return replace(rest, actions=["action_answer_question", *rest.actions], reason=f"question+{rest.reason}")
    if s.stage == Stage.PROPOSING and _asks_about_offer(s, m, remedies):
        # "How long is the coupon valid if you give it to me?" names the offer and asks about it: the question is
        # answered and the offer stays open. Read as naming the wish the offer serves, it was confirmed as a yes
        # (held-out round 4, es).
        return Plan(["action_answer_question"], Stage.PROPOSING, slots, reason="question_about_offer")

    if s.stage in CALMING or s.stage == Stage.OPENED:
        return calm_then_gather(s, m, p, remedies, slots)
    if s.stage == Stage.GATHERING:
        return gather(s, p, remedies, slots)
    if s.stage == Stage.PROPOSING:
        return answer_proposal(s, m, p, remedies, slots)
    if slots.get("item") and is_second_line(s, slots["item"]):
        # The second line named again ("yes, a new bowl please") is not the case's item: the first remedy's stays.
        slots["item"], slots["item_said"] = s.get("item"), s.get("item_said")
    if s.stage == Stage.RESOLVING and offered_second_item(s):
        plan = answer_second_item(s, m, p, slots)
        if plan is not None:
            return plan
    # After the review question the mediation is over: an item named then is not a correction of the remedy.
    if s.stage in (Stage.RESOLVING, Stage.FOLLOW_UP) and other_item(s, slots):
        return remedy_for_other_item(s, remedies, slots)
    if (
        s.stage in (Stage.RESOLVING, Stage.FOLLOW_UP)
        and slots.get("question_term")
        and (s.stage == Stage.RESOLVING or follow_up_answer(m.text, s.get("language") or m.language) is None)
    ):
        # "ok thanks. must I send the cracked one back?" after the agreement: answered from the section that answers
        # it. Acknowledged as a thanks, the next question went to staff for "going round in circles" (round 11).
        return Plan(["action_answer_question"], s.stage, slots, reason="question_about_remedy")
    if s.stage == Stage.RESOLVING:
        return Plan(["action_acknowledge"], Stage.RESOLVING, slots, reason="while_resolving")
    if s.stage == Stage.FOLLOW_UP:
        return answer_follow_up(s, m, p, slots)
    if s.stage == Stage.REVISION_ASKED:
        return answer_revision(s, m, slots)
    return Plan(["action_clarify"], s.stage, slots, reason="unexpected_stage")


def absorb(s: State, m: Parsed, p: ConversationPolicy) -> dict[str, Any]:
    """Slots learned from this message: facts, wishes, mood, language, and the counters rule 9 needs."""
    slots: dict[str, Any] = {"anger_history": [*s.get("anger_history", []), round(m.anger, 2)][-20:]}
    entities = entity_values(m)
    slots.update(language_slots(s, m, p))
    slots.update(problem_slots(s, m))
    # The team that owns the case is the one of what the buyer told last, when that names one topic and no fault of the
    # goods was told ("the delay is not the worst of it, you charged me twice": Billing), else the one of what the
    # rules read (remedy_facts._topic): a double charge filed under a delivery review went to Logistics (held-out
    # round 12, uk). A broken lamp that also came late stays with the product team.
    told_now = {PROBLEM_TOPIC[p] for p in m.problems if p in PROBLEM_TOPIC}
    goods = any(p not in PROBLEM_TOPIC and p != "other" for p in slots.get("problems", s.get("problems", [])))
    if len(told_now) == 1 and not goods:
        slots["team_topic"] = told_now.pop()
    elif goods or not s.get("team_topic"):
        slots["team_topic"] = remedy_facts(replace(s, slots={**s.slots, **slots})).topic
    else:
        slots["team_topic"] = s.get("team_topic")  # nothing told now names a topic: the team already chosen
    if m.intent == "describe_problem" or ((m.problems or tells_problem(m)) and not s.get("what")):
        slots["what"] = (s.get("what", "") + " " + m.text).strip()[-1000:]
    # The question of a message that says more than it (bot/understanding/sentences.py): what answer_question
    # searches the shop's documents for, rather than the whole message; None when the message asks none.
    slots["question_text"] = question_of(m, p)
    # A question about the terms of the remedy under way names the section that answers it (offer_terms.yml).
    language = s.get("language") or m.language
    remedy = (s.get("proposed_remedy") or s.get("accepted_remedy") or {}).get("type")
    slots["question_term"] = term_slot(slots["question_text"], language, remedy) or term_slot(m.text, language, remedy)
    # "I've already opened a PayPal dispute": the shop refunds once, through it or by itself (payments.md). Kept with
    # the case for the team (the staff card says it) and said back when money is agreed (action_confirm_remedy).
    # Round 15: never acknowledged, and a refund was agreed beside it with nothing to stop it being paid twice.
    if mentions_payment_dispute(m.text, language):
        slots["payment_dispute"] = True
    # Whether this message asked the shop a question the bot answers: a thanks in the next one is for the answer.
    slots["asked_question"] = asks(m, p) or bool(slots["question_text"])
    # A request beside a yes ("Yes please, and could the courier ring the bell this time?"): said back once
    # (action_confirm_remedy) and kept for the team with the case.
    slots["side_request"] = None
    slots["second_item_agreed"] = None  # said with this turn's confirmation only
    if entities.get("date"):
        slots["when"] = entities["date"]
    # The last item named, as entity_values, but not one the buyer says it is not about ("the pan, not the mugs")
    # nor one they say is fine ("the pan's rim is chipped, the mugs are ok": the mugs were offered for replacement).
    # With two items or more named, nor one they say they keep ("refund the mirror, keep the hooks": the hooks were
    # refunded; held-out round 7).
    items = [e for e in getattr(m, "entities", []) if e.entity == "item"]
    several = len({e.value for e in items}) > 1

    def counts(e: Any) -> bool:
        return (
            not negated(m.text, e.start)
            and not said_fine(m.text, e.end)
            and not (several and said_kept(m.text, e.start))
        )

    item = next((e for e in reversed(items) if counts(e)), None)
    ordered = s.facts.item_values
    if item is not None and ordered and item.value not in ordered:
        # Kept until the bot asks which item it is: the question then names the order's items
        # (ask_details.item_not_ordered), even after a turn spent calming the buyer first.
        if not s.get("item"):
            slots["item_not_ordered"] = m.text[item.start : item.end]
        # An item the order does not hold is never the case's item when the order lists its own: a word the
        # lookup reads as another kind of product ("Deckel", the lid, read as "Decke", bedding) sent the rice
        # cooker's lid to staff for approval as an item of unknown value (issue 18, held-out personas), and
        # "my lamp" against an order of a skillet and mugs was offered "a replacement lamp" the shop never sold
        # (issue 21, the demo). The order's only item stays the case's; with several, the bot asks which.
        item = None
    if item is not None:  # the value names it for the reports; the buyer's words, for a reply (item_name)
        slots["item"], slots["item_said"] = item.value, m.text[item.start : item.end]
        slots["item_not_ordered"] = None
    elif len(ordered) != 1 and any(e.value == s.get("item") and negated(m.text, e.start) for e in items):
        # "No, not the mugs" and no other item named: the item gathered before is the wrong one, and is asked
        # for again rather than kept (a correction replaces a fact; issue 18.3). Not in an order of one line: there
        # "just a new lid, not the whole pot" says how much of it, and "which product?" was asked of a buyer whose
        # order held nothing else (held-out round 14, sv).
        slots["item"], slots["item_said"] = None, None
    # Every line of the order the buyer names as one with a problem, on the same terms: a second line with a problem
    # of its own is offered a remedy once the first is agreed (second_item.py).
    told = [e.value for e in items if counts(e)]
    if ordered and told:
        slots["items_named"] = lines_named(s.get("items_named"), told, ordered)
    if entities.get("order_id"):
        slots["order_ref"] = entities["order_id"]
    # The part the buyer names ("the lid", "the charger"), in their words: what a part sent on its own names.
    # Not from a clause about an earlier order ("last time the pegs were missing": held-out round 15, es).
    part = part_named(without_earlier(m.text, s.get("language") or m.language), s.get("language") or m.language)
    if part and s.get("part") and item is not None and _in_catalogue_name(part, s.facts.item_values):
        # "the pine coat rack, the one with the shelf" names the item by a word of its catalogue name ("... with
        # shelf"); the part the buyer asked for before (the brackets) stays (held-out round 10: the shelf was sent).
        part = None
    if part:
        slots["part"] = part
    # "two of the six chairs": how many pieces of the item's line went wrong (remedy_facts values only those).
    pieces = pieces_said(m.text, s.get("language") or m.language, slots.get("item") or s.get("item"), s.facts)
    if pieces is not None:
        slots["pieces"] = pieces
    asked_in_sentence = sentence_wish(m, s, p)
    # A wish the classifier alone reads into the whole message counts when it is sure, as for one sentence
    # (sentence_wish): "Alright, appreciate you getting back to me at least." was request_refund at 0.28 (thank 0.25),
    # and a buyer who had asked for nothing was told a full refund was not possible (held-out round 2).
    sure = m.confidence >= p.handoff.min_confidence or wishes_in(m.text, s.get("language") or m.language)[0]
    whole_wish = wish_of(m, s) if m.intent in WANTS and sure else None
    if whole_wish is not None:
        slots["wants"] = whole_wish
    elif asked_in_sentence:
        slots["wants"] = asked_in_sentence
    elif m.intent == "describe_problem" and (described_wish := _wish_beside_problem(m, s)):
        # "w paczce nie bylo nogi od stolika, prosze doslac brakujaca noge" tells the problem and asks for the
        # remedy in one sentence: the wish is kept, not asked for afterwards ("what would be fair?").
        slots["wants"] = described_wish
    elif s.get("requested_slot") == "outcome" and (
        "?" not in m.text or not asks_for_information(m.text, s.get("language") or m.language)
    ):
        # The answer to "what would be fair?" is read against that question (data/answers/wishes.yml) before the
        # classifier, which has no wish data in some languages: "пришлите подставку" or "la talla buena" named a
        # wish the bot then asked for again (bench/buyers.py). A wish asked as a question answers it too ("nu hot'
        # skidku dadite?", will you at least give a discount?, was asked "what would be fair?" again: held-out
        # round 5); a question for information ("how long is a coupon valid?") does not.
        named, _adds = wishes_named(m.text, s.get("language") or m.language)
        if named:
            slots["wants"] = named[0]
        elif (
            "wrong_item" in slots.get("problems", s.get("problems", []))
            and variant_named(m.text)
            and not any(e.entity == "amount" for e in getattr(m, "entities", []))  # "20." may be a sum: read below
        ):
            # In a wrong-item case, "the beige one, please" or "I need the small one, size 116" asks for the variant
            # ordered, sent: no wish word was named, and the bot offered an apology or asked the question again
            # (held-out round 15, uk). Money or a return said with it is a wish of its own, read above.
            slots["wants"] = "replacement"
    if (
        slots.get("wants") == "return"
        and "wrong_item" in slots.get("problems", s.get("problems", []))
        and variant_named(m.text)
    ):
        # "send the 116 and take the extra 128 away" in a wrong-item case: the pickup is part of sending the right
        # variant (the policy's reship collects the wrong one), not a wish of its own; read as a return, it was offered
        # a pickup alone (held-out round 15, uk).
        slots["wants"] = "replacement"
    # An amount named with a money wish, or against a money offer ("the 8 EUR difference back", "make it 20 €"):
    # what a partial refund or a coupon is sized to, within the policy's cap (haggle.py; issue 19).
    sums = haggle.sums_asked(getattr(m, "entities", []), s.facts.currency, m.text, s.get("language") or m.language)
    asked = min(sums) if sums else None
    if not sums and haggle.refuses_sum(getattr(m, "entities", []), m.text, s.get("language") or m.language):
        # "6 euro? jo, dua gjithe shumen": the sum asked before is refused now; the offer is no longer told as
        # "you asked for 6.00" (held-out round 12, sq).
        slots["amount_asked"] = None
    if asked is None:
        asked = share_asked(s, m)
    offered = (s.get("proposed_remedy") or {}).get("type") if s.stage == Stage.PROPOSING else None
    money_wish = slots.get("wants", s.get("wants")) in ("refund", "discount") or m.intent in MONEY_INTENTS
    # A sum named as the answer to "what would be fair?" ("Return the 8 euros you overcharged") asks for money.
    fair_sum = s.get("requested_slot") == "outcome" and not slots.get("wants")
    if asked is not None and (money_wish or fair_sum or offered in haggle.ADJUSTABLE):
        slots["amount_asked"] = str(asked)
        # "20 or 30 EUR?": the lower is the ask, and the offer says its amount plainly (why_not `either`), never
        # the larger taken in silence (issue 19). Read from this turn's slots only: said once, with this offer.
        slots["amount_either"] = [str(v) for v in sums] if len(sums) > 1 else None
        at_stake = value_at_stake(s)
        part_of_it = at_stake is not None and asked < at_stake
        if slots.get("wants") == "refund" and part_of_it:
            # "Give me the 8 EUR back" of a 45 EUR order is part of the price: money off, never the whole refund.
            slots["wants"] = "discount"
        elif fair_sum and not offered:
            slots["wants"] = "discount" if part_of_it else "refund"
    hidden_cost = "hidden_cost" in {*s.get("problems", []), *getattr(m, "problems", [])}
    if hidden_cost and not slots.get("amount_asked") and not s.get("amount_asked"):
        # The overcharge the buyer states is what the hidden-cost refund is sized to, not the rule's cap.
        extra = haggle.overcharge_named(getattr(m, "entities", []), s.facts.currency, m.text, s.facts.order_value)
        if extra is not None:
            slots["amount_asked"] = str(extra)
            at_stake = value_at_stake(s)
            if slots.get("wants", s.get("wants")) == "refund" and at_stake is not None and extra < at_stake:
                # "the 9,90 you took extra back" is part of the price: money back, never the whole refund.
                slots["wants"] = "discount"
    if slots.get("wants") == "discount" and asks_part_of_price(m.text, s.get("language") or m.language):
        # "keep it with a partial refund" asks for money back, which a partial refund is and a coupon is not: both
        # serve the discount wish, and a coupon for the next order was offered first (held-out round 6, it).
        slots["part_of_price"] = True
    slots["photo_offered"] = None
    slots["photo_why"] = None  # set for the one turn a buyer asks why a photo (acknowledge.photo_why)
    slots["later"] = None  # set for the one turn a buyer puts the talk off ("at work, later")
    slots["on_its_way"] = None  # set for the one turn a buyer says the remedy has not come yet (answer_follow_up)
    slots["offer_plain"] = None  # set for the one turn that asks the offer's question again (answer_proposal)
    if s.get("requested_slot") == "evidence" and asks_why_only(m.text, s.get("language") or m.language):
        # "Why do you need a photo of my kitchen?": only the item matters and the photo is optional, so the bot says so
        # and asks the next detail; no photo is on record. Read as offering one, the buyer was told "yes, please send
        # it here", the question unanswered (held-out round 16, sv pl sq ru en).
        slots["evidence"], slots["photo_why"] = "no", True
    elif s.get("requested_slot") == "evidence":
        said = yes_no(m.text, s.get("language") or m.language)  # "Mám fotku v mobilu" reads as a yes too
        photo_words = photo_said(m.text, s.get("language") or m.language)
        photo = photo_words == "has"
        # "video mund te bej, ta dergoj ketu?" (I can film it, shall I send it here?) offers the evidence too, whatever
        # the classifier read (request_return): it was answered with the returns passage (held-out round 10, sq).
        filmed = mentions_video(m.text, s.get("language") or m.language)
        if said or m.intent in ("affirm", "deny", "describe_problem") or photo_words or filmed:
            # A photo word with no negation near it outweighs an unsure "deny": "jag tog bilder när jag öppnade
            # paketet, vill du ha dom?" (deny 0.43) has photos; a negated one is a no whatever the classifier
            # says ("I don't have any photos", "nemám fotky": data/answers/photo_negation.yml).
            unsure_deny = m.intent == "deny" and m.confidence < p.handoff.min_confidence
            denied = said is None and m.intent == "deny" and not (photo and unsure_deny)
            slots["evidence"] = "no" if said == "no" or photo_words == "none" or denied else "yes"
            # "I have photos on my phone, shall I send them?" was passed over with the next question, in several
            # languages: the buyer is told yes, here (acknowledge.photo_offered), unless the photo came with it.
            # Only a yes offers a photo: "the glass is cracked" answers the question with a description, and was
            # told "Yes, please send it here" as if the buyer had asked (seen in the demo, issue 21). A video the
            # buyer says they took is offered too, and so is a photo they speak of ("foto ye, mozhu
            # nadislaty": round 4, uk).
            video = mentions_video(m.text, s.get("language") or m.language)
            offered = said == "yes" or (said is None and m.intent == "affirm") or video or photo
            if photo_given(m.text, s.get("language") or m.language):
                # "the photo is in my review", "here: [photo]", "I already sent it": given, not offered; "send it here"
                # asked for it again (held-out round 10, sv es uk sq en).
                slots["evidence"], offered = "yes", False
            slots["photo_offered"] = (slots["evidence"] == "yes" and offered) or None
            if slots["photo_offered"] and video:
                # "I filmed the unboxing": the chat takes photos, so a screenshot from the video is asked for
                # (acknowledge.video_offered), not "the photo" they never took (held-out round 4).
                slots["photo_offered"] = "video"
    elif not s.get("evidence") and (said_photo := photo_said(m.text, s.get("language") or m.language)):
        # "No photo, I threw the box away" said before the bot asks for one answers that question: it is not asked
        # afterwards, and the staff card says "no photo" (a buyer who said so was asked for a photo next). So does
        # "took photos of it and the box" in a first message that tells everything: the buyer was asked "if you have
        # a picture, feel free to share it" (round 8). A photo asked about ("do you need a photo?") tells nothing.
        if said_photo == "none":
            slots["evidence"] = "no"
        elif said_photo == "has" and any(
            _tells_photo(x.text, s.get("language") or m.language) for x in sentences(m) or (m,)
        ):
            slots["evidence"] = "yes"
    answers_outcome = not (asks(m, p) and "?" in m.text) and not asks_if_bot(m.text, s.get("language") or m.language)
    # "Could a person from your team look at this?" asked in answer to "what would be fair?" is a request for a
    # person, not the outcome they want: the staff card's summary read 'wants "Could a person…"' (issue 21 walk).
    answers_outcome = answers_outcome and m.intent != "ask_human"
    if s.get("requested_slot") == "outcome" and not slots.get("wants") and answers_outcome:
        if m.intent not in ("deny", "out_of_scope") or s.get("outcome_unclear", 0) >= 1:
            # A second answer that names nothing ("no idea, what can you offer?") means no preference:
            # the bot proposes what the policy allows instead of asking a third time (rule 7 asks what
            # would be fair; rule 3 forbids pressing the buyer for facts).
            slots["outcome_text"] = m.text[:500]
        else:
            slots["outcome_unclear"] = s.get("outcome_unclear", 0) + 1
    if m.intent == "insult":
        slots["insults"] = s.get("insults", 0) + 1
    # A policy question is answered (by_stage) whatever the classifier's confidence: one the bot answered is
    # not a misunderstanding, or the buyer's next unplaced message handed them to staff.
    understood = asks(m, p) or (m.intent != "out_of_scope" and m.confidence >= p.handoff.min_confidence)
    if s.stage in CALMING | {Stage.OPENED} and m.intent == "ask_policy":
        # ...and so is one answered while calming, however unsure and without a question mark (by_stage_whole answers
        # any ask_policy there): voice-typed "a v subbotu kto to otvechaet" was answered, counted as a miss, and the
        # buyer's next unplaced line went to staff as not understood (held-out round 15, ru).
        understood = True
    if s.stage in (Stage.PROPOSING, Stage.FOLLOW_UP) and yes_no(m.text, s.get("language") or m.language):
        understood = True  # a plain yes or no to the question asked (answer_proposal, answer_follow_up)
    what_next_stages = (Stage.PROPOSING, Stage.FOLLOW_UP, *UNSURE_QUESTION_STAGES)
    if s.stage in what_next_stages and asks_what_next(m.text, s.get("language") or m.language):
        # "and?" after a question answered while the offer waited asks for the offer again (answer_proposal): counted
        # as a miss, it was the second in a row and went to staff before the offer could be told again (round 8).
        # Before an offer it asks the bot to go on (by_stage_whole): "ok good to know. so what now for me?" after "are
        # you a bot?" was answered while calming was the second miss and went to staff (held-out round 11).
        understood = True
    if s.stage == Stage.FOLLOW_UP and follow_up_answer(m.text, s.get("language") or m.language):
        understood = True  # "ist angekommen, alles gut" answers "is all well now?" (answer_follow_up)
    if slots.get("question_term"):
        understood = True  # "och när kommer pengarna?" asks about the remedy's terms (offer_terms.yml): answered
    if s.stage in (Stage.GATHERING, Stage.PROPOSING) and wishes_named(m.text, s.get("language") or m.language)[0]:
        # A wish its own words name is understood whatever the classifier's confidence: a buyer who answered a full
        # refund with "a partial refund would be better" (request_discount at 0.35) was the second miss in a row and
        # was handed to staff instead of being offered the partial refund (held-out round 8).
        understood = True
    if s.stage == Stage.REVISION_ASKED:
        # Any reply answers the neutral review question, and answer_revision closes kindly whatever it says (rule
        # 10: nobody is pressed). Counted as not understood, "mal schauen" after a low-confidence "alles gut" was
        # the second miss in a row and handed a resolved case to staff (bench/buyers.py, held-out round 3).
        understood = True
    wanted = s.get("requested_slot")
    if (wanted in ("item", "evidence", "when") and slots.get(wanted)) or (
        wanted == "outcome" and filled(slots, "outcome")
    ):
        # A message that answers the detail asked for was understood, whatever the classifier made of it: "stačí
        # poslat ten chybějící díl" named the wish and was still the second "not understood", and handed over.
        understood = True
    if s.stage in CALMING and m.level in ("upset", "angry"):
        # Emotion is what the bot answers while calming (rule 3); an angry outburst the intent model
        # cannot place is not a misunderstanding, and counting it as one handed furious buyers over as
        # "not_understood" instead of letting the anger rule (rule 9) decide.
        understood = True
    slots["not_understood"] = 0 if understood else s.get("not_understood", 0) + 1
    return slots


def _names_part(text: str, part: str | None) -> bool:
    """Does the message name the part, by the last word of its name, inflected or not ("tallrik" in "en ny tallrik",
    "taza" in "otra taza", "Teller" in "einen neuen Teller")?"""
    word = fold(part)[0].split()[-1] if part and part.split() else ""
    if len(word) < 3:
        return False
    stem = word[: max(3, len(word) - 2)]
    return any(w.startswith(stem) for w in re.findall(r"\w+", fold(text)[0]))


def _in_catalogue_name(part: str, names: Iterable[str]) -> bool:
    """Is each word of the part's last word a word of one of the order's catalogue names ("shelf" in "Pine coat rack
    with shelf")?"""
    word = fold(part)[0].split()[-1] if part.split() else ""
    return bool(word) and any(word in fold(n)[0].replace(",", " ").split() for n in names)


def problem_slots(s: State, m: Parsed) -> dict[str, Any]:
    """The problems gathered so far, corrected by this message. A problem the buyer denies ("it wasn't late,
    it came BROKEN", "sorry, I mixed it up: it's not damaged, it's the wrong colour") leaves the facts, whichever
    turn or the review it came from, and is remembered as denied so the review's topic does not bring it back
    as the problem the bot names (actions/base.py); naming it again later puts it back."""
    denied = set(getattr(m, "denied", ()))  # a test's stand-in for a parse may not carry it
    if not m.problems and not denied:
        return {}
    before = set(s.get("denied_problems", []))
    slots: dict[str, Any] = {"problems": sorted((set(s.get("problems", [])) - denied) | set(m.problems))}
    if denied or before & set(m.problems):
        slots["denied_problems"] = sorted((before | denied) - set(m.problems))
    return slots


def problem_reading(stage: Stage, slots: dict[str, Any], review_says_what: bool = False) -> str:
    """Whether the next buyer message's parse needs the problem classifier (the NLU's ProblemReading), decided
    before the message arrives: the encoder costs ~10 ms a message, and on most turns nothing it could read
    changes what this module does.
    - After the follow-up's "is all well now?" a yes, no or thanks decides alone (answer_follow_up): a problem
      read into "yes thanks, works great" only ever turned a yes into a failed remedy.
    - Asked about the review, or closed, problems are read by nobody.
    - Gathering, proposing or resolving with the problems known and what happened told (the review, or an
      earlier message), and not asked what happened: a new problem the lookup misses only adds a name beside the
      known ones. A correction is still read (the NLU reads it whenever the buyer denies a problem)."""
    if stage in (Stage.REVISION_ASKED, Stage.CLOSED):
        return "skip"
    if stage == Stage.FOLLOW_UP:
        return "unless_answer"
    known = bool(slots.get("problems")) and (bool(slots.get("what")) or review_says_what)
    if stage in (Stage.GATHERING, Stage.PROPOSING, Stage.RESOLVING) and known and slots.get("requested_slot") != "what":
        return "skip"
    return "read"


def language_slots(s: State, m: Parsed, p: ConversationPolicy) -> dict[str, Any]:
    """The bot answers in the buyer's language and follows a switch, but the case's language is sticky: a
    one-word reply ("ok") is no evidence, and one message in another language is not enough either (Albanian
    typed without diacritics was answered in Czech or Spanish). Two messages in a row in the new language switch,
    or one long message the detector is very sure of (a buyer who says they would rather write in Polish)."""
    current, said = s.get("language"), m.language
    if said in ("", "und"):
        return {}
    if not current:
        return {"language": said}
    if said == current:
        return {"language_candidate": None} if s.get("language_candidate") else {}
    letters = sum(ch.isalpha() for ch in m.text)
    if letters < p.language_switch_min_letters:
        return {}
    sure = getattr(m, "language_confidence", 0.0)  # a test's stand-in for ParseResult may not carry it
    if s.get("language_candidate") == said or (
        letters >= p.language_switch_strong_letters and sure >= p.language_switch_strong_confidence
    ):
        return {"language": said, "language_candidate": None}
    return {"language_candidate": said}


def wish_of(m: Parsed | Sentence, s: State, language: str | None = None) -> str | None:
    """The wish a request names. The classifier has no `part` or `shipping` intent: "just send the missing lid"
    reads as a request for a replacement, and a buyer who wants only the part is then sent a whole new item
    (issue 19.5); the wish phrases (data/answers/wishes.yml) tell the narrower wish apart."""
    wish = WANTS.get(m.intent)
    language = s.get("language") or language or getattr(m, "language", None)  # a Sentence carries no language
    if wish is not None and asks_what_to_do(m.text, language):
        # "do I have to send the broken one back?" asks about a duty: no return is wished for (wishes_named drops it),
        # nor the refund the classifier reads into "send back"; only a wish its phrases name counts.
        wish = None
    if (
        wish is not None
        and offers_evidence(m.text, language)
        and (wish == "return" or not wishes_in(m.text, language)[0])
    ):
        # "got pictures on my phone, where do I send them?" sends photos, not the item: no return is asked for
        # (held-out round 6, sv: the photo offer was read as a return, and a full refund offered before the new jars).
        # Nor any other wish the wish phrases do not name: "te mando foto de lo que venia" read as a replacement
        # request, and a buyer missing four wall stops was offered a whole new gate (held-out round 7, es).
        wish = None
    if wish is not None and wish in declined_wishes(m.text, language):
        # "I'd rather have the right size than the money" names the money only to turn it down: the classifier read
        # it as a refund request (held-out round 6, sv and es), and the bot offered money to a buyer refusing it.
        wish = None
    if wish is None and WANTS.get(m.intent):
        # Read by the phrases alone then: "a new lamp rather than the money" still asks for the new lamp.
        named = wishes_named(m.text, language)[0]
        return named[0] if named else None
    named = wishes_named(m.text, language, wish)[0] if wish else []
    goods = [w for w in named if w in ("part", "replacement")]
    if wish == "discount" and goods and "discount" in named:
        # "1) a new butter dish 2) some discount for the trouble": the goods again are the remedy, money off beside
        # them is for the trouble (the policy's `combine` may add a coupon once they are agreed). Read as the
        # discount wish, it offered 30% off to a buyer who wanted the gift for her mother whole (held-out round 10).
        return goods[0]
    if wish in ("replacement", "return") and "part" in named:
        # "I don't want to send the whole pot back, the lid is enough" reads as a return request: it asks for
        # the part alone, as "just send the lid" does (held-out personas round 3).
        return "part"
    if wish == "return" and "replacement" in named:
        # "I'd like the grey one, as ordered, and take the beige one back" reads as a return request: the shop collects
        # a wrong or faulty item for free when it sends the right one (damaged-or-wrong-items.md), so the pickup is part
        # of the goods sent again. Read as a return, a pickup was offered, then a coupon, and the right shawl never
        # (held-out round 12, ru).
        return "replacement"
    if wish in ("refund", "discount") and "shipping" in named:
        # "at least the shipping cost back" reads as a refund request (or, near "voucher", a discount): it asks
        # for the shipping cost only, which a late parcel's policy allows where a full refund is refused.
        return "shipping"
    if named and wish not in named:
        # The hand-written wish phrases name one thing and the classifier's guess another: the phrases are the
        # precise reading. "can you do money off instead?" is money off (a discount), not the full refund the
        # classifier guessed, and "hochu novuyu" (Russian in Latin letters) a new item, not a refund (issue 18).
        return named[0]
    return wish


def offers_evidence(text: str, language: str | None) -> bool:
    """Does the buyer offer a photo or a video they have? "where do I send it?" beside it is about the evidence, not
    the item: "mam filmik, gdzie mam wyslac?" (a video) was read as a return and a full refund offered to a buyer
    who wanted a new lid (held-out round 7); round 6 had taught this to photos only."""
    return photo_said(text, language) == "has" or mentions_video(text, language)


def wishes_named(text: str, language: str | None, wish: str | None = None) -> tuple[list[str], bool]:
    """wishes_in, with a refund of part of the price read as the money off it is (`discount`, which a partial
    refund serves). "devolvedme una parte del dinero" was read as a refund and offered the whole 119 EUR; "zwrot
    części pieniędzy" as the part wish (a part of an item), since "część" is both (issue 19). A refund the
    classifier guessed (`wish`) counts as one named; a part wish counts only when no part of an item is named."""
    named, adds = wishes_in(text, language)
    if "return" in named and asks_what_to_do(text, language):
        # "¿debo mandar la caja de vuelta?" asks whether the buyer must send it back; it wishes for no return.
        named = [w for w in named if w != "return"]
    if not asks_part_of_price(text, language) or ("refund" in named and asks_whole_price(text, language)):
        # "part of the money? it does not work at all, a full refund": the part is named to refuse it, the whole price
        # is asked (round 9); "a full refund, no, part of it" refuses the whole one and stays money off.
        return named, adds
    money = "refund" in named or wish == "refund" or ("part" in named and part_named(text, language) is None)
    if not money:
        return named, adds
    return ["discount", *[w for w in named if w not in ("refund", "part", "discount")]], adds


_CLAUSES = re.compile(r"[,.;:!?]+")
# How sure the classifier must be that a problem's description also requests something (_wish_beside_problem).
WISH_BESIDE_PROBLEM = 0.1


def only_photo_refusal(text: str, language: str | None, bare_no: bool = False) -> bool:
    """Does the message only say there is no photo ("no photo, sorry", "Foto hab ich keins")? Each clause either
    speaks of the photo, negated, or holds no "no" of its own: "nein, und die Fotos hab ich keine" also says no.
    With `bare_no` (the photo question is still unanswered), a clause that is only "no" answers it too: "nej,
    inga bilder" said after the offer answers the question asked before it."""

    def about_photo(clause: str) -> bool:
        if photo_said(clause, language) == "none" or yes_no(clause, language) != "no":
            return True
        return bare_no and len(clause.split()) <= 1

    if photo_said(text, language) != "none":
        return False
    return all(about_photo(c) for c in _CLAUSES.split(text) if c.strip())


def _wish_beside_problem(m: Parsed, s: State) -> str | None:
    """The wish a problem's description names in its own words (data/answers/wishes.yml), when the classifier
    also hears a request in it (a wish intent at 0.1 or more), it turns none down and asks no how/when/how long.
    The phrases alone are not enough: Swedish "frakt" names the shipping wish in "58,95 totalt med frakt", a
    description of a hidden cost (held-out round 5 then skipped "what would be fair?" and went to staff)."""
    if not any(intent in WANTS and p >= WISH_BESIDE_PROBLEM for intent, p in getattr(m, "ranking", ())):
        return None
    return _wish_asked(m.text, s.get("language") or m.language)


def _wish_asked(text: str, language: str | None) -> str | None:
    """The first wish the phrases name in `text`, when it turns none down and asks no how/when/how long ("how long
    does a refund take?" names no wish of the buyer's): a wish said beside something else the message is read as."""
    if asks_for_information(text, language) or declined_wishes(text, language):
        return None
    named = wishes_named(text, language)[0]
    return named[0] if named else None


def sentence_wish(m: Parsed, s: State, p: ConversationPolicy) -> str | None:
    """A wish one sentence asks for, in a message that reads whole as something else: "the shade came cracked, I
    paid 60 euros. can I just get a new shade or something?" reads whole as a description, and the bot calmed the
    buyer, then asked "what would be fair?" as if they had not said (found walking through the demo)."""
    language = s.get("language") or m.language
    photo = offers_evidence(m.text, language)
    for x in reversed(sentences(m)):
        if photo and not wishes_in(x.text, language)[0]:
            # "got pics, where do I send them?": the question beside a photo offer is about the photo (held-out
            # round 6); it asks for an outcome only in a wish's own words. So is "I can send them here" without one
            # ("Mohu je poslat sem."): read as request_replacement, it replaced the refund the buyer's letter had
            # asked for, and a new item was offered (held-out round 11).
            continue
        # An unsure request counts when the wish phrases name a wish in it too ("czy moge po prostu dostac zwrot
        # pieniedzy?" is request_refund at 0.44).
        if x.intent in WANTS and (x.confidence >= p.handoff.min_confidence or wishes_in(x.text, language)[0]):
            return _in_context(wish_of(x, s, language), x.text, m.text, language)
        # A request put as a question ("czy moge po prostu dostac zwrot pieniedzy?", can I just get my money
        # back?) may read as ask_policy; the wish phrases name it and it asks no how/when/how long: a wish, not a
        # question for information ("how long does a refund take?" stays a question).
        if x.intent == "ask_policy" and (asked := _wish_asked(x.text, language)):
            return asked
        # The wish closing a formal letter ("Прошу замінити саме заварник", "Ich erwarte Ersatz durch eine neue
        # Leuchte") reads as a description at 0.2; its request word and the wish phrases say it, and it was asked "what
        # would be fair?" again (held-out round 11). A question keeps its reading ("could you tell me how long ...?").
        if asks_in_words(x.text, language) and "?" not in x.text and (asked := _wish_asked(x.text, language)):
            return _in_context(asked, x.text, m.text, language)
    return None


def _in_context(wish: str | None, sentence: str, text: str, language: str | None) -> str | None:
    """A sentence's wish as the whole message leaves it: one the message takes back ("cambiarla... no, mejor no,
    prefiero un descuento": a change of mind, a "rather than", a preference stated after it) is not the wish; the one
    the message's phrases name is. Read alone, "cambiarla..." offered the replacement the buyer had just dropped
    (round 8)."""
    if wish is None or not (wish in wishes_in(sentence, language)[0] or states_preference(text, language)):
        return wish
    whole = wishes_named(text, language)[0]
    return wish if not whole or wish in whole else whole[0]


def _tells_photo(sentence: str, language: str | None) -> bool:
    """A sentence that says the buyer has a photo, not one that asks about one ("do you need a photo?")."""
    return "?" not in sentence and photo_said(sentence, language) == "has"


def _asks_about_offer(s: State, m: Parsed, r: RemedyPolicy) -> bool:
    """A question for information about the offer on the table, with no yes, no refusal and no other wish in it:
    "ok, and when would it arrive?" says yes; "how long is the voucher valid?" only asks. A question about what the
    buyer has to do ("do I report it to the carrier too?") is one as well: read as an answer to the offer, it was
    asked to be rephrased, and the acknowledgement of the next answer handed the case to staff (held-out round 7)."""
    language = s.get("language") or m.language
    offered = (s.get("proposed_remedy") or {}).get("type", "")
    term = term_slot(m.text, language, offered)
    question = asks_for_information(m.text, language) or asks_what_to_do(m.text, language) or term is not None
    if not question or yes_no(m.text, language) is not None:
        return False
    serves = _serves(r, offered)
    named, _also = wishes_in(m.text, language)
    if term is not None and term["kind"] == "send_back":
        # "tengo que devolver las rotas?" names the way back as a question about the offer, not a wish for a return:
        # read as one, it was a counter-wish to the replacement, then a clarify, then staff (round 12, es).
        named = [w for w in named if w != "return"]
    return all(w in serves for w in named) and not declined_wishes(m.text, language)


def _answers_review_question(s: State, m: Parsed, p: ConversationPolicy) -> bool:
    """Whether a message the classifier reads as a policy question answers the review question instead: it says
    what the buyer will do with the review and asks nothing, or it is no confident question at all."""
    said = revision_answer(m.text, s.get("language") or m.language)
    return (said is not None and "?" not in m.text) or not asks(m, p)


def sentences(m: Parsed) -> tuple[Any, ...]:
    """The message's sentences, each read alone, when it has several (bot.understanding.nlu.ParseResult);
    a test's stand-in for a parse may have none."""
    return tuple(getattr(m, "sentences", ()))


def question_of(m: Parsed, p: ConversationPolicy) -> str | None:
    """The sentence of a multi-sentence message that asks the shop a question: a question mark and a confident
    ask_policy reading of that sentence alone. None for a message of one sentence (it is its own question)."""
    parts = sentences(m)
    found = [
        x.text
        for x in parts
        if x.intent == "ask_policy"
        and x.confidence >= p.handoff.min_confidence
        and ("?" in x.text or (x is parts[-1] and x.confidence >= UNMARKED_QUESTION_CONFIDENCE))
        and not requests_a_wish(x.text, m.language)  # "... duhet kthyer." asks for the refund (held-out round 11)
    ]
    return found[-1] if found else None


def tells_problem(m: Parsed) -> bool:
    """Does the message describe a problem, whatever it reads as whole: a problem word, or a sentence that
    reads as a description on its own ("The jug is cracked, | how long ...?")."""
    return bool(m.problems) or any(
        # A question is no description, whatever it reads as: "Is a sticking zip included?" asks, it does not tell.
        x.intent == "describe_problem" and "?" not in x.text and _words(x.text) >= 3
        for x in sentences(m)
    )


def tells_story(m: Parsed) -> bool:
    """Does a message with no question mark tell what happened: a problem (tells_problem), or a sentence of its own
    that vents about it ("they told me I was hysterical")? Said to the first contact, it is the buyer's account."""
    if "?" in m.text:
        return False
    return tells_problem(m) or any(x.intent == "vent" and _words(x.text) >= 3 for x in sentences(m))


def _words(text: str) -> int:
    """Words of two letters or more: a fragment such as "(order 1)" says no problem, whatever it reads as."""
    return sum(1 for w in text.split() if sum(ch.isalpha() for ch in w) >= 2)


def side_request(m: Parsed, language: str | None, serves: Sequence[str] = ()) -> str | None:
    """What a message asks beside its yes: a sentence that is neither a yes nor a thanks nor a greeting, in
    a message whose first sentence says yes ("Yes please, | and could the courier ring the bell?"). `serves`: the
    wishes the accepted offer serves; a sentence asking only for one of them restates the offer."""
    parts = sentences(m)
    if len(parts) < 2 or yes_no(parts[0].text, language) != "yes":
        return None
    # A letter's closing and signature ("Distinti saluti / Lorenzo Bassi", "S pozdravem / Ing. J. Kučera") ask nothing:
    # read as a request, they were passed to the team as "your other request" (held-out round 9).
    rest = [
        x
        for x in parts[1:]
        if x.intent not in ("affirm", "thank", "greet", "goodbye")
        and not signs_off(x.text, language)
        and not only_courtesy(x.text, language)  # "sorry again for how I started", "my daughter will be glad"
        # "oubliez le code promo" drops a wish and asks nothing (round 10: passed on as "your other request")
        and not (declined_wishes(x.text, language) and not wishes_named(x.text, language)[0])
        # "will that show on paypal?" asks for information, answered after the confirmation (round 11)
        and not asks_terms(x.text, language)
        and not _restates_offer(x, language, serves)
    ]
    return rest[0].text[:300] if rest else None


def _restates_offer(x: Sentence, language: str | None, serves: Sequence[str]) -> bool:
    """The sentence after the yes asks only for what the accepted offer gives ("ok fine. send the screws then",
    "vale. devolvedme el envio"). Passed on as "your other request is with the team too", it told four buyers
    of round 16 (de/es/cs) that a second wish had been noted where they had asked for none."""
    named = wishes_named(x.text, language)[0] or [w for w in [WANTS.get(x.intent)] if w]
    return bool(named) and set(named) <= set(serves)


def asks(m: Parsed, p: ConversationPolicy) -> bool:
    """A policy question the bot answers: the classifier is sure, or the buyer wrote a question mark. A short
    answer it reads as ask_policy without one ("die gusseiserne Pfanne" after "which item?") is not."""
    return m.intent == "ask_policy" and (m.confidence >= p.handoff.min_confidence or "?" in m.text)


# The stages before an offer, where an unsure question is answered: later, "where is it?" to the follow-up is the
# answer that the remedy failed (answer_follow_up), not a question for the documents.
UNSURE_QUESTION_STAGES = CALMING | {Stage.OPENED, Stage.GATHERING}
# Readings that are never a question to answer from the documents, however unsure: they have their own handling.
_NOT_QUESTIONS = frozenset({"ask_policy", "ask_human", "opt_out", "insult"})


def unsure_question(m: Parsed, p: ConversationPolicy, language: str | None = None) -> bool:
    """A question the classifier could not place, but whose words ask how long, when, how much or where, with a
    question mark (data/answers/questions.yml): a question about the return window, read as a return request at
    0.27, was met with "tell me more about what happened" (held-out personas, round 5). Only an
    unsure reading: a sure vent ("why does this always happen to me?") is calmed, not quoted the policy."""
    if m.intent in _NOT_QUESTIONS:
        return False
    if photo_said(m.text, language or m.language) == "has":
        # "I took pictures when I opened it, want them?" offers photos ("when" and "?" made it look like a
        # question): it answers the evidence the bot gathers, and the photo path tells the buyer to send them.
        return False
    # A question the buyer announces as one ("quick question, ... ?") is one, however sure the other reading: "juste
    # une question, ... ?" read as a vent (0.54) was taken for the answer to "what would be fair?" (round 5).
    if announces_question(m.text, m.language) or asks_what_to_do(m.text, m.language):
        return True
    return m.confidence < p.handoff.min_confidence and asks_for_information(m.text, m.language)


def entity_values(m: Parsed) -> dict[str, str]:
    return {e.entity: e.value for e in getattr(m, "entities", [])}


def handoff_reason(s: State, m: Parsed, p: ConversationPolicy, slots: dict[str, Any]) -> str | None:
    if (
        m.intent == "ask_human"
        and m.confidence >= p.handoff.min_confidence
        and not _answers_without_a_person(s, m, slots)
    ):
        # An unsure reading is no request: "ok, well at least someone answered" (ask_human 0.28) was handed to
        # staff (bench/buyers.py). It is read as not understood instead, and the clarify reply offers a person.
        return "buyer_asked"
    if m.risks:
        return "legal_or_safety"
    if slots.get("insults", 0) >= p.handoff.insults:
        return "insults"
    if slots["not_understood"] >= p.handoff.not_understood:
        return "not_understood"
    used = s.get("deescalation_turns", 0)
    if s.stage in CALMING and used >= p.deescalation.max_turns and m.anger >= p.deescalation.handoff_anger:
        return "anger"
    return None


def _answers_without_a_person(s: State, m: Parsed, slots: dict[str, Any]) -> bool:
    """A message that answers the detail the bot asked for (a photo, the item, the date) and names nobody to talk
    to: no request for a person, whatever the classifier guessed. Held-out round 5: "mayu foto z rozpakuvannya"
    (I have a photo of the unboxing) answered "do you have a photo?" and was handed to staff as ask_human."""
    language = s.get("language") or m.language
    if s.stage == Stage.REVISION_ASKED and revision_answer(m.text, language):
        # "I'll think about the review a bit more" answers the review question: read as ask_human (0.58, uk), an agreed
        # and delivered case went to staff as buyer_asked at its very end (held-out round 14).
        return not names_person(m.text, language)
    wanted = s.get("requested_slot")
    if wanted not in ("item", "evidence", "when") or not slots.get(wanted):
        return False
    return not names_person(m.text, language)


def handoff(reason: str, stage: Stage, slots: dict[str, Any], **more: Any) -> Plan:
    """Rule 9: a person takes over; the bot stops until staff hand the case back. The handoff message says
    when a person will answer (the engine estimates it from the staff hours: `staff_eta`)."""
    # `unpriced` says why a money remedy could not be priced (propose); any other handoff clears it from the card.
    slots = {**slots, "handoff_reason": reason, "resume_stage": stage.value, "joined_by": None, "unpriced": None}
    slots.update(more)
    return Plan(["action_handoff"], Stage.AWAITING_STAFF, slots, handoff=reason, reason=f"handoff:{reason}")


def while_waiting(s: State, p: ConversationPolicy, slots: dict[str, Any]) -> Plan:
    """A message written while the case is with staff: a short answer if nobody has joined yet and the buyer
    has not been told within `waiting.repeat_after`; otherwise silence (the message is relayed to staff)."""
    told = s.get("waiting_told_at")
    recently = s.now is not None and told and s.now - datetime.fromisoformat(told) < p.waiting.repeat_after
    if s.get("joined_by") or s.now is None or recently:
        return Plan([], s.stage, slots, reason="with_staff")
    return Plan(["action_waiting"], s.stage, slots, reason="waiting_answered")


# ── stage by stage ──────────────────────────────────────────────────────────────────────────────


def calm_then_gather(s: State, m: Parsed, p: ConversationPolicy, r: RemedyPolicy, slots: dict[str, Any]) -> Plan:
    """Rule 3: an upset buyer is calmed before any question about facts."""
    used = s.get("deescalation_turns", 0)
    allowed = p.deescalation.max_turns if m.level == "angry" else p.deescalation.upset_turns
    language = s.get("language") or m.language
    if s.stage == Stage.DEESCALATING and used and (lets_go_on(m.text, language) or asks_what_next(m.text, language)):
        # Calmed once, the buyer asks to move on ("assez d'excuses, on avance ?", "enough with the sympathy lines, what
        # will you do?"): another apology answers what they just refused (held-out round 10). On to the facts.
        slots["not_understood"] = s.get("not_understood", 0)
        return gather(s, p, r, slots, first=True)
    if m.level in ("upset", "angry") and used < allowed:
        slots["deescalation_turns"] = used + 1
        return Plan(["action_deescalate"], Stage.DEESCALATING, slots, reason="calm_first")
    if m.intent in ("not_understood", "out_of_scope") or m.confidence < p.handoff.min_confidence:
        if s.stage in CALMING and s.get("what") and m.intent not in ("out_of_scope", "ask_human"):
            # The review already says what happened, and the buyer is answering the calming words ("thanks,
            # it's just frustrating for the price"): the bot moves on to what it still needs instead of asking
            # them to rephrase a remark (issue 18: "not understood" for clear messages).
            slots["not_understood"] = s.get("not_understood", 0)
            # Only words are thanked for: "🤷" or "..." explain nothing ("thanks for explaining" read as mockery).
            return gather(s, p, r, slots, first=any(ch.isalpha() for ch in m.text))
        if s.stage in CALMING and lets_go_on(m.text, s.get("language") or m.language):
            # "It's not your fault", "so what now?": whatever the classifier made of it (ask_human 0.35,
            # out_of_scope 0.62), the buyer lets the bot go on, and asking them to rephrase it was the wrong
            # answer (held-out personas, round 5). The bot moves on to what it still needs to know.
            slots["not_understood"] = s.get("not_understood", 0)
            return gather(s, p, r, slots, first=True)
        if m.problems and not asks_for_person(m.text, s.get("language") or m.language):
            # A message that names what went wrong explains itself, whatever intent the classifier half-guessed:
            # "er kundtjänst skrattade åt mig när jag ringde" (ask_human 0.44) was asked to be rephrased (held-out
            # round 10). A request for a person said in words was taken up before this (on_buyer_message).
            slots["not_understood"] = s.get("not_understood", 0)
            return gather(s, p, r, slots, first=True)
        return Plan(["action_clarify"], s.stage, slots, reason="not_understood")
    return gather(s, p, r, slots, first=True)


def gather(
    s: State, p: ConversationPolicy, r: RemedyPolicy, slots: dict[str, Any], first: bool = False, miss: bool = True
) -> Plan:
    """Rule 6: what happened, which item, when, evidence, and what outcome would be fair."""
    merged = {**s.slots, **slots}
    missing = next_slot(merged, p, s.facts.topic)
    if missing is not None:
        asked = merged.get("asked", [])
        # The same detail still missing after the buyer answered its question: a miss. Rule 9 (the bot fails
        # to understand twice in a row) hands over rather than asking "which item?" again and again (issue 18;
        # bench/buyers.py saw eleven repeats of one question in one conversation).
        misses = merged.get("slot_misses", 0) + miss if missing == s.get("requested_slot") else 0
        other = slots.get("order_ref")
        if missing == "item" and merged.get("item_not_ordered_told") and other and other != merged.get("order_id"):
            # Told the item is not in this order, the buyer sends another order's number: the bot reads only the
            # case's own order, so a person looks that one up (handoff.other_order says so; issue 21).
            return handoff("other_order", Stage.GATHERING, {**slots, "slot_misses": 0})
        if misses >= p.handoff.not_understood:
            return handoff("not_understood", Stage.GATHERING, {**slots, "slot_misses": 0})
        slots["slot_misses"] = misses
        slots.update(requested_slot=missing, asked=sorted(set(asked) | {missing}))
        acknowledged = first or slots.get("photo_offered") or slots.get("photo_why")
        actions = ["action_acknowledge", "action_ask_details"] if acknowledged else ["action_ask_details"]
        return Plan(actions, Stage.GATHERING, slots, reason=f"ask:{missing}")
    slots["requested_slot"] = None
    plan = propose(State(s.stage, merged, s.facts), r, slots)
    if (slots.get("photo_offered") or slots.get("photo_why")) and plan.actions[:1] != ["action_acknowledge"]:
        return replace(plan, actions=["action_acknowledge", *plan.actions])
    return plan


def asks_why_only(text: str, language: str | None) -> bool:
    """The buyer asks why a photo and, beside it, neither offers one nor says yes ("why a photo? ok, I took one of the
    box" offers it: told to send it here, as any offer is)."""
    if not asks_why_photo(text, language):
        return False
    rest = without_why_photo(text, language)
    return not (
        photo_said(rest, language) == "has" or yes_no(rest, language) == "yes" or mentions_video(rest, language)
    )


def next_slot(slots: dict[str, Any], p: ConversationPolicy, topic: str = "other") -> str | None:
    asked = set(slots.get("asked", []))
    for name in p.gathering.order:
        if filled(slots, name):
            continue
        if name == "item" and topic in p.gathering.item_not_needed_for:
            continue
        if name in p.gathering.required:
            return name
        if name in asked:
            continue  # optional slots are asked once, never pressed
        if name == "evidence" and not set(slots.get("problems", [])) & set(p.gathering.evidence_for):
            continue
        return name
    return None


def filled(slots: dict[str, Any], name: str) -> bool:
    if name == "outcome":
        return bool(slots.get("wants") or slots.get("outcome_text"))
    return bool(slots.get(name))


def allowed_options(s: State, r: RemedyPolicy) -> list[RemedyOption]:
    """What the policy allows for this case, best first, minus what the buyer already declined."""
    declined = set(s.get("declined", []))
    options = [o for o in options_for(r, remedy_facts(s)) if o.type not in declined]
    if s.get("part") and "missing_item" in s.get("problems", []) and s.get("wants") in (None, "part"):
        # A part of an item is missing and the buyer named it ("the pegs were not in the bag"): the part sent on
        # its own comes first where the policy allows it, before a reship of the whole order (issue 19.5).
        options.sort(key=lambda o: o.type != "send_part")
    if s.get("part_of_price") and s.get("wants") == "discount":
        options.sort(key=lambda o: o.type != "refund_partial")  # money back, before a coupon (absorb)
    first_offer = not s.get("proposed_remedy") and not s.get("declined")
    if first_offer and s.get("wants") == "refund" and not any("refund" in _serves(r, o.type) for o in options):
        # No money back is allowed (a wrong item is sent again): the first offer is the free pickup of the item,
        # before the goods again, since returning it is the buyer's way to their money (the return right). "I'd
        # rather have a refund, I'll send it back" was refused the refund and offered the right size first (held-out
        # round 7, it). Once something was offered, the policy's order stands, and what was turned down with it.
        options.sort(key=lambda o: o.type != "return_pickup")
    return options


def propose(s: State, r: RemedyPolicy, slots: dict[str, Any]) -> Plan:
    """Rule 7: offer what the shop's policy allows, best first; above the bot's authority, ask staff."""
    options = allowed_options(s, r)
    nothing = not options or (options[0].type == "apology_only" and s.get("wants") not in (None, "apology"))
    if nothing and not s.get("problems") and not s.get("problem_asked"):
        # No remedy rule applies because no problem was recognised yet ("I ordered an L and the label says M"):
        # ask once what went wrong, in the buyer's words, before handing a remedy the policy allows to staff.
        slots.update(requested_slot="what", problem_asked=True)
        return Plan(["action_ask_details"], Stage.GATHERING, slots, reason="ask:problem")
    slots["offer_restated"] = None  # a new offer may be told again once ("what next?")
    slots["position_asked"] = None  # and asked plainly once after a choice said by its place ("2")
    exhausted = not options or (options[0].type == "apology_only" and s.get("wants") not in (None, "apology"))
    if exhausted and s.get("declined") and not s.get("last_offer"):
        again = last_offer(s, r, slots)
        if again is not None:
            return again
    if not options:
        return handoff("no_acceptable_remedy", Stage.PROPOSING, slots)
    best = options[0]
    if best.type == "apology_only" and s.get("wants") not in (None, "apology"):
        # Policy allows nothing of what they asked for: a person decides, rather than a bare apology.
        return handoff("no_acceptable_remedy", Stage.PROPOSING, slots)
    wants = s.get("wants")
    if wants not in (None, "apology") and not meets(r, best.type, wants):
        gap = unpriced(r, remedy_facts(s), wants)
        if gap is not None:
            # The policy allows the money the buyer asks for, but it cannot be priced here: no rate for the order's
            # currency, or no price for what is at stake. Offering another remedy in its place would swap the wish
            # in silence, and no amount may be guessed: a person decides, told why on the card (issue 19, bad input).
            return handoff("no_acceptable_remedy", Stage.PROPOSING, slots, unpriced=gap)
    asked = s.get("amount_asked")
    own = within_authority(r, remedy_facts(s), best) if s.get("approved_remedy") != best.type else None
    if own is not None and (asked or asked_for(s, r, best.type)):
        return offer_within_authority(s, slots, best, own, Decimal(asked) if asked else None)
    if best.needs_approval and s.get("approved_remedy") != best.type and asked_for(s, r, best.type):
        # An earlier offer the buyer turned down is withdrawn: the handoff message names the remedy it offers
        # (actions/base.py reads the offer before the pending one), and it named the declined replacement while
        # the team was asked to approve a refund (the demo's Swedish lamp case).
        pending = remedy_slot(s, best)
        return handoff("approval_needed", Stage.PROPOSING, slots, pending_remedy=pending, proposed_remedy=None)
    # A remedy that needs a person's approval but that the buyer never asked for is offered first, and staff are
    # asked only once the buyer accepts it (answer_proposal). Handing it to staff at once told a French buyer who
    # had asked only to stop being written to that a colleague must approve "the replacement" (bench/buyers.py,
    # fr-arretez): the answer to "which remedy would be fair?" named none, and the policy's first option went
    # straight to approval.
    slots["proposed_remedy"], sized_note = haggle.sized(remedy_slot(s, best), Decimal(asked) if asked else None)
    # Issue 19.3: a wish the policy does not allow is not swapped for the nearest allowed remedy in silence. One
    # sentence says why (from the rule that would allow it), once per wish; the offer is that nearest remedy.
    why = None
    if wants not in (None, "apology") and s.get("why_told") != wants and not meets(r, best.type, wants):
        why = why_not(r, remedy_facts(s), wants)
    slots["why_not"] = why or plainly(slots, sized_note)
    if why is not None:
        slots["why_told"] = wants
    return Plan(["action_propose_remedy"], Stage.PROPOSING, slots, reason=f"propose:{best.type}")


def offer_within_authority(
    s: State, slots: dict[str, Any], best: RemedyOption, own: RemedyOption, asked: Decimal | None
) -> Plan:
    """A partial refund or a coupon the buyer asks for above the bot's authority (issue 19 item 2): an amount within
    it is offered as asked, with no approval; a larger one (or the policy's most, when no amount was named) first
    gets the most the bot may grant alone, told that more needs a colleague (why_not `authority`), and goes to a
    person only if the buyer turns that down and keeps the larger ask (answer_proposal: keeps_larger_ask). On
    main it went straight to approval, and the buyer waited for staff for what the bot could have given."""
    full = remedy_slot(s, best)
    if asked is not None and asked <= own.amount:
        slots["proposed_remedy"], sized_note = haggle.sized(remedy_slot(s, own), asked)
        slots["why_not"] = plainly(slots, sized_note)
        return Plan(["action_propose_remedy"], Stage.PROPOSING, slots, reason=f"propose:{own.type}")
    if s.get("authority_offered"):
        # Offered once and turned down; the larger ask stands: a person decides on it now.
        pending = {**haggle.sized(full, asked)[0], "accepted": True}
        return handoff("approval_needed", Stage.PROPOSING, slots, pending_remedy=pending, proposed_remedy=None)
    offer = remedy_slot(s, own)
    slots.update(proposed_remedy=offer, why_not=haggle.note("authority", offer), authority_offered=full)
    return Plan(["action_propose_remedy"], Stage.PROPOSING, slots, reason="propose:within_authority")


def plainly(slots: dict[str, Any], note: dict[str, Any] | None) -> dict[str, Any] | None:
    """The sentence before an offer sized to the amount the buyer named: when they named two as alternatives ("20
    or 30 EUR?") it says that the amount offered is the one of them the bot can give (why_not `either`), rather than
    "you asked for 20". Any other note is kept."""
    if note is not None and note.get("kind") == "asked" and slots.get("amount_either"):
        return {**note, "kind": "either"}
    return note


def last_offer(s: State, r: RemedyPolicy, slots: dict[str, Any]) -> Plan | None:
    """Every remedy the policy allows was declined, and what the buyer wants (money off, by default) is not among
    them: a person would offer the best one once more, saying why the rest is not possible, before calling a
    colleague (issue 19 item 1). On main the case went to staff at once. Once only (`last_offer`): declined again,
    propose hands it over. None when there is nothing to offer again, or the wish is allowed and was declined too
    (the sentence would not be true), and staff decide as before."""
    allowed = [o for o in options_for(r, remedy_facts(s)) if o.type != "apology_only"]
    wants = s.get("wants")
    wish = wants if wants not in (None, "apology") else "discount"
    if not allowed or any(meets(r, o.type, wish) for o in allowed):
        return None
    best = allowed[0]
    reason = why_not(r, remedy_facts(s), wish) or {}  # the remedy named as `case` names it, for one voice
    slots.update(
        proposed_remedy=remedy_slot(s, best),
        why_not={
            "kind": "last",
            "remedy": reason.get("remedy") or _named_remedy(r, wish),
            "amount": "",
            "currency": None,
        },
        last_offer=best.type,
    )
    return Plan(["action_propose_remedy"], Stage.PROPOSING, slots, reason=f"last_offer:{best.type}")


def goes_ahead_with_refund(text: str, language: str | None) -> bool:
    """A plain yes that tells the shop to go ahead and pay ("fair enough, but fine, refund it", "no dobra,
    zwracajcie"): the refund named is the money on the table, not the whole price asked instead. The whole price is
    asked in words ("all of it"), as a preference ("I'd rather have my money back") or with a request word ("but I
    want a refund"); read as that, a grudging yes to the difference overcharged was taken for a counter, the partial
    refund offered again and the case handed to staff (held-out round 16, fr)."""
    # The request word must stand in the clause that names the money: "it should have been done without my asking (sans
    # que je demande), but fine, refund it" asks for nothing more.
    clauses = [c for c in _CLAUSE.split(text) if wishes_named(c, language)[0]]
    return (
        yes_no(text, language) == "yes"
        and not any(asks_in_words(c, language) for c in clauses)
        and not asks_whole_price(text, language)
        and not states_preference(text, language)
    )


_CLAUSE = re.compile(r"[,.;:!?\n]+")


def answer_proposal(s: State, m: Parsed, p: ConversationPolicy, r: RemedyPolicy, slots: dict[str, Any]) -> Plan:
    proposed = s.get("proposed_remedy") or {}
    serves = _serves(r, proposed.get("type", ""))
    slots["offer_misses"] = 0  # an answer placed below; the last branch counts one it could not place
    # The answer is read against the offer: a wish named in it that the offer does not serve ("ok, but I'd
    # rather have my money back") is not a yes, whatever the intent says (issue 19: a buyer who changed
    # their mind to a refund was told "all set, the order will be sent again"). A wish added on top ("the
    # replacement is fine, but could you add a voucher?") keeps the offer and is noted for the team.
    language = s.get("language") or m.language
    rest = taken_back(m.text, language)
    if rest is not None and is_dataclass(m):
        # "ok, go ahead. actually no, wait: the money instead?" takes its yes back: what follows is the answer, read
        # alone (held-out round 13, fr: the yes before "ah non en fait" confirmed the partial refund turned away from).
        m = replace(m, text=rest, intent="affirm" if yes_no(rest, language) == "yes" else "deny", sentences=())
    named, adds = wishes_named(m.text, language)
    # "Nummer 1, en ny tallrik" said to the offer of one plate sent on its own: a new one of the very part on the table
    # is that part, not a whole new set. Read as the replacement wish, it withdrew the part the buyer had just taken,
    # and the whole set was offered instead (held-out round 13, sv).
    new_part = proposed.get("type") == "send_part" and "replacement" in named
    new_part = new_part and _names_part(m.text, proposed.get("part") or s.get("part"))
    if new_part:
        named = list(dict.fromkeys("part" if w == "replacement" else w for w in named))
    photo_pending = "evidence" in s.get("asked", []) and not s.get("evidence")
    if not named and only_photo_refusal(m.text, language, bare_no=photo_pending):
        # "nie mam zdjecia" (I have no photo) answers the photo question asked before the offer, and says nothing
        # of the offer: its "nie" declined the part offered and a reship of the whole order was confirmed.
        slots["evidence"], slots["offer_plain"] = "no", True
        return Plan(["action_propose_remedy"], Stage.PROPOSING, slots, reason="offer_asked_again")
    if not named and "?" in m.text and yes_no(m.text, language) is None and photo_said(m.text, language) == "has":
        # "can I send photos here?" asked while an offer waits: yes, here (acknowledge.photo_offered), then the offer's
        # question plainly; read as an answer it got a clarify, and the rephrase went to staff (held-out round 15, es;
        # written by d15). The case card says a photo is coming (a15).
        slots["photo_offered"], slots["offer_plain"] = True, True
        slots["evidence"] = s.get("evidence") or "yes"
        return Plan(["action_acknowledge", "action_propose_remedy"], Stage.PROPOSING, slots, reason="photo_question")
    # A choice said by its place ("pervyi variant, da", "2", "opcja druga"): the bot offers one remedy per message, so
    # a place beside a plain yes is a yes to the offer on the table, and a place alone gets the offer's question asked
    # plainly, once (held-out round 13: "pervyi variant, da" got "please put it another way", then the buyer's next
    # question went to staff as not understood). A place inside other words is left to the readers below.
    picked = False
    if not named and yes_no(m.text, language) != "no":
        beside_place = position_rest(m.text, language)
        if beside_place is not None and yes_no(beside_place, language) == "yes":
            picked = True
        elif beside_place == "" and not s.get("position_asked"):
            slots["offer_plain"], slots["position_asked"] = True, True
            return Plan(["action_propose_remedy"], Stage.PROPOSING, slots, reason="offer_asked_again")
        if asks_what_next(m.text, language) and not s.get("offer_restated"):
            # "aha, dobře. a co dál?" (ok, what next?) after a question answered while the offer waited: the buyer
            # lost the offer, and is told it again, once (read as a greeting, it got "please rephrase"; issue 18).
            slots["offer_restated"] = True
            return Plan(["action_propose_remedy"], Stage.PROPOSING, slots, reason="offer_restated")
        if asks_what_next(m.text, language):
            # Asked again once the offer was told again: its "jasně" / "ok" ("jasne. ale zpatky k tomu mymu
            # problemu...") accepts nothing, and a replacement the buyer never wanted was confirmed on it (held-out
            # round 11). The offer's question is asked plainly instead.
            slots["offer_plain"] = True
            return Plan(["action_propose_remedy"], Stage.PROPOSING, slots, reason="offer_asked_again")
        if only_understood(m.text, language):
            # "jasně, rozumím" (sure, I understand) acknowledges; it accepts nothing. It was recorded as accepting a
            # reship: the offer's question is asked again plainly instead (messages: offer_question).
            slots["offer_plain"] = True
            return Plan(["action_propose_remedy"], Stage.PROPOSING, slots, reason="offer_asked_again")
    if (
        proposed.get("type") == "refund_partial"
        and not asks_part_of_price(m.text, language)
        and not goes_ahead_with_refund(m.text, language)
    ):
        # "I'd rather have my money back" wants the whole price: a partial refund does not meet it (issue 19: the
        # ru kettle buyer was recorded as accepting the 30% they had just turned down).
        serves = [w for w in serves if w != "refund"]
    if proposed.get("type") == "refund_partial" and asks_whole_price(m.text, language):
        # "30% is a joke after all I've bought here, I want all of it" names the share on the table to refuse it and
        # asks the whole price: neither the share (read as the discount wish) nor "money back" meets it. The share's
        # discount confirmed the partial refund the buyer had just laughed off (held-out round 15, pl).
        named = list(dict.fromkeys(["refund", *(w for w in named if w != "discount")]))
        serves = [w for w in serves if w not in ("refund", "discount")]
    if proposed.get("type") == "coupon" and asks_part_of_price(m.text, language):
        # "a partial refund would be better" asks for part of the money back on this order, which a coupon for the
        # next one is not: read as the discount wish a coupon serves, it confirmed the coupon (held-out round 8).
        serves = [w for w in serves if w != "discount"]
    other = [w for w in named if w not in serves]
    if (
        proposed.get("type") == "refund_full"
        and asks_part_of_price(m.text, language)
        and not asks_whole_price(m.text, language)
        and "discount" not in declined_wishes(m.text, language)
    ):
        # "ok, the one where I keep the knife and get part of the money" to a full refund: a part of the price, the
        # item kept, is what a partial refund gives (it serves the discount wish), not the whole price back against
        # the item. Taken as a yes, the full refund was confirmed (held-out round 13, uk).
        other = ["discount"]
    if (
        proposed.get("type") in ("replacement", "reship")
        and yes_no(m.text, language) == "yes"
        and not states_preference(m.text, language)  # "ok, but I'd rather send it back" changes the mind
    ):
        # "ok, but only if you collect the old one": a yes on a condition the goods sent again already meet (the shop
        # collects a faulty or wrong item for free, damaged-or-wrong-items.md), so a pickup asked for beside a yes is
        # part of the offer, not another wish. Read as a return wish, it offered a pickup instead of the new item the
        # buyer had just accepted, and the pickup alone was agreed (held-out round 9, de and pl).
        other = [w for w in other if w != "return"]
    turned_down_said = declined_wishes(m.text, language)
    refused = [w for w in turned_down_said if w in serves]
    if proposed.get("type") in ("refund_full", "refund_partial", "refund_shipping"):
        # "ok, but on my card, not as a gift card" turns down a voucher, which money back is not: it had declined the
        # partial refund (which serves the discount wish too) and a replacement was offered instead (round 9).
        refused = [w for w in refused if w != "discount"]
    if s.get("authority_offered") and proposed.get("type") in haggle.ADJUSTABLE and not other:
        larger = keeps_larger_ask(s, m, slots, proposed)
        if larger is not None:
            return handoff("approval_needed", Stage.PROPOSING, slots, pending_remedy=larger, proposed_remedy=None)
    if proposed.get("type") in haggle.ADJUSTABLE and not other and not refused and not picked:
        countered = counter_offer(s, m, p, r, slots, proposed)
        if countered is not None:
            return countered
    wish = wish_of(m, s)
    if new_part and wish == "replacement":
        wish = "part"
    # A buyer who answers an offer by naming what it already gives ("yes, a replacement please") is
    # saying yes. Counting that as a decline (below) withdrew the very remedy they asked for (rule 7:
    # meet the buyer within policy).
    restates = wish is not None and bool(proposed.get("type")) and wish in serves
    # The offer asked "does that sound good?": a plain yes or no is read against it before the classifier's
    # guess, which in a language it has little data for took "sí, me vale" for not understood.
    said = yes_no(m.text, language) or ("yes" if picked or waits_for_offer(m.text, language) else None)
    intent = {"yes": "affirm", "no": "deny"}.get(said or "", m.intent)
    if refused and not set(named) & set(serves):
        # "I'd prefer X rather than a voucher" names the offer only to turn it down: the classifier reads
        # "voucher" as asking for a discount, and the coupon was confirmed (issue 19.3).
        restates = False
        # "New cups rather than the refund" turns the refund down; with a wish the flow can place ("the postage
        # rather than the voucher") it is a counter-wish, read below like "I'd prefer the postage".
        intent = "counter_wish" if other else "deny"
        if wish in serves:
            wish = None
    # A "no" that names the offer declines it: "Nein, keinen Rabatt ... ich will den vollen Betrag zurück" named
    # the discount it refused, and the partial refund was confirmed (bench/buyers.py, de-wasserkocher-defekt).
    # A thanks right after the bot answered the buyer's question thanks for the answer ("faleminderit per
    # sqarimin"), not for the offer: held-out round 5 confirmed an apology the buyer had never said yes to.
    thanks_offer = intent == "thank" and not (s.get("asked_question") and said is None)
    accepts = intent == "affirm" or thanks_offer or (restates and intent != "deny")
    # "Der Ersatz ist in Ordnung, aber könnten Sie noch einen Gutschein dazugeben?" names the offer and adds a wish
    # on top: the classifier read the voucher as the request and the replacement was dropped (issue 19, "haggling
    # breaks it"). Naming what the offer gives, with an extra added and nothing turned down, keeps the offer.
    if not accepts and adds and other and set(named) & set(serves) and not refused and intent != "deny":
        accepts = True
    # "Mir wäre das Geld lieber, wirklich" (I'd rather have the money) named no wish the patterns know, the classifier
    # read it as asking for a replacement, and the replacement the buyer had just turned down was confirmed
    # (bench/buyers.py, de-wasserkocher-defekt). A stated preference without a plain yes declines the offer, unless
    # its words name the offer ("I'd prefer the replacement").
    prefers_other = states_preference(m.text, language) and not set(named) & set(serves)
    if accepts and prefers_other and said != "yes":
        accepts, intent, restates = False, "deny", False
        if wish in serves:
            wish = None
    if other and not (accepts and adds):
        # A wish the offer does not serve, said instead of a plain yes ("I'd prefer the shipping money back"), is a
        # counter-wish whatever the classifier makes of the sentence: read as describing a problem, it sent the
        # buyer back to "what happened?" and then to staff (issue 19.3).
        accepts, wish = False, other[0]
        slots["wants"] = wish
    if accepts and other and adds:
        # "The replacement is fine, but could you add a small voucher?": the policy's `combine` says whether the
        # extra may go on top. Allowed, both are one agreed remedy; not allowed, the replacement stays and one
        # sentence says why the extra is not possible (action_confirm_remedy reads `add_on_refused`).
        extra = add_on_for(r, remedy_facts(s), proposed.get("type", ""), other[0])
        if extra is not None:
            proposed = {**proposed, "add_on": option_slot(extra)}
            slots["add_on_refused"] = None
        else:
            slots["add_on_refused"] = _named_remedy(r, other[0])
    above = proposed.get("needs_approval") or (proposed.get("add_on") or {}).get("needs_approval")
    if accepts and above and s.get("approved_remedy") != proposed.get("type"):
        # The buyer accepts an offer above the bot's authority (see propose): now a person is asked to approve it.
        # "accepted": once approved it is confirmed at once (on_staff_hand_back), not offered a second time.
        return handoff("approval_needed", Stage.PROPOSING, slots, pending_remedy={**proposed, "accepted": True})
    if accepts:
        # Rule 8: act — record the remedy and start what the policy says; then check it worked.
        slots["accepted_remedy"] = proposed
        slots.setdefault("add_on_refused", None)  # said once, with this confirmation only
        slots.setdefault("item_changed_from", None)
        noted = side_request(m, language, serves)
        if noted:
            slots["side_request"] = noted
            slots["side_requests"] = [*s.get("side_requests", []), noted][-5:]
        if other:
            slots["extra_wish"] = other[0]
        # "alright, go ahead. will that show on paypal?": answered after the confirmation, from the section that
        # answers it; noted as "your other request", it was never answered (held-out round 11).
        asked = question_beside_yes(m, language)
        if asked:
            slots["question_text"] = asked
            slots["question_term"] = term_slot(asked, language, (s.get("proposed_remedy") or {}).get("type"))
        extra = second_item_offer(s, r, slots, proposed)
        if extra is not None:
            # The order's other line with its own problem: offered in the same turn (second_item.py); a yes adds it.
            slots.update(proposed_remedy=extra, second_item_offered=extra["item"], why_not=None, offer_plain=None)
        return Plan(
            [
                "action_confirm_remedy",
                *(["action_answer_question"] if asked else []),
                *(["action_propose_remedy"] if extra is not None else []),
            ],
            Stage.RESOLVING,
            slots,
            reason="remedy_accepted",
            timers=[("follow_up", p.timers.follow_up_after)],
        )
    if intent == "deny" or wish is not None:
        # Meet them within policy: a "no" drops the offer; a wish ("I'd rather have a refund") re-ranks
        # the allowed options, and if the same offer still comes first it counts as declined.
        declined = set(s.get("declined", []))
        if wish is not None:
            # A buyer who now asks for what they turned down earlier ("actually, a replacement please")
            # has changed their mind: those options are back. Keeping them out offered a partial refund
            # to a buyer asking for the replacement the policy allows.
            # Only options that meet the wish come back: a buyer asking again for their money back, after turning
            # down a partial refund, was offered that partial refund again (bench/buyers.py, the ru kettle).
            # Nor a partial refund already turned down, when the wish is the whole price again ("part of the money?
            # it does not work at all. a full refund"): a defect's buyer was offered the same partial refund twice
            # (round 9, out of policy: a full refund for a defect is a person's call).
            whole = wish == "refund" and (
                asks_whole_price(m.text, language) or not asks_part_of_price(m.text, language)
            )
            declined = {t for t in declined if not meets(r, t, wish) or (whole and t == "refund_partial")}
        # What the buyer turns down by kind ("I'd rather not post them back": a return) is not offered next: a
        # return pickup offered to a buyer who had just said they would not post the towels back (issue 19.4).
        # The offer itself is left to the rule below ("no, but here is what I can do" keeps it once, with the reason).
        turned_down = set(turned_down_said) - {wish}
        declined |= {
            t for t, kind in r.remedies if kind.serves and set(kind.serves) <= turned_down and t != proposed.get("type")
        }
        slots["declined"] = sorted(declined)
        merged = {**s.slots, **slots}
        again = _best_type(State(s.stage, merged, s.facts), r) == proposed.get("type")
        # "No, but here is what I can do" (issue 19.3): a wish the policy does not allow, said for the first time,
        # gets its reason and the same offer again; dropping the offer left a buyer who asked for the postage of
        # a parcel 3 days late with nothing to accept, and asked what had happened.
        # Only for a wish said now: an offer made knowing the wish already carried its reason (or needed none).
        fresh = wish is not None and s.get("wants") != wish and s.get("why_told") != wish
        explain = again and fresh and not meets(r, proposed["type"], wish)
        if intent == "deny" or (again and not explain):
            slots["declined"] = sorted(declined | {proposed.get("type", "")} - {""})
        return propose(State(s.stage, {**s.slots, **slots}, s.facts), r, slots)
    # Rule 9: the bot fails to understand twice in a row. An answer to the offer it cannot place counts, even
    # when the classifier was sure of its intent ("I mean, what came is not what it should be" reads as
    # describing a problem): a Ukrainian buyer was asked to rephrase six times and never handed over
    # (issue 18, held-out personas).
    known = set(s.get("problems") or [])
    told_again = bool(m.problems) and set(m.problems) <= known
    if said is None and intent == "describe_problem" and told_again and not s.get("offer_restated"):
        # The problem the case already holds, told again to the offer ("just the delay, the sled itself is fine"),
        # typically on coming back after putting the talk off: the offer is told again, once, not "please rephrase"
        # (held-out round 15, sv: clarify, then the same words again went to staff as not understood).
        slots["offer_restated"] = True
        return Plan(["action_propose_remedy"], Stage.PROPOSING, slots, reason="offer_restated")
    misses = s.get("offer_misses", 0) + 1
    if misses >= p.handoff.not_understood:
        return handoff("not_understood", Stage.PROPOSING, {**slots, "offer_misses": 0})
    slots["offer_misses"] = misses
    return Plan(["action_clarify"], Stage.PROPOSING, slots, reason="proposal_unclear")


def keeps_larger_ask(s: State, m: Parsed, slots: dict[str, Any], proposed: dict[str, Any]) -> dict[str, Any] | None:
    """The larger partial refund a person is asked to approve, when the buyer turns down the most the bot may grant
    alone (offer_within_authority) and keeps asking for more: a "no", "a bit more?", or an amount above the offer.
    Sized to the amount they named last, within the rule's most; marked accepted, since it is what they asked for
    (once approved it is confirmed at once). None when the answer is anything else (a yes, a question, another
    wish): read as usual."""
    language = s.get("language") or m.language
    named = Decimal(slots["amount_asked"]) if slots.get("amount_asked") else None
    offered = Decimal(proposed.get("amount") or 0)
    said_no = yes_no(m.text, language) == "no" or (m.intent == "deny" and yes_no(m.text, language) != "yes")
    more = (named is not None and named > offered) or asks_for_more(m.text, language)
    if not (said_no or more) or asks_for_information(m.text, language):
        return None
    latest = named if named is not None and named > offered else None
    if latest is None and s.get("amount_asked"):
        latest = Decimal(s.get("amount_asked"))
    sized, _note = haggle.sized(s.get("authority_offered"), latest)
    return {**sized, "accepted": True}


def counter_offer(
    s: State, m: Parsed, p: ConversationPolicy, r: RemedyPolicy, slots: dict[str, Any], proposed: dict[str, Any]
) -> Plan | None:
    """A counter-offer on a partial refund or a coupon (issue 19.3, 19.5): an amount other than the one offered,
    or "a bit more?". Met within the most the bot may give on its own, or answered in one sentence that this is
    the most, the offer kept (haggle.counter). None when the message is no counter-offer."""
    asked = Decimal(slots["amount_asked"]) if slots.get("amount_asked") else None
    if asked is not None and str(asked.quantize(Decimal("0.01"))) == proposed.get("amount"):
        return None  # "yes, the 35.70 is fine" names the offer: an answer to it, read as usual
    offered = Decimal(proposed["amount"]) if proposed.get("amount") else None
    if (
        asked is not None
        and offered is not None
        and asked < offered
        and yes_no(m.text, s.get("language") or m.language) == "yes"
    ):
        # A sum below the offer said with a yes ("so about 23 euro? fine, I'll take it" to 23.70) rounds or guesses
        # the offer; nobody asks for less. Read as a counter-offer it was met: the buyer got 23.00 (round 15, cs).
        return None
    if asked is None and not asks_for_more(m.text, s.get("language") or m.language):
        return None
    option = next((o for o in options_for(r, remedy_facts(s)) if o.type == proposed.get("type")), None)
    most = remedy_slot(s, option) if option is not None and not option.needs_approval else None
    offer, said = haggle.counter(proposed, most, asked)
    said = plainly(slots, said) or said
    most_said = s.get("most_said", 0) + (said["kind"] == "most")
    # Told the offer is the most the bot can give as often as the policy allows, and still asking: a person decides.
    if said["kind"] == "most" and most_said > p.handoff.told_most:
        return handoff("no_acceptable_remedy", Stage.PROPOSING, slots)
    slots.update(proposed_remedy=offer, why_not=said, most_said=most_said, offer_misses=0)
    return Plan(["action_propose_remedy"], Stage.PROPOSING, slots, reason=f"counter_offer:{said['kind']}")


def share_asked(s: State, m: Parsed) -> Decimal | None:
    """A share of the price the buyer names ("so 40 prozent?", "un 40%?") as the sum it is of the value at stake,
    to be sized like a named sum (haggle.sized): above the rule's cap the cap is offered and the buyer told it is
    the most. Read as no sum, "40%?" was met with 30% and not a word on why (held-out round 7, de and es)."""
    share = percent_asked(m.text, s.get("language") or m.language)
    at_stake = value_at_stake(s) if share is not None else None
    if not at_stake:
        return None
    return (Decimal(at_stake) * share / 100).quantize(Decimal("0.01"))


def value_at_stake(s: State) -> Decimal | None:
    """What a sum or a share the buyer names is measured against: the named item's price, else the rule's value at
    stake for an item (CaseFacts.at_stake), else the whole order."""
    return s.facts.item_values.get(s.get("item") or "") or s.facts.at_stake("item") or s.facts.order_value


def other_item(s: State, slots: dict[str, Any]) -> str | None:
    """The order's other item a buyer names after confirming a remedy ("oh wait, it was the mug, not the plate"):
    one of the order's lines, not the one the agreed remedy is for; None otherwise."""
    accepted = s.get("accepted_remedy") or {}
    said, was = slots.get("item"), accepted.get("item") or s.get("item")
    if not accepted or not said or not was or said == was:
        return None
    if is_second_line(s, said):
        return None  # the order's second line, offered or agreed on its own (second_item.py): no correction
    return said if said in s.facts.item_values else None


def second_item_offer(
    s: State, r: RemedyPolicy, slots: dict[str, Any], agreed: dict[str, Any]
) -> dict[str, Any] | None:
    """The remedy the policy gives the order's other line for its own problem, as an offer for it, when the buyer
    named two lines and two item problems (second_item.py); None otherwise, or when it would need a person's
    approval (the team sees the line on the card), or when the agreed remedy already carries an extra."""
    merged = {**s.slots, **slots}
    # A part sent on its own ("one cup and proper tongs") names a line of its own that the case's item may not be
    # (the tongs were the item, the cup the part): which line is left is unknown, and the cup was offered twice.
    if agreed.get("add_on") or merged.get("second_item_offered") or agreed.get("type") == "send_part":
        return None
    line = other_line(merged.get("items_named") or [], agreed.get("item") or merged.get("item"), s.facts.item_values)
    problems = other_problems(merged.get("problems") or [], s.facts.delivered)
    if line is None or not problems:
        return None
    # The pieces and the part the buyer counted were said of the first line, not of this one.
    moved = State(
        s.stage,
        {**merged, "item": line, "problems": problems, "declined": [], "proposed_remedy": None, "pieces": None,
         "part": None},
        s.facts,
    )  # fmt: skip
    option = next((o for o in allowed_options(moved, r) if o.type not in ("apology_only", "send_part")), None)
    if option is None or option.needs_approval:
        return None
    return {**remedy_slot(moved, option), "item": line}


def is_second_line(s: State, item: str) -> bool:
    """The item is the order's second line, offered a remedy of its own or agreed as the remedy's add-on."""
    return item in (extra_for_line(s.get("accepted_remedy")), s.get("second_item_offered"))


def offered_second_item(s: State) -> bool:
    """The order's second line is offered a remedy and the buyer has not answered yet."""
    offered = s.get("second_item_offered")
    return bool(offered) and (s.get("proposed_remedy") or {}).get("item") == offered


def answer_second_item(s: State, m: Parsed, p: ConversationPolicy, slots: dict[str, Any]) -> Plan | None:
    """A yes adds the second line's remedy to the agreed one, as its add-on (said in one sentence); a no leaves the
    agreed remedy as it is. Anything else withdraws the offer quietly and is read as usual: the team sees the line."""
    accepted = dict(s.get("accepted_remedy") or {})
    offer = dict(s.get("proposed_remedy") or {})
    language = s.get("language") or m.language
    said = yes_no(m.text, language)
    named = {e.value for e in getattr(m, "entities", []) if e.entity == "item" and e.value in s.facts.item_values}
    if named and offer.get("item") not in named:
        # "perfect, yes please send the mister" names the first line again: a yes to what was agreed, not to the
        # second line's offer (round 13 replayed: the planter the buyer had waived was added). Withdrawn.
        slots["proposed_remedy"] = accepted
        return None
    sure = m.confidence >= p.handoff.min_confidence
    if said == "yes" or (said is None and m.intent == "affirm" and sure):
        agreed = {**accepted, "add_on": offer}
        slots.update(accepted_remedy=agreed, proposed_remedy=agreed, second_item_agreed=True)
        return Plan(["action_confirm_remedy"], Stage.RESOLVING, slots, reason="second_item_accepted")
    slots["proposed_remedy"] = accepted
    if said == "no" or (said is None and m.intent == "deny" and sure):
        return Plan(["action_acknowledge"], Stage.RESOLVING, slots, reason="second_item_declined")
    return None


def remedy_for_other_item(s: State, r: RemedyPolicy, slots: dict[str, Any]) -> Plan:
    """The agreed remedy moved to the item the buyer now names (issue 19 item 4): the same remedy, its amount
    computed on that item's price x quantity, recorded in place of the old one (so nothing is sent or refunded
    twice) and the buyer told. Once it was carried out (the follow-up asked whether it arrived), or when a person
    granted it, or the policy does not give the same remedy for that item within the bot's authority, a person
    decides: the case is handed off with the reason."""
    accepted, item = s.get("accepted_remedy") or {}, str(other_item(s, slots))
    was = accepted.get("item") or s.get("item")
    changed = {"item": was, "amount": accepted.get("amount"), "currency": accepted.get("currency")}
    moved = State(s.stage, {**s.slots, **slots, "item": item, "declined": []}, s.facts)
    option = next((o for o in options_for(r, remedy_facts(moved)) if o.type == accepted.get("type")), None)
    if s.stage != Stage.RESOLVING or accepted.get("granted_by") or option is None or option.needs_approval:
        slots["item_change"] = {**changed, "to": item}
        return handoff("item_changed", s.stage, slots)
    remedy = {**remedy_slot(moved, option), "item": item, "changed_from": changed}
    if accepted.get("add_on"):
        remedy["add_on"] = accepted["add_on"]  # a fixed add-on (a coupon) does not depend on the item
    slots.update(accepted_remedy=remedy, proposed_remedy=remedy, item_changed_from=was, add_on_refused=None)
    return Plan(["action_confirm_remedy"], Stage.RESOLVING, slots, reason="remedy_item_changed")


def _named_remedy(r: RemedyPolicy, wish: str) -> str:
    """The remedy type that names a wish in a sentence ("a discount code" for `discount`): the first of the
    catalogue that serves only it (a partial refund serves a discount too, but is not what "a voucher" names),
    else the first that serves it."""
    serving = [(t, kind.serves) for t, kind in r.remedies if wish in kind.serves and t != "apology_only"]
    return next((t for t, serves in serving if list(serves) == [wish]), serving[0][0] if serving else wish)


def asked_for(s: State, r: RemedyPolicy, remedy_type: str) -> bool:
    """Whether the remedy is what the buyer asked for: it serves their wish, and a partial refund never counts
    as the money back they wanted (as in answer_proposal)."""
    wants = s.get("wants")
    if not wants or (remedy_type == "refund_partial" and wants == "refund"):
        return False
    return meets(r, remedy_type, wants)


def _serves(r: RemedyPolicy, remedy_type: str) -> list[str]:
    kind = getattr(r.remedies, remedy_type, None)
    return list(kind.serves) if kind is not None else []


def _best_type(s: State, r: RemedyPolicy) -> str | None:
    options = allowed_options(s, r)
    return options[0].type if options else None


def answer_follow_up(s: State, m: Parsed, p: ConversationPolicy, slots: dict[str, Any]) -> Plan:
    # "Is all well now?" A plain yes naming no problem is read as one whatever the classifier says (see
    # answer_proposal); a no is left to the classifier, since "no problems, all good" starts with one.
    # The answer is read against the question first (data/answers/follow_up.yml): "Arrivato, funziona. Grazie!"
    # was classified as a new problem and handed to staff as a failed remedy, three Italian buyers of three.
    language = s.get("language") or m.language
    answer = follow_up_answer(m.text, language)
    said_yes = (yes_no(m.text, language) == "yes" or answer == "worked") and not m.problems
    if answer == "waiting" and not m.problems and not s.get("waited_once"):
        # "not here yet": three days after the agreement that is often the post, not a failure. The buyer is told
        # so and asked again after the same wait; a second "not yet" goes to staff (below), who can chase it.
        slots["on_its_way"] = slots["waited_once"] = True
        return Plan(
            ["action_acknowledge"],
            Stage.RESOLVING,
            slots,
            reason="remedy_on_its_way",
            timers=[("follow_up", p.timers.follow_up_after)],
        )
    if answer in ("failed", "waiting"):
        return handoff("remedy_failed", Stage.FOLLOW_UP, slots)
    if asks_what_next(m.text, language) and answer != "worked" and not m.problems:
        # "ok. so where are we with my refund?" after the bot answered a question here asks what the follow-up asked
        # about (its "ok" is no "it worked"), not for a person: "ok, hai bude bot. to shcho z moieiu dostavkoiu?" went
        # to staff (round 11, d11's inbox).
        return Plan(["action_follow_up"], Stage.FOLLOW_UP, slots, reason="follow_up_restated")
    if m.intent in ("affirm", "thank", "goodbye") or said_yes:
        # Rule 10: only after the remedy worked, and after a short cool-off, ask about the review.
        slots["resolved"] = True
        return Plan(
            ["action_acknowledge"],
            Stage.FOLLOW_UP,
            slots,
            reason="remedy_worked",
            timers=[("revision_ask", p.timers.revision_ask_after)],
        )
    if m.intent in ("deny", "describe_problem", "vent"):
        return handoff("remedy_failed", Stage.FOLLOW_UP, slots)
    return Plan(["action_clarify"], Stage.FOLLOW_UP, slots, reason="follow_up_unclear")


def answer_revision(s: State, m: Parsed, slots: dict[str, Any]) -> Plan:
    """The buyer's answer to the neutral question, read against that question first ("I'll bump it up to 3
    stars" is a yes, whatever the intent classifier makes of it); either answer is fine and closes kindly.
    "Maybe later" closes as kept: nobody is pressed, and the platform reports a later update itself."""
    said = revision_answer(m.text, s.get("language") or m.language)
    if said == "revised" or (said is None and m.intent == "affirm"):
        slots["close_kind"] = "revised"
        return Plan(["action_close"], Stage.CLOSED, slots, outcome=Outcome.RESOLVED_REVISED, reason="will_revise")
    slots["close_kind"] = "kept"
    reason = "maybe_later" if said == "later" else "keeps_review"
    return Plan(["action_close"], Stage.CLOSED, slots, outcome=Outcome.RESOLVED_KEPT, reason=reason)


# ── timers ──────────────────────────────────────────────────────────────────────────────────────


def on_timer(s: State, kind: str, p: ConversationPolicy) -> Plan | None:
    """What a fired timer does in the case's current stage; None when it no longer applies."""
    if kind == "first_contact" and s.stage == Stage.OPENED:
        return Plan(["action_first_contact"], Stage.CONTACTED, {}, reason="first_contact")
    if kind == "follow_up" and s.stage == Stage.RESOLVING:
        # An offer for the order's second line left unanswered is withdrawn: the follow-up asks about what was agreed.
        withdrawn = {"proposed_remedy": s.get("accepted_remedy")} if offered_second_item(s) else {}
        return Plan(["action_follow_up"], Stage.FOLLOW_UP, withdrawn, reason="follow_up")
    if kind == "revision_ask" and s.stage == Stage.FOLLOW_UP and s.get("resolved"):
        return Plan(
            ["action_ask_revision"],
            Stage.REVISION_ASKED,
            {"revision_asks": 1},
            reason="revision_ask",
            timers=[("revision_remind", p.timers.revision_remind_after)],
        )
    if kind == "revision_remind" and s.stage == Stage.REVISION_ASKED and s.get("revision_asks", 0) < 2:
        # Rule 10: remind at most once.
        return Plan(
            ["action_ask_revision"],
            Stage.REVISION_ASKED,
            {"revision_asks": 2},
            reason="revision_remind",
            timers=[("revision_close", p.timers.revision_close_after)],
        )
    if kind == "revision_close" and s.stage == Stage.REVISION_ASKED:
        # Silence is an answer too: the review stays as it is, and nobody is pressed.
        return Plan([], Stage.CLOSED, {"close_kind": "kept"}, outcome=Outcome.RESOLVED_KEPT, reason="no_answer")
    return None


# ── staff (the Slack handoff and the /staff page drive these) ───────────────────────────────────


def on_staff_grant(s: State, remedy: dict[str, Any], staff_name: str) -> Plan:
    """A person granted a remedy (issue 19): it becomes the case's accepted remedy, the record the reports
    read for a bot remedy too, and the buyer is told once, naming it and the item. Staff keep the case."""
    slots: dict[str, Any] = {
        "accepted_remedy": remedy,
        "proposed_remedy": None,  # the bot's earlier offer, if any, is superseded
        "pending_remedy": None,  # nothing waits for approval any more
        "staff_granted": True,  # the hand back goes on to the follow-up instead of asking again
        "staff_name": staff_name,
    }
    if remedy.get("item"):
        slots["item"] = remedy["item"]
    if remedy.get("part"):
        slots["part"] = remedy["part"]  # the buyer is told which part is sent (send_part)
    return Plan(["action_staff_remedy"], s.stage, slots, reason="staff_granted")


def on_staff_close(s: State, outcome: Outcome, staff_name: str, contacted: bool) -> Plan:
    """Staff close the case: the buyer hears that the conversation ends (issue 21: it ended silently), unless
    the bot never contacted them or they asked for no more messages."""
    slots: dict[str, Any] = {"staff_name": staff_name or s.get("staff_name")}  # else the last who wrote
    speaks = not s.get("opted_out") and outcome != Outcome.NOT_CONTACTED and contacted
    return Plan(
        ["action_staff_close"] if speaks else [], Stage.CLOSED, slots, outcome=outcome, reason="closed_by_staff"
    )


def on_staff_hand_back(s: State, p: ConversationPolicy, r: RemedyPolicy, approved: bool | None = None) -> Plan:
    """Staff hand the case back; the bot resumes where it stopped, knowing what staff decided."""
    slots: dict[str, Any] = {"handoff_reason": None, "not_understood": 0, "insults": 0, "joined_by": None}
    if s.get("staff_granted") and s.get("accepted_remedy"):
        # Staff granted a remedy and the buyer was told (action_staff_remedy): it is not asked for, offered or
        # confirmed again; the case goes on as after a remedy the buyer accepted from the bot (rule 8).
        slots.update(staff_granted=None, pending_remedy=None, requested_slot=None)
        return Plan([], Stage.RESOLVING, slots, reason="staff_remedy", timers=[("follow_up", p.timers.follow_up_after)])
    pending = s.get("pending_remedy")
    if pending and approved is not None:
        slots["pending_remedy"] = None
        if approved:
            accepted = bool(pending.get("accepted"))  # the buyer said yes before the team was asked
            pending = {k: v for k, v in pending.items() if k != "accepted"}
            slots.update(approved_remedy=pending["type"], proposed_remedy=pending)
            if accepted or asked_for(s, r, pending["type"]):
                # The buyer asked for this very remedy and only the approval was missing: it is confirmed, not
                # offered again. Asking "does that work for you?" once more read, in the demo's wrong-tent case,
                # as if the request had never been heard.
                slots["accepted_remedy"] = pending
                timers = [("follow_up", p.timers.follow_up_after)]
                return Plan(["action_confirm_remedy"], Stage.RESOLVING, slots, reason="approved", timers=timers)
            return Plan(["action_propose_remedy"], Stage.PROPOSING, slots, reason="approved")
        slots["declined"] = sorted(set(s.get("declined", [])) | {pending["type"]})
        plan = propose(State(Stage.PROPOSING, {**s.slots, **slots}, s.facts), r, slots)
        if plan.actions == ["action_propose_remedy"]:
            # The buyer was told the request went to the team: the next offer says first that the team said no.
            # Without it the buyer read "this needs approval" followed by a different offer, as if the bot had
            # dropped the request by itself (the demo's Polish wrong-tent case).
            plan.slots["why_not"] = {"kind": "declined", "remedy": pending["type"]}
        return plan
    resume = Stage(s.get("resume_stage") or Stage.GATHERING)
    if resume in CALMING | {Stage.OPENED, Stage.GATHERING, Stage.PROPOSING}:
        # Staff may have learned facts meanwhile: continue with whatever is still missing.
        return gather(State(Stage.GATHERING, {**s.slots, **slots}, s.facts), p, r, slots)
    return Plan([], resume, slots, reason="handed_back")


def on_take_over(stage: Stage) -> Plan | None:
    """A person takes the case: the bot pauses (None when staff have it already)."""
    if stage in STAFF:
        return None
    return Plan([], Stage.AWAITING_STAFF, handoff="taken_over", reason="taken_over")


def on_flag(contacted: bool) -> Plan:
    """Staff verified a troll or black PR: closed, and the bot never writes again."""
    outcome = Outcome.UNRESOLVED if contacted else Outcome.NOT_CONTACTED
    return Plan([], Stage.CLOSED, outcome=outcome, reason="flagged_by_staff")


# ── a case's life outside a conversation: opening, the deadline, an opt-out ─────────────────────────


def on_open(contact_mode: str, kind: str) -> Plan:
    """Where a new case starts: trolls and black PR go straight to staff, the bot never engages them
    (PLAYBOOK rule 5); every other case waits for its first contact."""
    if contact_mode == "none":
        return Plan([], Stage.AWAITING_STAFF, handoff=f"suspected_{kind}", reason="opened")
    return Plan([], Stage.OPENED, reason="opened")


def on_deadline(contact_mode: str, replied: bool) -> Plan:
    """The mediation window ran out: the outcome its history implies (PLAYBOOK's outcome table)."""
    if contact_mode == "none":
        outcome = Outcome.NOT_CONTACTED
    elif not replied:
        outcome = Outcome.NO_RESPONSE
    else:
        outcome = Outcome.EXPIRED
    return Plan([], Stage.CLOSED, outcome=outcome, reason="deadline_reached")


def on_opt_out(source: str) -> Plan:
    """Rule 11: the buyer asked for no more messages (here, on another channel, in another case, or
    before the first contact): the case closes as opted out."""
    return Plan([], Stage.CLOSED, outcome=Outcome.OPTED_OUT, reason=f"opted_out_{source}")


def on_erasure() -> Plan:
    """The buyer's data is erased (issue 20): an open case closes as opted out, the strongest "no more
    messages" there is."""
    return Plan([], Stage.CLOSED, outcome=Outcome.OPTED_OUT, reason="buyer_erased")


# ── facts for the remedy rules ──────────────────────────────────────────────────────────────────


def remedy_facts(s: State) -> CaseFacts:
    """The order's facts plus what the buyer told us, in the remedy rules' vocabulary."""
    problems = set(s.get("problems", []))
    details: dict[str, Any] = dict(s.facts.details)
    # Each problem is a yes/no fact for the rules, except `late` (the rules read days_late) and `other`.
    for flag in names(Problem):
        if flag in problems and flag not in ("late", "other"):
            details[flag] = True
    if s.get("evidence") == "yes":
        details["has_evidence"] = True
    if s.get("wants"):
        details["wants"] = s.get("wants")
    # What is at stake is the item the buyer named, not the whole order (issue 19), and of a line of several pieces
    # only the pieces that went wrong ("two of the six chairs"): the line's value shared by its pieces.
    item_value = s.facts.item_values.get(s.get("item") or "")
    count = s.facts.item_counts.get(s.get("item") or "")
    if item_value is not None and count and s.get("pieces") and s.get("pieces") < count:
        item_value = (item_value * s.get("pieces") / count).quantize(Decimal("0.01"))
    topic = _topic(s, problems, details)
    return s.facts.model_copy(update={"details": details, "item_value": item_value, "topic": topic})


# The review's topic of the problems a buyer names in chat that belong to one (a product's faults belong to none:
# the rules for them read the problem, not the topic).
PROBLEM_TOPIC = {
    "late": "delivery",
    "lost_in_transit": "delivery",
    "charged_twice": "billing",
    "hidden_cost": "billing",
    "support_rude": "service",
}


def _topic(s: State, problems: set[str], details: dict[str, Any]) -> str:
    """The review's topic (the triage model's reading), unless what the buyer told in chat says another: "Ihre
    Hotline ist eine Frechheit. Wurde angeblafft und dann weggedrückt" was triaged as a delivery review, and the
    rude-support rule (topic service) never applied although the buyer said plainly what happened (held-out
    round 3). Only a topic a told problem can name (delivery, billing, service) is replaced, and only when none
    of the problems told belongs to it and all that do point to one other topic. A website review keeps its
    topic: no problem told in chat names a fault of the site, so nothing there shows the triage was wrong."""
    topic = s.facts.topic
    if "late" in problems and details.get("late_days", 0) > 0 and topic in ("other", "product", "returns"):
        # The buyer says it came late and the order's dates agree: the delivery rules apply whatever the review
        # was filed under. "Termos szedł prawie trzy tygodnie" was filed as `other`, and a parcel 10 business days
        # late got only an apology (held-out personas round 3); "a month for a bar stool. really?" was filed under
        # returns, and the coupon a late parcel earns was refused (held-out round 7, fr). A rude-support case keeps
        # its own topic.
        return "delivery" if "support_rude" not in problems else topic
    told = {PROBLEM_TOPIC[p] for p in problems if p in PROBLEM_TOPIC}
    if topic in PROBLEM_TOPIC.values() and len(told) == 1 and topic not in told:
        return told.pop()
    if topic == "website" and problems and problems <= GOODS_PROBLEMS:
        # Only faults of the goods told in chat (a dent, a crack, the wrong colour): the review was no website
        # complaint, and the site's apology coupon came first to a buyer keeping a damaged sideboard for money off
        # (held-out round 14, es). Its own problems' rules apply; the product topic names none of them.
        return "product"
    return topic


def broke_in_use(s: State, r: RemedyPolicy) -> bool:
    """Damage told longer after delivery than the policy treats as found on arrival (remedies.damage_window): it
    broke in use, and the messages name it as a fault, not as arriving damaged (issue 19)."""
    window = damage_window(r)
    days = s.facts.days_since_delivery
    return "damaged" in s.get("problems", []) and window is not None and days is not None and days > window


def pieces_said(text: str, language: str | None, item: str | None, facts: CaseFacts) -> int | None:
    """How many pieces of the item's order line `text` says went wrong ("two of the six chairs"); the line is the named
    item's, else the order's only one. None when the text names no share of that line."""
    counts = facts.item_counts
    line = item or (next(iter(counts)) if len(counts) == 1 else None)
    return pieces_of(text, language, counts.get(line or "", 0))


def remedy_slot(s: State, o: RemedyOption) -> dict[str, Any]:
    """An offer as the case records it; a part sent on its own names the part in the buyer's words."""
    slot = option_slot(o)
    if o.type == "send_part" and s.get("part"):
        slot["part"] = s.get("part")
    if s.get("pieces") and o.type not in ("refund_shipping", "coupon", "apology_only"):
        slot["pieces"] = s.get("pieces")  # "two of the six chairs": the team sends or refunds those two
    return slot


def option_slot(o: RemedyOption) -> dict[str, Any]:
    return {
        "type": o.type,
        "amount": str(o.amount) if o.amount is not None else None,
        "currency": o.currency,
        "percent": str(o.percent) if o.percent is not None else None,
        "rule_id": o.rule_id,
        "cite": {"source": o.cite.source, "heading": o.cite.heading},
        "starts_complaint": o.starts_complaint,
        "needs_approval": o.needs_approval,
        "problem": o.problem,
    }
