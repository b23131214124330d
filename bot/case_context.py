"""A case with what a turn needs around it (review, buyer, order), loaded in one query, and the two views
built from it: the remedy facts and the Rasa tracker the actions read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation_policy import ConversationPolicy
from bot.models import Buyer, Case, Order, Review
from bot.remedies import CaseFacts

# Rasa's action server insists on a domain; ours lives in policies/, so the actions get a token one.
DOMAIN = {"version": "3.1", "responses": {}}


@dataclass
class CaseContext:
    case: Case
    review: Review
    buyer: Buyer | None
    order: Order | None

    @property
    def items(self) -> list[str]:
        return [i.get("name", "") for i in (self.order.items if self.order else []) if i.get("name")]


def _context_query(*, by_shop: bool, lock: bool) -> Select[Any]:
    query = (
        select(Case, Review, Buyer, Order)
        .join(Review, Review.id == Case.review_id)
        .outerjoin(Buyer, Buyer.id == Case.buyer_id)
        .outerjoin(Order, Order.id == Case.order_id)
        .where(Case.id == bindparam("case_id"))
    )
    if by_shop:
        query = query.where(Case.shop_id == bindparam("shop_id"))
    if lock:
        # The per-case lock: two messages of one case at the same instant take turns (DESIGN decision 4).
        query = query.with_for_update(of=Case)
    return query


# Built once: constructing the statement cost more than running it (bench/turn.py).
_CONTEXT_QUERIES = {(s, lk): _context_query(by_shop=s, lock=lk) for s in (False, True) for lk in (False, True)}


async def load_context(
    session: AsyncSession, case_id: int, shop_id: str | None = None, *, lock: bool
) -> CaseContext | None:
    lock = lock and session.get_bind().dialect.name == "postgresql"  # SQLite locks the whole database instead
    query = _CONTEXT_QUERIES[(shop_id is not None, lock)]
    params: dict[str, Any] = {"case_id": case_id} if shop_id is None else {"case_id": case_id, "shop_id": shop_id}
    row = (await session.execute(query, params)).one_or_none()
    return CaseContext(*row) if row else None


def remedy_facts(ctx: CaseContext, p: ConversationPolicy, now: datetime) -> CaseFacts:
    """What the order itself says, in the remedy rules' vocabulary; the buyer's details are added by the flow."""
    order, case = ctx.order, ctx.case
    details: dict[str, Any] = {}
    age = (now - order.ordered_at).days if order and order.ordered_at else None
    delivered = bool(order and order.delivered_at) if order else None
    if order and order.shipped_at:
        arrived = order.delivered_at or now
        taken = int(np.busday_count(order.shipped_at.date(), arrived.date()))
        details["late_days"] = max(0, taken - p.facts.delivery_promise_business_days)
    if age is not None:
        details["within_warranty"] = age <= p.facts.warranty_days
    return CaseFacts(
        topic=case.topic,
        order_value=order.total if order else None,
        currency=(order.currency if order and order.currency else "EUR"),
        order_age_days=age,
        days_since_delivery=(now - order.delivered_at).days if order and order.delivered_at else None,
        delivered=delivered,
        details=details,
    )


def tracker(ctx: CaseContext, slots: dict[str, Any], latest: dict[str, Any] | None) -> dict[str, Any]:
    """The case as a Rasa tracker: the actions read only this (and the services)."""
    case = ctx.case
    items = ctx.items
    context = {
        "case_id": case.id,
        "stage": case.stage,
        "topic": case.topic,
        "kind": case.kind,
        "language": slots.get("language") or case.language,
        "buyer_name": ctx.buyer.name if ctx.buyer else None,
        "item": slots.get("item") or (items[0] if len(items) == 1 else None),
        "order_id": ctx.order.external_id if ctx.order else None,
        "edit_url": ctx.review.edit_url,
        "topic_problem": TOPIC_PROBLEM.get(case.topic),
    }
    return {
        "sender_id": str(case.id),
        "slots": {**slots, **{k: v for k, v in context.items() if k not in slots or k in ("stage", "case_id")}},
        "latest_message": latest or {},
        "events": [],
        "paused": case.stage in ("awaiting_staff", "closed"),
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": None,
    }


# Before the buyer names a problem, the review's topic says what went wrong in general terms.
TOPIC_PROBLEM = {"delivery": "late", "billing": "hidden_cost", "service": "support_rude"}
