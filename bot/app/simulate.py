"""Scripted conversations through the real engine on a virtual clock (`mediator simulate`); the scenario
format is in bot/conversation/scenario.py.

The transcript lists every turn with its role, text, time, bot-turn label, language and stage.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.app.runtime import Runtime, build_runtime
from bot.conversation.scenario import Scenario, Step
from bot.handoff import staff_actions
from bot.handoff.staff_actions import Staff
from bot.handoff.staff_remedy import parse_grant
from bot.platform.clock import VirtualClock
from bot.platform.config import Settings, ShopSettings
from bot.platform.durations import parse_duration
from bot.platform.vocab import Outcome
from bot.store.models import Case, Job, Message
from bot.store.shops import ensure_shop


async def run_scenario(scenario: Scenario, base: Settings, database_url: str | None = None) -> dict[str, Any]:
    clock = VirtualClock(scenario.start)
    url = database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='mediator-sim-')) / 'sim.db'}"
    settings = base.model_copy(update={"database_url": url, "shops": {scenario.shop: ShopSettings(name=scenario.shop)}})
    rt = await build_runtime(settings, clock)
    try:
        async with rt.sessions() as session, session.begin():
            await ensure_shop(session, scenario.shop, scenario.shop, f"sim-{scenario.shop}", clock.now())
        await rt.seed_policies()
        [result] = await rt.intake.ingest(scenario.shop, [scenario.review])
        if result.status == "error":
            raise ValueError("review: " + "; ".join(f"{e['field']}: {e['message']}" for e in result.errors))
        case_id = result.case_id
        if case_id is None:
            return {"case_id": None, "outcome": None, "stage": None, "turns": [], "triage": result.triage}
        await rt.worker.run_due()
        for step in scenario.steps:
            await _step(rt, clock, case_id, step)
        return await transcript(rt, case_id)
    finally:
        await rt.close()


async def _step(rt: Runtime, clock: VirtualClock, case_id: int, step: Step) -> None:
    engine = rt.conversation
    if step.buyer is not None:
        await engine.buyer_message(case_id, step.buyer, channel="webchat")
    elif step.staff is not None:
        command, _, arg = step.staff.partition(" ")
        if command == "/approve":
            await engine.hand_back(case_id, approved=True)
        elif command == "/reject":
            await engine.hand_back(case_id, approved=False)
        elif command == "/handback":
            await engine.hand_back(case_id)
        elif command == "/close":
            await engine.staff_close(case_id, Outcome(arg.strip() or "unresolved"), step.name)
        elif command == "/takeover":
            await staff_actions.take_over(rt, case_id, Staff(step.name, step.name))
        elif command == "/grant":
            # Through the staff action, so a scenario's grant is checked as one from /staff or Slack is.
            remedy_type, amount, percent, item, part = parse_grant(arg)
            staff = Staff(step.name, step.name)
            await staff_actions.grant(rt, case_id, staff, remedy_type, amount, percent, item, part=part)
        else:
            await engine.staff_message(case_id, step.staff, step.name)
    else:
        await advance(rt, clock, clock.now() + parse_duration(step.wait or "0s"))
    await rt.worker.run_due()


async def advance(rt: Runtime, clock: VirtualClock, until: datetime) -> None:
    """Move time forward, stopping at each due timer so it fires at its own moment, not at `until`."""
    while True:
        async with rt.sessions() as session:
            due = (await session.execute(select(func.min(Job.run_at)).where(Job.status == "pending"))).scalar()
        if due is None or due > until:
            break
        if due > clock.now():
            clock.set(due)
        if await rt.worker.run_due() == 0 and due <= clock.now():
            break  # nothing ran although due: avoid spinning on a job another worker holds
    clock.set(max(until, clock.now()))


async def transcript(rt: Runtime, case_id: int) -> dict[str, Any]:
    async with rt.sessions() as session:
        case = await session.get(Case, case_id)
        messages = (
            await session.execute(select(Message).where(Message.case_id == case_id).order_by(Message.id))
        ).scalars()
        turns = []
        for m in messages:
            turn: dict[str, Any] = {
                "role": m.role,
                "text": m.text,
                "at": m.created_at.isoformat(),
                "language": m.language,
                "stage": m.stage,
            }
            if m.role in ("bot", "staff"):
                turn["action"] = m.action
            remedy = (m.meta or {}).get("remedy")
            if remedy:
                turn["remedy"] = {
                    "type": remedy["type"],
                    "amount": remedy.get("amount"),
                    "currency": remedy.get("currency"),
                }
            turns.append(turn)
    assert case is not None
    return {
        "case_id": case.id,
        "outcome": case.outcome,
        "stage": case.stage,
        "kind": case.kind,
        "topic": case.topic,
        "handoff_reason": case.handoff_reason,
        "accepted_remedy": (case.details or {}).get("accepted_remedy"),
        "turns": turns,
    }
