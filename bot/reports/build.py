"""Mediation reports: what happened to a shop's cases in a month or a quarter (PLAYBOOK rule 12).

A report counts the cases *opened* in the period and follows each of them to where it stands now (the
report's `as_of` time). It is worked out in two halves that share nothing, which on PostgreSQL run at
once, each on its own connection, so that a report keeps both of the server's cores busy:

    cases' rows ─▶ temp table (one row per case) ─▶ counts, sums, medians, first-contact buckets per key
                                                 ─▶ remedies, recurring causes
    ix_cases_report (id, key columns, outcome)   ─▶ outcomes per week, topic × kind × outcome
                  ⋈ events, messages             ─▶ stages reached, handoff → staff answer

The temporary table (case id, slice key, waiting times in seconds, outcome, remedy, gathered problem) is
read by several figures; copying into it keeps the cases' row reads, the JSON parsing and, for `channel`,
the probe for each case's first message to one pass. The other half needs only what ix_cases_report holds
(migration 0007), so it never reads the cases' rows. Sums and counts per key add up to the totals; the
whole period's medians come from the same statements (a grouping set () beside the keys).
"""

from __future__ import annotations

import asyncio
import re
import secrets
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    and_,
    case,
    cast,
    func,
    insert,
    literal,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.pool import QueuePool
from sqlalchemy.sql.elements import ColumnElement

from bot.platform.vocab import Outcome, Stage
from bot.reports.causes import recurring_causes
from bot.store.models import Case, Event, Message

SLICES = ("topic", "kind", "channel", "language", "team")
OUTCOMES = [o.value for o in Outcome]
OPEN = "open"  # a case with no outcome yet
STAGES = [s.value for s in Stage]
# First-contact time distribution: upper bounds in seconds and their labels.
CONTACT_BUCKETS: list[tuple[float | None, str]] = [
    (5 * 60, "< 5 min"),
    (3600, "5–60 min"),
    (4 * 3600, "1–4 h"),
    (12 * 3600, "4–12 h"),
    (24 * 3600, "12–24 h"),
    (3 * 86400, "1–3 d"),
    (None, "> 3 d"),
]
# Said in every report, so nobody has to guess what a rate divides by.
DEFINITIONS = {
    "population": "cases opened in the period (cases.opened_at), followed to where they stand at `as_of`",
    "first_contact": "time from the case opening to the bot's first message to the buyer",
    "first_answer": "time from the first contact to the buyer's first reply",
    "resolution_rate": "(resolved_revised + resolved_kept) ÷ closed cases the bot could contact "
    "(closed cases minus not_contacted)",
    "revision_rate": "resolved_revised ÷ (resolved_revised + resolved_kept): of the resolved cases, the share "
    "whose buyer updated the review",
    "handoff_rate": "cases handed to staff at least once (including trolls and black PR sent to staff at "
    "intake) ÷ cases opened",
    "staff_answer": "time from a case's first handoff to the first staff message relayed to the buyer",
    "deadline_misses": "cases that expired, were closed after their deadline, or are still open past it",
    "remedies": "remedies the buyer accepted (details.accepted_remedy) on the cases opened in the period, by type "
    "and by how those cases stand now (by_outcome, `open` if not closed); value summed per currency (percentage "
    "discounts have no amount and count only). A remedy on a case that later expired or stayed unresolved still "
    "counts here, and the case does not count as resolved. One record for the bot's and staff's remedies: a remedy a "
    "person granted (in /staff or Slack) carries granted_by and counts under granted_by.staff; "
    "on_resolved_cases + resolved_without_remedy = the resolved cases. add_ons: extras agreed on top of a remedy "
    "(remedies.yml `combine`, e.g. a coupon with a replacement), counted by type apart from the remedies (each case "
    "has one agreed remedy), with their money per currency in add_ons.value, which is also part of `value`",
    "stages_reached": "cases that ever entered each stage; every case opened in the period counts as `opened`, "
    "including trolls and black PR that start out waiting for staff",
    "opt_outs": "cases closed because the buyer asked not to be contacted (outcome opted_out)",
    "channel": "the channel of the case's first message (messages.channel); `none` if nothing was sent",
    "team": "the team policies/routing.yml routes the case's topic to",
}


class ReportInputError(ValueError):
    """A period or slice the report cannot use; names the field and the fix."""

    def __init__(self, field: str, message: str, fix: str):
        super().__init__(message)
        self.field, self.message, self.fix = field, message, fix

    def __str__(self) -> str:
        return f"{self.field}: {self.message}; {self.fix}"


