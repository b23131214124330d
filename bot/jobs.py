"""Durable jobs: timers and the outbox, stored in the `jobs` table.

How a job runs exactly once even with several workers on PostgreSQL:
1. A worker *claims* due jobs in a short transaction (`FOR UPDATE SKIP LOCKED`, so two workers never
   claim the same row) and leases them: status `running`, `locked_by` itself, `locked_until` now+lease.
2. It runs each job. A *transactional* handler's database effects commit in the same transaction that
   marks the job done, and only if the lease is still its own; so effects commit once or not at all.
   An *external* handler (an HTTP callback) runs outside a transaction and is marked done afterwards:
   at-least-once delivery, which is why callbacks carry a delivery id for the receiver to dedupe.
3. A worker that dies leaves its lease to expire; another worker then claims the job again.
On SQLite there is one writer at a time (BEGIN IMMEDIATE), which gives the same guarantee.

Jobs compare against the injected clock, never the database's, so tests drive time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.models import Job
from bot.sql import insert_ignoring_conflicts, supports_skip_locked

log = logging.getLogger("mediator.jobs")


class RetryLater(Exception):
    """A handler's way to say: this failed for now, try again with backoff."""


class RunAt(Exception):
    """A handler's way to say: not yet; run me at `when` (not counted as a failed attempt)."""

    def __init__(self, when: datetime, reason: str):
        super().__init__(reason)
        self.when = when


@dataclass
class JobContext:
    settings: Settings
    clock: Clock
    sessions: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient
    engine: Any = None  # bot.engine.Engine: conversation timers speak through it
    channels: Any = None  # channels.base.ChannelSet: the outbox sends through its adapters (issue 5)
    slack: Any = None  # channels.slack.SlackHandoff when Slack is configured (issue 6)


TransactionalHandler = Callable[[JobContext, AsyncSession, Job], Awaitable[None]]
ExternalHandler = Callable[[JobContext, Job], Awaitable[None]]


@dataclass(frozen=True)
class HandlerSpec:
    run: Any
    external: bool
    max_attempts: int | None = None


HANDLERS: dict[str, HandlerSpec] = {}


def job_handler(kind: str, *, external: bool = False, max_attempts: int | None = None) -> Callable[[Any], Any]:
    def register(fn: Any) -> Any:
        HANDLERS[kind] = HandlerSpec(fn, external, max_attempts)
        return fn

    return register


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at 1 h: quick recovery from blips, no hammering of a dead receiver."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


async def schedule(
    session: AsyncSession,
    *,
    shop_id: str,
    kind: str,
    run_at: datetime,
    now: datetime,
    case_id: int | None = None,
    payload: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> None:
    """Add a job unless one with the same dedupe key already exists."""
    row = {
        "shop_id": shop_id,
        "case_id": case_id,
        "kind": kind,
        "run_at": run_at,
        "status": "pending",
        "attempts": 0,
        "payload": payload or {},
        "dedupe_key": dedupe_key,
        "created_at": now,
    }
    await session.execute(insert_ignoring_conflicts(session, Job.__table__, ["dedupe_key"]), [row])


@dataclass
class Worker:
    ctx: JobContext
    worker_id: str = field(default_factory=lambda: f"{os.getpid()}-{uuid.uuid4().hex[:8]}")

    @property
    def settings(self) -> Any:
        return self.ctx.settings.scheduler

    async def claim(self) -> list[int]:
        now = self.ctx.clock.now()
        lease_until = now + timedelta(seconds=self.settings.lease_seconds)
        async with self.ctx.sessions() as session, session.begin():
            due = or_(
                and_(Job.status == "pending", Job.run_at <= now),
                and_(Job.status == "running", Job.locked_until < now),  # a dead worker's lease
            )
            query = select(Job.id).where(due).order_by(Job.run_at, Job.id).limit(self.settings.batch_size)
            if supports_skip_locked(session):
                query = query.with_for_update(skip_locked=True)
            ids = list((await session.execute(query)).scalars())
            if ids:
                await session.execute(
                    update(Job)
                    .where(Job.id.in_(ids))
                    .values(
                        status="running", locked_by=self.worker_id, locked_until=lease_until, attempts=Job.attempts + 1
                    )
                )
        return ids

    async def run_due(self, max_rounds: int = 1000) -> int:
        """Run every job due by the clock's now, including ones that jobs scheduled for now. Returns the count."""
        done = 0
        for _ in range(max_rounds):
            ids = await self.claim()
            if not ids:
                break
            for job_id in ids:
                await self.run_one(job_id)
                done += 1
        return done

    async def run_one(self, job_id: int) -> None:
        async with self.ctx.sessions() as session:
            job = await session.get(Job, job_id)
        if job is None or job.locked_by != self.worker_id or job.status != "running":
            return
        spec = HANDLERS.get(job.kind)
        try:
            if spec is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            if spec.external:
                await spec.run(self.ctx, job)
                await self._finish(job)
            else:
                async with self.ctx.sessions() as session, session.begin():
                    if not await self._still_ours(session, job):
                        return
                    fresh = await session.get(Job, job.id)
                    assert fresh is not None
                    await spec.run(self.ctx, session, fresh)
                    fresh.status, fresh.finished_at, fresh.locked_by = "done", self.ctx.clock.now(), None
        except RunAt as later:
            await self._release(job, later.when, str(later), count_attempt=False)
        except Exception as exc:
            limit = (spec.max_attempts if spec and spec.max_attempts else None) or self.settings.callback_max_attempts
            if isinstance(exc, LookupError) or job.attempts >= limit:
                log.error("job %s (%s) failed for good after %s attempts: %s", job.id, job.kind, job.attempts, exc)
                await self._release(job, None, f"{type(exc).__name__}: {exc}", failed=True)
            else:
                log.warning("job %s (%s) attempt %s failed: %s", job.id, job.kind, job.attempts, exc)
                await self._release(job, self.ctx.clock.now() + backoff(job.attempts), f"{type(exc).__name__}: {exc}")

    async def _still_ours(self, session: AsyncSession, job: Job) -> bool:
        query = select(Job.id).where(Job.id == job.id, Job.status == "running", Job.locked_by == self.worker_id)
        if supports_skip_locked(session):
            query = query.with_for_update()
        return (await session.execute(query)).scalar_one_or_none() is not None

    async def _finish(self, job: Job) -> None:
        async with self.ctx.sessions() as session, session.begin():
            await session.execute(
                update(Job)
                .where(Job.id == job.id, Job.locked_by == self.worker_id)
                .values(status="done", finished_at=self.ctx.clock.now(), locked_by=None, last_error=None)
            )

    async def _release(
        self, job: Job, run_at: datetime | None, error: str, *, failed: bool = False, count_attempt: bool = True
    ) -> None:
        values: dict[str, Any] = {"locked_by": None, "locked_until": None, "last_error": error[:2000]}
        if failed:
            values.update(status="failed", finished_at=self.ctx.clock.now())
        else:
            values.update(status="pending", run_at=run_at)
        if not count_attempt:
            values["attempts"] = Job.attempts - 1
        async with self.ctx.sessions() as session, session.begin():
            await session.execute(update(Job).where(Job.id == job.id, Job.locked_by == self.worker_id).values(**values))

    async def run_forever(self, stop: asyncio.Event) -> None:
        """The embedded scheduler loop: poll, run what is due, sleep. Errors are logged, never fatal."""
        while not stop.is_set():
            try:
                await self.run_due(max_rounds=20)
            except Exception:
                log.exception("scheduler round failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.settings.poll_seconds)
