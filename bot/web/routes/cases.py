"""GET /api/cases and /api/cases/{id}: what a case is, where it stands, how long things took."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from bot.platform.vocab import Kind, Stage, Topic
from bot.store.models import Case, Event, Review
from bot.web.deps import runtime, shop_id
from bot.web.errors import ApiError

router = APIRouter(tags=["cases"])


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t else None


def _seconds(a: datetime | None, b: datetime | None) -> float | None:
    return round((b - a).total_seconds(), 3) if a and b else None


def case_json(case: Case, review: Review, now: datetime) -> dict[str, Any]:
    return {
        "id": case.id,
        "shop_id": case.shop_id,
        "review_id": case.review_id,
        "buyer_id": case.buyer_id,  # what DELETE /api/buyers/{id} takes
        "stage": case.stage,
        "outcome": case.outcome,
        "topic": case.topic,
        "kind": case.kind,
        "severity": case.severity,
        "language": case.language,
        "contact_plan": {"mode": case.contact_mode, "not_before": _iso(case.contact_not_before)},
        "handoff_reason": case.handoff_reason,
        "opened_at": _iso(case.opened_at),
        "deadline_at": _iso(case.deadline_at),
        "first_contact_at": _iso(case.first_contact_at),
        "first_reply_at": _iso(case.first_reply_at),
        "closed_at": _iso(case.closed_at),
        "policy_version": case.policy_version,
        "details": case.details,
        "timings": {
            "to_first_contact_s": _seconds(case.opened_at, case.first_contact_at),
            "to_first_reply_s": _seconds(case.first_contact_at, case.first_reply_at),
            "open_for_s": _seconds(case.opened_at, case.closed_at or now),
            "time_left_s": None if case.closed_at else _seconds(now, case.deadline_at),
        },
        "review": {
            "platform": review.platform,
            "external_id": review.external_id,
            "rating": review.rating,
            "text": review.text,
            "edit_url": review.edit_url,
        },
    }


def _choice(name: str, value: str | None, allowed: type) -> str | None:
    if value is not None and value not in {m.value for m in allowed}:
        raise ApiError(
            422,
            "invalid_filter",
            f"{name} {value!r} is not known",
            field=name,
            fix="use one of: " + ", ".join(m.value for m in allowed),
        )
    return value


@router.get("/api/cases", summary="List cases, newest first")
async def list_cases(
    request: Request,
    shop: str = Depends(shop_id),
    stage: str | None = None,
    kind: str | None = None,
    topic: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    before_id: int | None = Query(None, description="cursor: return cases with a smaller id"),
) -> dict[str, Any]:
    rt = runtime(request)
    query = select(Case, Review).join(Review, Review.id == Case.review_id).where(Case.shop_id == shop)
    for column, name, value, allowed in (
        (Case.stage, "stage", stage, Stage),
        (Case.kind, "kind", kind, Kind),
        (Case.topic, "topic", topic, Topic),
    ):
        if _choice(name, value, allowed) is not None:
            query = query.where(column == value)
    if before_id is not None:
        query = query.where(Case.id < before_id)
    async with rt.reads() as session:
        rows = (await session.execute(query.order_by(Case.id.desc()).limit(limit))).all()
    now = rt.clock.now()
    cases = [case_json(c, r, now) for c, r in rows]
    return {"cases": cases, "next_before_id": cases[-1]["id"] if len(cases) == limit else None}


@router.get("/api/cases/{case_id}", summary="One case with its audit trail")
async def get_case(case_id: int, request: Request, shop: str = Depends(shop_id)) -> dict[str, Any]:
    rt = runtime(request)
    async with rt.sessions() as session:
        row = (
            await session.execute(
                select(Case, Review)
                .join(Review, Review.id == Case.review_id)
                .where(Case.id == case_id, Case.shop_id == shop)
            )
        ).one_or_none()
        if row is None:
            raise ApiError(
                404,
                "not_found",
                f"no case {case_id} for this shop",
                field="case_id",
                fix="list cases with GET /api/cases",
            )
        events = (await session.execute(select(Event).where(Event.case_id == case_id).order_by(Event.id))).scalars()
        out = case_json(row[0], row[1], rt.clock.now())
        out["events"] = [
            {
                "type": e.type,
                "from_stage": e.from_stage,
                "to_stage": e.to_stage,
                "at": _iso(e.at),
                "policy_version": e.policy_version,
                "data": e.data,
            }
            for e in events
        ]
    return out
