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

from bot.app.demo_desk import bot_still_to_ask, desk_steps, item_answer, waiting_case
from bot.app.runtime import Runtime, build_runtime
from bot.app.simulate import _step, advance
from bot.conversation.scenario import Step
from bot.handoff.card import load_card
from bot.handoff.staff_actions import StaffActionError
from bot.intake.files import read_records
from bot.platform.clock import VirtualClock
from bot.platform.durations import parse_duration
from bot.store.models import Case, Review

# The demo shop's data; this module replays it (code lives in bot/, content in data/).
HERE = Path(__file__).resolve().parents[2] / "data" / "demo"
TURN_GAP = timedelta(minutes=10)
ARRIVAL_GAP = timedelta(minutes=20)
BACK_LATER = timedelta(hours=6)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


class Dealer:
    """Deals the buyers' scripts to cases by what each review is about, so a conversation answers the review it
    belongs to: a script names, under `about`, the topics, problems or kinds it fits; a case takes the next
    script of its language that names one of its problems, else one of its topic or kind, else one marked
    `any`. A language without scripts has buyers who never answer."""

    def __init__(self, scripts: dict[str, Any]) -> None:
        self.scripts = [
            (s["language"], set(s.get("about", ["any"])), [Step.model_validate(x) for x in s["steps"]])
            for s in scripts.values()
        ]
        self.dealt: dict[tuple[str, str], int] = {}

    def deal(self, language: str, problems: set[str], labels: set[str]) -> list[Step] | None:
        for wanted in (problems, labels, {"any"}):
            fits = [steps for lang, about, steps in self.scripts if lang == language and about & wanted]
            if fits:
                key = (language, ",".join(sorted(wanted)))
                n = self.dealt.get(key, 0)
                self.dealt[key] = n + 1
                return fits[n % len(fits)]
        return None


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
    dealer = Dealer(plan["scripts"])
    run_until = _time(plan["run_until"])
    counted: dict[str, int] = {}
    desk = plan.get("staff_desk")
    desk_due: dict[int, datetime] = {}  # a case the desk will act on at that time: its buyer waits for it
    desk_replied: set[int] = set()
    desk_asked: set[int] = set()
    items_named: set[int] = set()
    desk_turns: dict[int, int] = {}

    reviews.sort(key=lambda r: r["created_at"])
    clock = VirtualClock(_time(reviews[0]["created_at"]))
    past = await build_runtime(rt.settings, clock, migrate=False)
    opened = 0
    order = itertools.count()
    # (when, tie-breaker, what): ("review", record), ("step", case id, remaining steps) or ("desk", case id, steps)
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
                    labels = {case.topic, case.kind}
                counted[language] = counted.get(language, 0) + 1
                if mode == "none" or (counted[language] - 1) % int(plan["every"]):
                    continue
                silent = int(plan.get("silent_every") or 0)
                if silent and counted[language] % silent == 0:
                    continue  # a buyer who never answers: every real quarter has them
                _entities, problems, _risks = past.conversation.nlu.entities(what[1]["text"], language)
                steps = dealer.deal(language, set(problems), labels)
                if steps is None:
                    continue
                # The buyer answers the bot's first message, which may wait for a cool-down or quiet hours.
                start = max(clock.now(), not_before or clock.now()) + TURN_GAP
                heapq.heappush(queue, (start, next(order), ("step", result.case_id, steps)))
                continue
            if what[0] == "desk":
                _, case_id, steps = what
                desk_due.pop(case_id, None)
                for step in steps:
                    try:
                        await _step(past, clock, case_id, step)
                    except StaffActionError:
                        continue  # a grant the case refuses (say, which item of several): the hand back still runs
                if any(s.staff and not s.staff.startswith("/") for s in steps):
                    desk_replied.add(case_id)
                if steps[-1].staff and not steps[-1].staff.startswith("/"):
                    desk_asked.add(case_id)  # the desk asked the buyer something: their next line answers it
                    # ...and the desk reads that answer before it acts: called again at once, it handed the case
                    # back unread, and a buyer who then asked for their money back got it from no person.
                    continue
                await _call_desk(past, clock, queue, order, case_id, desk, desk_due, desk_replied, desk_turns)
                continue
            case_id, steps = what[1], what[2]
            if not steps:
                continue
            if case_id in desk_due and steps[0].buyer is not None:
                # A buyer told that the team will answer waits for that answer before writing again.
                heapq.heappush(queue, (desk_due[case_id] + TURN_GAP, next(order), what))
                continue
            own_staff = any(s.staff is not None for s in steps)
            answers_staff = steps[0].buyer is None or own_staff or case_id in desk_asked
            if not answers_staff and await waiting_case(past, case_id) is not None:
                continue  # with staff and nobody coming: the buyer's lines would answer nothing; they wait
            desk_asked.discard(case_id)
            item = await item_answer(past, case_id) if steps[0].buyer is not None else None
            if item is not None and case_id not in items_named:
                items_named.add(case_id)  # once: a bot that asks again did not understand, and that shows
                steps = [Step(buyer=item), *steps]
            step, rest = steps[0], steps[1:]
            if step.wait is not None:
                later = clock.now() + parse_duration(step.wait)
                heapq.heappush(queue, (later, next(order), ("step", case_id, rest, "after_wait")))
                continue
            back = what[-1] == "after_wait" and step.buyer is not None and clock.now() < run_until
            if back and await bot_still_to_ask(past, case_id):
                # Back after days to answer the bot's follow-up: the buyer waits until it is asked.
                heapq.heappush(queue, (clock.now() + BACK_LATER, next(order), what))
                continue
            await _step(past, clock, case_id, step)
            heapq.heappush(queue, (clock.now() + TURN_GAP, next(order), ("step", case_id, rest)))
            if not any(s.staff is not None for s in rest):  # the script's own staff decide, not the desk
                await _call_desk(past, clock, queue, order, case_id, desk, desk_due, desk_replied, desk_turns)
        await advance(past, clock, max(clock.now(), run_until))
    finally:
        await past.close()
    return opened


async def _call_desk(
    rt: Runtime,
    clock: VirtualClock,
    queue: list[tuple[datetime, int, tuple[Any, ...]]],
    order: Any,
    case_id: int,
    desk: dict[str, Any] | None,
    due: dict[int, datetime],
    replied: set[int],
    turns: dict[int, int],
) -> None:
    """Queue the desk's answer when the case now waits for staff: an approval after `approve_after`, any other
    handoff after `answer_after` (within a working day). A few turns per case at most: the desk does not argue
    with the bot in circles."""
    if not desk or case_id in due or turns.get(case_id, 0) >= int(desk.get("max_turns", 3)):
        return
    case = await waiting_case(rt, case_id)
    if case is None:
        return
    async with rt.sessions() as session:
        card = await load_card(session, case_id, clock.now())  # what a person reads before granting money
    steps = desk_steps(case, desk, case_id in replied, card.remedies if card is not None else None)
    if not steps:
        return
    turns[case_id] = turns.get(case_id, 0) + 1
    after = desk["approve_after"] if (case.details or {}).get("pending_remedy") else desk["answer_after"]
    due[case_id] = clock.now() + parse_duration(after)
    heapq.heappush(queue, (due[case_id], next(order), ("desk", case_id, steps)))
