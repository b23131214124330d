"""A case with what a turn needs around it (review, buyer, order), loaded in one query, and the two views
built from it: the remedy facts and the Rasa tracker the actions read."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.policy.conversation import ConversationPolicy
from bot.policy.remedies import CaseFacts
from bot.store.models import Buyer, Case, Order, PolicyHead, Review
from bot.understanding.answers import part_named

# Rasa's action server insists on a domain; ours lives in policies/, so the actions get a token one.
DOMAIN = {"version": "3.1", "responses": {}}


@dataclass
class CaseContext:
    """The case and what surrounds it, as plain objects outside the session's unit of work.

    A turn changes the case (and, on an opt-out, the buyer) in memory; `save_context` then writes the
    changed columns with one UPDATE each. Loading four ORM entities and flushing them through the unit of
    work cost about a third of a turn's CPU (bench/turn.py); the turn never needed identity tracking.
    """

    case: Case
    review: Review
    buyer: Buyer | None
    order: Order | None
    loaded: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)  # column values as read
    policy_head: tuple[int, str] | None = None  # the shop's published policy (version, digest), as read

    @property
    def items(self) -> list[str]:
        return list(item_names(i.get("name") for i in (self.order.items if self.order else [])))


def item_names(names: Iterable[str | None]) -> tuple[str, ...]:
    """The order's item names the NLU matches a message against. Intake hands them to the early parse
    (bot/understanding/nlu_process.py) and the engine checks them inside the turn: both must derive them here, or every
    early parse would be thrown away as stale."""
    return tuple(name for name in names if name)


_TABLES = ((Case, "c"), (Review, "r"), (Buyer, "b"), (Order, "o"))


def _context_query(*, by_shop: bool, lock: bool) -> Select[Any]:
    # Table columns, not ORM attributes: a plain Core select skips the ORM's compile and loading steps.
    cases, reviews, buyers, orders, heads = (
        m.__table__
        for m in (Case, Review, Buyer, Order, PolicyHead)  # type: ignore[attr-defined]
    )
    columns = [col.label(f"{prefix}_{col.key}") for model, prefix in _TABLES for col in model.__table__.columns]
    # The shop's published policy version rides along: a turn needs it, and a second statement cost more.
    head = [
        select(col).where(heads.c.shop_id == cases.c.shop_id).scalar_subquery().label(f"p_{col.key}")
        for col in (heads.c.version, heads.c.digest)
    ]
    query = (
        select(*columns, *head)
        .select_from(
            cases.join(reviews, reviews.c.id == cases.c.review_id)
            .outerjoin(buyers, buyers.c.id == cases.c.buyer_id)
            .outerjoin(orders, orders.c.id == cases.c.order_id)
        )
        .where(cases.c.id == bindparam("case_id"))
    )
    if by_shop:
        query = query.where(cases.c.shop_id == bindparam("shop_id"))
    if lock:
        # The per-case lock: two messages of one case at the same instant take turns (DESIGN decision 4).
        query = query.with_for_update(of=cases)
    return query


# Built once: constructing the statement cost more than running it (bench/turn.py).
_CONTEXT_QUERIES = {(s, lk): _context_query(by_shop=s, lock=lk) for s in (False, True) for lk in (False, True)}
_KEYS = {prefix: [(col.key, f"{prefix}_{col.key}") for col in model.__table__.columns] for model, prefix in _TABLES}


def _detached(model: type, values: dict[str, Any]) -> Any:
    """An instance of `model` holding `values`, never attached to a session (so never flushed by it)."""
    obj = model.__mapper__.class_manager.new_instance()
    obj.__dict__.update(values)
    return obj


async def load_context(
    session: AsyncSession, case_id: int, shop_id: str | None = None, *, lock: bool
) -> CaseContext | None:
    lock = lock and session.get_bind().dialect.name == "postgresql"  # SQLite locks the whole database instead
    query = _CONTEXT_QUERIES[(shop_id is not None, lock)]
    params: dict[str, Any] = {"case_id": case_id} if shop_id is None else {"case_id": case_id, "shop_id": shop_id}
    row = (await session.execute(query, params)).mappings().one_or_none()
    if row is None:
        return None
    values = {prefix: {key: row[label] for key, label in keys} for prefix, keys in _KEYS.items()}
    objects = [
        _detached(model, values[prefix]) if values[prefix]["id"] is not None else None for model, prefix in _TABLES
    ]
    head = (row["p_version"], row["p_digest"]) if row["p_version"] is not None else None
    return CaseContext(*objects, loaded={"c": dict(values["c"]), "b": dict(values["b"])}, policy_head=head)


async def save_context(session: AsyncSession, ctx: CaseContext) -> None:
    """Write what the turn changed on the case and the buyer: the columns whose value is no longer the one
    read (JSON columns are replaced, never edited in place, as for the ORM)."""
    for model, prefix, obj in ((Case, "c", ctx.case), (Buyer, "b", ctx.buyer)):
        if obj is None:
            continue
        before = ctx.loaded[prefix]
        changed = {k: v for k, v in obj.__dict__.items() if k in before and v is not before[k] and v != before[k]}
        if changed:
            await session.execute(_update(model, frozenset(changed)), {**changed, "row_id": obj.id})
            before.update(changed)


@lru_cache(maxsize=256)
def _update(model: type, columns: frozenset[str]) -> Any:
    """UPDATE … SET these columns WHERE id = :row_id, built once per set of columns (a turn changes a few)."""
    table = model.__table__  # type: ignore[attr-defined]
    return update(table).where(table.c.id == bindparam("row_id")).values({c: bindparam(c) for c in columns})


def _promise_start(order: Any, counted_from: str) -> datetime | None:
    """When the delivery promise starts (policies/conversation.yml facts.delivery_promise_counted_from); None
    counted from shipping while the order has not shipped: no late_days is derived for it then, as before the
    setting existed."""
    if counted_from == "order":
        return order.ordered_at or order.shipped_at
    return order.shipped_at


def remedy_facts(ctx: CaseContext, p: ConversationPolicy, now: datetime) -> CaseFacts:
    """What the order itself says, in the remedy rules' vocabulary; the buyer's details are added by the flow."""
    order, case = ctx.order, ctx.case
    details: dict[str, Any] = {}
    age = (now - order.ordered_at).days if order and order.ordered_at else None
    delivered = bool(order and order.delivered_at) if order else None
    start = _promise_start(order, p.facts.delivery_promise_counted_from) if order else None
    if start is not None:
        arrived = order.delivered_at or now
        taken = _business_days(start.date(), arrived.date())
        details["late_days"] = max(0, taken - p.facts.delivery_promise_business_days)
    if age is not None:
        details["within_warranty"] = age <= p.facts.warranty_days
    lines = list(order.items or []) if order else None
    return _case_facts(
        case.topic,
        order.total if order else None,
        (order.currency if order and order.currency else "EUR"),
        age,
        (now - order.delivered_at).days if order and order.delivered_at else None,
        delivered,
        tuple(details.items()),
        line_values(lines) if lines is not None else (),
        len(lines) if lines is not None else None,
        order.shipping_cost if order else None,
        line_counts(lines) if lines is not None else (),
    )


def line_values(lines: Sequence[dict[str, Any]]) -> tuple[tuple[str, Decimal], ...]:
    """Each item's value in the order (price x quantity, summed over its lines), by the order's own name for
    it; a line without a price or a name has no value (a remedy on it is then a person's call)."""
    values: dict[str, Decimal] = {}
    for line in lines:
        name, price = line.get("name"), line.get("price")
        if not name or price in (None, ""):
            continue
        try:
            value = Decimal(str(price)) * _quantity(line)
        except (ArithmeticError, ValueError, TypeError):
            continue
        values[str(name)] = values.get(str(name), Decimal(0)) + value
    return tuple(values.items())


def line_counts(lines: Sequence[dict[str, Any]]) -> tuple[tuple[str, int], ...]:
    """How many pieces of each item the order holds (its lines' quantities summed), by the order's own name for it."""
    counts: dict[str, int] = {}
    for line in lines:
        name = line.get("name")
        try:
            qty = _quantity(line)
        except (ValueError, TypeError):
            continue
        if name and qty > 0:
            counts[str(name)] = counts.get(str(name), 0) + qty
    return tuple(counts.items())


def _quantity(line: dict[str, Any]) -> int:
    """A line's quantity; one when it gives none (ValueError or TypeError for one that is no number)."""
    return int(line.get("qty") or 1)


# Every turn needs its case's facts, and validating them (pydantic) and counting business days (numpy)
# were ~7% of a turn's CPU (py-spy over bench/turn.py). The same inputs give the same frozen facts, and a
# case's inputs change at most once a day. An invalid input raises as before: errors are not cached.
@lru_cache(maxsize=4096)
def _business_days(start: date, end: date) -> int:
    return int(np.busday_count(start, end))


@lru_cache(maxsize=4096)
def _case_facts(
    topic: str,
    order_value: Decimal | None,
    currency: str,
    age: int | None,
    since_delivery: int | None,
    delivered: bool | None,
    details: tuple[tuple[str, Any], ...],
    item_values: tuple[tuple[str, Decimal], ...] = (),
    lines: int | None = None,
    shipping_cost: Decimal | None = None,
    item_counts: tuple[tuple[str, int], ...] = (),
) -> CaseFacts:
    return CaseFacts(
        shipping_cost=shipping_cost,
        item_counts=dict(item_counts),
        topic=topic,
        order_value=order_value,
        item_values=dict(item_values),
        lines=lines,
        currency=currency,
        order_age_days=age,
        days_since_delivery=since_delivery,
        delivered=delivered,
        details=dict(details),
    )


def item_name(slots: dict[str, Any], items: Sequence[str]) -> str | None:
    """What a reply calls the item: the order's own name for it, else the buyer's own words for it. The
    NLU's value for an item that is not in the order is its lookup value, in English ("lamp"), which in a
    Polish reply reads as a machine's ("produkt „lamp” dotarł uszkodzony")."""
    item = slots.get("item")
    if not item:
        return items[0] if len(items) == 1 else None
    return item if item in items else slots.get("item_said") or item


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
        "item": item_name(slots, items),
        "order_items": ", ".join(items),
        "order_id": ctx.order.external_id if ctx.order else None,
        "edit_url": ctx.review.edit_url,
        "topic_problem": topic_problem(case.topic, (ctx.review.triage or {}).get("topic_confidence")),
    }
    merged = {**slots, **{k: v for k, v in context.items() if k not in slots or k in ("stage", "case_id", "item")}}
    if not merged.get("part") and "missing_item" in (merged.get("problems") or []):
        # "the desk came without its screws": the part the review names is what is missing, so the first message
        # says so, not that the whole desk never came (held-out round 4, uk).
        merged["part"] = part_named(ctx.review.text, merged["language"])
    return {
        "sender_id": str(case.id),
        "slots": merged,
        "latest_message": latest or {},
        "events": [],
        "paused": case.stage in ("awaiting_staff", "closed"),
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": None,
    }


