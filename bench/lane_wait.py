"""What keeping a sender's messages in order (bot/store/queue.py) costs one inbound job, measured alone, on SQLite.

    .venv/bin/python bench/lane_wait.py [--calls 2000] [--lanes 100] [--backlogs 0,200,1000,5000] [--batch 50]

Inbound jobs run in their sender's order across retries (`HandlerSpec.in_order`). The worker asks once per
claimed batch, inside the claim's own transaction (`Worker._note_unsure`), which claimed jobs have an earlier
job of their sender still unfinished elsewhere; only those (and a lane whose job it handed back) ask again
before they run (`Worker._wait_for_lane`, its own session: on SQLite the write gate and BEGIN IMMEDIATE).
The end-to-end A/B is `bench/channels.py --without lane_wait`; on a loaded 2-core host its noise is larger than
these queries, so this script times them, against a jobs table holding `backlog` pending inbound jobs from
`--lanes` senders (the backlog a burst leaves) and 5,000 finished ones, for the common case: the sender has no
earlier job waiting, so the job runs. Prints the median and p99 wall time per job (one call at a time, so wall
time is its cost): the claim's query divided over its batch, and the wait before each job.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench._common import median, percentile, scratch_database  # noqa: E402

FINISHED = 5000


async def measure(calls: int, lanes: int, backlog: int, batch: int) -> dict[str, tuple[float, float]]:
    from bot.inbox.inbox import INBOUND
    from bot.platform.clock import SystemClock
    from bot.platform.config import Settings, ShopSettings
    from bot.store.db import make_engine, make_sessionmaker
    from bot.store.models import Base, Job
    from bot.store.queue import JOBS, JobContext, Worker
    from bot.store.shops import ensure_shop

    url = scratch_database(None)
    settings = Settings(
        database_url=url,
        data_dir=ROOT / "var",
        policies_dir=ROOT / "policies",
        shops={"bench": ShopSettings(name="Bench")},
        config_file=ROOT / "config.yml",
        public_url="http://127.0.0.1:1",
    )
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    sessions = make_sessionmaker(engine)
    now = datetime.now(UTC)

    def row(n: int, status: str) -> dict:
        return {
            "shop_id": "bench",
            "case_id": None,
            "kind": INBOUND,
            "run_at": now,
            "status": status,
            "attempts": 0,
            "payload": {"text": f"message {n}", "lane": f"sms:+4860{n % lanes:07d}"},
            "dedupe_key": f"in:bench:sms:SM{status}{n}",
            "created_at": now - timedelta(seconds=1),
        }

    async with sessions() as session, session.begin():
        await ensure_shop(session, "bench", "Bench", "bench-key", now)
        await session.execute(JOBS.insert(), [row(n, "done") for n in range(FINISHED)])
        if backlog:
            await session.execute(JOBS.insert(), [row(n, "pending") for n in range(backlog)])
    async with sessions() as session:
        # The first pending job of each lane: nothing earlier of its sender waits, so the wait returns at once.
        ids = (await session.execute(JOBS.select().where(JOBS.c.status == "pending").order_by(JOBS.c.id))).all()
        firsts: dict[str, int] = {}
        for r in ids:
            firsts.setdefault(r.payload["lane"], r.id)
        jobs = [await session.get(Job, i) for i in firsts.values()]
        if not jobs:  # no backlog: a job of its own, just claimed
            await session.execute(JOBS.insert(), [row(FINISHED, "running")])
            await session.commit()
            jobs = [(await session.execute(Job.__table__.select().order_by(JOBS.c.id.desc()).limit(1))).first()]
            jobs = [await session.get(Job, jobs[0].id)]
    # As the worker runs them: the claim's one query for its batch (`_note_unsure`, inside the claim's transaction,
    # so no session of its own), then each job's `_wait_for_lane`, which asks again only for a job found unsure.
    from bot.app.runtime import JOB_HANDLERS

    times: dict[str, list[float]] = {"claim's check, a job": [], "wait, a job": []}
    async with httpx.AsyncClient() as http:
        worker = Worker(JobContext(settings=settings, clock=SystemClock(), sessions=sessions, http=http), JOB_HANDLERS)
        for i in range(calls):
            start = (i * batch) % len(jobs)
            claimed = (jobs + jobs)[start : start + min(batch, len(jobs))]
            async with sessions() as session, session.begin():
                t = time.perf_counter()  # the claim's transaction is open already: time the query alone
                await worker._note_unsure(session, claimed)
                times["claim's check, a job"].append((time.perf_counter() - t) / len(claimed))
            t = time.perf_counter()
            for job in claimed:
                await worker._wait_for_lane(job)
            times["wait, a job"].append((time.perf_counter() - t) / len(claimed))
    await engine.dispose()
    return {name: (median(t), percentile(t, 99)) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--lanes", type=int, default=100)
    parser.add_argument("--backlogs", default="0,200,1000,5000")
    parser.add_argument("--batch", type=int, default=50, help="jobs a claim takes (scheduler.batch_size)")
    args = parser.parse_args()
    print(
        f"lane order on SQLite, {FINISHED} finished inbound jobs, {args.lanes} senders, {args.calls} claims of "
        f"up to {args.batch} jobs:"
    )
    for backlog in (int(b) for b in args.backlogs.split(",")):
        for name, (p50, p99) in asyncio.run(measure(args.calls, args.lanes, backlog, args.batch)).items():
            print(f"  {backlog:5d} pending, {name:20}: p50 {p50 * 1e6:6.0f} µs, p99 {p99 * 1e6:6.0f} µs")


if __name__ == "__main__":
    main()
