"""Triage: for each review, its language, topic, kind and severity, whether to mediate, and when to
make first contact.

Topic and kind come from a model trained on labelled reviews (bot/intake/triage_model.py); the rating,
verified-purchase flag and order facts enter the model as evidence beside the text. What follows from
the labels (severity, mediation, contact timing) is decided here by the admin's mediation policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.intake.schema import ReviewIn
from bot.intake.triage_model import TriageInput, TriageModel, load_triage_model
from bot.policy.mediation import MediationPolicy, next_allowed_send
from bot.understanding.language import detect_languages

ROOT = Path(__file__).resolve().parents[2]
TRIAGE_DATA = ROOT / "data" / "triage"
_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="language")


@dataclass(frozen=True)
class ContactPlan:
    mode: str  # now | delayed | none
    not_before: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "not_before": self.not_before.isoformat() if self.not_before else None}


@dataclass(frozen=True)
class TriageResult:
    language: str
    topic: str
    kind: str
    severity: str
    mediate: bool
    contact_plan: ContactPlan
    topic_confidence: float
    kind_confidence: float

    def as_dict(self) -> dict[str, Any]:
        # Built by hand: dataclasses.asdict deep-copies and showed up at 8% of intake time.
        return {
            "language": self.language,
            "topic": self.topic,
            "kind": self.kind,
            "severity": self.severity,
            "mediate": self.mediate,
            "contact_plan": self.contact_plan.as_dict(),
            "topic_confidence": round(self.topic_confidence, 3),
            "kind_confidence": round(self.kind_confidence, 3),
        }


def severity_of(review: ReviewIn, policy: MediationPolicy) -> str:
    rules = policy.severity
    value = review.order.total if review.order and review.order.total is not None else None
    if review.rating <= rules.high_if_rating_at_most:
        return "high"
    if value is not None and value >= rules.high_if_order_value_at_least:
        return "high"
    if review.rating >= rules.low_if_rating_at_least:
        return "low"
    return "medium"


def acted_kind(review: ReviewIn, kind: str, confidence: float, policy: MediationPolicy) -> str:
    """The kind the intake acts on. Dismissing (troll/black_pr: never contacted) needs the model's
    confidence of at least policy.dismiss_min_confidence, and a review with an order or a verified
    purchase is never dismissed as a troll on wording alone (a terse "Never arrived." from a buyer)."""
    if kind not in ("troll", "black_pr"):
        return kind
    if confidence < policy.dismiss_min_confidence:
        return "impulsive"
    if kind == "troll" and (review.order is not None or review.verified_purchase is True):
        return "impulsive"
    return kind


def contact_plan(review: ReviewIn, kind: str, policy: MediationPolicy, now: datetime) -> ContactPlan:
    rule = getattr(policy.contact, kind)
    if rule.mode == "none":
        return ContactPlan("none", None)
    at = now + rule.delay if rule.mode == "delayed" else now
    timezone = review.buyer.timezone if review.buyer else None
    return ContactPlan(rule.mode, next_allowed_send(policy, at, timezone))


class Triager:
    def __init__(self, model: TriageModel):
        self.model = model

    def assess(self, reviews: Sequence[ReviewIn], policy: MediationPolicy, now: datetime) -> list[TriageResult]:
        if not reviews:
            return []
        # Language detection (Rust, releases the GIL) overlaps with the model's featurisation: the model
        # reads the text, not the language, so the two are independent and 2 cores do both at once.
        languages_future = _pool.submit(detect_languages, [r.text for r in reviews])
        predictions = self.model.predict(
            [
                TriageInput(
                    text=r.text,
                    rating=r.rating,
                    verified_purchase=r.verified_purchase,
                    has_order=r.order is not None,
                    language="",
                )
                for r in reviews
            ]
        )
        languages = languages_future.result()
        results = []
        for review, lang, pred in zip(reviews, languages, predictions, strict=True):
            mediate = review.rating <= policy.rating_threshold
            kind = acted_kind(review, pred.kind, pred.kind_confidence, policy)
            plan = contact_plan(review, kind, policy, now) if mediate else ContactPlan("none", None)
            results.append(
                TriageResult(
                    language=lang,
                    topic=pred.topic,
                    kind=kind,
                    severity=severity_of(review, policy),
                    mediate=mediate,
                    contact_plan=plan,
                    topic_confidence=pred.topic_confidence,
                    kind_confidence=pred.kind_confidence,
                )
            )
        return results


def load_triager(cache_dir: Path, data_dir: Path = TRIAGE_DATA) -> Triager:
    return Triager(load_triage_model(data_dir, cache_dir))
