"""Retention (issue 20, review M9): personal data is not kept forever.

Once a day per shop, a durable `retention` job empties the text of messages older than
`retention.messages` (of closed cases only: a live conversation keeps its context), deletes the photos of
those cases after the same period (and their copies uploaded to Slack, by a `slack_erase` job), and empties
the payloads of jobs that finished longer than `retention.jobs` ago (an inbound job holds a second copy of
the message and the sender's number). Rows stay, so reports keep every figure; only the text goes. Sign-in sessions that
ended more than a day ago are deleted.

Rows are emptied in batches of BATCH, each its own transaction, so a first purge over months of data never
holds the database in one huge transaction. The job then schedules its own next run (deduplicated by the
day, so a run redone after a kill adds nothing twice); the chain survives restarts and kills. Its dedupe
key is the shop and the day: a server starting (`schedule_retention`) adds today's
run unless the chain already has it, and two workers never run two chains.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, Text, cast, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store import photos
from bot.store.models import Case, Job, Message, Photo, Shop, WebSession
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


# Rows emptied per transaction: a shop's first purge may cover months of messages and hundreds of thousands of
# jobs, and one transaction over all of them would hold the SQLite write gate (every buyer's turn waits) and
# a PostgreSQL transaction of that size for as long as it takes. Each batch commits on its own; a run killed
# in between is redone by its job, and rows already emptied are not selected again.
BATCH = 1000


async def purge(
    sessions: async_sessionmaker[AsyncSession],
    shop_id: str,
    now: datetime,
    messages: timedelta | None,
    jobs: timedelta | None,
    *,
    batch: int = BATCH,
) -> tuple[int, int]:
    """Empty old message texts and finished job payloads of one shop, `batch` rows per transaction. Returns
    how many of each."""
    texts = payloads = 0
    if messages is not None:
        closed = select(Case.id).where(Case.shop_id == shop_id, Case.stage == "closed")
        due = select(Message.id).where(
            Message.shop_id == shop_id,
            Message.created_at < now - messages,
            Message.text != "",
            Message.case_id.in_(closed),
        )
        texts = await _in_batches(
            sessions, due, batch, lambda ids: update(Message).where(Message.id.in_(ids)).values(text="")
        )
    if jobs is not None:
        due = select(Job.id).where(
            Job.shop_id == shop_id,
            Job.status.in_(FINISHED),
            Job.finished_at < now - jobs,
            cast(Job.payload, Text) != "{}",  # already purged: not rewritten every day
        )
        payloads = await _in_batches(
            sessions, due, batch, lambda ids: update(Job).where(Job.id.in_(ids)).values(payload={}, last_error=None)
        )
    # Ended sign-in sessions (they name the staff member) go a day after they ended: a handful a day.
    async with sessions() as session, session.begin():
        await session.execute(
            delete(WebSession).where(
                WebSession.shop_id == shop_id,
                or_(WebSession.expires_at < now - EVERY, WebSession.revoked_at < now - EVERY),
            )
        )
    return texts, payloads


async def purge_photos(
    sessions: async_sessionmaker[AsyncSession],
    shop_id: str,
    now: datetime,
    messages: timedelta | None,
    *,
    batch: int = BATCH,
) -> int:
    """Delete the photos of closed cases older than `messages` (the period message texts are kept): the row
    goes, since a photo has nothing a report counts. A photo uploaded to its Slack thread goes there too: the
    `slack_erase` job (channels/slack.py) deletes the file, queued in the batch's own transaction, so a
    photo deleted here is never left in Slack. Returns how many."""
    if messages is None:
        return 0
    closed = select(Case.id).where(Case.shop_id == shop_id, Case.stage == "closed")
    due = select(Photo.id).where(Photo.shop_id == shop_id, Photo.created_at < now - messages, Photo.case_id.in_(closed))
    done = 0
    while True:
        async with sessions() as session, session.begin():
            ids = list((await session.execute(due.order_by(None).limit(batch))).scalars())
            files = await photos.slack_files(session, ids)
            if files:
                # The batch's first photo names the job: a batch redone after a kill queues nothing twice.
                key = f"{photos.SLACK_ERASE}:retention:{shop_id}:{min(ids)}"
                payload = {"files": files}
                await schedule(
                    session,
                    shop_id=shop_id,
                    kind=photos.SLACK_ERASE,
                    run_at=now,
                    now=now,
                    payload=payload,
                    dedupe_key=key,
                )
            if ids:
                await session.execute(
                    delete(Photo).where(Photo.id.in_(ids)).execution_options(synchronize_session=False)
                )
        done += len(ids)
        if len(ids) < batch:
            return done


async def _in_batches(
    sessions: async_sessionmaker[AsyncSession], due: Select[tuple[int]], batch: int, change: Callable[[list[int]], Any]
) -> int:
    done = 0
    while True:
        async with sessions() as session, session.begin():
            ids = list((await session.execute(due.order_by(None).limit(batch))).scalars())
            if ids:
                await session.execute(change(ids).execution_options(synchronize_session=False))
        done += len(ids)
        if len(ids) < batch:
            return done


@job_handler(KIND, external=True)
async def retention(ctx: JobContext, job: Job) -> None:
    now = ctx.clock.now()
    settings = ctx.settings.retention
    texts, payloads = await purge(ctx.sessions, job.shop_id, now, settings.period("messages"), settings.period("jobs"))
    pictures = await purge_photos(ctx.sessions, job.shop_id, now, settings.period("messages"))
    if texts or payloads or pictures:
        log.info(
            "shop %s: retention emptied %s message texts and %s job payloads, and deleted %s photos",
            job.shop_id,
            texts,
            payloads,
            pictures,
        )
    nxt = now + EVERY
    # The next run, deduplicated by its day: a run redone after a kill schedules nothing twice.
    async with ctx.sessions() as session, session.begin():
        await schedule(session, shop_id=job.shop_id, kind=KIND, run_at=nxt, now=now, dedupe_key=_key(job.shop_id, nxt))
