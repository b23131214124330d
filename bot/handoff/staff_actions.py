"""What staff can do to a case, shared by the Slack buttons and the /staff inbox: take over, reply, grant a
remedy, hand back (approving or rejecting a remedy above the bot's authority), close with an outcome and a
closing message, mark troll / black PR.

Every action checks the case first and refuses with a `StaffActionError` that says what is wrong and what
to do (a closed case, nothing waiting for approval, the bot holding the case); the callers turn it into an
ephemeral Slack message or an HTTP 4xx. The conversation itself changes only through the engine
(Engine.staff_message / hand_back / staff_close), so the bot resumes knowing what staff did.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation import flow
from bot.conversation.context import load_context
from bot.conversation.engine import clean
from bot.conversation.flow import STAFF
from bot.conversation.lifecycle import apply_stage, event_row
from bot.handoff.staff_remedy import GrantRefused, grant_record
from bot.platform.vocab import Outcome, Stage
from bot.policy.bundle import active_bundle
from bot.store.models import Case, Message, SlackThread

log = logging.getLogger("mediator.staff")
CLOSE_OUTCOMES = ("resolved_kept", "resolved_revised", "unresolved", "no_response", "not_contacted")
FLAG_KINDS = ("troll", "black_pr")


@dataclass(frozen=True)
class Staff:
    id: str  # a Slack user id, or account:<id> of a /staff account (bot/store/staff_accounts.py)
    name: str


@dataclass(frozen=True)
class Done:
    case_id: int
    stage: str
    note: str  # what happened, for the thread or the inbox
    message_id: int | None = None


class StaffActionError(Exception):
    def __init__(self, status: int, error: str, message: str, fix: str):
        super().__init__(message)
        self.status, self.error, self.message, self.fix = status, error, message, fix


def is_internal(text: str) -> bool:
    """A note for staff only: never relayed to the buyer."""
    return text.lstrip().startswith("//")


async def _open_case(session: AsyncSession, case_id: int, shop_id: str | None) -> Case:
    case = await session.get(Case, case_id)
    if case is None or (shop_id is not None and case.shop_id != shop_id):
        raise StaffActionError(404, "unknown_case", f"there is no case {case_id}", "check the case id")
    if case.stage == Stage.CLOSED:
        raise StaffActionError(
            409, "case_closed", f"case {case_id} is closed ({case.outcome})", "nothing more can be done on it"
        )
    return case


async def thread_for(session: AsyncSession, case: Case, now: Any, purpose: str = "handoff") -> SlackThread:
    """The case's one staff thread row, created on first need (the Slack card job fills in channel and ts)."""
    thread = (await session.execute(select(SlackThread).where(SlackThread.case_id == case.id))).scalar_one_or_none()
    if thread is None:
        team = (await active_bundle(session, case.shop_id)).routing.team_for(case.team_topic)
        thread = SlackThread(
            shop_id=case.shop_id, case_id=case.id, team=team, purpose=purpose, created_at=now, updated_at=now
        )
        session.add(thread)
        await session.flush()
    return thread


async def check(rt: Any, case_id: int, shop_id: str | None = None) -> Case:
    """The case, if staff may act on it (exists, in the shop, not closed)."""
    async with rt.sessions() as session:
        return await _open_case(session, case_id, shop_id)


async def take_over(rt: Any, case_id: int, staff: Staff, shop_id: str | None = None) -> Done:
    """Assign the case to this person and pause the bot (a case the bot was still handling moves to staff)."""
    now = rt.clock.now()
    async with rt.sessions() as session, session.begin():
        ctx = await load_context(session, case_id, shop_id, lock=True)
        if ctx is None:
            raise StaffActionError(404, "unknown_case", f"there is no case {case_id}", "check the case id")
        case = await _open_case(session, case_id, shop_id)
        thread = await thread_for(session, case, now)
        thread.owner_id, thread.owner_name, thread.updated_at = staff.id, staff.name, now
        session.add(event_row(case, "staff_took_over", now, data={"staff": staff.name}))
        plan = flow.on_take_over(Stage(case.stage))
        if plan is not None:
            # Remember where the bot was, so a hand back resumes there.
            case.details = {**case.details, "resume_stage": case.stage, "handoff_reason": plan.handoff}
            await apply_stage(session, case, plan, now)
        stage = case.stage
    # The buyer is told who has joined, once (rule 9); through the engine, so it is a reply like any other.
    await rt.conversation.staff_joined(case_id, staff.name)
    return Done(case_id, stage, f"{staff.name} took over case {case_id}; the bot is paused")


async def reply(rt: Any, case_id: int, staff: Staff, text: str, shop_id: str | None = None) -> Done:
    """Relay staff words to the buyer on the buyer's channel (through the engine and the outbox)."""
    text = clean(text)
    if not text:
        raise StaffActionError(422, "empty_reply", "the reply is empty", "write something for the buyer")
    if is_internal(text):
        raise StaffActionError(422, "internal_note", "a text starting with // is a staff note", "remove the //")
    async with rt.sessions() as session:
        case = await _open_case(session, case_id, shop_id)
        if case.stage not in STAFF:
            raise StaffActionError(
                409, "bot_has_case", f"the bot is handling case {case_id} ({case.stage})", "take over first"
            )
        before = (await session.execute(select(func.max(Message.id)).where(Message.case_id == case_id))).scalar()
    result = await rt.conversation.staff_message(case_id, text, staff.name)
    async with rt.sessions() as session:
        message_id = (
            await session.execute(
                select(func.max(Message.id)).where(
                    Message.case_id == case_id, Message.role == "staff", Message.id > (before or 0)
                )
            )
        ).scalar()
    return Done(case_id, result.stage, "sent to the buyer", message_id)


