"""Reports (issue 8): figures over cases made by the real intake and engine, checked against counts computed
here straight from the rows, with plain Python rather than the report's SQL."""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import select
from typer.testing import CliRunner

from bot.app.cli.main import app as cli_app
from bot.app.runtime import Runtime
from bot.app.simulate import _step, advance
from bot.conversation.scenario import Step
from bot.platform.clock import VirtualClock
from bot.reports.build import OUTCOMES, SLICES, STAGES, ReportInputError, parse_period, parse_slice, shop_report
from bot.reports.render import render_csv, render_html
from bot.store.admin_tokens import create_token, revoke_tokens
from bot.store.models import Case, Event, Message
from tests.conftest import ROOT, SHOP, admin_token, review

# Late October: two conversations open in October, the rest in November after time moves on.
OCT_START = datetime(2026, 10, 28, 10, 0, tzinfo=UTC)
OCTOBER = [
    "en_constructive_damaged_lamp.yml",
    "en_constructive_damaged_lamp.yml",  # twice: a recurring cause
    "pl_troll_awaiting_staff.yml",
    "ru_impulsive_angry_cooldown.yml",
]
NOVEMBER = [
    "de_double_charge_approval_needed.yml",
    "pl_constructive_wrong_size_boots_revised.yml",
    "de_constructive_kettle_defect_kept.yml",
    "en_stop_mid_conversation.yml",
    "sq_ask_human_midway.yml",
    "en_silent_after_revision_ask.yml",
    "sv_black_pr_expires_not_contacted.yml",
    "sq_never_answers_no_response.yml",
    "sv_decline_first_offer_next.yml",
    "uk_ask_human_buyer_asked.yml",
]


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(OCT_START)


async def play(rt: Runtime, clock: VirtualClock, name: str, suffix: str) -> int | None:
    """One scripted conversation from tests/scenarios through the real intake, engine and timers."""
    scenario = yaml.safe_load((ROOT / "tests" / "scenarios" / name).read_text(encoding="utf-8"))
    body = dict(scenario["review"])
    body["external_id"] = f"{body['external_id']}-{suffix}"
    # The review was written two hours ago on the virtual clock; its order dates move with it.
    shift = clock.now() - timedelta(hours=2) - datetime.fromisoformat(body["created_at"].replace("Z", "+00:00"))
    body["created_at"] = _shifted(body["created_at"], shift)
    if body.get("order"):
        body["order"] = {k: _shifted(v, shift) if k.endswith("_at") and v else v for k, v in body["order"].items()}
    if body.get("buyer", {}).get("email"):
        body["buyer"] = {**body["buyer"], "email": f"{suffix}-{body['buyer']['email']}"}
    if body.get("order"):
        body["order"] = {**body["order"], "id": f"{body['order']['id']}-{suffix}"}
    [result] = await rt.intake.ingest(SHOP, [body])
    await rt.worker.run_due()
    if result.case_id is None:
        return None
    for raw in scenario.get("steps", []):
        step = Step.model_validate(raw)
        if step.staff and step.staff.startswith("/close"):
            continue
        await _step(rt, clock, result.case_id, step)
    return result.case_id


def _shifted(iso: str, shift: timedelta) -> str:
    return (datetime.fromisoformat(iso.replace("Z", "+00:00")) + shift).isoformat()


