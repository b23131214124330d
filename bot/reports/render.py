"""A report as HTML (self-contained, reads well printed), CSV (one row per slice, one column per figure) or JSON."""

from __future__ import annotations

import csv
import io
import json
from html import escape
from typing import Any

from bot.reports import charts
from bot.reports.build import OPEN, OUTCOMES, STAGES, format_rate, format_seconds

FORMATS = ("html", "csv", "json")
COUNTED_BY_TYPE = ("remedies.by_type.", "remedies.add_ons.by_type.")  # CSV columns a key without that type has 0 in


def render(report: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return render_json(report)
    if fmt == "csv":
        return render_csv(report)
    return render_html(report)


def render_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n"


# ── CSV ─────────────────────────────────────────────────────────────────────────────────────────


def _flatten(prefix: str, value: Any, out: list[tuple[str, Any]]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    else:
        out.append((prefix, "" if value is None else value))


def render_csv(report: dict[str, Any]) -> str:
    """A table a spreadsheet reads as is: one row per slice key (the totals first, key `all`), one column per
    figure. Nested figures get dotted column names: rates as `x.value`, `x.numerator`, `x.denominator`;
    remedies per type as `remedies.by_type.<type>`, add-ons as `remedies.add_ons.by_type.<type>` (0 where a key
    had none of that type), money per currency as `remedies.value.<cur>` and `remedies.add_ons.value.<cur>`."""
    rows: list[tuple[str, dict[str, Any]]] = []
    for key, figures in [("all", report["totals"]), *[(g["key"], g) for g in report["groups"]]]:
        flat: list[tuple[str, Any]] = []
        _flatten("", {k: v for k, v in figures.items() if k != "key"}, flat)
        rows.append((key, dict(flat)))
    # The totals hold every column a group can have (they are the groups' sum); a group's own come after, in case.
    columns = list(dict.fromkeys(name for _, flat in rows for name in flat))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["period", "slice", "key", *columns])
    period, slice_name = report["period"]["label"], report["slice"] or ""
    for key, flat in rows:
        cells = [flat.get(c, 0 if c.startswith(COUNTED_BY_TYPE) else "") for c in columns]
        writer.writerow([period, slice_name, key, *cells])
    return buffer.getvalue()


# ── HTML ────────────────────────────────────────────────────────────────────────────────────────

STYLE = """
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:16px 24px;color:#1d1d1d}
h1{font-size:1.5rem;margin:.2em 0} h2{font-size:1.15rem;margin:1.6em 0 .4em;border-bottom:1px solid #ddd}
.meta{color:#555;margin:0 0 1em} table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.4em 0 1em}
th,td{border:1px solid #ddd;padding:4px 6px;text-align:right} th:first-child,td:first-child{text-align:left}
th{background:#f3f5f8} .kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:8px}
.kpi{border:1px solid #ddd;border-radius:6px;padding:8px} .kpi b{display:block;font-size:1.3rem}
.kpi span{color:#555;font-size:.8rem} .charts{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.chart{width:100%;height:auto} figure{margin:0} figcaption{font-weight:600;margin:.3em 0}
.legend{font-size:.8rem;margin:.2em 0} .key{margin-right:10px;white-space:nowrap}
.swatch{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
.defs{font-size:.8rem;color:#444} .defs dt{font-weight:600} .defs dd{margin:0 0 .3em 1em}
.empty{padding:12px;background:#fff8e1;border:1px solid #f0d890;border-radius:6px}
form.filters{display:flex;gap:12px;align-items:end;flex-wrap:wrap;padding:8px;background:#f3f5f8;border-radius:6px}
form.filters label{display:flex;flex-direction:column;font-size:.8rem}
.causes li{margin:.2em 0} .ids{color:#555;font-size:.8rem}
.charts>*{min-width:0} svg{max-width:100%}
@media (max-width:800px){.charts{grid-template-columns:1fr}}
@media (max-width:600px){
  body{padding:10px 12px} form.filters{flex-direction:column;align-items:stretch}
  form.filters label,form.filters select,form.filters input{width:100%;box-sizing:border-box}
  table{display:block;overflow-x:auto;width:auto;max-width:100%}
}
@media print{
  body{max-width:none;padding:0;font-size:10pt} .noprint,form.filters{display:none}
  h2{break-after:avoid} figure,table,.kpis{break-inside:avoid} .charts{grid-template-columns:1fr 1fr}
  a{color:inherit;text-decoration:none} @page{size:A4;margin:14mm}
}
"""

KPI_FIELDS = [
    ("Cases opened", lambda t: str(t["cases_opened"])),
    ("Median time to first contact", lambda t: format_seconds(t["first_contact"]["median_seconds"])),
    ("Median time to buyer's first answer", lambda t: format_seconds(t["first_answer"]["median_seconds"])),
    ("Resolution rate", lambda t: format_rate(t["resolution_rate"])),
    ("Revision rate", lambda t: format_rate(t["revision_rate"])),
    ("Handoff rate", lambda t: format_rate(t["handoff_rate"])),
    ("Median staff time to answer", lambda t: format_seconds(t["staff_answer"]["median_seconds"])),
    ("Deadline misses", lambda t: str(t["deadline_misses"])),
    ("Remedies granted", lambda t: _remedy_text(t["remedies"])),
    ("Opt-outs", lambda t: str(t["opt_outs"])),
]


def _remedy_text(remedies: dict[str, Any]) -> str:
    values = ", ".join(f"{amount} {cur}" for cur, amount in remedies["value"].items())
    text = f"{remedies['count']}" + (f" · {values}" if values else "")
    # Beside the resolution rate, say how many of these cases ended resolved, or the two seem to disagree.
    text += f" · {remedies['on_resolved_cases']} on resolved cases" if remedies["count"] else ""
    by = remedies.get("granted_by") or {}
    text += f" · {by.get('bot', 0)} by the bot, {by['staff']} by staff" if by.get("staff") else ""
    add_ons = remedies.get("add_ons") or {}
    if not add_ons.get("count"):
        return text
    money = ", ".join(f"{amount} {cur}" for cur, amount in (add_ons.get("value") or {}).items())
    return text + f" · {add_ons['count']} with an add-on" + (f" ({money} of the value)" if money else "")


def render_html(report: dict[str, Any], *, controls: str = "", title: str | None = None) -> str:
    """The whole report as one page. `controls` (the dashboard's filter form) goes above the figures."""
    totals = report["totals"]
    slice_text = f", by {report['slice']}" if report["slice"] else ""
    heading = title or f"Mediation report {report['period']['label']}"
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{escape(heading)} · {escape(report['shop_id'])}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(heading)}</h1>",
        f"<p class='meta'>Shop <b>{escape(report['shop_id'])}</b> · cases opened "
        f"{escape(report['period']['start'][:10])}"
        f" to before {escape(report['period']['end'][:10])}{escape(slice_text)} · as of {escape(report['as_of'][:16])} "
        "UTC</p>",
        controls,
    ]
    if report["empty"]:
        parts.append(
            "<p class='empty'>No cases were opened in this period, so every count below is zero and no rate "
            "can be computed.</p>"
        )
    parts.append("<h2>Headline figures</h2><div class='kpis'>")
    for label, value in KPI_FIELDS:
        parts.append(f"<div class='kpi'><span>{escape(label)}</span><b>{escape(value(totals))}</b></div>")
    parts.append("</div>")
    parts.append(_charts(report))
    if report["groups"]:
        parts.append(_slice_table(report))
    parts.append(_outcomes_table(report))
    parts.append(_stages_table(report))
    parts.append(_remedies_table(totals))
    parts.append(_causes(report))
    parts.append(_definitions(report))
    parts.append("</body></html>")
    return "".join(parts)