async def hand_back(
    rt: Any, case_id: int, staff: Staff, approved: bool | None = None, shop_id: str | None = None
) -> Done:
    """The bot resumes at the right stage; with `approved`, staff decide on the remedy waiting for approval."""
    async with rt.sessions() as session:
        case = await _open_case(session, case_id, shop_id)
        if case.stage not in STAFF:
            raise StaffActionError(
                409, "not_with_staff", f"the bot already has case {case_id} ({case.stage})", "nothing to hand back"
            )
        pending = (case.details or {}).get("pending_remedy")
    if approved is not None and not pending:
        raise StaffActionError(
            409, "nothing_to_approve", f"case {case_id} has no remedy waiting for approval", "use Hand back instead"
        )
    result = await rt.conversation.hand_back(case_id, approved=approved)  # clears the thread's owner too
    verb = {True: "approved", False: "rejected", None: "handed back"}[approved]
    what = f" {pending['type']}" if pending and approved is not None else ""
    log.info("case %s: %s%s by staff", case_id, verb, what)
    return Done(case_id, result.stage, f"{staff.name} {verb}{what}; the bot continues ({result.stage})")


async def close(rt: Any, case_id: int, staff: Staff, outcome: str, shop_id: str | None = None) -> Done:
    if outcome not in CLOSE_OUTCOMES:
        raise StaffActionError(
            422, "bad_outcome", f"outcome {outcome!r} is not known", f"use one of: {', '.join(CLOSE_OUTCOMES)}"
        )
    await check(rt, case_id, shop_id)
    result = await rt.conversation.staff_close(case_id, Outcome(outcome), staff.name)
    said = " after a closing message to the buyer" if result.replies else ""
    return Done(case_id, result.stage, f"{staff.name} closed case {case_id} as {outcome}{said}")


async def grant(
    rt: Any,
    case_id: int,
    staff: Staff,
    remedy_type: str,
    amount: Any = None,
    percent: Any = None,
    item: str | None = None,
    shop_id: str | None = None,
    part: str | None = None,
) -> Done:
    """Staff grant a remedy (issue 19): recorded as the case's accepted remedy with `granted_by`, audited, and
    the buyer told in their language; above the bot's authority is allowed and recorded as such."""
    async with rt.sessions() as session:
        case = await _open_case(session, case_id, shop_id)
        if case.stage not in STAFF:
            raise StaffActionError(
                409, "bot_has_case", f"the bot is handling case {case_id} ({case.stage})", "take over first"
            )
        ctx = await load_context(session, case_id, shop_id, lock=False)
        assert ctx is not None
        policy = (await active_bundle(session, case.shop_id)).remedies
        try:
            remedy = grant_record(ctx, policy, staff.name, remedy_type, amount, percent, item, part)
        except GrantRefused as exc:
            raise StaffActionError(422, f"bad_{exc.field}", exc.message, exc.fix) from None
    result = await rt.conversation.staff_grant(case_id, remedy, staff.name)
    value = f" {remedy['amount']} {remedy['currency']}" if remedy["amount"] else ""
    value += f" ({remedy['percent']}%)" if remedy["percent"] else ""
    above = " (above the bot's authority)" if remedy["above_bot_authority"] else ""
    log.info("case %s: %s granted by staff%s", case_id, remedy_type, above)
    what = f"{remedy_type}{value}" + (f" ({remedy['part']})" if remedy.get("part") else "")
    what += f" for {remedy['item']}" if remedy["item"] else ""
    return Done(case_id, result.stage, f"{staff.name} granted {what}{above}; the buyer was told")


async def flag(rt: Any, case_id: int, staff: Staff, kind: str, shop_id: str | None = None) -> Done:
    """Staff verified a troll or black PR: recorded with that kind and closed; the bot never writes again.
    Flagging with the review platform stays a person's act (the bot never hides or deletes a review)."""
    if kind not in FLAG_KINDS:
        raise StaffActionError(422, "bad_kind", f"kind {kind!r} is not known", "use troll or black_pr")
    now = rt.clock.now()
    async with rt.sessions() as session, session.begin():
        ctx = await load_context(session, case_id, shop_id, lock=True)
        if ctx is None:
            raise StaffActionError(404, "unknown_case", f"there is no case {case_id}", "check the case id")
        case = await _open_case(session, case_id, shop_id)
        session.add(
            event_row(case, "flagged_by_staff", now, data={"kind": kind, "was": case.kind, "staff": staff.name})
        )
        case.kind = kind
        plan = flow.on_flag(contacted=case.first_contact_at is not None)
        await apply_stage(session, case, plan, now, callback_url=rt.settings.callback_url(case.shop_id))
        return Done(case.id, case.stage, f"{staff.name} marked case {case.id} as {kind} and closed it ({plan.outcome})")