@pytest.fixture
async def history(rt: Runtime, clock: VirtualClock) -> dict[str, Any]:
    ids = []
    for n, name in enumerate(OCTOBER):
        ids.append(await play(rt, clock, name, f"o{n}"))
        await advance(rt, clock, clock.now() + timedelta(hours=5))
    await advance(rt, clock, datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    for n, name in enumerate(NOVEMBER):
        ids.append(await play(rt, clock, name, f"n{n}"))
        await advance(rt, clock, clock.now() + timedelta(hours=7))
    # A staff member answers one handed-off case, so staff time to answer has a figure.
    async with rt.sessions() as session:
        waiting = (
            (
                await session.execute(
                    select(Case.id).where(Case.stage == "awaiting_staff", Case.kind == "constructive").order_by(Case.id)
                )
            )
            .scalars()
            .first()
        )
    if waiting is not None:
        clock.advance(timedelta(minutes=42))
        await rt.conversation.staff_message(waiting, "I'm Ola from the service team; I'll sort this out.", "Ola")
    await advance(rt, clock, clock.now() + timedelta(days=1))
    return {"case_ids": [i for i in ids if i is not None]}


async def rows(rt: Runtime) -> tuple[list[Case], list[Event], list[Message]]:
    async with rt.sessions() as session:
        cases = list((await session.execute(select(Case).order_by(Case.id))).scalars())
        events = list((await session.execute(select(Event).order_by(Event.id))).scalars())
        messages = list((await session.execute(select(Message).order_by(Message.id))).scalars())
    return cases, events, messages


def expected(
    cases: list[Case], events: list[Event], messages: list[Message], start: datetime, end: datetime, as_of: datetime
) -> dict[str, Any]:
    """The report's figures, computed the slow obvious way from the rows."""
    chosen = [c for c in cases if start <= c.opened_at < end]
    ids = {c.id for c in chosen}
    outcomes = Counter(c.outcome or "open" for c in chosen)
    reached = {s: len({e.case_id for e in events if e.case_id in ids and e.to_stage == s}) for s in STAGES}
    reached["opened"] = len(chosen)  # every case was opened, trolls that start out waiting for staff included
    contact = [(c.first_contact_at - c.opened_at).total_seconds() for c in chosen if c.first_contact_at]
    answer = [(c.first_reply_at - c.first_contact_at).total_seconds() for c in chosen if c.first_reply_at]
    staff = []
    for c in chosen:
        handoffs = [e.at for e in events if e.case_id == c.id and e.type == "handoff"]
        if handoffs:
            said = [
                m.created_at
                for m in messages
                if m.case_id == c.id and m.role == "staff" and m.created_at >= min(handoffs)
            ]
            if said:
                staff.append((min(said) - min(handoffs)).total_seconds())
    remedies = Counter(c.details["accepted_remedy"]["type"] for c in chosen if c.details.get("accepted_remedy"))
    remedy_outcomes = Counter(c.outcome or "open" for c in chosen if c.details.get("accepted_remedy"))
    value: dict[str, Decimal] = {}
    for c in chosen:
        r = c.details.get("accepted_remedy")
        if r and r.get("amount") and r.get("currency"):
            value[r["currency"]] = value.get(r["currency"], Decimal(0)) + Decimal(r["amount"])
    misses = sum(
        1
        for c in chosen
        if c.outcome == "expired"
        or (c.closed_at and c.closed_at > c.deadline_at)
        or (c.closed_at is None and c.deadline_at < as_of)
    )
    first_channel = {}
    for m in messages:
        first_channel.setdefault(m.case_id, m.channel)
    return {
        "opened": len(chosen),
        "outcomes": {o: outcomes.get(o, 0) for o in [*OUTCOMES, "open"]},
        "reached": reached,
        "contact_median": statistics.median(contact) if contact else None,
        "answer_median": statistics.median(answer) if answer else None,
        "staff": staff,
        "handoffs": sum(1 for c in chosen if c.handoff_reason is not None),
        "remedies": dict(remedies),
        "remedy_outcomes": {o: remedy_outcomes.get(o, 0) for o in [*OUTCOMES, "open"]},
        "value": {k: str(v.quantize(Decimal("0.01"))) for k, v in value.items()},
        "misses": misses,
        "by_topic": Counter(c.topic for c in chosen),
        "by_channel": Counter(first_channel.get(c.id, "none") for c in chosen),
        "by_language": Counter(c.language for c in chosen),
    }


async def q4_cases(rt: Runtime) -> int:
    cases, _, _ = await rows(rt)
    return sum(1 for c in cases if datetime(2026, 10, 1, tzinfo=UTC) <= c.opened_at < datetime(2027, 1, 1, tzinfo=UTC))


def close_to(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1.0)


async def test_report_matches_counts_computed_from_the_rows(rt: Runtime, history: dict[str, Any]) -> None:
    cases, events, messages = await rows(rt)
    for label, start, end in [
        ("2026-10", datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11", datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
        ("2026-Q4", datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
    ]:
        report = await shop_report(rt, SHOP, parse_period(label))
        want = expected(cases, events, messages, start, end, rt.clock.now())
        t = report["totals"]
        assert t["cases_opened"] == want["opened"] > 0, label
        assert t["outcomes"] == want["outcomes"], label
        assert t["stages_reached"] == want["reached"], label
        assert close_to(t["first_contact"]["median_seconds"], want["contact_median"]), label
        assert close_to(t["first_answer"]["median_seconds"], want["answer_median"]), label
        assert t["staff_answer"]["cases"] == len(want["staff"]), label
        assert t["handoffs"] == want["handoffs"], label
        assert t["remedies"]["by_type"] == want["remedies"], label
        assert t["remedies"]["value"] == want["value"], label
        # Remedies, outcomes and stages count one population: the cases opened in the period.
        assert t["remedies"]["by_outcome"] == want["remedy_outcomes"], label
        assert sum(t["remedies"]["by_outcome"].values()) == t["remedies"]["count"], label
        assert t["remedies"]["on_resolved_cases"] == (
            want["remedy_outcomes"]["resolved_revised"] + want["remedy_outcomes"]["resolved_kept"]
        ), label
        assert t["stages_reached"]["opened"] == t["cases_opened"] == sum(t["outcomes"].values()), label
        assert t["deadline_misses"] == want["misses"], label
        assert t["opt_outs"] == want["outcomes"]["opted_out"], label
        resolved = want["outcomes"]["resolved_revised"] + want["outcomes"]["resolved_kept"]
        assert t["revision_rate"]["numerator"] == want["outcomes"]["resolved_revised"]
        assert t["revision_rate"]["denominator"] == resolved
        assert sum(b["cases"] for b in report["first_contact_distribution"]) == len(
            [c for c in cases if start <= c.opened_at < end and c.first_contact_at]
        )
        assert sum(sum(w["outcomes"].values()) for w in report["outcomes_over_time"]) == want["opened"]
    q4 = await shop_report(rt, SHOP, parse_period("2026-Q4"))
    want = expected(
        cases, events, messages, datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC), rt.clock.now()
    )
    # The conversations really did reach the figures this test is about.
    assert want["outcomes"]["resolved_revised"] >= 1 and want["outcomes"]["opted_out"] >= 1
    assert want["remedies"] and want["staff"] and want["handoffs"] >= 2
    assert {r["topic"]: r["cases"] for r in q4["topics"]} == dict(want["by_topic"])


@pytest.mark.parametrize("slice_name", SLICES)
async def test_every_slice_adds_up_to_the_totals(rt: Runtime, history: dict[str, Any], slice_name: str) -> None:
    report = await shop_report(rt, SHOP, parse_period("2026-Q4"), slice_name)
    groups = report["groups"]
    assert groups and sum(g["cases_opened"] for g in groups) == report["totals"]["cases_opened"]
    for outcome in [*OUTCOMES, "open"]:
        assert sum(g["outcomes"][outcome] for g in groups) == report["totals"]["outcomes"][outcome]
    cases, events, messages = await rows(rt)
    want = expected(
        cases, events, messages, datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC), rt.clock.now()
    )
    got = {g["key"]: g["cases_opened"] for g in groups}
    if slice_name in ("topic", "channel", "language"):
        assert got == dict(want[f"by_{slice_name}"])
    if slice_name == "team":
        routes = yaml.safe_load((ROOT / "policies" / "routing.yml").read_text())["routes"]
        q4 = [c for c in cases if datetime(2026, 10, 1, tzinfo=UTC) <= c.opened_at < datetime(2027, 1, 1, tzinfo=UTC)]
        assert got == dict(Counter(routes[c.topic] for c in q4))


async def test_recurring_causes_name_problem_item_and_examples(rt: Runtime, history: dict[str, Any]) -> None:
    report = await shop_report(rt, SHOP, parse_period("2026-Q4"))
    cases, _, _ = await rows(rt)
    by_id = {c.id: c for c in cases}
    assert report["causes"], "the conversations gathered problems; some must recur"
    for topic in report["causes"]:
        for cause in topic["causes"]:
            assert cause["cases"] >= 2 and f"{cause['cases']} cases" in cause["label"]
            for case_id in cause["example_case_ids"]:
                example = by_id[case_id]
                assert example.topic == topic["topic"] and cause["problem"] in example.details["problems"]
            members = [
                c for c in cases if c.topic == topic["topic"] and cause["problem"] in c.details.get("problems", [])
            ]
            if cause["item"] not in (None, "other items"):
                members = [c for c in members if c.details.get("item") == cause["item"]]
                assert len(members) == cause["cases"]


async def test_empty_period_gives_an_empty_report(rt: Runtime) -> None:
    report = await shop_report(rt, SHOP, parse_period("2025-02"), "topic")
    assert report["empty"] is True and report["totals"]["cases_opened"] == 0 and report["groups"] == []
    assert report["totals"]["revision_rate"]["value"] is None and report["causes"] == []
    html = render_html(report)
    assert "No cases were opened" in html and "<svg" in html
    assert next(csv.reader(io.StringIO(render_csv(report))))[:3] == ["period", "slice", "key"]


def test_periods_and_slices_parse_or_explain() -> None:
    q = parse_period("2026-Q4")
    assert (q.start, q.end) == (datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    m = parse_period("2026-12")
    assert (m.start, m.end) == (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    for bad in ["2026-13", "2026-Q5", "October", "", "2026-1", "26-10"]:
        with pytest.raises(ReportInputError) as err:
            parse_period(bad)
        assert err.value.field == "period" and "2026-Q4" in err.value.fix
    with pytest.raises(ReportInputError) as err:
        parse_slice("colour")
    assert err.value.field == "slice" and "topic" in err.value.fix
    assert parse_slice(None) is None and parse_slice("team") == "team"


@hsettings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=12))
def test_period_parser_accepts_only_months_and_quarters(text: str) -> None:
    try:
        period = parse_period(text)
    except ReportInputError as err:
        assert err.field == "period"
        return
    assert period.start < period.end <= period.start + timedelta(days=92)
    assert period.label.upper() == text.strip().upper()


@given(st.integers(2000, 2999), st.integers(1, 12))
def test_every_month_is_covered_by_its_quarter(year: int, month: int) -> None:
    m = parse_period(f"{year}-{month:02d}")
    q = parse_period(f"{year}-Q{(month - 1) // 3 + 1}")
    assert q.start <= m.start < m.end <= q.end


# ── HTTP and CLI ────────────────────────────────────────────────────────────────────────────────


async def test_api_report_json_csv_and_errors(rt: Runtime, history: dict[str, Any], client: httpx.AsyncClient) -> None:
    got = await client.get("/api/reports", params={"period": "2026-Q4", "slice": "topic"})
    assert got.status_code == 200, got.text
    body = got.json()
    body_all = (await client.get("/api/reports", params={"period": "2026-Q4"})).json()
    assert body["totals"]["cases_opened"] == await q4_cases(rt) and body["groups"]
    exported = await client.get("/api/reports", params={"period": "2026-Q4", "slice": "topic", "format": "csv"})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(exported.text)))
    # One row per slice key, the totals first; one column per figure.
    assert [r["key"] for r in table] == ["all", *[g["key"] for g in body["groups"]]]
    opened = {r["key"]: int(r["cases_opened"]) for r in table}
    assert opened.pop("all") == body["totals"]["cases_opened"]
    assert opened == {g["key"]: g["cases_opened"] for g in body["groups"]}
    for row, figures in zip(table, [body["totals"], *body["groups"]], strict=True):
        assert int(row["resolution_rate.numerator"]) == figures["resolution_rate"]["numerator"]
        assert int(row["stages_reached.opened"]) == figures["cases_opened"]
        assert int(row["remedies.count"]) == figures["remedies"]["count"]
        by_type = {k.split(".")[-1]: int(v) for k, v in row.items() if k.startswith("remedies.by_type.")}
        assert {k: v for k, v in by_type.items() if v} == figures["remedies"]["by_type"]
    for params, field in [
        ({"period": "2026-14"}, "period"),
        ({"period": "2026-Q4", "slice": "mood"}, "slice"),
        ({"period": "2026-Q4", "format": "pdf"}, "format"),
    ]:
        bad = await client.get("/api/reports", params=params)
        assert bad.status_code == 422 and bad.json()["field"] == field and bad.json()["fix"], bad.text
    assert (
        await client.get("/api/reports", params={"period": "2026-Q4"}, headers={"X-Api-Key": "nope"})
    ).status_code == 401
    # An admin token of either role (issue 7) may read its shop's reports; a revoked one may not.
    async with rt.sessions() as session, session.begin():
        token = await create_token(session, SHOP, "Ola", "staff", rt.clock.now())
    bearer = {"Authorization": f"Bearer {token}", "X-Api-Key": ""}
    as_staff = await client.get("/api/reports", params={"period": "2026-Q4"}, headers=bearer)
    assert as_staff.status_code == 200 and as_staff.json()["totals"] == body_all["totals"]
    async with rt.sessions() as session, session.begin():
        await revoke_tokens(session, SHOP, "Ola", rt.clock.now())
    assert (await client.get("/api/reports", params={"period": "2026-Q4"}, headers=bearer)).status_code == 401