def _charts(report: dict[str, Any]) -> str:
    over_time = charts.stacked_bars(
        "Outcomes over time (cases by week opened)",
        [(w["label"], w["outcomes"]) for w in report["outcomes_over_time"]],
        charts.OUTCOME_COLOURS,
    )
    topics = charts.horizontal_bars(
        "Cases by topic", [(t["topic"], t["cases"], str(t["cases"])) for t in report["topics"]]
    )
    kinds = charts.horizontal_bars("Cases by kind", [(k["kind"], k["cases"], str(k["cases"])) for k in report["kinds"]])
    contact = charts.histogram(
        "First-contact time distribution",
        [(b["bucket"], b["cases"]) for b in report["first_contact_distribution"]],
    )
    revision = charts.rate_bars("Revision rate by topic", report["revision_rate_by_topic"], "topic")

    def figure(caption: str, svg: str) -> str:
        return f"<figure><figcaption>{escape(caption)}</figcaption>{svg}</figure>"

    return (
        "<h2>Charts</h2><div class='charts'>"
        + figure("Outcomes over time", over_time)
        + figure("Topics", topics)
        + figure("First-contact time", contact)
        + figure("Revision rate by topic", revision)
        + figure("Kinds", kinds)
        + "</div>"
    )


def _slice_table(report: dict[str, Any]) -> str:
    head = ["" + report["slice"]] + [label for label, _ in KPI_FIELDS]
    rows = ["<tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>"]
    for group in [*report["groups"], {"key": "all", **report["totals"]}]:
        cells = [group["key"]] + [value(group) for _, value in KPI_FIELDS]
        rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    return f"<h2>By {escape(report['slice'])}</h2><table>{''.join(rows)}</table>"


