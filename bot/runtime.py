"""Everything a running Mediator needs, built once from settings: used by the web app, the CLI and the
benchmarks, so all of them exercise the same code."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import bot.timers  # noqa: F401 - registers the timer handlers with bot.jobs
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import async_url, make_engine, make_sessionmaker
from bot.intake import Intake
from bot.jobs import JobContext, Worker
from bot.migrate import upgrade
from bot.models import Shop
from bot.policy_store import seed_from_files
from bot.triage import Triager, load_triager

log = logging.getLogger("mediator")


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    triager: Triager
    intake: Intake
    http: httpx.AsyncClient
    worker: Worker
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    @property
    def base_dir(self) -> Path:
        return self.settings.resolve(Path("."))

    async def seed_policies(self) -> None:
        """Record changed policy files as new versions for every shop in the database."""
        from sqlalchemy import select

        async with self.sessions() as session, session.begin():
            for shop_id in (await session.execute(select(Shop.id))).scalars():
                changed = await seed_from_files(
                    session, shop_id, self.settings.resolve(self.settings.policies_dir), self.clock.now()
                )
                if changed:
                    log.info("shop %s: policy versions recorded for %s", shop_id, ", ".join(changed))

    def start_worker(self) -> None:
        self._stop.clear()
        self._task = asyncio.create_task(self.worker.run_forever(self._stop), name="mediator-scheduler")

    async def close(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
        await self.http.aclose()
        await self.engine.dispose()


async def build_runtime(settings: Settings, clock: Clock | None = None, *, migrate: bool = True) -> Runtime:
    base = settings.resolve(Path("."))
    if migrate:
        await upgrade(async_url(settings.database_url, base))
    engine = make_engine(settings.database_url, base)
    sessions = make_sessionmaker(engine)
    clock = clock or SystemClock()
    cache_dir = settings.resolve(settings.data_dir) / "models"
    triager = await asyncio.to_thread(load_triager, cache_dir)
    http = httpx.AsyncClient(follow_redirects=False)
    worker = Worker(JobContext(settings, clock, sessions, http))
    runtime = Runtime(
        settings, engine, sessions, clock, triager, Intake(sessions, triager, settings, clock), http, worker
    )
    await runtime.seed_policies()
    return runtime
