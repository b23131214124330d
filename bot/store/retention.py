"""Retention (issue 20, review M9): personal data is not kept forever.

Once a day per shop, a durable `retention` job empties the text of messages older than
`retention.messages` (of closed cases only: a live conversation keeps its context) and the payloads of
jobs that finished longer than `retention.jobs` ago (an inbound job holds a second copy of the message and
the sender's number). Rows stay, so reports keep every figure; only the text goes. Sign-in sessions that
ended more than a day ago are deleted.

The job schedules its own next run in the transaction that marks it done, so the chain survives restarts
and kills. Its dedupe key is the shop and the day: a server starting (`schedule_retention`) adds today's
run unless the chain already has it, and two workers never run two chains.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Text, cast, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.models import Case, Job, Message, Shop, WebSession
from bot.store.queue import JobContext, job_handler, schedule

log = logging.getLogger("mediator.retention")
KIND = "retention"
EVERY = timedelta(days=1)
FINISHED = ("done", "failed", "cancelled")


def _key(shop_id: str, at: datetime) -> str:
    return f"{KIND}:{shop_id}:{at.date().isoformat()}"


async def schedule_retention(sessions: async_sessionmaker[AsyncSession], now: datetime) -> None:
    """Start each shop's daily chain (a no-op for a shop whose chain already has today's run)."""
    async with sessions() as session, session.begin():
        for shop_id in (await session.execute(select(Shop.id))).scalars():
            await schedule(session, shop_id=shop_id, kind=KIND, run_at=now, now=now, dedupe_key=_key(shop_id, now))


async def purge(
    session: AsyncSession, shop_id: str, now: datetime, messages: timedelta | None, jobs: timedelta | None
) -> tuple[int, int]:
    """Empty old message texts and finished job payloads of one shop. Returns how many of each."""
    texts = payloads = 0
    if messages is not None:
        closed = select(Case.id).where(Case.shop_id == shop_id, Case.stage == "closed")
        result = await session.execute(
            update(Message)
            .where(
                Message.shop_id == shop_id,
                Message.created_at < now - messages,
                Message.text != "",
                Message.case_id.in_(closed),
            )
            .values(text="")
            .execution_options(synchronize_session=False)
        )
        texts = result.rowcount
    if jobs is not None:
        result = await session.execute(
            update(Job)
            .where(
                Job.shop_id == shop_id,
                Job.status.in_(FINISHED),
                Job.finished_at < now - jobs,
                cast(Job.payload, Text) != "{}",  # already purged: not rewritten every day
            )
            .values(payload={}, last_error=None)
            .execution_options(synchronize_session=False)
        )
        payloads = result.rowcount
    # Ended sign-in sessions (they name the staff member) go a day after they ended.
    await session.execute(
        delete(WebSession).where(
            WebSession.shop_id == shop_id,
            or_(WebSession.expires_at < now - EVERY, WebSession.revoked_at < now - EVERY),
        )
    )
    return texts, payloads


@job_handler(KIND)
async def retention(ctx: JobContext, session: AsyncSession, job: Job) -> None:
    now = ctx.clock.now()
    settings = ctx.settings.retention
    texts, payloads = await purge(session, job.shop_id, now, settings.period("messages"), settings.period("jobs"))
    if texts or payloads:
        log.info("shop %s: retention emptied %s message texts and %s job payloads", job.shop_id, texts, payloads)
    nxt = now + EVERY
    await schedule(session, shop_id=job.shop_id, kind=KIND, run_at=nxt, now=now, dedupe_key=_key(job.shop_id, nxt))
