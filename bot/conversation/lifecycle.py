"""Case lifecycle: opening, stage transitions and closing, each written as an audit event.

Every transition records the policy version that decided it. Opening and closing a case also queue a
signed callback to the shop's review platform (the "in mediation" label), through the jobs outbox so it
survives restarts and receiver failures.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation.flow import Plan, on_opt_out
from bot.outbox.consent import record
from bot.platform.vocab import Outcome, Stage
from bot.store.models import Buyer, Case, Event, Job, Review

CALLBACK = "callback"


class ClosedCaseError(Exception):
    """A change was asked of a case that is already closed."""


def event_values(
    case: Case,
    type_: str,
    at: datetime,
    *,
    from_stage: str | None = None,
    to_stage: str | None = None,
    data: dict[str, Any] | None = None,
    policy_version: int | None = None,
) -> dict[str, Any]:
    """One `events` row about `case`, stamped with the policy version that decided it."""
    return {
        "shop_id": case.shop_id,
        "case_id": case.id,
        "type": type_,
        "from_stage": from_stage,
        "to_stage": to_stage,
        "data": data or {},
        "policy_version": policy_version if policy_version is not None else case.policy_version,
        "at": at,
    }


def event_row(case: Case, type_: str, at: datetime, **kwargs: Any) -> Event:
    return Event(**event_values(case, type_, at, **kwargs))


async def add_event(session: AsyncSession, case: Case, type_: str, at: datetime, **kwargs: Any) -> None:
    """Insert an event now, in statement order (a Core insert: no unit of work on a turn's path)."""
    await session.execute(insert(Event.__table__), [event_values(case, type_, at, **kwargs)])


async def transition(
    session: AsyncSession,
    case: Case,
    to: Stage,
    at: datetime,
    *,
    reason: str,
    policy_version: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Move a case to another stage and record why."""
    if case.stage == Stage.CLOSED:
        raise ClosedCaseError(f"case {case.id} is closed")
    await add_event(
        session, case, reason, at, from_stage=case.stage, to_stage=to, data=data, policy_version=policy_version
    )
    case.stage = to
    case.updated_at = at
    if policy_version is not None:
        case.policy_version = policy_version


async def close_case(
    session: AsyncSession,
    case: Case,
    outcome: Outcome,
    at: datetime,
    *,
    reason: str,
    policy_version: int | None = None,
    callback_url: str | None = None,
) -> None:
    """Close with an outcome, cancel the case's pending timers and tell the platform."""
    await transition(
        session, case, Stage.CLOSED, at, reason=reason, policy_version=policy_version, data={"outcome": outcome.value}
    )
    case.outcome = outcome
    case.closed_at = at
    await session.execute(
        update(Job)
        .where(Job.case_id == case.id, Job.status == "pending", Job.kind != CALLBACK)
        .values(status="cancelled", finished_at=at)
    )
    if callback_url:
        review_id = (await session.execute(select(Review.id).where(Review.id == case.review_id))).scalar_one()
        session.add(Job(**callback_job(case.shop_id, case.id, review_id, "mediation_closed", outcome, at)))


def callback_job(
    shop_id: str, case_id: int | None, review_id: int, status: str, outcome: str | None, at: datetime
) -> dict[str, Any]:
    """The outbox row for one platform callback; the payload is exactly what the platform receives."""
    return {
        "shop_id": shop_id,
        "case_id": case_id,
        "kind": CALLBACK,
        "run_at": at,
        "status": "pending",
        "attempts": 0,
        "payload": {"review_id": review_id, "status": status, "outcome": outcome},
        "dedupe_key": f"callback:{review_id}:{status}",
        "created_at": at,
    }


async def apply_stage(
    session: AsyncSession,
    case: Case,
    plan: Plan,
    at: datetime,
    *,
    policy_version: int | None = None,
    callback_url: str | None = None,
) -> None:
    """Apply the stage change a `flow` plan decided: the one way staff actions, timers and the opt-out move
    a case (the engine applies a turn's plan the same way, with its handoff and timers around it)."""
    if plan.handoff:
        case.handoff_reason = plan.handoff
    if plan.outcome is not None:
        await close_case(
            session,
            case,
            plan.outcome,
            at,
            reason=plan.reason,
            policy_version=policy_version,
            callback_url=callback_url,
        )
    elif plan.stage != case.stage:
        await transition(session, case, plan.stage, at, reason=plan.reason, policy_version=policy_version)


async def opt_out_everywhere(
    session: AsyncSession,
    buyer: Buyer,
    at: datetime,
    source: str,
    callback_url: str | None,
    detail: dict[str, object] | None = None,
) -> list[Case]:
    """Rule 11: record the opt-out and close every open case of the buyer. Returns the cases closed."""
    await record(session, buyer, "all", "opted_out", source, at, detail)
    return await close_opted_out(session, buyer, at, source, callback_url)


async def close_opted_out(
    session: AsyncSession, buyer: Buyer, at: datetime, source: str, callback_url: str | None
) -> list[Case]:
    """Close every open case of a buyer whose opt-out the ledger already holds."""
    open_cases = (
        (await session.execute(select(Case).where(Case.buyer_id == buyer.id, Case.stage != Stage.CLOSED)))
        .scalars()
        .all()
    )
    for case in open_cases:
        await apply_stage(session, case, on_opt_out(source), at, callback_url=callback_url)
    return list(open_cases)
