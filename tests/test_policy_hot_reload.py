"""Publishing applies at once to new turns in every worker, with no restart; every event records the
version it was decided under; a turn reads the policy with one small query."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from sqlalchemy import event, select

from bot.app.runtime import Runtime
from bot.platform.clock import VirtualClock
from bot.platform.config import Settings
from bot.policy.versions import files_of, publish, rollback
from bot.store.models import Event
from tests.conftest import ROOT, SHOP, open_runtime
from tests.test_policy_admin import lower_coupon

SCENARIO = yaml.safe_load((ROOT / "data" / "scenarios" / "en_rude_support_coupon.yml").read_text())
STEPS = [s["buyer"] for s in SCENARIO["steps"]][:3]


async def offer(intake_rt: Runtime, worker: Runtime, n: int) -> tuple[int, str]:
    """Open a case through one worker, talk through another; return the case and the coupon offered."""
    review = {**SCENARIO["review"], "external_id": f"hot-{n}"}
    [result] = await intake_rt.intake.ingest(SHOP, [review])
    assert result.case_id is not None
    await intake_rt.worker.run_due()
    amounts = []
    for text in STEPS:
        turn = await worker.conversation.buyer_message(result.case_id, text)
        amounts += [r.text for r in turn.replies if r.action == "propose_remedy"]
    assert len(amounts) == 1, amounts
    return result.case_id, amounts[0]


async def versions(rt: Runtime, case_id: int) -> set[int | None]:
    async with rt.sessions() as session:
        return set((await session.execute(select(Event.policy_version).where(Event.case_id == case_id))).scalars())


async def test_a_publish_reaches_the_next_turn_in_another_worker_and_rollback_too(
    rt: Runtime, settings: Settings, clock: VirtualClock
) -> None:
    other = await open_runtime(settings, clock)  # a second worker process on the same database
    try:
        first, text = await offer(rt, other, 1)
        assert "12.00" in text and await versions(rt, first) == {1}

        async with rt.sessions() as session, session.begin():
            files = await files_of(session, SHOP, 1)
            files["remedies.yml"] = lower_coupon(files["remedies.yml"])
            await publish(session, SHOP, files, base_version=1, author="alice", comment="lower", now=clock.now())
        second, text = await offer(rt, other, 2)
        assert "6.00" in text and "12.00" not in text
        assert await versions(rt, second) == {2}
        assert await versions(rt, first) == {1}  # history is not rewritten

        # A case opened under version 1 moves to version 2 with its next turn, and records it.
        turn = await other.conversation.buyer_message(first, "Yes, thank you, that's fine")
        assert turn.replies
        async with rt.sessions() as session:
            last = (
                await session.execute(select(Event).where(Event.case_id == first).order_by(Event.id.desc()).limit(1))
            ).scalar_one()
        assert last.policy_version == 2

        async with rt.sessions() as session, session.begin():
            await rollback(session, SHOP, 1, base_version=2, author="alice", comment=None, now=clock.now())
        third, text = await offer(other, rt, 3)
        assert "12.00" in text and await versions(rt, third) == {3}
    finally:
        await other.close()


async def test_a_turn_reads_the_policy_with_one_small_query(rt: Runtime) -> None:
    await offer(rt, rt, 4)  # warm: the version is parsed and cached
    review = {**SCENARIO["review"], "external_id": "hot-5"}
    [result] = await rt.intake.ingest(SHOP, [review])
    await rt.worker.run_due()
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(rt.engine.sync_engine, "before_cursor_execute", seen)
    try:
        await rt.conversation.buyer_message(result.case_id, STEPS[0])
    finally:
        event.remove(rt.engine.sync_engine, "before_cursor_execute", seen)
    policy = [s for s in statements if re.search(r"\bpolicy_(heads|releases|versions)\b", s)]
    assert len(policy) == 1 and "FROM policy_heads" in policy[0], policy


def test_scenarios_for_the_preview_are_real_scenarios() -> None:
    from bot.conversation.scenario import load_scenario

    folder = ROOT / "data" / "scenarios"
    names = sorted(p.name for p in folder.glob("*.yml"))
    assert "en_rude_support_coupon.yml" in names and len(names) >= 5
    for name in names:
        load_scenario(Path(folder / name))
