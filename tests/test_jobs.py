"""Durable timers: they survive restarts, respect quiet hours, expire cases, and run exactly once."""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from typing import Any

from sqlalchemy import event, func, select

from bot.app.runtime import JOB_HANDLERS, Runtime
from bot.platform.clock import VirtualClock
from bot.platform.config import Settings
from bot.store.models import Case, Event
from bot.store.queue import Job, JobContext, RetryLater, Worker, backoff, handlers_in, job_handler, schedule
from tests.conftest import SHOP, open_runtime, review

IMPULSIVE = "NEVER AGAIN!!! WORST SHOP EVER!!! I AM SO ANGRY!!!"


async def _case(rt: Runtime, case_id: int) -> Case:
    async with rt.sessions() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        return case


async def test_constructive_review_is_contacted_at_once(rt: Runtime) -> None:
    [res] = await rt.intake.ingest(SHOP, [review("j-1")])
    assert res.triage["kind"] == "constructive"
    assert await rt.worker.run_due() >= 1
    case = await _case(rt, res.case_id)
    assert case.stage == "contacted" and case.first_contact_at == rt.clock.now()


async def test_delayed_first_contact_survives_a_restart(settings: Settings, clock: VirtualClock) -> None:
    rt = await open_runtime(settings, clock)
    [res] = await rt.intake.ingest(SHOP, [review("j-2", rating=1, text=IMPULSIVE, order=None, verified_purchase=True)])
    assert res.triage["kind"] == "impulsive" and res.triage["contact_plan"]["mode"] == "delayed"
    await rt.worker.run_due()
    assert (await _case(rt, res.case_id)).stage == "opened"  # still cooling down
    await rt.close()  # the process stops; only the database remembers the timer

    clock.advance(timedelta(hours=4, minutes=1))
    rt2 = await open_runtime(settings, clock)
    try:
        assert await rt2.worker.run_due() >= 1
        case = await _case(rt2, res.case_id)
        assert case.stage == "contacted"
        assert case.first_contact_at - case.opened_at >= timedelta(hours=4)
    finally:
        await rt2.close()


async def test_first_contact_waits_for_the_end_of_quiet_hours(rt: Runtime, clock: VirtualClock) -> None:
    clock.set(clock.now().replace(hour=21, minute=30))  # 22:30 in Warsaw
    [res] = await rt.intake.ingest(SHOP, [review("j-3")])
    not_before = res.triage["contact_plan"]["not_before"]
    assert not_before.startswith("2026-11-03T07:00")  # 08:00 Warsaw the next morning
    await rt.worker.run_due()
    assert (await _case(rt, res.case_id)).stage == "opened"
    clock.advance(timedelta(hours=9, minutes=30))
    await rt.worker.run_due()
    assert (await _case(rt, res.case_id)).stage == "contacted"


async def test_case_expires_at_the_deadline_with_the_right_outcome(rt: Runtime, clock: VirtualClock) -> None:
    [contacted] = await rt.intake.ingest(SHOP, [review("j-4")])
    await rt.worker.run_due()
    clock.advance(timedelta(days=20, hours=23))
    await rt.worker.run_due()
    assert (await _case(rt, contacted.case_id)).stage == "contacted"
    clock.advance(timedelta(hours=2))
    await rt.worker.run_due()
    case = await _case(rt, contacted.case_id)
    assert (case.stage, case.outcome) == ("closed", "no_response")
    async with rt.sessions() as session:
        query = select(Event.type).where(Event.case_id == case.id).order_by(Event.id)  # PostgreSQL keeps no order
        types = list((await session.execute(query)).scalars())
    assert types == ["case_opened", "first_contact", "deadline_reminder", "deadline_reached"]


