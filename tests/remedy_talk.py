"""What the remedy tests share (issue 19): the real message catalogue, an amount entity as the NLU hands it over, a
conversation driven through the real flow one buyer message at a time, and a copy of the shipped remedy policy with
one edit, written to a file and loaded as an admin's would be. Nothing here decides an outcome: each helper runs the
real code and returns what it returned."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.conversation import flow
from bot.platform.vocab import Stage
from bot.policy.messages import load_catalog
from bot.policy.remedies import RemedyPolicy, load_remedy_policy
from tests.test_flow import POLICY, REMEDIES, ROOT, Msg

CATALOG = load_catalog(ROOT / "policies" / "messages", ROOT / "policies" / "guardrails.yml")
LANGUAGES = ("en", "de", "pl", "ru", "uk", "fr", "es", "it", "sv", "cs", "sq")


@dataclass
class Amount:
    """An amount entity as the NLU hands it over ("8.00 EUR")."""

    value: str
    entity: str = "amount"
    start: int = 0
    end: int = 0


def then(plan: flow.Plan, s: flow.State) -> flow.State:
    """The case after `plan`: its stage and its slots over the ones before."""
    return flow.State(plan.stage, {**s.slots, **plan.slots}, s.facts)


def said(s: flow.State, r: RemedyPolicy = REMEDIES, **msg: object) -> flow.Plan:
    """The flow's plan for one buyer message, under the shipped conversation policy and remedy policy `r`."""
    return flow.on_buyer_message(s, Msg(**msg), POLICY, r)


def offered(s: flow.State, r: RemedyPolicy = REMEDIES, **msg: object) -> flow.State:
    """The case after a buyer message that must leave an offer waiting for an answer."""
    plan = said(s, r, **msg)
    assert plan.stage == Stage.PROPOSING, plan
    return then(plan, s)


def edited_policy(folder: Path, old: str, new: str) -> RemedyPolicy:
    """The shipped policies/remedies.yml with its first `old` replaced by `new`, written into `folder` and loaded.
    Fails when `old` is not in the shipped file, so an edit of the demo policy cannot leave a test testing nothing."""
    text = (ROOT / "policies" / "remedies.yml").read_text(encoding="utf-8")
    assert old in text, old
    path = folder / "remedies.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_remedy_policy(path)