# Before the buyer names a problem, the review's topic says what went wrong in general terms.
TOPIC_PROBLEM = {"delivery": "late", "billing": "hidden_cost", "service": "support_rude"}
# ...but only when triage is sure of the topic: below this, the first message stays general ("the problem with
# your order"). Triage files a review it cannot place under its likeliest topic anyway, and a wrong-coloured
# curtain was greeted as "the late delivery", a heated blanket's fault as "the way our support spoke to you"
# (issue 18, held-out round 4). bench/first_contact.py, 240 persona reviews: only 6 of the 24 greeted by
# topic alone were greeted right; 0.6 turns 16 wrong greetings general and 4 right ones (topic 0.40-0.59) too.
TOPIC_MIN_CONFIDENCE = 0.6


def topic_problem(topic: str | None, confidence: float | None) -> str | None:
    """The problem the review's topic names, or None when the topic is not one of TOPIC_PROBLEM's or triage was
    not sure of it (a case opened before triage kept its confidence counts as sure, as it was greeted then)."""
    if confidence is not None and confidence < TOPIC_MIN_CONFIDENCE:
        return None
    return TOPIC_PROBLEM.get(topic or "")


def first_problem(read: list[str], topic: str | None, confidence: float | None) -> str:
    """The problem the first message names: the first the review itself says (the NLU's reading of it), else the
    sure topic's, else "other" (the general wording). actions/base.py names it the same way from the slots."""
    return read[0] if read else topic_problem(topic, confidence) or "other"