async def test_troll_case_goes_to_staff_and_expires_not_contacted(rt: Runtime, clock: VirtualClock) -> None:
    troll = review(
        "j-5",
        rating=1,
        text="lol this shop is run by clowns, go cry, nobody buys here lmao",
        verified_purchase=False,
        order=None,
    )
    [res] = await rt.intake.ingest(SHOP, [troll])
    assert res.triage["kind"] in {"troll", "black_pr"} and res.triage["contact_plan"]["mode"] == "none"
    case = await _case(rt, res.case_id)
    assert (case.stage, case.handoff_reason) == ("awaiting_staff", f"suspected_{res.triage['kind']}")
    clock.advance(timedelta(days=22))
    await rt.worker.run_due()
    case = await _case(rt, res.case_id)
    assert (case.stage, case.outcome, case.first_contact_at) == ("closed", "not_contacted", None)


RAN: list[int] = []


@job_handler("test_count")
async def _count(ctx: JobContext, session, job: Job) -> None:  # type: ignore[no-untyped-def]
    session.add(Event(shop_id=job.shop_id, case_id=None, type="test_ran", data={"job": job.id}, at=ctx.clock.now()))
    await asyncio.sleep(0)  # yield so that workers really interleave


SENDER_SAID: list[str] = []  # what the in-order handler below ran, in order
FAIL_ONCE: set[str] = set()  # texts whose first attempt fails


@job_handler("test_said", external=True, in_order=True)
async def _said(ctx: JobContext, job: Job) -> None:
    if job.payload["text"] in FAIL_ONCE:
        FAIL_ONCE.discard(job.payload["text"])
        raise RetryLater("the provider is down for now")
    SENDER_SAID.append(job.payload["text"])


HANDLERS = {**JOB_HANDLERS, **handlers_in(sys.modules[__name__])}


async def _say(rt: Runtime, *texts: str) -> None:
    async with rt.sessions() as session, session.begin():
        for text in texts:
            now = rt.clock.now()
            payload = {"text": text, "lane": "sms:+48600000001"}
            await schedule(session, shop_id=SHOP, kind="test_said", run_at=now, now=now, payload=payload)
    SENDER_SAID.clear()


async def test_a_senders_messages_claimed_together_keep_their_order_when_the_first_is_retried(
    rt: Runtime, clock: VirtualClock
) -> None:
    """The first message fails in the batch that claimed both: the second waits for its retry (issue 17: the
    lane is asked only for jobs that may have to wait, and a job handed back makes its lane's next ones ask)."""
    await _say(rt, "first", "second")
    FAIL_ONCE.add("first")
    worker = Worker(rt.worker.ctx, HANDLERS)
    await worker.run_due()
    assert SENDER_SAID == [], "the second message must not overtake the first, which waits for its retry"
    clock.advance(backoff(1) + timedelta(seconds=1))
    await worker.run_due()
    assert SENDER_SAID == ["first", "second"]


async def test_a_senders_next_message_waits_while_another_worker_holds_the_first(
    rt: Runtime, clock: VirtualClock
) -> None:
    await _say(rt, "first", "second")
    holder, other = Worker(rt.worker.ctx, HANDLERS), Worker(rt.worker.ctx, HANDLERS)
    [first] = await holder.claim(1)
    await other.run_due()
    assert SENDER_SAID == [], "the second message waits while another worker holds the first"
    await holder.run_one(first)
    clock.advance(timedelta(seconds=rt.settings.scheduler.poll_seconds + 1))
    await other.run_due()
    assert SENDER_SAID == ["first", "second"]


async def _until(condition: Any, what: str) -> None:
    """Let the loop run until `condition()` holds (no timing is asserted: the bound only ends a hung test)."""
    for _ in range(2000):
        if await condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


