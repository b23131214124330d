"""The live /staff inbox: the event stream (/staff/api/events) over real HTTP from uvicorn on loopback, and the
page in headless Chromium, where a buyer message posted through the web chat API shows up without a reload."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.app.runtime import Runtime
from bot.store.shops import ensure_shop
from tests.browser import Page, expect
from tests.conftest import KEY, review
from tests.test_staff_browser import sign_in

pytestmark = pytest.mark.timeout(180)
expect.set_options(timeout=20_000)
OTHER_KEY = "other-shop-key"


@pytest.fixture
async def http(base_url: str, as_staff: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The shop's integration (the key, for /api) and Tom's staff account (for /staff)."""
    headers = {"X-Api-Key": KEY, **(await as_staff("Tom"))}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, trust_env=False, timeout=20) as c:
        yield c


async def handoff(http: httpx.AsyncClient, rt: Runtime, external_id: str, **extra: Any) -> tuple[int, str]:
    """A case a person has taken over, and its buyer's web chat token."""
    r = await http.post("/api/reviews", json=review(external_id, **extra))
    case_id = r.json()["case_id"]
    await rt.worker.run_due()
    r = await http.post(f"/staff/api/cases/{case_id}/take-over")
    assert r.status_code == 200, r.text
    token = (await http.post(f"/api/cases/{case_id}/chat-link")).json()["token"]
    return case_id, token


async def read_events(response: httpx.Response, until: str) -> list[tuple[str, dict[str, Any]]]:
    """Events up to and including the first one named `until`."""
    events: list[tuple[str, dict[str, Any]]] = []
    name, buf = "message", ""
    async for chunk in response.aiter_text():
        buf += chunk
        while "\n\n" in buf:
            block, buf = buf.split("\n\n", 1)
            data = [line[6:] for line in block.split("\n") if line.startswith("data: ")]
            name = next((line[7:] for line in block.split("\n") if line.startswith("event: ")), "message")
            if data:
                events.append((name, json.loads("".join(data))))
                if name == until:
                    return events
    return events


async def test_events_need_a_staff_token(http: httpx.AsyncClient) -> None:
    r = await http.get("/staff/api/events", headers={"Authorization": "Bearer mst_wrong"})
    assert r.status_code == 401 and r.json()["field"] == "Authorization"
    r = await http.get("/staff/api/events", headers={"Authorization": ""})  # the shop key alone is not enough
    assert r.status_code == 401 and r.json()["field"] == "X-Api-Key"
    r = await http.get("/staff/api/events?after=-1")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "after"


async def test_stream_brings_new_messages_and_handoffs_of_this_shop_only(
    http: httpx.AsyncClient, rt: Runtime, as_staff: Any
) -> None:
    async with rt.sessions() as session, session.begin():
        await ensure_shop(session, "other", "Other shop", OTHER_KEY, rt.clock.now())
    mine, token = await handoff(http, rt, "live-mine")
    cursor = (await http.get("/staff/api/cases")).json()["cursor"]
    assert cursor > 0
    async with http.stream("GET", f"/staff/api/events?after={cursor}") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        # Another shop's handoff and buyer message must not reach this shop's stream.
        theirs = {"X-Api-Key": OTHER_KEY, **(await as_staff("Ola", "other"))}
        other = httpx.AsyncClient(base_url=str(http.base_url), headers=theirs, trust_env=False)
        async with other:
            await handoff(other, rt, "live-other")
        r = await http.post(f"/chat/{token}/messages", json={"text": "Hello? Is anyone there?"})
        assert r.status_code == 200
        second, _ = await handoff(http, rt, "live-second")
        events = await read_events(response, until="cases")
    messages = [data for name, data in events if name == "message"]
    assert {m["case_id"] for m in messages} <= {mine, second}, events  # nothing of the other shop's case
    [buyer] = [m for m in messages if m["role"] == "buyer"]
    assert buyer["case_id"] == mine and buyer["message_id"] > cursor
    assert len({m["message_id"] for m in messages}) == len(messages)  # each message once
    assert set(events[-1][1]["case_ids"]) == {mine, second}


async def test_a_buyer_message_appears_in_the_open_inbox(
    page: Page, base_url: str, http: httpx.AsyncClient, rt: Runtime
) -> None:
    first, token = await handoff(http, rt, "live-page-1")
    second, second_token = await handoff(http, rt, "live-page-2")
    await sign_in(page, base_url, rt)
    await page.evaluate("window.notReloaded = true")
    await page.locator(f"#list li[data-case-id='{first}']").click()
    await expect(page.locator("#live")).to_have_text("live")
    await page.get_by_label("Reply to the buyer").fill("a draft I am still writing")
    r = await http.post(f"/chat/{token}/messages", json={"text": "Halo? Jest tam ktoś?"})
    assert r.status_code == 200
    await expect(page.locator(".conversation li.buyer").last).to_contain_text("Halo? Jest tam ktoś?")
    await expect(page.get_by_label("Reply to the buyer")).to_have_value("a draft I am still writing")
    # A message on a case that is not open marks it unread and counts it in the tab title.
    await http.post(f"/chat/{second_token}/messages", json={"text": "Any news on my lamp?"})
    unread = page.locator(f"#list li[data-case-id='{second}']")
    await expect(unread).to_have_class("unread")
    await expect(unread.locator(".badge")).to_have_text("new")
    await expect(page).to_have_title("(1) Mediator · staff inbox")
    # A new handoff shows up in the list, unread too.
    third, _ = await handoff(http, rt, "live-page-3")
    await expect(page.locator(f"#list li[data-case-id='{third}'].unread")).to_be_visible()
    await expect(page).to_have_title("(2) Mediator · staff inbox")
    await unread.click()
    await expect(unread).not_to_have_class("unread")
    await expect(page).to_have_title("(1) Mediator · staff inbox")
    assert await page.evaluate("window.notReloaded") is True


async def test_notifications_are_opt_in(page: Page, base_url: str, rt: Runtime) -> None:
    await page.context.grant_permissions(["notifications"])
    await sign_in(page, base_url, rt)
    button = page.locator("#notify")
    await expect(button).to_be_visible()
    await expect(button).to_have_text("Notifications on")
    await expect(button).to_be_disabled()
