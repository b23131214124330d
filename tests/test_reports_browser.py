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
from pathlib import Path

import pytest

from bot.app.runtime import Runtime
from tests.browser import (
    Browser,
    Guard,
    browser_fixture,  # noqa: F401 - the `browser` fixture
    expect,
)
from tests.conftest import KEY, ROOT, admin_token
from tests.test_reports import clock, history, q4_cases  # noqa: F401 - fixtures shared with the report tests

pytestmark = pytest.mark.timeout(300)
expect.set_options(timeout=20_000)


async def test_dashboard_in_chromium(rt: Runtime, history: dict, base_url: str, browser: Browser) -> None:  # noqa: F811
    context = await browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    guard = Guard()
    await guard.install(context)
    page = guard.watch(await context.new_page())

    # Not signed in: a sign-in form, then the dashboard for the current quarter of the virtual clock.
    await page.goto(f"{base_url}/admin/reports?period=2026-Q4")
    await expect(page.get_by_role("alert")).to_contain_text("Sign in")
    # The shop's integration key is refused by name; the admin's own token opens the dashboard.
    await page.get_by_label("Your admin token").fill(KEY)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_contain_text("integration API key does not open")
    await page.get_by_label("Your admin token").fill(await admin_token(rt))
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
    assert rows[0]["key"] == "all" and len({r["key"] for r in rows}) == len(rows)  # one row per slice key
    assert int(rows[0]["cases_opened"]) == opened
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
    guard.check()