def _by_key(report: dict[str, Any], pick: Any, columns: list[str]) -> str:
    groups = (
        [*report["groups"], {"key": "all", **report["totals"]}]
        if report["groups"]
        else [{"key": "all", **report["totals"]}]
    )
    head = "<tr><th></th>" + "".join(f"<th>{escape(c.replace('_', ' '))}</th>" for c in columns) + "</tr>"
    body = "".join(
        "<tr><td>" + escape(g["key"]) + "</td>" + "".join(f"<td>{pick(g).get(c, 0)}</td>" for c in columns) + "</tr>"
        for g in groups
    )
    return f"<table>{head}{body}</table>"


def _outcomes_table(report: dict[str, Any]) -> str:
    return "<h2>Outcomes</h2>" + _by_key(report, lambda g: g["outcomes"], [*OUTCOMES, OPEN])


def _stages_table(report: dict[str, Any]) -> str:
    return "<h2>Cases that reached each stage</h2>" + _by_key(report, lambda g: g["stages_reached"], STAGES)


def _remedies_table(totals: dict[str, Any]) -> str:
    remedies = totals["remedies"]
    rows = "".join(f"<tr><td>{escape(t)}</td><td>{n}</td></tr>" for t, n in remedies["by_type"].items())
    values = "".join(f"<tr><td>{escape(c)}</td><td>{escape(v)}</td></tr>" for c, v in remedies["value"].items())
    ended = "".join(
        f"<tr><td>{escape(o.replace('_', ' '))}</td><td>{n}</td></tr>" for o, n in remedies["by_outcome"].items() if n
    )
    granted = "".join(f"<tr><td>{escape(w)}</td><td>{n}</td></tr>" for w, n in remedies["granted_by"].items())
    return (
        "<h2>Remedies granted</h2><div class='charts'>"
        f"<table><tr><th>type</th><th>cases</th></tr>{rows or '<tr><td>none</td><td>0</td></tr>'}</table>"
        f"<table><tr><th>currency</th><th>value</th></tr>{values or '<tr><td>—</td><td>0</td></tr>'}</table>"
        f"<table><tr><th>how those cases stand now</th><th>cases</th></tr>"
        f"{ended or '<tr><td>—</td><td>0</td></tr>'}</table>"
        f"<table><tr><th>granted by</th><th>cases</th></tr>{granted}</table></div>"
    ) + _add_ons_tables(remedies.get("add_ons") or {})


def _add_ons_tables(add_ons: dict[str, Any]) -> str:
    """What was agreed on top of a remedy (remedies.yml `combine`), by type and by money; the money is part of
    the value above, so the two tables say how much of it the add-ons gave."""
    if not add_ons.get("count"):
        return ""
    rows = "".join(f"<tr><td>{escape(t)}</td><td>{n}</td></tr>" for t, n in add_ons["by_type"].items())
    money = add_ons.get("value") or {}
    values = "".join(f"<tr><td>{escape(c)}</td><td>{escape(v)}</td></tr>" for c, v in money.items())
    return (
        "<h2>Add-ons agreed on top of a remedy</h2><div class='charts'>"
        f"<table class='add-ons'><tr><th>add-on</th><th>cases</th></tr>{rows}</table>"
        f"<table class='add-ons-value'><tr><th>currency</th><th>value (part of the value above)</th></tr>"
        f"{values or '<tr><td>—</td><td>0</td></tr>'}</table></div>"
    )


def _causes(report: dict[str, Any]) -> str:
    parts = ["<h2>Recurring causes</h2>"]
    if not report["causes"]:
        parts.append("<p>No problem recurs in this period (a cause needs at least two cases).</p>")
    for topic in report["causes"]:
        items = "".join(
            f"<li>{escape(c['label'])} <span class='ids'>e.g. cases "
            f"{escape(', '.join(f'#{i}' for i in c['example_case_ids']))}</span></li>"
            for c in topic["causes"]
        )
        parts.append(f"<h3>{escape(topic['topic'])}</h3><ul class='causes'>{items}</ul>")
    return "".join(parts)


def _definitions(report: dict[str, Any]) -> str:
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in report["definitions"].items())
    return f"<h2>What the figures mean</h2><dl class='defs'>{items}</dl>"
