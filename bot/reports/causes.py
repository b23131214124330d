"""Recurring causes: the problems a shop keeps having, per topic, with example cases.

A transparent grouping of the slots the conversation gathered, not a black-box clustering: a case
belongs to one cluster per problem the NLU found in it (details.problems: damaged, lost_in_transit,
charged_twice, ...), further split by the item it concerns (details.item) when at least `min_cases`
cases share that item. So "damaged — Fjord table lamp — 14 cases" means fourteen cases whose gathered
problems include `damaged` and whose item is the Fjord table lamp; the rest of the `damaged` cases in the
topic form "damaged — other items". Anyone can check a cluster by opening its example cases.

The database does the grouping (one row per topic × problem list × item) over the report's table of the
period's cases, so this stays cheap on a quarter of a million cases.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

MAX_EXAMPLES = 3


async def recurring_causes(
    session: AsyncSession, cases: Any, *, per_topic: int = 5, min_cases: int = 2
) -> list[dict[str, Any]]:
    """Per topic (biggest first), its top recurring causes: label, problem, item, case count, example ids.

    `cases` is the report's table of the period's cases (bot/reports/build.py): case_id, topic, and the gathered
    `problems` (JSON text) and `item`."""
    c = cases.c
    query = (
        select(c.topic, c.problems, c.item, func.count(), func.min(c.case_id), func.max(c.case_id))
        .where(c.problems.is_not(None))
        .group_by(c.topic, c.problems, c.item)
    )
    # (topic, problem) → item → [cases, example ids]
    clusters: dict[tuple[str, str], dict[str | None, list[Any]]] = {}
    for topic, problems_text, item_name, n, first_id, last_id in await session.execute(query):
        for problem in _problems(problems_text):
            by_item = clusters.setdefault((topic, problem), {})
            entry = by_item.setdefault(_clean_item(item_name), [0, set()])
            entry[0] += int(n)
            entry[1].update({int(first_id), int(last_id)})

    topics: dict[str, list[dict[str, Any]]] = {}
    for (topic, problem), by_item in clusters.items():
        other_cases, other_ids, split = 0, set(), False
        for item_name, (n, ids) in by_item.items():
            if item_name is not None and n >= min_cases:
                topics.setdefault(topic, []).append(_cause(topic, problem, item_name, n, ids))
                split = True
            else:
                other_cases += n
                other_ids |= ids
        if other_cases >= min_cases:
            topics.setdefault(topic, []).append(
                _cause(topic, problem, "other items" if split else None, other_cases, other_ids)
            )
    out = []
    for topic, causes in sorted(topics.items(), key=lambda t: -sum(c["cases"] for c in t[1])):
        causes.sort(key=lambda c: (-c["cases"], c["label"]))
        out.append({"topic": topic, "causes": causes[:per_topic]})
    return out


def _problems(text: str | None) -> list[str]:
    try:
        found = json.loads(text) if text else []
    except ValueError:
        return []
    return sorted({str(p) for p in found if p}) if isinstance(found, list) else []


def _clean_item(name: str | None) -> str | None:
    name = (name or "").strip()
    return name or None


def _cause(topic: str, problem: str, item: str | None, cases: int, ids: set[int]) -> dict[str, Any]:
    words = [problem.replace("_", " ")] + ([item] if item else []) + [f"{cases} case{'s' if cases != 1 else ''}"]
    return {
        "topic": topic,
        "problem": problem,
        "item": item,
        "cases": cases,
        "label": " — ".join(words),
        "example_case_ids": sorted(ids)[:MAX_EXAMPLES],
    }
