"""Who the intake dismisses (troll/black_pr: never contacted): only a confident prediction, and never
a buyer with an order or a verified purchase as a troll (policies/mediation.yml dismiss_min_confidence)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.intake.schema import OrderIn, ReviewIn
from bot.intake.triage import acted_kind
from bot.policy.mediation import load_mediation_policy

ROOT = Path(__file__).resolve().parents[1]
POLICY = load_mediation_policy(ROOT / "policies" / "mediation.yml")
AT = datetime(2026, 1, 5, 12, tzinfo=UTC)


def review(verified: bool | None = None, order: bool = False) -> ReviewIn:
    return ReviewIn(
        platform="demo",
        external_id="r1",
        rating=1,
        text="Never came.",
        created_at=AT,
        verified_purchase=verified,
        order=OrderIn(id="o1") if order else None,
    )


def test_the_shipped_policy_sets_a_threshold():
    assert 0.0 < POLICY.dismiss_min_confidence < 1.0


@pytest.mark.parametrize("kind", ["troll", "black_pr"])
def test_an_unsure_dismissal_is_contacted_as_impulsive(kind):
    unsure = POLICY.dismiss_min_confidence - 0.01
    assert acted_kind(review(), kind, unsure, POLICY) == "impulsive"
    assert acted_kind(review(), kind, 0.99, POLICY) == kind


@pytest.mark.parametrize(("verified", "order"), [(True, False), (None, True), (False, True)])
def test_a_buyer_with_an_order_or_verified_purchase_is_not_a_troll(verified, order):
    assert acted_kind(review(verified, order), "troll", 0.99, POLICY) == "impulsive"


def test_a_confident_smear_stays_dismissed_even_with_a_verified_purchase():
    assert acted_kind(review(True, False), "black_pr", 0.99, POLICY) == "black_pr"


@pytest.mark.parametrize("kind", ["constructive", "impulsive"])
def test_genuine_kinds_pass_through(kind):
    assert acted_kind(review(), kind, 0.2, POLICY) == kind