# ── periods and slices ──────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime
    end: datetime  # exclusive

    def as_dict(self) -> dict[str, str]:
        return {"label": self.label, "start": self.start.isoformat(), "end": self.end.isoformat()}


PERIOD_RE = re.compile(r"^(\d{4})-(?:(\d{2})|[Qq]([1-4]))$")
PERIOD_FIX = "use a month like 2026-10 or a quarter like 2026-Q4"


def parse_period(text: str | None) -> Period:
    raw = (text or "").strip()
    match = PERIOD_RE.match(raw)
    if not raw or match is None:
        raise ReportInputError("period", f"unknown period {raw!r}", PERIOD_FIX)
    year = int(match.group(1))
    if not 2000 <= year <= 2999:
        raise ReportInputError("period", f"year {year} is out of range", PERIOD_FIX)
    if match.group(2) is not None:
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise ReportInputError("period", f"month {month:02d} does not exist", PERIOD_FIX)
        first, months, label = month, 1, f"{year}-{month:02d}"
    else:
        quarter = int(match.group(3))
        first, months, label = 3 * quarter - 2, 3, f"{year}-Q{quarter}"
    start = datetime(year, first, 1, tzinfo=UTC)
    end_month = first + months
    end = datetime(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1, tzinfo=UTC)
    return Period(label, start, end)


def parse_slice(name: str | None) -> str | None:
    if name is None or name.strip() in ("", "none", "all"):
        return None
    if name.strip() not in SLICES:
        raise ReportInputError("slice", f"unknown slice {name.strip()!r}", f"use one of: {', '.join(SLICES)}")
    return name.strip()


# ── SQL helpers that differ between SQLite and PostgreSQL ───────────────────────────────────────


