"""Review intake: validate, dedupe, triage, store, and open cases, a batch at a time.

The API, `mediator import`, the demo loader and bench/intake.py all go through `Intake.ingest`, so the
benchmark measures the real path. A batch is one transaction: either every valid item of it is stored
with its case, events and timers, or none is (and the caller may retry; dedupe makes that safe). Invalid
items are reported per item and never block the valid ones.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.conversation import flow
from bot.conversation.context import item_names
from bot.conversation.lifecycle import callback_job
from bot.intake.schema import ReviewIn, validate_review
from bot.intake.triage import Triager, TriageResult
from bot.outbox import contacts
from bot.outbox.consent import record
from bot.platform.clock import Clock
from bot.platform.config import Settings
from bot.platform.vocab import EMAIL, Channel
from bot.policy.bundle import ActiveMediationPolicy, active_mediation_policy
from bot.store import buyer_contacts
from bot.store.db import DURABLE
from bot.store.models import Buyer, Case, Event, Job, Order, Review
from bot.store.sql import insert_ignoring_conflicts

Key = tuple[str, str]  # (platform, external_id)


@dataclass
class ItemResult:
    index: int
    status: str  # created | duplicate | error
    review_id: int | None = None
    case_id: int | None = None
    triage: dict[str, Any] | None = None
    errors: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        if self.status == "error":
            return {"index": self.index, "status": "error", "errors": self.errors}
        return {
            "index": self.index,
            "status": self.status,
            "review_id": self.review_id,
            "case_id": self.case_id,
            "triage": self.triage,
        }


def buyer_key(review: ReviewIn) -> str:
    b = review.buyer
    if b and b.email:
        return f"email:{b.email}"
    if b and b.phone:
        return f"phone:{b.phone}"
    # Unknown buyer: one buyer record per review, so nothing is merged by guesswork.
    return f"review:{review.platform}:{review.external_id}"


class Intake:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], triager: Triager, settings: Settings, clock: Clock):
        self.sessions = sessions
        self.triager = triager
        self.settings = settings
        self.clock = clock
        # PostgreSQL statistics refresh during bulk imports (see _keep_statistics_fresh).
        self._stored = 0
        self._analyze_at = 1000
        # Told each opened case's language and item names (case id, language, items): the engine parses a
        # buyer's first message early with them (bot/understanding/nlu_process.py). Set by build_runtime.
        self.on_case_opened: Callable[[int, str, tuple[str, ...]], None] | None = None

    def validate(self, items: Sequence[Any]) -> tuple[list[tuple[int, ReviewIn]], list[ItemResult]]:
        now = self.clock.now()
        good, bad = [], []
        for i, item in enumerate(items):
            review, errors = validate_review(item, max_text_chars=self.settings.intake.max_text_chars, now=now)
            if review is None:
                bad.append(ItemResult(i, "error", errors=errors))
            else:
                good.append((i, review))
        return good, bad

    async def ingest(self, shop_id: str, items: Sequence[Any]) -> list[ItemResult]:
        """Ingest a batch; return one result per input item, in input order."""
        good, results = self.validate(items)
        # Within one batch the first occurrence of a key wins; later ones are duplicates of it.
        first: dict[Key, tuple[int, ReviewIn]] = {}
        repeats: list[tuple[int, Key]] = []
        for i, review in good:
            key = (review.platform, review.external_id)
            if key in first:
                repeats.append((i, key))
            else:
                first[key] = (i, review)
        unique = list(first.values())
        now = self.clock.now()
        async with self.sessions() as session:
            active = await active_mediation_policy(session, shop_id)
            known = await self._existing(session, shop_id, list(first))
        fresh = [(i, r) for i, r in unique if (r.platform, r.external_id) not in known]
        # Triage is CPU work: run it before the write transaction (SQLite has one writer at a time) and off
        # the event loop (a batch of 1,000 takes a few hundred milliseconds).
        triaged = await asyncio.to_thread(self.triager.assess, [r for _, r in fresh], active.policy, now)
        async with self.sessions() as session, session.begin():
            # Answered 201: the reviews must survive a power cut, on SQLite too (bot/store/db.py).
            await session.connection(execution_options={DURABLE: True})
            stored = await self._store(session, shop_id, fresh, triaged, active, now)
            # A concurrent request may have stored some of these since we looked: they are duplicates now.
            lost_races = [(r.platform, r.external_id) for _, r in fresh if (r.platform, r.external_id) not in stored]
            known |= await self._existing(session, shop_id, lost_races)
        await self._keep_statistics_fresh(len(stored))
        for i, review in unique:
            key = (review.platform, review.external_id)
            if key in stored:
                results.append(ItemResult(i, "created", **stored[key]))
            else:
                results.append(ItemResult(i, "duplicate", **known[key]))
        by_key = {(r.platform, r.external_id): i for i, r in unique}
        done = {res.index: res for res in results}
        for i, key in repeats:
            original = done[by_key[key]]
            results.append(ItemResult(i, "duplicate", original.review_id, original.case_id, original.triage))
        return sorted(results, key=lambda r: r.index)

    async def _keep_statistics_fresh(self, stored: int) -> None:
        """During a bulk import the tables grow faster than autovacuum re-analyzes them, and PostgreSQL's
        planner, still believing them empty, stops using the lookup indexes: each batch then scans every
        review of the shop. Refreshing the statistics whenever the rows stored by this process double
        keeps plans right at a logarithmic cost."""
        self._stored += stored
        if self._stored < self._analyze_at or self.sessions.kw["bind"].dialect.name != "postgresql":
            return
        self._analyze_at = self._stored * 2
        async with self.sessions() as session, session.begin():
            await session.execute(text("ANALYZE reviews, buyers, orders, cases"))

    async def _existing(self, session: AsyncSession, shop_id: str, keys: list[Key]) -> dict[Key, dict[str, Any]]:
        out: dict[Key, dict[str, Any]] = {}
        by_platform: dict[str, list[str]] = {}
        for platform, external_id in keys:
            by_platform.setdefault(platform, []).append(external_id)
        # One platform at a time with `external_id IN (...)`: PostgreSQL does not use a row-value
        # `(platform, external_id) IN (...)` as an index condition and scanned every review of the shop,
        # which made each batch slower than the last.
        for platform, external_ids in by_platform.items():
            for chunk in _chunks(external_ids, 500):
                rows = await session.execute(
                    select(Review.external_id, Review.id, Review.triage, Case.id)
                    .outerjoin(Case, Case.review_id == Review.id)
                    .where(Review.shop_id == shop_id, Review.platform == platform, Review.external_id.in_(chunk))
                )
                for external_id, review_id, triage, case_id in rows:
                    out[(platform, external_id)] = {"review_id": review_id, "case_id": case_id, "triage": triage}
        return out

    async def _store(
        self,
        session: AsyncSession,
        shop_id: str,
        fresh: list[tuple[int, ReviewIn]],
        triaged: list[TriageResult],
        active: ActiveMediationPolicy,
        now: datetime,
    ) -> dict[Key, dict[str, Any]]:
        if not fresh:
            return {}
        reviews = [r for _, r in fresh]
        buyer_ids = await self._upsert_buyers(session, shop_id, reviews, now)
        order_ids = await self._upsert_orders(session, shop_id, reviews, buyer_ids)
        triage_dicts = [t.as_dict() for t in triaged]
        review_rows = [
            {
                "shop_id": shop_id,
                "platform": r.platform,
                "external_id": r.external_id,
                "rating": r.rating,
                "text": r.text,
                "created_at": r.created_at,
                "received_at": now,
                "verified_purchase": r.verified_purchase,
                "edit_url": r.edit_url,
                "buyer_id": buyer_ids[buyer_key(r)],
                "order_id": order_ids.get(r.order.id) if r.order else None,
                "language": t.language,
                "topic": t.topic,
                "kind": t.kind,
                "severity": t.severity,
                "triage": td,
            }
            for r, t, td in zip(reviews, triaged, triage_dicts, strict=True)
        ]
        inserted = await session.execute(
            insert_ignoring_conflicts(
                session,
                Review.__table__,
                ["shop_id", "platform", "external_id"],
                [Review.id, Review.platform, Review.external_id],
            ),
            review_rows,
        )
        review_ids = {(p, e): rid for rid, p, e in inserted}
        by_key = {
            (r.platform, r.external_id): (r, t, td) for r, t, td in zip(reviews, triaged, triage_dicts, strict=True)
        }
        opening = [(key, *by_key[key], rid) for key, rid in review_ids.items() if by_key[key][1].mediate]
        case_ids = await self._open_cases(
            session,
            shop_id,
            opening,
            buyer_ids,
            order_ids,
            active.version_id,
            now,
            now + active.policy.window,
            now + active.policy.window - active.policy.deadline_reminder_before,
        )
        return {
            key: {"review_id": rid, "case_id": case_ids.get(rid), "triage": by_key[key][2]}
            for key, rid in review_ids.items()
        }

    async def _upsert_buyers(
        self, session: AsyncSession, shop_id: str, reviews: list[ReviewIn], now: datetime
    ) -> dict[str, int]:
        rows: dict[str, dict[str, Any]] = {}
        given: dict[str, ReviewIn] = {}
        for r in reviews:
            b = r.buyer
            key = buyer_key(r)
            given.setdefault(key, r)
            rows.setdefault(
                key,
                {
                    "shop_id": shop_id,
                    "buyer_key": key,
                    "name": b.name if b else None,
                    "timezone": b.timezone if b else None,
                    "created_at": now,
                },
            )
        # A returning buyer keeps the record (and the contact rows) the first review made: only the buyers
        # this statement inserted get their contact points and consent written.
        inserted = await session.execute(
            insert_ignoring_conflicts(
                session, Buyer.__table__, ["shop_id", "buyer_key"], returning=[Buyer.buyer_key, Buyer.id]
            ),
            list(rows.values()),
        )
        contact_rows: list[dict[str, Any]] = []
        for key, buyer_id in inserted:
            b = given[key].buyer
            if b is not None:
                addresses = {EMAIL: b.email, Channel.SMS.value: b.phone}
                contact_rows += buyer_contacts.new_rows(shop_id, buyer_id, addresses, b.consent.model_dump(), now)
        await buyer_contacts.add_rows(session, contact_rows)
        ids: dict[str, int] = {}
        for chunk in _chunks(list(rows), 500):
            found = await session.execute(
                select(Buyer.buyer_key, Buyer.id).where(Buyer.shop_id == shop_id, Buyer.buyer_key.in_(chunk))
            )
            ids.update({key: row_id for key, row_id in found})
        await self._respect_opt_outs(session, shop_id, reviews, now)
        return ids

    async def _respect_opt_outs(
        self, session: AsyncSession, shop_id: str, reviews: list[ReviewIn], now: datetime
    ) -> None:
        """A number that said STOP stays stopped whichever buyer record a later review brings it with (a new
        e-mail, none, another shop): its buyer is opted out before any first contact (security review H3)."""
        sms = Channel.SMS.value
        phones = sorted({r.buyer.phone for r in reviews if r.buyer and r.buyer.phone})
        blocked = await contacts.opted_out_addresses(session, sms, phones)
        if not blocked:
            return
        found = await session.execute(
            select(Buyer).where(
                Buyer.shop_id == shop_id,
                Buyer.id.in_(buyer_contacts.buyers_with_any([(sms, phone) for phone in sorted(blocked)])),
                Buyer.id.not_in(buyer_contacts.opted_out_buyers()),
            )
        )
        for buyer in found.scalars():
            await record(session, buyer, "all", "opted_out", "contact_point", now, {"channel": sms})

    async def _upsert_orders(
        self, session: AsyncSession, shop_id: str, reviews: list[ReviewIn], buyer_ids: dict[str, int]
    ) -> dict[str, int]:
        rows: dict[str, dict[str, Any]] = {}
        for r in reviews:
            if r.order is None:
                continue
            o = r.order
            rows.setdefault(
                o.id,
                {
                    "shop_id": shop_id,
                    "external_id": o.id,
                    "buyer_id": buyer_ids[buyer_key(r)],
                    "total": o.total,
                    "shipping_cost": o.shipping_cost,
                    "currency": o.currency,
                    "ordered_at": o.ordered_at,
                    "shipped_at": o.shipped_at,
                    "delivered_at": o.delivered_at,
                    "items": [i.model_dump(mode="json") for i in o.items],
                },
            )
        if not rows:
            return {}
        await session.execute(
            insert_ignoring_conflicts(session, Order.__table__, ["shop_id", "external_id"]), list(rows.values())
        )
        ids: dict[str, int] = {}
        for chunk in _chunks(list(rows), 500):
            found = await session.execute(
                select(Order.external_id, Order.id).where(Order.shop_id == shop_id, Order.external_id.in_(chunk))
            )
            ids.update({key: row_id for key, row_id in found})
        return ids

    async def _open_cases(
        self,
        session: AsyncSession,
        shop_id: str,
        opening: list[tuple[Key, ReviewIn, TriageResult, dict[str, Any], int]],
        buyer_ids: dict[str, int],
        order_ids: dict[str, int],
        policy_version: int,
        now: datetime,
        deadline: datetime,
        reminder_at: datetime,
    ) -> dict[int, int]:
        """Insert cases with their opening events and timers; return review id → case id."""
        if not opening:
            return {}
        case_rows = []
        for _key, review, triage, _td, review_id in opening:
            start = flow.on_open(triage.contact_plan.mode, triage.kind)
            case_rows.append(
                {
                    "shop_id": shop_id,
                    "review_id": review_id,
                    "buyer_id": buyer_ids[buyer_key(review)],
                    "order_id": order_ids.get(review.order.id) if review.order else None,
                    "stage": start.stage,
                    "handoff_reason": start.handoff,
                    "topic": triage.topic,
                    "kind": triage.kind,
                    "severity": triage.severity,
                    "language": triage.language,
                    "contact_mode": triage.contact_plan.mode,
                    "contact_not_before": triage.contact_plan.not_before,
                    "opened_at": now,
                    "deadline_at": deadline,
                    "updated_at": now,
                    "details": {},
                    "policy_version": policy_version,
                }
            )
        inserted = await session.execute(Case.__table__.insert().returning(Case.id, Case.review_id), case_rows)
        case_ids = {review_id: case_id for case_id, review_id in inserted}
        if self.on_case_opened is not None:
            for _key, review, triage, _td, review_id in opening:
                items = item_names(i.name for i in review.order.items) if review.order else ()
                self.on_case_opened(case_ids[review_id], triage.language, items)
        callback_url = self.settings.callback_url(shop_id)
        events, jobs = [], []
        for row in case_rows:
            case_id = case_ids[row["review_id"]]
            events.append(
                {
                    "shop_id": shop_id,
                    "case_id": case_id,
                    "type": "case_opened",
                    "from_stage": None,
                    "to_stage": row["stage"],
                    "policy_version": policy_version,
                    "at": now,
                    "data": {"kind": row["kind"], "topic": row["topic"], "contact_mode": row["contact_mode"]},
                }
            )
            if row["contact_mode"] == "none":
                events.append(
                    {
                        "shop_id": shop_id,
                        "case_id": case_id,
                        "type": "handoff",
                        "from_stage": row["stage"],
                        "to_stage": row["stage"],
                        "policy_version": policy_version,
                        "at": now,
                        "data": {"reason": row["handoff_reason"], "team": None},
                    }
                )
                # Staff review it for flagging with the platform: a card in Slack or the /staff inbox (issue 6).
                jobs.append(_timer(shop_id, case_id, "slack_card", now, now) | {"payload": {"purpose": "flagging"}})
            else:
                jobs.append(_timer(shop_id, case_id, "first_contact", row["contact_not_before"], now))
            jobs.append(_timer(shop_id, case_id, "expire", deadline, now))
            if reminder_at > now:
                jobs.append(_timer(shop_id, case_id, "deadline_reminder", reminder_at, now))
            if callback_url:
                jobs.append(callback_job(shop_id, case_id, row["review_id"], "in_mediation", None, now))
        await session.execute(Event.__table__.insert(), events)
        await session.execute(Job.__table__.insert(), [_job_defaults(j) for j in jobs])
        return case_ids


def _timer(shop_id: str, case_id: int, kind: str, run_at: datetime, now: datetime) -> dict[str, Any]:
    return {
        "shop_id": shop_id,
        "case_id": case_id,
        "kind": kind,
        "run_at": run_at,
        "payload": {},
        "dedupe_key": f"{kind}:{case_id}",
        "created_at": now,
    }


def _job_defaults(job: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": "pending",
        "attempts": 0,
        "locked_by": None,
        "locked_until": None,
        "last_error": None,
        "finished_at": None,
        **job,
    }


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
