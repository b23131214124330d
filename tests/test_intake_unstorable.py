"""A character the database refuses (NUL; a lone surrogate) in any string field of a review is that
review's own error, naming the field, and the valid reviews of the batch are kept (security review M4).
Runs on SQLite and, with MEDIATOR_TEST_DATABASE_URL, on PostgreSQL, which refuses NUL in every text column."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.intake.schema import validate_review
from tests.conftest import review

# Every string field a platform sends, as a path into the review.
FIELDS: list[tuple[Any, ...]] = [
    ("text",),
    ("edit_url",),
    ("buyer", "name"),
    ("buyer", "email"),
    ("buyer", "timezone"),
    ("order", "id"),
    ("order", "currency"),
    ("order", "items", 0, "name"),
    ("order", "items", 0, "sku"),
]


def poisoned(external_id: str, path: tuple[Any, ...], bad: str = "\x00") -> dict:
    body = review(external_id)
    node: Any = body
    for key in path[:-1]:
        node = node[key]
    value = node[path[-1]]
    node[path[-1]] = value[:2] + bad + value[2:]
    return body


def dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path)


@pytest.mark.parametrize("path", FIELDS, ids=dotted)
async def test_a_nul_in_any_field_is_that_reviews_error_and_the_rest_are_kept(
    client: httpx.AsyncClient, path: tuple[Any, ...]
) -> None:
    tag = dotted(path).replace(".", "-")
    batch = [review(f"ok-{tag}-1"), poisoned(f"bad-{tag}", path), review(f"ok-{tag}-2")]
    r = await client.post("/api/reviews", json=batch)
    assert r.status_code == 201, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["created", "error", "created"]
    assert results[1]["errors"][0]["field"] == dotted(path), results[1]
    if path[-1] in ("text", "name", "id", "sku"):  # free text: no format check could have caught it first
        assert "U+0000" in results[1]["errors"][0]["message"] or "NUL" in results[1]["errors"][0]["message"]
    for kept in (results[0], results[2]):
        assert (await client.get(f"/api/cases/{kept['case_id']}")).status_code == 200


async def test_a_lone_surrogate_is_refused_the_same_way(client: httpx.AsyncClient) -> None:
    batch = [poisoned("sur-1", ("buyer", "name"), "\ud800"), review("sur-ok")]
    # As a platform sends it: JSON with the escape \ud800 (httpx's json= cannot encode a lone surrogate).
    r = await client.post("/api/reviews", content=json.dumps(batch), headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text
    [bad, good] = r.json()["results"]
    assert bad["status"] == "error" and bad["errors"][0]["field"] == "buyer.name"
    assert good["status"] == "created"


async def test_a_single_review_with_a_nul_in_the_order_id_is_a_422(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/reviews", json=poisoned("single-1", ("order", "id")))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "order.id"


@settings(max_examples=200, deadline=None)
@given(
    path=st.sampled_from(FIELDS),
    bad=st.sampled_from(["\x00", "\ud800", "\udfff", "\udc00"]),
    at=st.integers(0, 4),
)
def test_any_unstorable_character_anywhere_names_its_field(path: tuple[Any, ...], bad: str, at: int) -> None:
    body = copy.deepcopy(review("prop-1"))
    node: Any = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = node[path[-1]][:at] + bad + node[path[-1]][at:]
    parsed, errors = validate_review(body)
    assert parsed is None
    assert dotted(path) in [e["field"] for e in errors], errors
