"""The reports dashboard in a real browser: headless Debian Chromium driven by Playwright, against the app
served by uvicorn on loopback, over conversations played through the real engine (tests/test_reports.py).

Signs in with the shop's key, reads the figures and charts, filters by period and slice, downloads the CSV,
checks the print layout, and keeps a screenshot at docs/reports-dashboard.png. Skips without
/usr/bin/chromium or playwright, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn

from bot.app import create_app
from bot.runtime import Runtime
from tests.conftest import KEY, ROOT
from tests.test_reports import clock, history, q4_cases  # noqa: F401 - fixtures shared with the report tests

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"{CHROMIUM} is missing on CI: run scripts/install-browser")
    pytest.skip(f"{CHROMIUM} is missing: run scripts/install-browser", allow_module_level=True)
try:
    from playwright.async_api import Browser, Route, async_playwright, expect
except ImportError:
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("the playwright package is missing", allow_module_level=True)

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}
pytestmark = pytest.mark.timeout(300)
expect.set_options(timeout=20_000)


@pytest.fixture
async def base_url(rt: Runtime) -> AsyncIterator[str]:
    app = create_app(runtime=rt, run_scheduler=False)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2, lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    yield base
    server.should_exit = True
    await task
    sock.close()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS, env=env)
        yield chromium
        await chromium.close()


async def test_dashboard_in_chromium(rt: Runtime, history: dict, base_url: str, browser: Browser) -> None:  # noqa: F811
    context = await browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    offsite: list[str] = []
    errors: list[str] = []

    async def guard(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            await route.continue_()
        else:
            offsite.append(route.request.url)
            await route.abort()

    await context.route("**/*", guard)
    page = await context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # Not signed in: a sign-in form, then the dashboard for the current quarter of the virtual clock.
    await page.goto(f"{base_url}/admin/reports?period=2026-Q4")
    await expect(page.get_by_role("alert")).to_contain_text("Sign in")
    await page.get_by_label("Admin token or shop API key").fill(KEY)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("h1")).to_have_text("Mediation reports")

    # Filter: period and slice, through the form.
    await page.locator("input[name=period]").fill("2026-Q4")
    await page.locator("select[name=slice]").select_option("topic")
    await page.get_by_role("button", name="Show").click()
    await expect(page.get_by_role("heading", name="By topic")).to_be_visible()
    opened = await q4_cases(rt)
    await expect(page.locator(".kpi").first).to_contain_text(str(opened))
    for caption in ["Outcomes over time", "Topics", "First-contact time", "Revision rate by topic", "Kinds"]:
        await expect(page.locator("figcaption", has_text=caption)).to_be_visible()
    assert await page.locator("figure svg").count() == 5
    for heading in ["Outcomes", "Cases that reached each stage", "Remedies granted", "Recurring causes"]:
        await expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()

    # CSV export downloads the same figures.
    async with page.expect_download() as info:
        await page.get_by_role("link", name="Export CSV").click()
    download = await info.value
    text = await asyncio.to_thread(Path(await download.path()).read_text)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["key"] for r in rows if r["metric"] == "cases_opened"} >= {"all"}
    assert next(int(r["value"]) for r in rows if r["key"] == "all" and r["metric"] == "cases_opened") == opened
    assert download.suggested_filename.endswith("2026-Q4-topic.csv")

    await page.screenshot(path=str(ROOT / "docs" / "reports-dashboard.png"), full_page=True)

    # Printed, the filters disappear and the charts stay.
    await page.emulate_media(media="print")
    await expect(page.locator("form.filters")).to_be_hidden()
    await expect(page.locator("figure svg").first).to_be_visible()

    # A bad period is explained on the page, not a crash.
    await page.emulate_media(media="screen")
    await page.goto(f"{base_url}/admin/reports?period=2026-Q9")
    await expect(page.get_by_role("alert")).to_contain_text("2026-Q4")
    await context.close()
    assert offsite == [] and errors == []