async def test_dashboard_page_filters_and_exports(
    rt: Runtime, history: dict[str, Any], client: httpx.AsyncClient
) -> None:
    admin = {"Authorization": f"Bearer {await admin_token(rt)}", "X-Api-Key": ""}
    page = await client.get("/admin/reports", params={"period": "2026-Q4", "slice": "kind"}, headers=admin)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "name='period'" in html and "name='slice'" in html and "format=csv" in html
    for heading in ["Outcomes over time", "Topics", "First-contact time", "Revision rate by topic", "Recurring causes"]:
        assert heading in html
    assert "<script" not in html and "<link" not in html and " src=" not in html
    bad = await client.get("/admin/reports", params={"period": "someday"}, headers=admin)
    assert bad.status_code == 422 and "2026-Q4" in bad.text
    anonymous = await client.get("/admin/reports", params={"period": "2026-Q4"}, headers={"X-Api-Key": ""})
    assert anonymous.status_code == 401
    # The shop's integration key is refused by name: the dashboard is for people with their own token.
    by_key = await client.get("/admin/reports", params={"period": "2026-Q4"})
    assert by_key.status_code == 401 and "integration API key does not open the admin pages" in by_key.text


runner = CliRunner()


async def test_cli_report_formats_and_errors(
    rt: Runtime, history: dict[str, Any], config: Path, tmp_path: Path
) -> None:
    import asyncio

    def invoke(*args: str) -> Any:
        return runner.invoke(cli_app, ["report", *args])

    out = tmp_path / "q4.html"
    result = await asyncio.to_thread(invoke, "--period", "2026-Q4", "--format", "html", "--out", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert html.count("<svg") >= 4 and "@media print" in html
    as_json = await asyncio.to_thread(invoke, "--period", "2026-Q4", "--format", "json", "--shop", SHOP)
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)["totals"]["cases_opened"] == await q4_cases(rt)
    as_csv = await asyncio.to_thread(invoke, "--period", "2026-10", "--format", "csv", "--slice", "language")
    assert as_csv.exit_code == 0 and as_csv.stdout.startswith("period,slice,key,cases_opened,")
    for args, word in [
        (["--period", "2026-Q7"], "period"),
        (["--period", "2026-Q4", "--slice", "mood"], "slice"),
        (["--period", "2026-Q4", "--format", "pdf"], "format"),
        (["--period", "2026-Q4", "--shop", "ghost"], "shop"),
    ]:
        bad = await asyncio.to_thread(invoke, *args)
        assert bad.exit_code == 2 and word in bad.output and len(bad.output.strip().splitlines()) == 1, bad.output
    empty = await asyncio.to_thread(invoke, "--period", "2024-01", "--format", "json")
    assert empty.exit_code == 0 and json.loads(empty.stdout)["empty"] is True


