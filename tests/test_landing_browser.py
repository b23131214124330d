"""The landing page, /docs and /redoc in headless Chromium with every request leaving loopback refused: the
pages must work on a machine with no network, from assets Mediator serves itself."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app.runtime import Runtime
from channels.tokens import verify
from tests.browser import (
    DESKTOP,
    PHONE,
    Browser,
    Page,
    browser_fixture,  # noqa: F401 - the `browser` fixture
    expect,
    guarded_page,
)
from tests.conftest import KEY, review

pytestmark = pytest.mark.timeout(180)
expect.set_options(timeout=20_000)


async def no_sideways_scroll(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width}px wide"  # type: ignore[index]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_landing_says_what_it_is_and_links_everywhere(
    browser: Browser, base_url: str, rt: Runtime, viewport: Any
) -> None:
    async with guarded_page(browser, viewport=viewport) as page:
        response = await page.goto(base_url + "/")
        assert response is not None and response.status == 200
        await expect(page.get_by_role("heading", level=1)).to_have_text("Mediator is running")
        await expect(page.locator("body")).to_contain_text("low-rated review becomes a mediation case")
        for name, href in (
            ("Web chat demo", "#web-chat"),
            ("Staff inbox", "/staff"),
            ("Admin", "/admin"),
            ("Reports", "/admin/reports"),
            ("API reference", "/docs"),
        ):
            await expect(page.get_by_role("link", name=name, exact=True)).to_have_attribute("href", href)
        await expect(page.locator("pre")).to_contain_text(rt.settings.public_url + "/api/reviews")
        await no_sideways_scroll(page)


async def test_landing_opens_a_buyer_chat_with_the_shop_key(
    browser: Browser, base_url: str, client: Any, rt: Runtime
) -> None:
    rt.settings.public_url = base_url  # the signed link points at this server
    case_id = (await client.post("/api/reviews", json=review("landing-chat"))).json()["case_id"]
    await rt.worker.run_due()  # first contact: the case is one the bot talks on
    async with guarded_page(browser, viewport=DESKTOP) as page:
        await page.goto(base_url + "/")
        await page.get_by_label("Shop API key").fill("wrong-key")
        await page.get_by_role("button", name="Open a buyer chat").click()
        await expect(page.locator("#chat-status.error")).to_contain_text("API key")
        await page.get_by_label("Shop API key").fill(KEY)
        await page.get_by_role("button", name="Open a buyer chat").click()
        await page.wait_for_url(f"{base_url}/chat/**")
        await expect(page.locator("body")).to_contain_text("Anna")  # the bot's first message to this buyer
        token = page.url.rsplit("/", 1)[1]
        assert verify(rt.settings.secret_key(), "chat", token, rt.clock.now())["c"] == case_id


async def test_docs_list_the_operations_offline(page: Page, base_url: str) -> None:
    await page.goto(base_url + "/docs")
    await expect(page.locator(".swagger-ui .opblock-summary-path").first).to_be_visible()
    paths = await page.locator(".swagger-ui .opblock-summary-path").all_inner_texts()
    assert "/api/reviews" in [p.replace("\u200b", "") for p in paths]


async def test_redoc_renders_offline(page: Page, base_url: str) -> None:
    await page.goto(base_url + "/redoc")
    await expect(page.locator("body")).to_contain_text("List cases, newest first")


async def test_favicon_and_unknown_asset(client: Any) -> None:
    assert (await client.get("/favicon.ico")).headers["content-type"] == "image/png"
    r = await client.get("/docs-assets/core.py")
    assert r.status_code == 404 and "swagger-ui.css" in r.json()["fix"]
