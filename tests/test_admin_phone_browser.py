"""The admin pages on a phone (issue 21.5), in headless Debian Chromium at 390 px: the policy editor's tabs and
the reports dashboard never scroll the page sideways (`scrollWidth <= 390`), their key controls are on screen,
forms stack, and wide tables scroll inside their own box."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app.runtime import Runtime
from tests.browser import CHECKED, PHONE, Page, chromium, expect, guarded_page
from tests.conftest import SHOP, admin_token, review

pytestmark = pytest.mark.timeout(600)
expect.set_options(timeout=30_000)


@pytest.fixture
async def phone(base_url: str) -> AsyncIterator[Page]:
    async with chromium() as browser, guarded_page(browser, viewport=PHONE, locale="en-GB", is_mobile=True) as tab:
        yield tab


async def page_width(page: Page) -> int:
    return int(await page.evaluate("document.documentElement.scrollWidth"))


async def assert_fits(page: Page, where: str) -> None:
    width = await page_width(page)
    assert width <= PHONE["width"], f"{where}: the page is {width} px wide on a {PHONE['width']} px phone"


async def test_the_policy_editor_fits_a_phone(phone: Page, base_url: str, rt: Runtime) -> None:
    token = await admin_token(rt, "alice")
    await phone.goto(f"{base_url}/admin")
    await assert_fits(phone, "sign-in")
    await expect(phone.locator("#login-button")).to_be_in_viewport()
    await phone.fill("#token", token)
    await phone.click("#login-button")
    await expect(phone.locator("#valid-badge")).to_have_text("✓ valid", timeout=CHECKED)
    await assert_fits(phone, "editor")
    for control in ("#file", "#source", "#publish"):
        await expect(phone.locator(control)).to_be_visible()

    await phone.click("#tabs button[data-tab=forms]")
    await expect(phone.locator("#limits tbody tr").first).to_be_attached()
    await assert_fits(phone, "forms")
    # Forms stack: the authority's two fields sit one above the other, each within the screen.
    amount = await phone.locator("#f-authority-max_amount").bounding_box()
    percent = await phone.locator("#f-authority-max_percent").bounding_box()
    assert amount and percent and percent["y"] > amount["y"] + amount["height"] - 1
    assert amount["x"] + amount["width"] <= PHONE["width"]
    # The limits table is wider than the phone: it scrolls in its own box, which fits the screen.
    box = phone.locator("#limits").locator("xpath=..")
    assert await box.evaluate("b => getComputedStyle(b).overflowX") == "auto"
    assert await box.evaluate("b => b.getBoundingClientRect().right") <= PHONE["width"]
    await expect(phone.locator("#apply-forms")).to_be_visible()

    await phone.click("#tabs button[data-tab=preview]")
    await assert_fits(phone, "preview")
    await expect(phone.locator("#run-preview")).to_be_visible()
    await phone.click("#tabs button[data-tab=history]")
    await expect(phone.locator("#history tbody tr").first).to_be_attached()
    await assert_fits(phone, "history")


async def test_the_reports_dashboard_fits_a_phone(phone: Page, base_url: str, rt: Runtime) -> None:
    await rt.intake.ingest(SHOP, [review(f"ph-{n}", rating=1 + n % 3) for n in range(4)])
    await rt.worker.run_due()
    await phone.goto(f"{base_url}/admin/reports")
    await assert_fits(phone, "reports sign-in")
    await phone.get_by_label("Your admin token").fill(await admin_token(rt))
    await phone.get_by_role("button", name="Sign in").click()
    await expect(phone.locator("h1")).to_have_text("Mediation reports")
    await phone.select_option("select[name=slice]", "kind")
    await phone.get_by_role("button", name="Show").click()
    await expect(phone.locator("h2", has_text="By kind")).to_be_visible()
    await assert_fits(phone, "reports by kind")
    for control in ("input[name=period]", "select[name=slice]", "form.filters button"):
        await expect(phone.locator(control)).to_be_visible()
    # The slice table has a column per figure: it scrolls inside itself, not the page.
    table = phone.locator("h2:has-text('By kind') + table")
    assert await table.evaluate("t => t.scrollWidth > t.clientWidth"), "the table is wider than the phone"
    assert await table.evaluate("t => getComputedStyle(t).overflowX") == "auto"
    assert await table.evaluate("t => t.getBoundingClientRect().right") <= PHONE["width"]
