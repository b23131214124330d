"""What each durable timer does when it fires. Registered with bot.store.queue by kind."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation import flow
from bot.conversation.lifecycle import CALLBACK, apply_stage, close_opted_out, event_row
from bot.outbox.consent import OPTED_OUT_JOB
from bot.platform.vocab import Stage
from bot.policy.bundle import active_mediation_policy
from bot.policy.mediation import next_allowed_send
from bot.store import buyer_contacts
from bot.store.models import Buyer, Case, Job
from bot.store.queue import JobContext, RetryLater, RunAt, job_handler, schedule

SIGNATURE_HEADER = "X-Mediator-Signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def _locked_case(session: AsyncSession, case_id: int | None) -> Case | None:
    if case_id is None:
        return None
    query = select(Case).where(Case.id == case_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()  # the per-case lock every turn takes (DESIGN decision 4)
    return (await session.execute(query)).scalar_one_or_none()


@job_handler("first_contact")
async def first_contact(ctx: JobContext, session: AsyncSession, job: Job) -> None:
    """The (possibly delayed) first contact: respect an opt-out and quiet hours, then write to the buyer."""
    case = await _locked_case(session, job.case_id)
    if case is None or case.stage != Stage.OPENED:
        return
    active = await active_mediation_policy(session, case.shop_id)
    buyer = await session.get(Buyer, case.buyer_id) if case.buyer_id else None
    if buyer is not None and (await buyer_contacts.of(session, buyer.id)).opted_out_at is not None:
        await apply_stage(
            session,
            case,
            flow.on_opt_out("before_contact"),
            ctx.clock.now(),
            policy_version=active.version_id,
            callback_url=ctx.settings.callback_url(case.shop_id),
        )
        return
    await _speak(ctx, session, case, buyer, "first_contact")


@job_handler("follow_up")
@job_handler("revision_ask")
@job_handler("revision_remind")
@job_handler("revision_close")
async def conversation_timer(ctx: JobContext, session: AsyncSession, job: Job) -> None:
    """Follow-up and the revision ask: the flow decides whether they still apply in the case's stage."""
    case = await _locked_case(session, job.case_id)
    if case is None or case.stage == Stage.CLOSED:
        return
    buyer = await session.get(Buyer, case.buyer_id) if case.buyer_id else None
    await _speak(ctx, session, case, buyer, job.kind)


async def _speak(ctx: JobContext, session: AsyncSession, case: Case, buyer: Buyer | None, kind: str) -> None:
    """A bot-initiated message waits out the buyer's quiet hours (a reply to the buyer never does)."""
    now = ctx.clock.now()
    active = await active_mediation_policy(session, case.shop_id)
    allowed = next_allowed_send(active.policy, now, buyer.timezone if buyer else None)
    if allowed > now and kind != "revision_close":
        raise RunAt(allowed, "quiet hours in the buyer's timezone")
    await ctx.engine.on_timer(session, case.id, kind)


@job_handler("expire")
async def expire(ctx: JobContext, session: AsyncSession, job: Job) -> None:
    """The 21-day window ran out: close whatever is still open with the outcome its history implies."""
    case = await _locked_case(session, job.case_id)
    if case is None or case.stage == Stage.CLOSED:
        return
    active = await active_mediation_policy(session, case.shop_id)
    await apply_stage(
        session,
        case,
        flow.on_deadline(case.contact_mode, replied=case.first_reply_at is not None),
        ctx.clock.now(),
        policy_version=active.version_id,
        callback_url=ctx.settings.callback_url(case.shop_id),
    )


@job_handler(OPTED_OUT_JOB)
async def opted_out(ctx: JobContext, session: AsyncSession, job: Job) -> None:
    """A provider reported an opt-out (the outbox wrote the ledger row): close the buyer's open cases."""
    buyer = await session.get(Buyer, job.payload["buyer_id"])
    if buyer is None or (await buyer_contacts.of(session, buyer.id)).opted_out_at is None:
        return  # resubscribed (START) before this ran: nothing to close
    at = datetime.fromisoformat(job.payload["at"])
    await close_opted_out(session, buyer, at, job.payload["source"], ctx.settings.callback_url(buyer.shop_id))


@job_handler("deadline_reminder")
@job_handler("staff_reminder")
async def reminder(ctx: JobContext, session: AsyncSession, job: Job) -> None:
    """Tell staff a case needs them: a handoff nobody answered, or a deadline a few days away. Recorded as
    an event (the API and reports show it); the Slack handoff posts it to the case's thread."""
    case = await _locked_case(session, job.case_id)
    if case is None or case.stage == Stage.CLOSED:
        return
    if job.kind == "staff_reminder" and case.stage != Stage.AWAITING_STAFF:
        return  # staff already answered and handed the case back
    session.add(
        event_row(
            case,
            job.kind,
            ctx.clock.now(),
            data={
                "stage": case.stage,
                "deadline_at": case.deadline_at.isoformat(),
                "handoff_reason": case.handoff_reason,
            },
        )
    )
    # Slack (issue 6): post it to the case's thread, mentioning its owner, from a job of its own that retries.
    await schedule(
        session,
        shop_id=case.shop_id,
        kind="slack_reminder",
        case_id=case.id,
        now=ctx.clock.now(),
        run_at=ctx.clock.now(),
        payload={"reminder": job.kind, "since": job.created_at.isoformat()},
        dedupe_key=f"slack_reminder:{job.id}",
    )


@job_handler(CALLBACK, external=True)
async def deliver_callback(ctx: JobContext, job: Job) -> None:
    """POST `{"review_id", "status", "outcome"}` to the shop, signed with HMAC-SHA256 of the body."""
    shop = ctx.settings.shops.get(job.shop_id)
    if shop is None or not shop.callback_url:
        return  # the shop has no platform callback configured; nothing to tell
    secret = shop.callback_secret()
    if not secret:
        raise RetryLater(f"shops.{job.shop_id}.callback_secret_env names {shop.callback_secret_env!r}, which is unset")
    body = json.dumps(job.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(secret, body),
        "X-Mediator-Delivery": str(job.id),
        "X-Mediator-Attempt": str(job.attempts),
    }
    response = await ctx.http.post(
        shop.callback_url, content=body, headers=headers, timeout=ctx.settings.scheduler.callback_timeout_seconds
    )
    if response.status_code >= 300:
        raise RetryLater(f"callback answered HTTP {response.status_code}")