async def test_the_loop_forgets_a_lanes_flag_once_its_queue_empties(rt: Runtime, clock: VirtualClock) -> None:
    """`run_forever` flags a lane whose job it handed back (its next jobs queued here must ask the database
    before they run: `Worker._wait_for_lane`), and clears the flag when the lane's queue here is empty. A flag
    kept would make every later job of that sender pay the lane query (the claim's one query per batch already
    said nothing is ahead of it)."""
    await _say(rt, "first")
    FAIL_ONCE.add("first")
    rt.settings.scheduler.poll_seconds = 0.01
    worker = Worker(rt.worker.ctx, HANDLERS)
    lane_queries: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().startswith("SELECT jobs.id, jobs.status, jobs.run_at"):
            lane_queries.append(statement)

    async def status() -> tuple[str, str | None]:
        async with rt.sessions() as session:
            query = select(Job.status, Job.last_error).where(Job.kind == "test_said")
            return tuple((await session.execute(query)).one())  # type: ignore[return-value]

    async def handed_back() -> bool:
        state, error = await status()
        return state == "pending" and error is not None and not worker._lanes

    async def done() -> bool:
        return (await status())[0] == "done"

    sync_engine = rt.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", count)
    stop = asyncio.Event()
    loop = asyncio.create_task(worker.run_forever(stop))
    try:
        await _until(handed_back, "the failed job handed back and its lane's queue here emptied")
        assert worker._unsure_lanes == set(), "the lane's flag outlived its queue"
        clock.advance(backoff(1) + timedelta(seconds=1))
        await _until(done, "the retried job ran")
    finally:
        stop.set()
        await loop
        event.remove(sync_engine, "before_cursor_execute", count)
    assert SENDER_SAID == ["first"]
    assert lane_queries == [], "the retried job asked its lane again though nothing was ahead of it"


async def test_each_job_runs_exactly_once_with_several_workers(rt: Runtime) -> None:
    async with rt.sessions() as session, session.begin():
        for i in range(120):
            await schedule(
                session, shop_id=SHOP, kind="test_count", run_at=rt.clock.now(), now=rt.clock.now(), dedupe_key=f"t:{i}"
            )
        # The same dedupe key twice schedules one job.
        await schedule(
            session, shop_id=SHOP, kind="test_count", run_at=rt.clock.now(), now=rt.clock.now(), dedupe_key="t:0"
        )
    ctx = rt.worker.ctx
    ctx.settings.scheduler.batch_size = 7
    workers = [Worker(ctx, HANDLERS) for _ in range(4)]
    counts = await asyncio.gather(*(w.run_due() for w in workers))
    assert sum(counts) == 120
    async with rt.sessions() as session:
        ran = list((await session.execute(select(Event.data).where(Event.type == "test_ran"))).scalars())
        done = (await session.execute(select(func.count()).where(Job.status == "done"))).scalar_one()
    assert sorted(d["job"] for d in ran) == sorted(set(d["job"] for d in ran)) and len(ran) == 120
    assert done == 120


async def test_a_dead_workers_lease_expires_and_the_job_runs_once(rt: Runtime, clock: VirtualClock) -> None:
    async with rt.sessions() as session, session.begin():
        await schedule(session, shop_id=SHOP, kind="test_count", run_at=clock.now(), now=clock.now(), dedupe_key="x")
    dead, alive = Worker(rt.worker.ctx, HANDLERS), Worker(rt.worker.ctx, HANDLERS)
    [job_id] = await dead.claim()  # claims, then "dies" before running
    assert await alive.run_due() == 0  # the lease still holds
    clock.advance(timedelta(seconds=rt.settings.scheduler.lease_seconds + 1))
    assert await alive.run_due() == 1
    await dead.run_one(job_id)  # the dead worker wakes up late: it must not run the job again
    async with rt.sessions() as session:
        assert (await session.execute(select(func.count()).where(Event.type == "test_ran"))).scalar_one() == 1


async def test_an_unanswered_handoff_reminds_staff(rt: Runtime, clock: VirtualClock) -> None:
    [res] = await rt.intake.ingest(SHOP, [review("j-6")])
    await rt.worker.run_due()
    await rt.conversation.buyer_message(res.case_id, "I want to talk to a human being, please")
    assert (await _case(rt, res.case_id)).stage == "awaiting_staff"
    query = select(Event.type).where(Event.case_id == res.case_id, Event.type == "staff_reminder")
    clock.advance(timedelta(hours=1))
    await rt.worker.run_due()
    async with rt.sessions() as session:
        assert (await session.execute(query)).scalars().all() == []
    clock.advance(timedelta(hours=1, minutes=1))
    await rt.worker.run_due()
    async with rt.sessions() as session:
        assert (await session.execute(query)).scalars().all() == ["staff_reminder"]
