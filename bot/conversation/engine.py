"""One conversation turn, end to end, inside one transaction with the case row locked.

    buyer message ─▶ dedupe by provider id ─▶ persist ─▶ NLU ─▶ flow.py decides a Plan
      ─▶ actions/ run through rasa_sdk's ActionExecutor on a tracker built from the case
      ─▶ their events update the case; their responses become outbound messages
      ─▶ stage transition, timers, outcome — all committed together, or not at all

Timers (first contact, follow-up, the revision ask) and staff decisions enter the same way, so a
restart between any two steps loses nothing: the case row and the jobs table hold all the state.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from rasa_sdk.executor import ActionExecutor
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import actions
from actions.services import Services, get_services, use_services
from bot.conversation import flow
from bot.conversation.context import DOMAIN, CaseContext, load_context, remedy_facts, save_context, tracker
from bot.conversation.lifecycle import add_event, apply_stage, transition
from bot.outbox import outbox
from bot.outbox.consent import pick_channel
from bot.outbox.consent import record as record_consent
from bot.platform.clock import Clock
from bot.platform.vocab import Outcome, Stage
from bot.policy.bundle import active_bundle, active_mediation_policy, current_bundle, use_bundle
from bot.policy.conversation import ConversationPolicy, load_conversation_policy
from bot.policy.guardrails import check_outgoing
from bot.policy.mediation import add_business_time
from bot.policy.remedies import RemedyPolicy, load_remedy_policy
from bot.policy.staff_wait import staff_eta
from bot.store import buyer_contacts
from bot.store.models import Case, Event, Message, SlackThread
from bot.store.queue import finish_in, schedule
from bot.understanding.nlu import ParseResult
from bot.understanding.nlu_process import NLUProcess

log = logging.getLogger("mediator.engine")
MAX_MESSAGE_CHARS = 4000
HINTS_KEPT = 50_000  # cases whose language and items are remembered for an early parse (~100 bytes each)


@dataclass(frozen=True)
class Reply:
    text: str
    action: str
    language: str
    # The passage of the shop's policy the reply quotes (the policy_quote slot its action set), if any: the guard
    # rails read the bot's own words around it, not the shop's published text (_screen).
    quote: str = field(default="", compare=False)

    def as_dict(self) -> dict[str, str]:
        return {"text": self.text, "action": self.action, "language": self.language}


@dataclass
class TurnResult:
    case_id: int
    stage: str
    replies: list[Reply] = field(default_factory=list)
    duplicate: bool = False
    outcome: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "replies": [r.as_dict() for r in self.replies],
            "stage": self.stage,
            "outcome": self.outcome,
            "duplicate": self.duplicate,
        }


@dataclass(frozen=True)
class EarlyParse:
    hint: tuple[str | None, tuple[str, ...], str]  # the case's language, item names and problem reading
    parsed: Any


def parse_hint(ctx: CaseContext) -> tuple[str | None, tuple[str, ...], str]:
    """What a parse needs from the case: its current language (the NLU's fallback), the order's items, and
    whether problems are read by meaning on this turn (flow.problem_reading)."""
    details = ctx.case.details
    review_says_what = ctx.case.kind == "constructive" and bool(ctx.review.text)  # as _state fills `what`
    reading = flow.problem_reading(Stage(ctx.case.stage), details, review_says_what)
    return (details.get("language") or ctx.case.language, tuple(ctx.items), reading)


class CaseNotFound(LookupError):
    pass


class Engine:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        policies_dir: Path,
        services: Services,
        nlu_loader: Any,
        callback_url: Any = lambda shop_id: None,
    ):
        self.sessions = sessions
        self.clock = clock
        # The policies/ folder's own policies: used only for a shop that has no published version yet.
        # Every turn runs under the shop's published version (bot/policy/bundle.py), read per turn.
        self._conversation: ConversationPolicy = load_conversation_policy(policies_dir / "conversation.yml")
        self._remedies: RemedyPolicy = load_remedy_policy(policies_dir / "remedies.yml")
        self.services = services
        self.executor = ActionExecutor()
        self.executor.register_package(actions)
        self._nlu_loader = nlu_loader
        self._nlu: Any = None
        self.nlu_process: NLUProcess | None = None  # started by Runtime.settle() in a server
        self._hints: dict[int, tuple[str | None, tuple[str, ...], str]] = {}
        self._callback_url = callback_url
        # Which channels are switched on (build_runtime sets it from the adapters) and their policy.
        self.channels_enabled: frozenset[str] = frozenset({"webchat"})
        self._channels_file = policies_dir / "channels.yml"

    @property
    def conversation(self) -> ConversationPolicy:
        bundle = current_bundle()
        return bundle.conversation if bundle is not None else self._conversation

    @property
    def remedies(self) -> RemedyPolicy:
        bundle = current_bundle()
        return bundle.remedies if bundle is not None else self._remedies

    async def _use_policy(self, session: AsyncSession, ctx: CaseContext) -> None:
        """Run this turn under the shop's published policy version, and record that version on the case
        (its events take it from there). The context query read the version; parsed versions are cached."""
        case = ctx.case
        bundle = await active_bundle(session, case.shop_id, ctx.policy_head)
        use_bundle(bundle)
        use_services(self.services)
        if bundle.version is not None:
            case.policy_version = bundle.version

    @property
    def nlu(self) -> Any:
        if self._nlu is None:
            self._nlu = self._nlu_loader()
        return self._nlu

    # ── inbound ──────────────────────────────────────────────────────────────────────────────────

    async def buyer_message(
        self,
        case_id: int,
        text: str,
        *,
        channel: str = "webchat",
        provider_id: str | None = None,
        shop_id: str | None = None,
        finish_job: int | None = None,
        photo: int | None = None,
    ) -> TurnResult:
        """One buyer message's turn. `finish_job` is the inbound job a request leased to run this message
        itself (bot/inbox/inbox.py `take_inline`): it is marked done in the turn's transaction. `photo` is the
        `photos` row sent with it (the web chat checked it belongs to this case): the message may then have no
        text at all."""
        # A question's knowledge search is awaited inside the turn (off the event loop, in a thread). Until
        # 2026-12 the turn stepped out instead, searched, and was replayed (the search held SQLite's write gate
        # otherwise); with every question distinct, so that no search came from the cache, the interleaved A/B
        # measured the plain await 8% faster and 8% cheaper in CPU (bench/machinery_ab.py, issue 17.8), and the
        # two-process bench/channels.py --distinct-questions saw no cost to the webhooks waiting on the same
        # SQLite file (figures in bench/machinery_ab.py).
        text = clean(text)
        early = await self._parse_early(case_id, text) if text else None
        return await self._buyer_turn(case_id, text, channel, provider_id, shop_id, early, finish_job, photo)

    async def _parse_early(self, case_id: int, text: str) -> EarlyParse | None:
        """The helper process's parse (bot/understanding/nlu_process.py), asked before the transaction opens, with the
        language and items on record for this case (from its last turn here, or from intake); None when
        there is no helper, nothing on record, or the helper cannot answer now."""
        hint = self._hints.get(case_id) if self.nlu_process is not None else None
        if hint is None:
            return None
        parsed = await self.nlu_process.parse(text, *hint)
        return None if parsed is None else EarlyParse(hint, parsed)

    def _parse(self, ctx: CaseContext, text: str, early: EarlyParse | None) -> Any:
        """The turn's parse: the early one if the case still has the language and items it was made for
        (another turn or process may have changed them since), else one made here."""
        hint = parse_hint(ctx)
        if early is not None and early.hint == hint:
            return early.parsed
        return self.nlu.parse(text, fallback_language=hint[0], items=hint[1], meaning=hint[2])

    def _remember_hint(self, ctx: CaseContext) -> None:
        # Kept with or without a helper: a server starts its helper after it has already run the turns
        # and first contacts of its warm-up, and those cases' next messages can be parsed early.
        self.expect_case(ctx.case.id, *parse_hint(ctx))

    def expect_case(self, case_id: int, language: str | None, items: tuple[str, ...], reading: str = "read") -> None:
        """Remember what the case's next buyer message will be parsed with (intake calls this for a new
        case, whose buyer may write before the first contact)."""
        self._hints.pop(case_id, None)
        self._hints[case_id] = (language, items, reading)
        if len(self._hints) > HINTS_KEPT:
            del self._hints[next(iter(self._hints))]  # the least recently used: dicts keep insertion order

    async def _buyer_turn(
        self,
        case_id: int,
        text: str,
        channel: str,
        provider_id: str | None,
        shop_id: str | None,
        early: EarlyParse | None,
        finish_job: int | None = None,
        photo: int | None = None,
    ) -> TurnResult:
        async with self.sessions() as session, session.begin():
            ctx = await self._locked(session, case_id, shop_id)
            case = ctx.case
            if finish_job is not None:  # after the case's lock, which every writer of a case takes first
                await finish_in(session, finish_job, self.clock.now())
            if provider_id is not None:
                previous = await self._replies_to(session, case, channel, provider_id)
                if previous is not None:
                    return TurnResult(case.id, case.stage, previous, duplicate=True, outcome=case.outcome)
            # Without a helper process the NLU runs here, on the event loop, inside the transaction: less
            # than handing it to a thread and back, and reading the case first gives it the language and
            # the order's items without a second read.
            parsed = self._parse(ctx, text, early) if text or photo is None else photo_only(ctx)
            inbound = {
                "shop_id": case.shop_id,
                "case_id": case.id,
                "direction": "in",
                "role": "buyer",
                "channel": channel,
                "text": text,
                "action": None,
                "language": parsed.language,
                "provider_id": provider_id,
                "status": "received",
                "meta": {"photo": photo} if photo is not None else {},
                "created_at": self.clock.now(),
            }
            if case.first_reply_at is None and case.first_contact_at is not None:
                case.first_reply_at = self.clock.now()
            state = self._state(ctx)
            if photo is not None and not text:
                plan = flow.on_buyer_photo(state, self.conversation, self.remedies)
            else:
                plan = flow.on_buyer_message(state, parsed, self.conversation, self.remedies, photo=photo is not None)
            latest = {
                "text": text,
                "intent": {"name": parsed.intent, "confidence": parsed.confidence},
                "entities": [e.__dict__ for e in parsed.entities],
                "message_id": provider_id,
                "photo": photo,
            }
            turn_event = {
                "shop_id": case.shop_id,
                "case_id": case.id,
                "type": "buyer_turn",
                "from_stage": case.stage,
                "to_stage": None,
                "policy_version": case.policy_version,
                "at": self.clock.now(),
                "data": {
                    "intent": parsed.intent,
                    "confidence": round(parsed.confidence, 3),
                    "anger": round(parsed.anger, 3),
                    "level": parsed.level,
                    "language": parsed.language,
                    "plan": plan.reason,
                },
            }
            replies = await self._apply(
                session, ctx, plan, latest, channel, reply_to=provider_id, inbound=inbound, state=state
            )
            turn_event["to_stage"] = case.stage
            await session.execute(Event.__table__.insert(), [turn_event])
            if case.stage in flow.STAFF:  # staff see the buyer's words in the case's thread (issue 6)
                await schedule(
                    session,
                    shop_id=case.shop_id,
                    kind="slack_relay",
                    case_id=case.id,
                    now=self.clock.now(),
                    run_at=self.clock.now(),
                    dedupe_key=f"slack_relay:{case.id}:{slots_turn(case)}",
                )
            return TurnResult(case.id, case.stage, replies, outcome=case.outcome)

    async def _replies_to(
        self, session: AsyncSession, case: Case, channel: str, provider_id: str
    ) -> list[Reply] | None:
        """A retried delivery of a message we already handled: the same replies, and no new turn."""
        seen = (
            await session.execute(
                select(Message.id).where(
                    Message.shop_id == case.shop_id, Message.channel == channel, Message.provider_id == provider_id
                )
            )
        ).scalar_one_or_none()
        if seen is None:
            return None
        rows = await session.execute(
            select(Message)
            .where(Message.case_id == case.id, Message.id > seen, Message.direction == "out")
            .order_by(Message.id)
        )
        replies = []
        for m in rows.scalars():
            if not (m.provider_id or "").startswith(f"reply:{provider_id}:"):
                break
            replies.append(Reply(m.text, m.action or "", m.language or ""))
        return replies

    # ── timers and staff ─────────────────────────────────────────────────────────────────────────

    async def on_timer(self, session: AsyncSession, case_id: int, kind: str, channel: str | None = None) -> bool:
        """Run a fired conversation timer inside the caller's transaction. False when it no longer applies."""
        ctx = await self._maybe_locked(session, case_id)
        if ctx is None:
            return False
        plan = flow.on_timer(self._state(ctx), kind, self.conversation)
        if plan is None:
            return False
        await self._apply(session, ctx, plan, None, channel)
        return True

    async def staff_message(self, case_id: int, text: str, staff_name: str, channel: str | None = None) -> TurnResult:
        """Relay a staff member's words to the buyer (the bot stays paused). With no channel, the outbox
        reaches the buyer where they last wrote, else by the shop's channel order (bot/outbox/consent.py)."""
        async with self.sessions() as session, session.begin():
            ctx = await self._locked(session, case_id)
            details = {**ctx.case.details, "staff_name": staff_name, "staff_text": clean(text)}
            said = {"staff_name": staff_name, "staff_text": clean(text)}
            if not ctx.case.details.get("joined_by"):
                said["joined_by"] = staff_name  # the message is signed with their name: the buyer knows who joined
            plan = flow.Plan(["action_staff_message"], Stage(ctx.case.stage), said, reason="staff_message")
            ctx.case.details = details
            replies = await self._apply(session, ctx, plan, None, channel, role="staff")
            return TurnResult(case_id, ctx.case.stage, replies, outcome=ctx.case.outcome)

    async def staff_joined(self, case_id: int, staff_name: str, channel: str | None = None) -> TurnResult:
        """A person took the case over: the buyer is told who, once per handoff (rule 9). Nothing is said when
        they already know (a person joined or wrote since the handoff)."""
        async with self.sessions() as session, session.begin():
            ctx = await self._locked(session, case_id)
            if ctx.case.details.get("joined_by") or ctx.case.stage not in flow.STAFF:
                return TurnResult(case_id, ctx.case.stage, [], outcome=ctx.case.outcome)
            said = {"staff_name": staff_name, "joined_by": staff_name}
            plan = flow.Plan(["action_staff_joined"], Stage(ctx.case.stage), said, reason="staff_joined")
            replies = await self._apply(session, ctx, plan, None, channel)
            return TurnResult(case_id, ctx.case.stage, replies, outcome=ctx.case.outcome)

    async def hand_back(self, case_id: int, approved: bool | None = None, channel: str | None = None) -> TurnResult:
        """Staff hand the case back to the bot, optionally approving or rejecting the pending remedy."""
        async with self.sessions() as session, session.begin():
            ctx = await self._locked(session, case_id)
            plan = flow.on_staff_hand_back(self._state(ctx), self.conversation, self.remedies, approved)
            replies = await self._apply(session, ctx, plan, None, channel)
            # The bot has the case again: nobody owns it until someone takes it over. A kept owner told the next
            # handoff's staff "Taken over by Maja" (and Maja "You have taken over") for a case nobody had taken.
            # Here, in the hand back's transaction, for every caller (staff actions, the simulator).
            await session.execute(
                update(SlackThread).where(SlackThread.case_id == case_id).values(owner_id=None, owner_name=None)
            )
            return TurnResult(case_id, ctx.case.stage, replies, outcome=ctx.case.outcome)

    async def staff_grant(self, case_id: int, remedy: dict[str, Any], staff_name: str) -> TurnResult:
        """Record a remedy a person granted as the case's accepted remedy, audit it, and tell the buyer."""
        async with self.sessions() as session, session.begin():
            ctx = await self._locked(session, case_id)
            plan = flow.on_staff_grant(self._state(ctx), remedy, staff_name)
            await add_event(session, ctx.case, "staff_granted_remedy", self.clock.now(), data={"remedy": remedy})
            replies = await self._apply(session, ctx, plan, None, None, role="staff")
            return TurnResult(case_id, ctx.case.stage, replies, outcome=ctx.case.outcome)

    async def staff_close(self, case_id: int, outcome: Outcome, staff_name: str = "") -> TurnResult:
        """Staff close the case; the buyer gets the closing words first (flow.on_staff_close)."""
        async with self.sessions() as session, session.begin():
            ctx = await self._locked(session, case_id)
            contacted = ctx.case.first_contact_at is not None
            plan = flow.on_staff_close(self._state(ctx), outcome, staff_name, contacted)
            replies = await self._apply(session, ctx, plan, None, None, role="staff" if plan.actions else "bot")
            return TurnResult(case_id, ctx.case.stage, replies, outcome=ctx.case.outcome)

    async def _locked(self, session: AsyncSession, case_id: int, shop_id: str | None = None) -> CaseContext:
        ctx = await self._maybe_locked(session, case_id, shop_id)
        if ctx is None:
            raise CaseNotFound(f"no case {case_id}")
        return ctx

    async def _maybe_locked(
        self, session: AsyncSession, case_id: int, shop_id: str | None = None
    ) -> CaseContext | None:
        """The case's context (in `shop_id`, when given), locked for this transaction and under its shop's
        policy; None if there is no such case."""
        ctx = await load_context(session, case_id, shop_id, lock=True)
        if ctx is not None:
            await self._use_policy(session, ctx)
        return ctx

    # ── applying a plan ──────────────────────────────────────────────────────────────────────────

    def _state(self, ctx: CaseContext) -> flow.State:
        slots = dict(ctx.case.details)
        if not slots.get("language"):
            slots["language"] = ctx.case.language if ctx.case.language not in ("", "und") else "en"
        if not slots.get("item") and len(ctx.items) == 1:
            slots["item"] = ctx.items[0]
        if not slots.get("what") and ctx.case.kind == "constructive" and ctx.review.text:
            slots["what"] = ctx.review.text[:1000]  # the review already says what happened
        if "problems" not in slots and ctx.case.kind in ("constructive", "impulsive"):
            # The review already names problems ("the box was crushed"): they count as gathered facts,
            # and the very first message can name them.
            slots["problems"] = sorted(set(self.nlu.problems(ctx.review.text, ctx.case.language, ctx.items)))
        if not slots.get("when") and ctx.order is not None and (ctx.order.delivered_at or ctx.order.shipped_at):
            slots["when"] = (ctx.order.delivered_at or ctx.order.shipped_at).date().isoformat()
        now = self.clock.now()
        state = flow.State(Stage(ctx.case.stage), slots, remedy_facts(ctx, self.conversation, now), now)
        # How the actions name the problem: damage told weeks after delivery broke in use (flow.broke_in_use).
        slots["broke_in_use"] = flow.broke_in_use(state, self.remedies)
        if "pieces" not in slots and ctx.review.text:
            # The review may say how many pieces of the line went wrong: "Z sześciu krzeseł dwa w złym kolorze".
            pieces = flow.pieces_said(ctx.review.text, ctx.case.language, slots.get("item"), state.facts)
            if pieces is not None:
                slots["pieces"] = pieces
        return state

    async def _apply(
        self,
        session: AsyncSession,
        ctx: CaseContext,
        plan: flow.Plan,
        latest: dict[str, Any] | None,
        channel: str | None,
        *,
        reply_to: str | None = None,
        role: str = "bot",
        inbound: dict[str, Any] | None = None,
        state: flow.State | None = None,
    ) -> list[Reply]:
        case, now = ctx.case, self.clock.now()
        if channel is None:  # a timer or staff message: the buyer's channel, from the contact ledger (issue 5)
            policy = await outbox.shop_channels_policy(session, case.shop_id, self._channels_file)
            channel = await pick_channel(session, policy, case, ctx.buyer, self.channels_enabled)
        slots = {**(state or self._state(ctx)).slots, **plan.slots}  # the state the plan was made from
        slots["turn"] = int(slots.get("turn", 0)) + 1
        if plan.outcome == Outcome.OPTED_OUT:
            slots["opted_out"] = True
        if plan.handoff or "action_waiting" in plan.actions:
            # Rule 9: the buyer is told when a person will answer, from the staff hours (bot/policy/staff_wait.py).
            slots["staff_eta"] = await self._staff_eta(session, ctx, now)
            if "action_waiting" in plan.actions:  # the handoff's own estimate answers no question: not counted
                slots["waiting_told_at"] = now.isoformat()
        replies: list[Reply] = []
        for action in plan.actions:
            result = await self.executor.run(
                {
                    "next_action": action,
                    "sender_id": str(case.id),
                    "domain": DOMAIN,
                    "tracker": tracker(ctx, slots, latest),
                }
            )
            assert result is not None
            quote = ""  # this action's own quote: a later action of the turn (an answer, then an offer) sets another
            for event in result.events:
                if event.get("event") == "slot":
                    slots[event["name"]] = event["value"]
                    quote = str(event["value"] or "") if event["name"] == "policy_quote" else quote
            for response in result.responses:
                meta = response.get("custom") or {}
                replies.append(
                    Reply(
                        response["text"],
                        meta.get("action", action.removeprefix("action_")),
                        meta.get("language", slots.get("language", "")),
                        quote,
                    )
                )
        if role == "bot" and replies:
            replies, plan = self._screen(case, replies, plan, slots)
        remedy = {
            "propose_remedy": slots.get("proposed_remedy"),
            "confirm_remedy": slots.get("accepted_remedy"),
            "staff_remedy": slots.get("accepted_remedy"),
        }
        outbound = [
            {
                "shop_id": case.shop_id,
                "case_id": case.id,
                "direction": "out",
                "role": role,
                "channel": channel,
                "text": reply.text,
                "action": reply.action,
                "language": reply.language,
                # Replies are tied to the message they answer, so a retried delivery gets the same replies back.
                "provider_id": f"reply:{reply_to}:{n}" if reply_to else None,
                "status": "pending",
                "created_at": now,
                "meta": {"remedy": remedy[reply.action]} if remedy.get(reply.action) else {},
            }
            for n, reply in enumerate(replies)
        ]
        if case.first_contact_at is None and replies and role == "bot":
            case.first_contact_at = now
        case.details = slots  # a new dict, so the JSON column is written
        case.language = slots.get("language") or case.language
        case.updated_at = now
        await self._move(session, ctx, plan, now)
        await save_context(session, ctx)  # the case is final for this turn: written before what reads it
        # One Core insert, in order: the buyer's message, then the replies, which the outbox delivers on the
        # buyer's channel (queued in this same transaction). Nothing here needs ORM identity, and a turn is
        # on the hot path.
        rows = ([inbound] if inbound else []) + outbound
        if rows:
            await outbox.enqueue(session, [{**row, "stage": case.stage} for row in rows], now)
        self._remember_hint(ctx)  # for the early parse of the buyer's next message (first contact included)
        return replies

    def _screen(
        self, case: Case, replies: list[Reply], plan: flow.Plan, slots: dict[str, Any]
    ) -> tuple[list[Reply], flow.Plan]:
        """The guard rails on every reply the bot is about to send (PLAYBOOK rule 10, issue 20): a reply
        that offers anything for the review, makes a remedy depend on it, asks for deletion or presses is
        never sent, whatever an admin's edit let through; the case goes to a person with the reason."""
        # A quoted passage of the shop's own policy documents is the shop's published word, not the bot's
        # (and says things like "we never offer coupons for changing a review"): the bot's own words are read.
        # Each reply's own quote: with one per turn, an answer's quote and then an offer's left the offer's
        # "Nuk ofrojmë kurrë kuponë në këmbim të ... një vlerësimi" to be read as the bot's (held-out round 8).
        refused = {
            n: why
            for n, r in enumerate(replies)
            if (why := check_outgoing(r.text.replace(r.quote, " ") if r.quote else r.text, r.language or "en"))
        }
        if not refused:
            return replies, plan
        log.warning("case %s: %s reply(s) held by the guard rails: %s", case.id, len(refused), list(refused.values()))
        slots["guard_rail"] = [why for reasons in refused.values() for why in reasons][:5]
        kept = [r for n, r in enumerate(replies) if n not in refused]
        if plan.stage in flow.STAFF or plan.stage == Stage.CLOSED:
            return kept, plan
        return kept, replace(plan, stage=Stage.AWAITING_STAFF, handoff="guard_rail", reason=f"guard_rail:{plan.reason}")

    async def _move(self, session: AsyncSession, ctx: CaseContext, plan: flow.Plan, now: datetime) -> None:
        case = ctx.case
        if plan.handoff:
            case.handoff_reason = plan.handoff
            team = get_services().routing.team_for(case.team_topic)
            await transition(
                session, case, Stage.HANDOFF, now, reason="handoff", data={"reason": plan.handoff, "team": team}
            )
            active = await active_mediation_policy(session, case.shop_id)
            await schedule(
                session,
                shop_id=case.shop_id,
                kind="staff_reminder",
                case_id=case.id,
                now=now,
                # N minutes of staff working time, not wall-clock time (issue 6)
                run_at=add_business_time(active.policy.business_hours, now, active.policy.staff_reminder_after),
                dedupe_key=f"staff_reminder:{case.id}:{case.details.get('turn', 0)}",
            )
            # The case card goes to the team's Slack thread from a durable job queued in this same transaction:
            # if Slack is down it retries with backoff and nothing is lost (channels/slack.py, issue 6).
            await schedule(
                session,
                shop_id=case.shop_id,
                kind="slack_card",
                case_id=case.id,
                now=now,
                run_at=now,
                payload={"team": team, "reason": plan.handoff},
                dedupe_key=f"slack_card:{case.id}:{case.details.get('turn', 0)}",
            )
        if plan.outcome == Outcome.OPTED_OUT:
            await self._opt_out(session, ctx, now)
        await apply_stage(session, case, plan, now, callback_url=self._callback_url(case.shop_id))
        for kind, delay in plan.timers:
            await schedule(
                session,
                shop_id=case.shop_id,
                kind=kind,
                run_at=now + delay,
                now=now,
                case_id=case.id,
                dedupe_key=f"{kind}:{case.id}:{case.details.get('turn', 0)}",
            )

    async def _staff_eta(self, session: AsyncSession, ctx: CaseContext, now: datetime) -> dict[str, Any]:
        active = await active_mediation_policy(session, ctx.case.shop_id)
        timezone = ctx.buyer.timezone if ctx.buyer else None
        return staff_eta(active.policy.business_hours, now, self.conversation.waiting.answer_within, timezone)

    async def _opt_out(self, session: AsyncSession, ctx: CaseContext, now: datetime) -> None:
        """Rule 11: an opt-out ends all contact with the buyer, on every channel and every open case."""
        if ctx.buyer is None:
            return
        if (await buyer_contacts.of(session, ctx.buyer.id)).opted_out_at is None:
            await record_consent(session, ctx.buyer, "all", "opted_out", "conversation", now)
        others = (
            (
                await session.execute(
                    select(Case).where(
                        Case.buyer_id == ctx.buyer.id, Case.id != ctx.case.id, Case.stage != Stage.CLOSED
                    )
                )
            )
            .scalars()
            .all()
        )
        for other in others:
            await apply_stage(
                session, other, flow.on_opt_out("elsewhere"), now, callback_url=self._callback_url(other.shop_id)
            )


def slots_turn(case: Case) -> int:
    return int(case.details.get("turn", 0))


def photo_only(ctx: CaseContext) -> ParseResult:
    """What a photo sent without words says to the NLU: nothing. The flow reads it by `on_buyer_photo`; this
    only fills the turn's records (its language is the case's)."""
    language = parse_hint(ctx)[0] or "en"
    return ParseResult(text="", language=language, intent="photo", confidence=1.0, ranking=[], anger=0.0, level="calm")


def clean(text: str) -> str:
    """Strip control characters and cap the length: the NLU and the staff see the same text."""
    text = "".join(ch for ch in str(text) if ch.isprintable() or ch in "\n\t").strip()
    return text[:MAX_MESSAGE_CHARS]
