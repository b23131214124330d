"""Every stage change through the stage machine (issue 17, item 5): `bot/conversation/flow.py` decides, and
only `bot/conversation/lifecycle.py` writes a stage; the engine, staff actions, timers, intake and the
opt-out apply a flow plan (lifecycle.apply_stage) instead of choosing a stage themselves."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.conversation import flow
from bot.platform.vocab import Outcome, Stage

ROOT = Path(__file__).resolve().parent.parent
WRITER = "bot/conversation/lifecycle.py"
# The engine applies a turn's plan: the handoff's own event, then apply_stage.
MAY_CALL_WRITERS = {WRITER, "bot/conversation/engine.py"}


def _sources() -> list[tuple[str, ast.Module]]:
    files = [p for d in ("bot", "channels", "actions") for p in sorted((ROOT / d).rglob("*.py"))]
    return [(str(p.relative_to(ROOT)), ast.parse(p.read_text(encoding="utf-8"))) for p in files]


def test_only_lifecycle_assigns_a_stage() -> None:
    found = []
    for name, tree in _sources():
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
                found += [
                    f"{name}:{node.lineno}"
                    for t in targets
                    if isinstance(t, ast.Attribute) and t.attr == "stage" and name != WRITER
                ]
    assert found == [], f"a stage assigned outside {WRITER}: {found}"


def test_stage_writers_are_called_only_where_plans_are_applied() -> None:
    found = []
    for name, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if called in ("transition", "close_case") and name not in MAY_CALL_WRITERS:
                    found.append(f"{name}:{node.lineno} {called}")
    assert found == [], f"ask flow for a plan and call lifecycle.apply_stage instead: {found}"


def test_the_out_of_turn_plans() -> None:
    assert flow.on_open("none", "troll").stage == Stage.AWAITING_STAFF
    assert flow.on_open("none", "troll").handoff == "suspected_troll"
    assert flow.on_open("webchat", "constructive").stage == Stage.OPENED
    assert flow.on_take_over(Stage.GATHERING).stage == Stage.AWAITING_STAFF
    assert flow.on_take_over(Stage.AWAITING_STAFF) is None
    assert flow.on_flag(contacted=False).outcome == Outcome.NOT_CONTACTED
    assert flow.on_flag(contacted=True).outcome == Outcome.UNRESOLVED
    assert flow.on_deadline("none", replied=False).outcome == Outcome.NOT_CONTACTED
    assert flow.on_deadline("webchat", replied=False).outcome == Outcome.NO_RESPONSE
    assert flow.on_deadline("webchat", replied=True).outcome == Outcome.EXPIRED
    assert flow.on_opt_out("sms").reason == "opted_out_sms"
    assert flow.on_opt_out("sms").stage == Stage.CLOSED
    assert (flow.on_erasure().outcome, flow.on_erasure().reason) == (Outcome.OPTED_OUT, "buyer_erased")
