"""Everything a running Mediator needs, built once from settings: used by the web app, the CLI and the
benchmarks, so all of them exercise the same code."""

from __future__ import annotations

import asyncio
import gc
import logging
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import bot.conversation.timers
import bot.inbox.inbox
import bot.outbox.outbox
import bot.store.retention
from actions.services import build_services
from bot.conversation.engine import Engine
from bot.intake.service import Intake
from bot.intake.triage import Triager, load_triager
from bot.platform.clock import Clock, SystemClock
from bot.platform.config import Settings
from bot.policy import draft_meaning
from bot.policy.versions import seed_from_files
from bot.store.db import async_url, make_engine, make_sessionmaker
from bot.store.migrate import upgrade
from bot.store.models import Shop
from bot.store.queue import JobContext, Worker, handlers_in
from channels import slack as slack_jobs
from channels.base import ChannelSet
from channels.registry import build_channels
from channels.slack import SlackHandoff, build_slack

log = logging.getLogger("mediator")
# What the worker runs, by job kind: the timers, the inbox, the outbox, the Slack handoff and retention.
JOB_HANDLERS = handlers_in(bot.conversation.timers, bot.inbox.inbox, bot.outbox.outbox, slack_jobs, bot.store.retention)


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    # Sessions for pages and reports that only read: on SQLite they never queue behind a buyer's turn.
    reads: async_sessionmaker[AsyncSession]
    clock: Clock
    triager: Triager
    intake: Intake
    http: httpx.AsyncClient
    worker: Worker
    conversation: Engine
    channels: ChannelSet = field(default_factory=ChannelSet)  # Telegram, SMS, web chat adapters (issue 5)
    slack: SlackHandoff | None = None  # the Slack handoff, when configured (issue 6)
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
                    session, shop_id, self.settings.policies_dir_for(shop_id), self.clock.now()
                )
                if changed:
                    log.info("shop %s: policy versions recorded for %s", shop_id, ", ".join(changed))

    def settle(self) -> None:
        """Load and warm up the NLU now, start its helper process (`server.nlu_process`), then exempt everything
        loaded so far (models, policies, the knowledge client) from the garbage collector's scans. A
        long-running server keeps those ~millions of objects for life; scanning them in every full
        collection cost about a fifth of a turn's CPU under load (bench/turn.py). Only for a process
        that builds one runtime: frozen objects are never collected."""
        self.conversation.nlu.warm_up()
        draft_meaning.load_model(self.settings.models_dir())  # the guard rails read every reply the bot sends
        if self.settings.server.nlu_process and self.conversation.nlu_process is None:
            from bot.understanding.nlu_process import NLUProcess

            self.conversation.nlu_process = NLUProcess(self.settings.models_dir())
            self.conversation.nlu_process.start()
        gc.collect()
        gc.freeze()

    def start_worker(self) -> None:
        for task in self.channels.background:  # e.g. Telegram polling mode
            task.start(self)
        self._stop.clear()
        self._task = asyncio.create_task(self._run_jobs(), name="mediator-scheduler")

    async def _run_jobs(self) -> None:
        try:  # the daily retention chain: a server that runs jobs makes sure it exists
            await bot.store.retention.schedule_retention(self.sessions, self.clock.now())
        except Exception:
            log.exception("could not schedule the retention job; retrying at the next start")
        await self.worker.run_forever(self._stop)

    async def close(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
        for task in self.channels.background:
            await task.stop()
        await self.channels.close()
        await self.http.aclose()
        await self.engine.dispose()
        if self.conversation.nlu_process is not None:
            self.conversation.nlu_process.close()
            self.conversation.nlu_process = None


async def build_runtime(
    settings: Settings, clock: Clock | None = None, *, migrate: bool = True, refresh_knowledge: bool = False
) -> Runtime:
    base = settings.resolve(Path("."))
    if migrate:
        await upgrade(async_url(settings.database_url, base))
    engine = make_engine(settings.database_url, base)
    policies_dir = settings.resolve(settings.policies_dir)
    sessions = make_sessionmaker(engine, policies_dir=policies_dir)
    clock = clock or SystemClock()
    cache_dir = settings.models_dir()
    triager = await asyncio.to_thread(load_triager, cache_dir)
    http = httpx.AsyncClient(follow_redirects=False)
    conversation = build_engine(settings, sessions, clock, cache_dir)
    channels = build_channels(settings)
    conversation.channels_enabled = channels.enabled
    slack = build_slack(settings, sessions, clock, conversation, channels)
    worker = Worker(JobContext(settings, clock, sessions, http, conversation, channels, slack=slack), JOB_HANDLERS)
    intake = Intake(sessions, triager, settings, clock)
    intake.on_case_opened = conversation.expect_case
    runtime = Runtime(
        settings,
        engine,
        sessions,
        make_sessionmaker(engine, read_only=True, policies_dir=policies_dir),
        clock,
        triager,
        intake,
        http,
        worker,
        conversation,
        channels,
        slack=slack,
    )
    await runtime.seed_policies()
    knowledge = conversation.services.knowledge
    if knowledge is not None and refresh_knowledge:
        # Incremental: unchanged passages are not embedded again, so a restart after editing knowledge/
        # costs only the edited files. Otherwise the knowledge base opens on its first search.
        report = await asyncio.to_thread(knowledge.index)
        for file, message in report.errors:
            log.warning("knowledge/%s: %s", file, message)
    return runtime


def build_engine(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock, cache_dir: Path
) -> Engine:
    policies = settings.resolve(settings.policies_dir)
    services = build_services(settings)

    # The NLU loads on the first buyer message: timers and intake never need it.
    def nlu() -> object:
        from bot.understanding.nlu import load_nlu

        return load_nlu(cache_dir)

    return Engine(sessions, clock, policies, services, nlu, settings.callback_url)