def _pg(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def seconds_between(session: AsyncSession, later: Any, earlier: Any) -> ColumnElement[Any]:
    if _pg(session):
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def utc_day(session: AsyncSession, column: Any) -> ColumnElement[Any]:
    if _pg(session):
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.date(column)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.sum(case((condition, 1), else_=0))


# ── the report ──────────────────────────────────────────────────────────────────────────────────


async def build_report(
    session: AsyncSession,
    shop_id: str,
    period: Period,
    slice_name: str | None = None,
    *,
    routes: dict[str, str],
    as_of: datetime,
    causes: bool = True,
) -> dict[str, Any]:
    """The report as plain data (JSON-ready). `routes` maps topic → team (policies/routing.yml).

    Its two halves (see the module's doc) run at once on PostgreSQL: the temporary table is visible to its own
    session only, so the other half has a session of its own."""
    in_period = and_(Case.shop_id == shop_id, Case.opened_at >= period.start, Case.opened_at < period.end)
    # Both halves count the same cases: those that existed when the report began (ids only grow), even if
    # the period is the current one and cases open while the halves run on their own snapshots.
    last_id = (await session.execute(select(func.max(Case.id)).where(in_period))).scalar()
    in_period = and_(in_period, Case.id <= (last_id or 0))
    own = _case_figures(session, in_period, slice_name, routes, as_of, causes)
    key_column = _key(Case.__table__.c, slice_name, routes)
    if _pg(session) and await _spare_connection(session):
        try:
            async with AsyncSession(session.bind) as other, asyncio.TaskGroup() as tasks:
                own_task = tasks.create_task(own)
                linked_task = tasks.create_task(_event_figures(other, in_period, period, key_column, slice_name))
        except ExceptionGroup as failed:  # the error itself, as when the halves run one after the other
            raise failed.exceptions[0] from None
        (raw, medians, found_causes), linked = own_task.result(), linked_task.result()
    else:
        raw, medians, found_causes = await own
        linked = await _event_figures(session, in_period, period, key_column, slice_name)
    stages, staff, staff_medians, over_time, by_topic = linked
    # A slice key only one half saw (a case whose topic changed between the two snapshots) has nothing to add to.
    for key in raw.keys() & stages.keys():
        raw[key]["stages"] = stages[key]
    for key in raw.keys() & staff.keys():
        raw[key]["staff_count"], raw[key]["staff_sum"] = staff[key]
    for key, found in staff_medians.items():
        medians.setdefault(key, {}).update(found)

    keys = sorted(raw)
    totals = _empty_raw()
    for key in keys:
        _add(totals, raw[key])
    report: dict[str, Any] = {
        "shop_id": shop_id,
        "period": period.as_dict(),
        "slice": slice_name,
        "as_of": as_of.isoformat(),
        "definitions": DEFINITIONS,
        "empty": totals["opened"] == 0,
        "totals": _finish(totals, medians.get(None, {})),
        "groups": [{"key": k, **_finish(raw[k], medians.get(k, {}))} for k in keys] if slice_name else [],
        "first_contact_distribution": [
            {"bucket": label, "cases": totals["buckets"][i]} for i, (_, label) in enumerate(CONTACT_BUCKETS)
        ],
        "outcomes_over_time": over_time,
        **by_topic,
        "causes": found_causes,
    }
    return report


async def shop_report(rt: Any, shop_id: str, period: Period, slice_name: str | None = None) -> dict[str, Any]:
    """The report for one shop, with teams from the shop's published routing policy."""
    from bot.policy.bundle import active_bundle

    async with rt.reads() as session:
        try:
            routing = (await active_bundle(session, shop_id)).routing
        except LookupError:  # nothing published yet for this shop: the policies/ folder's routing
            from bot.policy.conversation import load_routing

            routing = load_routing(rt.settings.resolve(rt.settings.policies_dir) / "routing.yml")
        routes = {str(topic): team for topic, team in routing.routes.items()}
        return await build_report(session, shop_id, period, slice_name, routes=routes, as_of=rt.clock.now())


async def _spare_connection(session: AsyncSession) -> bool:
    """Whether the pool can lend this report a second connection at once. Waiting for one while holding another
    could deadlock a small pool, or one that other reports hold; then the halves run one after the other."""
    await session.connection()  # hold ours first, so that it is counted
    pool = session.bind.sync_engine.pool if isinstance(session.bind, AsyncEngine) else None
    return isinstance(pool, QueuePool) and pool.checkedout() < pool.size()


async def _tune(session: AsyncSession) -> None:
    """Session settings for the report's few large statements (LOCAL: for this transaction only)."""
    if _pg(session):
        # The medians' sorts and the hash of each case's stages need tens of MB for a quarter of 250,000 cases;
        # the default 4 MB would spill them to disk.
        await session.execute(text("SET LOCAL work_mem = '64MB'"))
        # JIT-compiling these plans costs more than it saves on a few hundred thousand rows (up to a second
        # when a row estimate is far off).
        await session.execute(text("SET LOCAL jit = off"))
        # The report already keeps both halves on their own connection; parallel workers would only compete.
        await session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


async def _case_figures(
    session: AsyncSession,
    in_period: ColumnElement[bool],
    slice_name: str | None,
    routes: dict[str, str],
    as_of: datetime,
    causes: bool,
) -> tuple[dict[str, dict[str, Any]], Medians, list[dict[str, Any]]]:
    """The half that reads the cases' rows: counts, medians and remedies per key, recurring causes."""
    await _tune(session)
    base = await _materialise(session, in_period, slice_name, routes, as_of)
    try:
        raw, medians = await _counts(session, base, grouped=slice_name is not None)
        for key, remedies in (await _remedies(session, base)).items():
            raw[key]["remedies"] = remedies
        found_causes = await recurring_causes(session, base) if causes else []
    finally:
        await session.run_sync(lambda sync: base.drop(sync.connection()))
    return raw, medians, found_causes


async def _event_figures(
    session: AsyncSession,
    in_period: ColumnElement[bool],
    period: Period,
    key: ColumnElement[Any],
    slice_name: str | None,
) -> tuple[dict[str, dict[str, int]], dict[str, tuple[int, float]], Medians, list[dict[str, Any]], dict[str, Any]]:
    """The half that reads the period's cases from ix_cases_report alone, and their events and messages: stages
    reached, staff answers (count and sum per key, medians), outcomes over time, topics and kinds."""
    await _tune(session)
    cases = select(Case.id.label("case_id"), key.label("key"), Case.topic, Case.kind, Case.outcome)
    cases = cases.add_columns(utc_day(session, Case.opened_at).label("day")).where(in_period).subquery("period_cases")
    over_time = await _over_time(session, cases, period)
    by_topic = await _by_topic_and_kind(session, cases)
    # count() too, or PostgreSQL would look for min and max along the primary key, past every other case.
    n, *bounds = (
        await session.execute(select(func.count(), func.min(cases.c.case_id), func.max(cases.c.case_id)))
    ).one()
    if not n:
        return {}, {}, {}, over_time, by_topic
    stages = await _stages(session, cases, bounds)
    staff, medians = await _staff(session, cases, bounds, grouped=slice_name is not None)
    return stages, staff, medians, over_time, by_topic


async def _materialise(
    session: AsyncSession,
    in_period: ColumnElement[bool],
    slice_name: str | None,
    routes: dict[str, str],
    as_of: datetime,
) -> Table:
    """Copy the period's cases, one narrow row each, into a temporary table that lives for this report."""
    table = Table(
        f"report_base_{secrets.token_hex(6)}",
        MetaData(),
        Column("case_id", BigInteger),
        Column("key", String(64)),
        Column("topic", String(16)),
        Column("outcome", String(24)),
        Column("fc", Float),
        Column("fr", Float),
        Column("handed", Integer),
        Column("missed", Integer),
        Column("remedy_type", String(64)),
        Column("remedy_currency", String(8)),
        Column("remedy_amount", Numeric(14, 2)),
        Column("remedy_by", String(8)),
        # An add-on agreed with the remedy (remedies.yml `combine`: a coupon on top of a replacement).
        Column("add_on_type", String(64)),
        Column("add_on_currency", String(8)),
        Column("add_on_amount", Numeric(14, 2)),
        Column("problems", Text),
        Column("item", Text),
        prefixes=["TEMPORARY"],
    )
    await session.run_sync(lambda sync: table.create(sync.connection()))
    pg = _pg(session)
    # `details` is json, stored as text, so each of the five extractions below would parse it again. On PostgreSQL
    # parse it once, into jsonb, in a subquery the planner may not inline (OFFSET 0): a third of the copy's time.
    details = cast(Case.details, JSONB).label("details") if pg else Case.details
    cases = select(Case.id, Case.topic, Case.kind, Case.language, Case.outcome, Case.opened_at, Case.deadline_at)
    cases = cases.add_columns(Case.first_contact_at, Case.first_reply_at, Case.closed_at, Case.handoff_reason, details)
    cases = cases.where(in_period)
    c = (cases.offset(0) if pg else cases).subquery("c").c
    missed = (
        (c.outcome == Outcome.EXPIRED.value)
        | (c.closed_at > c.deadline_at)
        | (c.closed_at.is_(None) & (c.deadline_at < as_of))
    )
    query = select(
        c.id,
        _key(c, slice_name, routes),
        c.topic,
        c.outcome,
        seconds_between(session, c.first_contact_at, c.opened_at),
        case((c.first_contact_at.is_not(None), seconds_between(session, c.first_reply_at, c.first_contact_at))),
        case((c.handoff_reason.is_not(None), 1), else_=0),
        case((missed, 1), else_=0),
        c.details[("accepted_remedy", "type")].as_string(),
        c.details[("accepted_remedy", "currency")].as_string(),
        cast(c.details[("accepted_remedy", "amount")].as_string(), Numeric(14, 2)),
        # The same record holds a bot's and a person's remedy; a person's names who granted it.
        case((c.details[("accepted_remedy", "granted_by")].as_string().is_not(None), "staff"), else_="bot"),
        c.details[("accepted_remedy", "add_on", "type")].as_string(),
        c.details[("accepted_remedy", "add_on", "currency")].as_string(),
        cast(c.details[("accepted_remedy", "add_on", "amount")].as_string(), Numeric(14, 2)),
        c.details["problems"].as_string(),
        c.details["item"].as_string(),
    )
    await session.execute(insert(table).from_select([col.name for col in table.columns], query))
    return table


def _key(c: Any, slice_name: str | None, routes: dict[str, str]) -> ColumnElement[Any]:
    if slice_name == "channel":
        # The channel the case was first written on: one probe of ix_messages_case_channel per case.
        first = select(Message.channel).where(Message.case_id == c.id).order_by(Message.id).limit(1).scalar_subquery()
        return func.coalesce(first, "none")
    if slice_name == "team":
        return case(*[(c.topic == topic, team) for topic, team in sorted(routes.items())], else_="unrouted")
    if slice_name in ("topic", "kind", "language"):
        return c[slice_name]
    return literal("all")


def _empty_raw() -> dict[str, Any]:
    return {
        "opened": 0,
        "contacted": 0,
        "fc_sum": 0.0,
        "replied": 0,
        "fr_sum": 0.0,
        "outcomes": dict.fromkeys([*OUTCOMES, OPEN], 0),
        "handoffs": 0,
        "misses": 0,
        "buckets": [0] * len(CONTACT_BUCKETS),
        "stages": dict.fromkeys(STAGES, 0),
        "staff_count": 0,
        "staff_sum": 0.0,
        "remedies": _no_remedies(),
    }


def _no_remedies() -> dict[str, Any]:
    return {
        "count": 0,
        "by_type": {},
        "by_outcome": dict.fromkeys([*OUTCOMES, OPEN], 0),
        "granted_by": {"bot": 0, "staff": 0},
        "value": {},
        "add_ons": {"count": 0, "by_type": {}, "value": {}},
    }


Medians = dict[str | None, dict[str, float | None]]


def _median(value: Any) -> Any:
    return func.percentile_cont(0.5).within_group(value)


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None


async def _median_of(
    session: AsyncSession, source: Any, key: Any, value: Any, name: str, out: Medians, *, grouped: bool
) -> None:
    """Medians of `value` per key (and overall when `grouped`), into out[key][name]."""
    if _pg(session):
        median = func.percentile_cont(0.5).within_group(value)
        query = select(key, median).select_from(source).where(value.is_not(None)).group_by(key)
        for k, v in await session.execute(query):
            out.setdefault(str(k), {})[name] = float(v) if v is not None else None
        if grouped:
            total = (await session.execute(select(median).select_from(source).where(value.is_not(None)))).scalar()
            out.setdefault(None, {})[name] = float(total) if total is not None else None
    else:
        values: dict[str, list[float]] = {}
        for k, v in await session.execute(select(key, value).select_from(source).where(value.is_not(None))):
            values.setdefault(str(k), []).append(float(v))
        for k, found in values.items():
            out.setdefault(k, {})[name] = statistics.median(found)
        everything = [v for found in values.values() for v in found]
        out.setdefault(None, {})[name] = statistics.median(everything) if everything else None
    if not grouped:
        out.setdefault(None, {})[name] = out.get("all", {}).get(name)


async def _counts(session: AsyncSession, t: Table, *, grouped: bool) -> tuple[dict[str, dict[str, Any]], Medians]:
    c = t.c
    bucket_cols = []
    lower = 0.0
    for upper, _label in CONTACT_BUCKETS:
        cond = c.fc.is_not(None) & (c.fc >= lower) if lower else c.fc.is_not(None)
        if upper is not None:
            cond = cond & (c.fc < upper)
            lower = upper
        bucket_cols.append(_count_if(cond))
    outcome_cols = [_count_if(c.outcome == o) for o in OUTCOMES] + [_count_if(c.outcome.is_(None))]
    pg = _pg(session)
    # On PostgreSQL the medians come from the same pass (ordered-set aggregates ignore NULLs), and so do the whole
    # period's medians of a sliced report: a grouping set () beside (key), told apart by grouping(key) = 1.
    median_cols = [_median(c.fc), _median(c.fr), func.grouping(c.key)] if pg else []
    query = select(
        c.key,
        func.count(),
        func.count(c.fc),
        func.coalesce(func.sum(c.fc), 0),
        func.count(c.fr),
        func.coalesce(func.sum(c.fr), 0),
        func.coalesce(func.sum(c.handed), 0),
        func.coalesce(func.sum(c.missed), 0),
        *outcome_cols,
        *bucket_cols,
        *median_cols,
    ).group_by(func.grouping_sets(tuple_(c.key), tuple_()) if pg and grouped else c.key)
    out: dict[str, dict[str, Any]] = {}
    medians: Medians = {}
    rows = await session.execute(query)
    for key, opened, contacted, fc_sum, replied, fr_sum, handoffs, misses, *rest in rows:
        if median_cols:
            *rest, fc_median, fr_median, whole_period = rest
            medians[None if whole_period else str(key)] = {
                "first_contact": _float(fc_median),
                "first_answer": _float(fr_median),
            }
            if whole_period:
                continue
        raw = _empty_raw()
        raw.update(
            opened=opened,
            contacted=contacted,
            fc_sum=float(fc_sum or 0),
            replied=replied,
            fr_sum=float(fr_sum or 0),
            handoffs=int(handoffs or 0),
            misses=int(misses or 0),
        )
        rest = [int(v or 0) for v in rest]
        raw["outcomes"] = dict(zip([*OUTCOMES, OPEN], rest[: len(OUTCOMES) + 1], strict=True))
        raw["buckets"] = rest[len(OUTCOMES) + 1 :]
        out[str(key)] = raw
    if not median_cols:
        await _median_of(session, t, c.key, c.fc, "first_contact", medians, grouped=grouped)
        await _median_of(session, t, c.key, c.fr, "first_answer", medians, grouped=grouped)
    elif not grouped:
        medians[None] = medians.get("all", {})
    return out, medians


async def _stages(session: AsyncSession, cases: Any, bounds: Any) -> dict[str, dict[str, int]]:
    """How many of `cases` (case_id, key) ever reached each stage: the cases with an event to that stage.

    Each case's stages are first strung together ("closed contacted opened …", read in order from
    ix_events_case_stage), so the join to the period's cases meets one row per case rather than one per
    event, and the database returns one row per key and stage path, which is split here. The case-id range
    narrows the events to the period's (ids grow with time), from the index alone."""
    joined = func.string_agg if _pg(session) else func.group_concat
    per_case = (
        select(Event.case_id, joined(Event.to_stage, " ").label("stages"))
        .where(Event.case_id.between(*bounds), Event.to_stage.is_not(None))
        .group_by(Event.case_id)
        .subquery("per_case")
    )
    query = (
        select(cases.c.key, per_case.c.stages, func.count())
        .join(per_case, per_case.c.case_id == cases.c.case_id)
        .group_by(cases.c.key, per_case.c.stages)
    )
    out: dict[str, dict[str, int]] = {}
    for key, stages, n in await session.execute(query):
        counts = out.setdefault(str(key), dict.fromkeys(STAGES, 0))
        for stage in set(stages.split(" ")):  # a stage reached twice counts once
            counts[stage] = counts.get(stage, 0) + int(n)
    return out


async def _staff(
    session: AsyncSession, cases: Any, bounds: Any, *, grouped: bool
) -> tuple[dict[str, tuple[int, float]], Medians]:
    """Staff time to answer, per key of `cases` (case_id, key): a case's first handoff event → the first staff
    message after it. The count and sum of those times per key, and their medians."""
    handed = (
        select(Event.case_id, func.min(Event.at).label("handoff_at"))
        .where(Event.type == "handoff", Event.case_id.between(*bounds))
        .group_by(Event.case_id)
        .subquery("handed")
    )
    answered = (
        select(handed.c.case_id, handed.c.handoff_at, func.min(Message.created_at).label("answered_at"))
        .join(
            Message,
            and_(
                Message.role == "staff",
                Message.case_id == handed.c.case_id,
                Message.created_at >= handed.c.handoff_at,
            ),
        )
        .group_by(handed.c.case_id, handed.c.handoff_at)
        .subquery("answered")
    )
    pairs = (
        select(cases.c.key, seconds_between(session, answered.c.answered_at, answered.c.handoff_at).label("seconds"))
        .join(answered, answered.c.case_id == cases.c.case_id)
        .subquery("staff_pairs")
    )
    pg = _pg(session)
    # As in _counts: on PostgreSQL the medians, the whole period's included, come from this one pass.
    extra = [_median(pairs.c.seconds), func.grouping(pairs.c.key)] if pg else []
    query = select(pairs.c.key, func.count(), func.coalesce(func.sum(pairs.c.seconds), 0), *extra).group_by(
        func.grouping_sets(tuple_(pairs.c.key), tuple_()) if pg and grouped else pairs.c.key
    )
    out: dict[str, tuple[int, float]] = {}
    medians: Medians = {}
    for key, n, total, *median in await session.execute(query):
        if pg:
            whole_period = median[1]
            medians[None if whole_period else str(key)] = {"staff_answer": _float(median[0])}
            if whole_period:
                continue
        out[str(key)] = (int(n), float(total))
    if not pg:
        await _median_of(session, pairs, pairs.c.key, pairs.c.seconds, "staff_answer", medians, grouped=grouped)
    elif not grouped:
        medians[None] = medians.get("all", {})
    return out, medians


async def _remedies(session: AsyncSession, t: Table) -> dict[str, dict[str, Any]]:
    c = t.c
    query = (
        select(
            c.key,
            c.remedy_type,
            c.remedy_currency,
            c.outcome,
            c.remedy_by,
            func.count(),
            func.count(c.remedy_amount),
            func.sum(c.remedy_amount),
        )
        .where(c.remedy_type.is_not(None))
        .group_by(c.key, c.remedy_type, c.remedy_currency, c.outcome, c.remedy_by)
    )
    out: dict[str, dict[str, Any]] = {}
    for key, rtype, cur, outcome, by, n, priced, total in await session.execute(query):
        entry = out.setdefault(str(key), _no_remedies())
        entry["count"] += int(n)
        entry["by_type"][rtype] = entry["by_type"].get(rtype, 0) + int(n)
        entry["granted_by"][by] += int(n)
        entry["by_outcome"][outcome or OPEN] += int(n)
        if priced and cur:
            value = Decimal(str(total)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            entry["value"][cur] = entry["value"].get(cur, Decimal(0)) + value
    # Add-ons are counted apart (a case still has one agreed remedy, so on_resolved_cases stays a count of cases);
    # the money they give is in the same `value`.
    extras = (
        select(
            c.key,
            c.add_on_type,
            c.add_on_currency,
            func.count(),
            func.count(c.add_on_amount),
            func.sum(c.add_on_amount),
        )
        .where(c.add_on_type.is_not(None))
        .group_by(c.key, c.add_on_type, c.add_on_currency)
    )
    for key, rtype, cur, n, priced, total in await session.execute(extras):
        entry = out.setdefault(str(key), _no_remedies())
        entry["add_ons"]["count"] += int(n)
        entry["add_ons"]["by_type"][rtype] = entry["add_ons"]["by_type"].get(rtype, 0) + int(n)
        if priced and cur:
            value = Decimal(str(total)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            entry["value"][cur] = entry["value"].get(cur, Decimal(0)) + value
            entry["add_ons"]["value"][cur] = entry["add_ons"]["value"].get(cur, Decimal(0)) + value
    return out


async def _over_time(session: AsyncSession, base: Table, period: Period) -> list[dict[str, Any]]:
    """Cases opened per week (Monday-based, clipped to the period), by where they ended up."""
    day = base.c.day
    outcome = func.coalesce(base.c.outcome, OPEN)
    query = select(day, outcome, func.count()).group_by(day, outcome)
    weeks: dict[date, dict[str, int]] = {}
    first = period.start.date()
    last = (period.end - timedelta(days=1)).date()
    monday = first - timedelta(days=first.weekday())
    while monday <= last:
        weeks[monday] = dict.fromkeys([*OUTCOMES, OPEN], 0)
        monday += timedelta(days=7)
    for day_text, found, n in await session.execute(query):
        d = date.fromisoformat(str(day_text)[:10])
        weeks[d - timedelta(days=d.weekday())][found] += int(n)
    return [
        {"week_start": max(start, first).isoformat(), "label": max(start, first).strftime("%d %b"), "outcomes": counts}
        for start, counts in weeks.items()
    ]


async def _by_topic_and_kind(session: AsyncSession, base: Table) -> dict[str, Any]:
    query = select(base.c.topic, base.c.kind, base.c.outcome, func.count()).group_by(
        base.c.topic, base.c.kind, base.c.outcome
    )
    topics: dict[str, dict[str, int]] = {}
    kinds: dict[str, int] = {}
    for topic, kind, outcome, n in await session.execute(query):
        t = topics.setdefault(topic, {"cases": 0, "revised": 0, "kept": 0})
        t["cases"] += n
        t["revised"] += n if outcome == Outcome.RESOLVED_REVISED else 0
        t["kept"] += n if outcome == Outcome.RESOLVED_KEPT else 0
        kinds[kind] = kinds.get(kind, 0) + n
    return {
        "topics": [{"topic": t, "cases": v["cases"]} for t, v in sorted(topics.items(), key=lambda i: -i[1]["cases"])],
        "kinds": [{"kind": k, "cases": n} for k, n in sorted(kinds.items(), key=lambda i: -i[1])],
        "revision_rate_by_topic": [
            {"topic": t, **_rate(v["revised"], v["revised"] + v["kept"])} for t, v in sorted(topics.items())
        ],
    }


# ── assembling the figures ──────────────────────────────────────────────────────────────────────


def _add(total: dict[str, Any], raw: dict[str, Any]) -> None:
    for name in ("opened", "contacted", "fc_sum", "replied", "fr_sum", "handoffs", "misses"):
        total[name] += raw[name]
    total["staff_count"] += raw["staff_count"]
    total["staff_sum"] += raw["staff_sum"]
    for name in ("outcomes", "stages"):
        for k, v in raw[name].items():
            total[name][k] = total[name].get(k, 0) + v
    total["buckets"] = [a + b for a, b in zip(total["buckets"], raw["buckets"], strict=True)]
    remedies = total["remedies"]
    remedies["count"] += raw["remedies"]["count"]
    for k, v in raw["remedies"]["by_type"].items():
        remedies["by_type"][k] = remedies["by_type"].get(k, 0) + v
    for k, v in raw["remedies"]["by_outcome"].items():
        remedies["by_outcome"][k] += v
    for k, v in raw["remedies"]["granted_by"].items():
        remedies["granted_by"][k] += v
    for k, v in raw["remedies"]["value"].items():
        remedies["value"][k] = remedies["value"].get(k, Decimal(0)) + v
    remedies["add_ons"]["count"] += raw["remedies"]["add_ons"]["count"]
    for k, v in raw["remedies"]["add_ons"]["by_type"].items():
        remedies["add_ons"]["by_type"][k] = remedies["add_ons"]["by_type"].get(k, 0) + v
    for k, v in raw["remedies"]["add_ons"]["value"].items():
        remedies["add_ons"]["value"][k] = remedies["add_ons"]["value"].get(k, Decimal(0)) + v


def _rate(numerator: int, denominator: int) -> dict[str, Any]:
    value = round(numerator / denominator, 4) if denominator else None
    return {"value": value, "numerator": numerator, "denominator": denominator}


def _timing(count: int, total: float, median: float | None) -> dict[str, Any]:
    return {
        "cases": count,
        "mean_seconds": round(total / count, 1) if count else None,
        "median_seconds": round(median, 1) if median is not None else None,
    }


def _finish(raw: dict[str, Any], medians: dict[str, float | None]) -> dict[str, Any]:
    outcomes = raw["outcomes"]
    resolved = outcomes[Outcome.RESOLVED_REVISED] + outcomes[Outcome.RESOLVED_KEPT]
    closed = sum(outcomes[o] for o in OUTCOMES)
    remedies = raw["remedies"]
    with_remedy = remedies["by_outcome"][Outcome.RESOLVED_REVISED] + remedies["by_outcome"][Outcome.RESOLVED_KEPT]
    return {
        "cases_opened": raw["opened"],
        "first_contact": _timing(raw["contacted"], raw["fc_sum"], medians.get("first_contact")),
        "first_answer": _timing(raw["replied"], raw["fr_sum"], medians.get("first_answer")),
        # Opening is a stage every case of the population reached, whether or not it started there.
        "stages_reached": {s: raw["opened"] if s == Stage.OPENED else raw["stages"].get(s, 0) for s in STAGES},
        "outcomes": dict(outcomes),
        "resolution_rate": _rate(resolved, closed - outcomes[Outcome.NOT_CONTACTED]),
        "revision_rate": _rate(outcomes[Outcome.RESOLVED_REVISED], resolved),
        "handoff_rate": _rate(raw["handoffs"], raw["opened"]),
        "handoffs": raw["handoffs"],
        "staff_answer": _timing(raw["staff_count"], raw["staff_sum"], medians.get("staff_answer")),
        "deadline_misses": raw["misses"],
        "remedies": {
            "count": remedies["count"],
            "by_type": dict(sorted(remedies["by_type"].items())),
            "by_outcome": dict(remedies["by_outcome"]),
            "granted_by": dict(remedies["granted_by"]),
            "on_resolved_cases": with_remedy,
            # Resolved with nothing on record (an apology, or a promise never recorded as a grant): the two
            # figures come from the same cases, so they add up to the resolved count.
            "resolved_without_remedy": resolved - with_remedy,
            "value": {cur: str(v) for cur, v in sorted(remedies["value"].items())},
            "add_ons": {
                "count": remedies["add_ons"]["count"],
                "by_type": dict(sorted(remedies["add_ons"]["by_type"].items())),
                "value": {cur: str(v) for cur, v in sorted(remedies["add_ons"]["value"].items())},
            },
        },
        "opt_outs": outcomes[Outcome.OPTED_OUT],
    }


def format_seconds(value: float | None) -> str:
    """Human durations for the rendered report: 42 s, 17 min, 3.5 h, 2.1 d."""
    if value is None:
        return "—"
    if value < 60:
        return f"{value:.0f} s"
    if value < 3600:
        return f"{value / 60:.0f} min"
    if value < 86400:
        return f"{value / 3600:.1f} h"
    return f"{value / 86400:.1f} d"


def format_rate(rate: dict[str, Any]) -> str:
    if rate["value"] is None:
        return "—"
    return f"{rate['value'] * 100:.1f}% ({rate['numerator']}/{rate['denominator']})"
