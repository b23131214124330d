"""Replays the demo shop's past (data/demo/history.yml) through the real intake, engine and timers.

A small discrete-event loop on a virtual clock: each old low-rated review arrives at its own time, a
scripted buyer (if the case got one) answers ten minutes after the bot's last message or after the
script's `wait`, and every timer due in between fires at its own moment. Conversations interleave in time,
so a three-week wait in one of them does not hold up the others. Called by bot/app/demo.py; idempotent (a
shop that already has any of these reviews is left as it is).
"""

from __future__ import annotations

import heapq
import itertools
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select

from bot.app.runtime import Runtime, build_runtime
from bot.app.simulate import _step, advance
from bot.conversation.scenario import Step
from bot.intake.files import read_records
from bot.platform.clock import VirtualClock
from bot.platform.durations import parse_duration
from bot.store.models import Case, Event, Review

# The demo shop's data; this module replays it (code lives in bot/, content in data/).
HERE = Path(__file__).resolve().parents[2] / "data" / "demo"
TURN_GAP = timedelta(minutes=10)
ARRIVAL_GAP = timedelta(minutes=20)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


async def _awaits_approval(rt: Runtime, case_id: int) -> bool:
    """Whether the bot has just asked staff to approve a remedy above its authority for this case."""
    async with rt.sessions() as session:
        case = await session.get(Case, case_id)
        if case is None or case.stage != "awaiting_staff":
            return False
        last = (
            await session.execute(
                select(Event.type)
                .where(Event.case_id == case_id, Event.type.like("handoff:%"))
                .order_by(Event.id.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
    return last == "handoff:approval_needed"


async def load_history(rt: Runtime, shop_id: str) -> int:
    """Replay the history into `rt`'s database; returns how many cases it opened (0 if already there)."""
    plan = yaml.safe_load((HERE / "history.yml").read_text(encoding="utf-8"))
    until = _time(plan["until"])
    reviews = [
        record
        for _, record in read_records(HERE / "reviews.jsonl")
        if int(record.get("rating", 5)) <= 3 and _time(record["created_at"]) < until
    ]
    if not reviews:
        return 0
    async with rt.sessions() as session:
        ids = [r["external_id"] for r in reviews]
        seen = (
            await session.execute(select(func.count()).where(Review.shop_id == shop_id, Review.external_id.in_(ids)))
        ).scalar()
    if seen:
        return 0
    scripts: dict[str, list[list[Step]]] = {}
    for script in plan["scripts"].values():
        scripts.setdefault(script["language"], []).append([Step.model_validate(s) for s in script["steps"]])
    turns = {language: itertools.cycle(found) for language, found in scripts.items()}
    counted: dict[str, int] = {}
    desk = plan.get("staff_desk")
    approving: set[int] = set()

    reviews.sort(key=lambda r: r["created_at"])
    clock = VirtualClock(_time(reviews[0]["created_at"]))
    past = await build_runtime(rt.settings, clock, migrate=False)
    opened = 0
    order = itertools.count()
    # (when, tie-breaker, what): ("review", record) or ("step", case id, remaining steps)
    queue: list[tuple[datetime, int, tuple[Any, ...]]] = [
        (_time(r["created_at"]) + ARRIVAL_GAP, next(order), ("review", r)) for r in reviews
    ]
    heapq.heapify(queue)
    try:
        while queue:
            when, _, what = heapq.heappop(queue)
            await advance(past, clock, when)
            if what[0] == "review":
                [result] = await past.intake.ingest(shop_id, [what[1]])
                await past.worker.run_due()
                if result.case_id is None:
                    continue
                opened += 1
                async with past.sessions() as session:
                    case = await session.get(Case, result.case_id)
                    assert case is not None
                    language, mode, not_before = case.language, case.contact_mode, case.contact_not_before
                counted[language] = counted.get(language, 0) + 1
                if mode == "none" or language not in turns or (counted[language] - 1) % int(plan["every"]):
                    continue
                # The buyer answers the bot's first message, which may wait for a cool-down or quiet hours.
                start = max(clock.now(), not_before or clock.now()) + TURN_GAP
                heapq.heappush(queue, (start, next(order), ("step", result.case_id, next(turns[language]))))
                continue
            _, case_id, steps = what
            if not steps:
                continue
            step, rest = steps[0], steps[1:]
            if step.wait is not None:
                heapq.heappush(queue, (clock.now() + parse_duration(step.wait), next(order), ("step", case_id, rest)))
                continue
            await _step(past, clock, case_id, step)
            heapq.heappush(queue, (clock.now() + TURN_GAP, next(order), ("step", case_id, rest)))
            scripted = any(s.staff is not None for s in rest)  # the script's own staff decide, not the desk
            asked = desk and step.buyer is not None and not scripted and case_id not in approving
            if asked and await _awaits_approval(past, case_id):
                approving.add(case_id)
                approve = [Step(staff="/approve", name=desk["name"])]
                due = clock.now() + parse_duration(desk["approve_after"])
                heapq.heappush(queue, (due, next(order), ("step", case_id, approve)))
        await advance(past, clock, max(clock.now(), _time(plan["run_until"])))
    finally:
        await past.close()
    return opened
