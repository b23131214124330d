"""The HTTP API against a real database: intake, cases, errors, health."""

from __future__ import annotations

import asyncio

import httpx

from bot.app.runtime import Runtime
from bot.store.shops import ensure_shop
from tests.conftest import review


async def test_low_rating_opens_case_visible_through_api(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/reviews", json=review("c-1", rating=2))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "created" and body["case_id"] and body["review_id"]
    assert body["triage"]["mediate"] is True
    assert body["triage"]["language"] == "en"
    case = (await client.get(f"/api/cases/{body['case_id']}")).json()
    assert case["stage"] in {"opened", "awaiting_staff"}
    assert case["review"]["external_id"] == "c-1"
    assert case["deadline_at"] > case["opened_at"]
    assert case["events"][0]["type"] == "case_opened"
    assert case["events"][0]["policy_version"] == case["policy_version"] is not None


async def test_high_rating_is_stored_without_a_case(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/reviews", json=review("h-1", rating=5, text="Lovely tent, fast delivery."))
    assert r.status_code == 201
    assert r.json()["case_id"] is None and r.json()["triage"]["mediate"] is False


async def test_posting_twice_returns_existing_case_and_creates_nothing(client: httpx.AsyncClient) -> None:
    first = (await client.post("/api/reviews", json=review("d-1"))).json()
    again = await client.post("/api/reviews", json=review("d-1", text="edited text, same review"))
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert again.json()["case_id"] == first["case_id"]
    listed = (await client.get("/api/cases")).json()["cases"]
    assert [c["id"] for c in listed] == [first["case_id"]]


async def test_twenty_concurrent_posts_of_one_review_give_one_case(client: httpx.AsyncClient) -> None:
    responses = await asyncio.gather(*(client.post("/api/reviews", json=review("race-1")) for _ in range(20)))
    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses]
    assert sorted(r.status_code for r in responses).count(201) == 1
    assert len({r.json()["case_id"] for r in responses}) == 1
    assert len((await client.get("/api/cases")).json()["cases"]) == 1


async def test_batch_keeps_good_items_and_reports_bad_ones_by_field(client: httpx.AsyncClient) -> None:
    bad_phone = review("b-2")
    bad_phone["buyer"]["phone"] = "+48 12"
    items = [review("b-1"), bad_phone, review("b-3", rating=9), review("b-1"), "not an object"]
    r = await client.post("/api/reviews", json=items)
    assert r.status_code == 201
    body = r.json()
    assert (body["created"], body["duplicate"], body["error"]) == (1, 1, 3)
    statuses = [x["status"] for x in body["results"]]
    assert statuses == ["created", "error", "error", "duplicate", "error"]
    assert body["results"][1]["errors"][0]["field"] == "buyer.phone"
    assert body["results"][2]["errors"][0]["field"] == "rating"
    assert body["results"][3]["case_id"] == body["results"][0]["case_id"]


async def test_invalid_review_names_each_field(client: httpx.AsyncClient) -> None:
    bad = review("e-1", rating=0, text="x" * 6000, ratting=2)
    bad["order"]["currency"] = "EURO"
    r = await client.post("/api/reviews", json=bad)
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"rating", "text", "order.currency", "ratting"} <= fields
    assert all(e["message"] for e in r.json()["errors"])


async def test_unreadable_body_and_limits(client: httpx.AsyncClient, rt: Runtime) -> None:
    r = await client.post("/api/reviews", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["field"] == "(body)"
    r = await client.post("/api/reviews", json=[])
    assert r.status_code == 422 and r.json()["field"] == "reviews"
    too_many = [review(f"m-{i}") for i in range(rt.settings.intake.max_batch + 1)]
    r = await client.post("/api/reviews", json=too_many)
    assert r.status_code == 413 and "max_batch" in r.json()["fix"]


async def test_authentication_is_required_and_scoped_to_the_shop(client: httpx.AsyncClient, rt: Runtime) -> None:
    created = (await client.post("/api/reviews", json=review("s-1"))).json()
    r = await client.post("/api/reviews", json=review("s-2"), headers={"X-Api-Key": ""})
    assert r.status_code == 401 and r.json()["field"] == "X-Api-Key"
    r = await client.get("/api/cases", headers={"X-Api-Key": "wrong"})
    assert r.status_code == 401
    async with rt.sessions() as session, session.begin():
        await ensure_shop(session, "other", "Other shop", "other-key", rt.clock.now())
    await rt.seed_policies()
    r = await client.get(f"/api/cases/{created['case_id']}", headers={"X-Api-Key": "other-key"})
    assert r.status_code == 404
    # The same platform review id in another shop is another review.
    r = await client.post("/api/reviews", json=review("s-1"), headers={"X-Api-Key": "other-key"})
    assert r.status_code == 201 and r.json()["case_id"] != created["case_id"]


async def test_case_listing_filters_and_rejects_unknown_values(client: httpx.AsyncClient) -> None:
    for i in range(3):
        await client.post("/api/reviews", json=review(f"f-{i}"))
    listed = (await client.get("/api/cases", params={"limit": 2})).json()
    assert len(listed["cases"]) == 2 and listed["next_before_id"]
    rest = (await client.get("/api/cases", params={"before_id": listed["next_before_id"]})).json()
    assert len(rest["cases"]) == 1
    stage = listed["cases"][0]["stage"]
    assert all(c["stage"] == stage for c in (await client.get("/api/cases", params={"stage": stage})).json()["cases"])
    r = await client.get("/api/cases", params={"stage": "finished"})
    assert r.status_code == 422 and r.json()["field"] == "stage" and "contacted" in r.json()["fix"]
    r = await client.get("/api/cases/999999")
    assert r.status_code == 404


async def test_healthz(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz", headers={"X-Api-Key": ""})
    assert r.status_code == 200 and r.json()["database"] == "ok"


async def test_the_order_s_shipping_cost_is_kept_for_a_shipping_refund(client: httpx.AsyncClient, rt: Runtime) -> None:
    from sqlalchemy import select

    from bot.conversation.context import load_context, remedy_facts
    from bot.store.models import Order

    body = review("ship-1")
    body["order"]["shipping_cost"] = "10.00"
    bad = review("ship-2")
    bad["order"]["shipping_cost"] = "-4.90"
    r = await client.post("/api/reviews", json=[body, bad])
    assert r.status_code == 201
    results = r.json()["results"]
    assert results[1]["status"] == "error" and results[1]["errors"][0]["field"] == "order.shipping_cost"
    async with rt.sessions() as session:
        stored = (await session.execute(select(Order.shipping_cost))).scalars().all()
        ctx = await load_context(session, results[0]["case_id"], lock=False)
    assert [str(v) for v in stored] == ["10.00"]
    assert (
        ctx is not None
        and str(remedy_facts(ctx, rt.conversation.conversation, rt.clock.now()).shipping_cost) == "10.00"
    )
