"""The sign-in and error pages (issue 21.6) in headless Chromium, on a desktop and at 390 px: /admin/reports'
sign-in, /staff's sign-in, a 404 and a 500 look like the rest of Mediator (the shared template's header,
card and colours), fit the phone without sideways scrolling, and say what to do next. An API call's error
stays JSON that names the field and the fix."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.app.runtime import Runtime
from bot.app.web import create_app
from tests.browser import (
    DESKTOP,
    PHONE,
    Browser,
    Page,
    browser_fixture,  # noqa: F401 - the `browser` fixture
    expect,
    guarded_page,
    serve,
)

pytestmark = pytest.mark.timeout(180)
expect.set_options(timeout=20_000)


@pytest.fixture
async def site(rt: Runtime) -> AsyncIterator[str]:
    """The app on loopback, plus one route of this test's own that fails, to see the 500 page."""
    app = create_app(runtime=rt, run_scheduler=False)

    @app.get("/test-only/fails")
    async def fails() -> None:
        raise RuntimeError("a bug, on purpose")

    async with serve(app) as url:
        yield url


async def looks_like_mediator(page: Page, viewport: dict[str, int]) -> None:
    """The shared look: the site header links home, the card is white on the grey page, nothing overflows."""
    await expect(page.get_by_role("link", name="Mediator", exact=True)).to_be_visible()
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(245, 246, 248)", background
    font = await page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "system-ui" in font, font
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the page is {width}px wide"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_reports_sign_in_is_styled(browser: Browser, site: str, viewport: dict[str, int]) -> None:
    async with guarded_page(browser, viewport=viewport) as page:
        response = await page.goto(site + "/admin/reports")
        assert response is not None and response.status == 401
        await expect(page.get_by_role("heading", level=1)).to_have_text("Mediation reports")
        await expect(page.get_by_role("alert")).to_contain_text("Sign in to see reports")
        field = page.get_by_label("Your admin token")
        await expect(field).to_be_visible()
        box = await field.bounding_box()
        assert box is not None and box["width"] >= min(300, viewport["width"] - 80)  # a field, not a stub
        await looks_like_mediator(page, viewport)
        await field.fill("not-a-key")
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("alert")).to_contain_text("not an admin token")
        await looks_like_mediator(page, viewport)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_not_found_and_server_error_pages(browser: Browser, site: str, viewport: dict[str, int]) -> None:
    async with guarded_page(browser, viewport=viewport) as page:
        response = await page.goto(site + "/no/such/page")
        assert response is not None and response.status == 404
        await expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        await expect(page.get_by_role("alert")).to_contain_text("/no/such/page")
        await looks_like_mediator(page, viewport)
        await page.get_by_role("link", name="Staff inbox").click()
        await expect(page.get_by_label("Staff token")).to_be_visible()  # the links lead somewhere real
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"]

        response = await page.goto(site + "/test-only/fails")
        assert response is not None and response.status == 500
        await expect(page.get_by_role("heading", level=1)).to_have_text("Something went wrong")
        await expect(page.get_by_role("alert")).not_to_contain_text("a bug, on purpose")  # no internals shown
        await looks_like_mediator(page, viewport)


async def test_api_errors_stay_json(site: str) -> None:
    async with httpx.AsyncClient(base_url=site, trust_env=False, headers={"Accept": "text/html"}) as c:
        for path in ("/api/cases/1", "/staff/api/cases/1", "/api/nope"):
            r = await c.get(path)
            assert r.headers["content-type"].startswith("application/json"), (path, r.text[:80])
        page = await c.get("/nope")
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert "default-src 'self'" in page.headers["content-security-policy"]
        json_404 = await c.get("/nope", headers={"Accept": "application/json"})
        assert json_404.json()["error"] == "http_error"