async def test_add_ons_agree_across_json_csv_and_html(rt: Runtime, client: httpx.AsyncClient) -> None:
    """Issue 19: an offer may carry an add-on (remedies.yml `combine`). Each format shows the add-ons by type and
    their money, and the figures are the same in all three, per slice key and in total."""
    agreed = {
        "ao-1": ("en", {"type": "replacement", "add_on": {"type": "coupon", "amount": "5.00", "currency": "EUR"}}),
        "ao-2": (
            "de",
            {
                "type": "refund",
                "amount": "20.00",
                "currency": "PLN",
                "add_on": {"type": "coupon", "amount": "10.00", "currency": "PLN"},
            },
        ),
        "ao-3": ("de", {"type": "reship", "add_on": {"type": "discount", "amount": "3.50", "currency": "EUR"}}),
        "ao-4": ("de", {"type": "replacement"}),
    }
    written = (OCT_START - timedelta(hours=2)).isoformat()
    results = await rt.intake.ingest(SHOP, [review(external_id, created_at=written) for external_id in agreed])
    async with rt.sessions() as session, session.begin():
        for result, (language, remedy) in zip(results, agreed.values(), strict=True):
            case = await session.get(Case, result.case_id)
            assert case is not None, result.errors
            case.language, case.details = language, {**case.details, "accepted_remedy": remedy}
    period = OCT_START.strftime("%Y-%m")
    body = (await client.get("/api/reports", params={"period": period, "slice": "language"})).json()
    exported = await client.get("/api/reports", params={"period": period, "slice": "language", "format": "csv"})
    table = {row["key"]: row for row in csv.DictReader(io.StringIO(exported.text))}
    add_ons = body["totals"]["remedies"]["add_ons"]
    assert add_ons == {"count": 3, "by_type": {"coupon": 2, "discount": 1}, "value": {"EUR": "8.50", "PLN": "10.00"}}
    assert body["totals"]["remedies"]["value"] == {"EUR": "8.50", "PLN": "30.00"}  # the add-ons' money is in it
    for figures in [{"key": "all", **body["totals"]}, *body["groups"]]:
        row, expected_add_ons = table[figures["key"]], figures["remedies"]["add_ons"]
        assert int(row["remedies.add_ons.count"]) == expected_add_ons["count"]
        by_type = {k.rsplit(".", 1)[-1]: int(v) for k, v in row.items() if k.startswith("remedies.add_ons.by_type.")}
        assert {k: v for k, v in by_type.items() if v} == expected_add_ons["by_type"]
        assert set(by_type) == {"coupon", "discount"}, "a key without an add-on type has 0 in its column"
        money = {k.rsplit(".", 1)[-1]: v for k, v in row.items() if k.startswith("remedies.add_ons.value.") and v}
        assert money == expected_add_ons["value"]
    assert table["en"]["remedies.add_ons.by_type.discount"] == "0"
    html = render_html(await shop_report(rt, SHOP, parse_period(period), parse_slice("language")))
    assert "<h2>Add-ons agreed on top of a remedy</h2>" in html
    assert "<tr><td>coupon</td><td>2</td></tr><tr><td>discount</td><td>1</td></tr></table>" in html
    assert "<tr><td>EUR</td><td>8.50</td></tr><tr><td>PLN</td><td>10.00</td></tr></table></div>" in html
    assert "3 with an add-on (8.50 EUR, 10.00 PLN of the value)" in html  # the headline, as in the slice table
    assert "1 with an add-on (5.00 EUR of the value)" in html  # the en row of the slice table
