"""Sign-in sessions in Chromium (issue 20, review L5): after signing in, neither page holds the key (no
sessionStorage, the cookie is an HttpOnly session id); Sign out ends the session, so a reload asks again."""

from __future__ import annotations

import pytest

from bot.app.runtime import Runtime
from tests.browser import Page, expect
from tests.conftest import admin_token
from tests.test_staff_browser import sign_in

pytestmark = pytest.mark.timeout(120)


async def test_staff_page_keeps_no_key_and_signs_out(page: Page, base_url: str, rt: Runtime) -> None:
    token = await sign_in(page, base_url, rt, "Maja")
    assert token not in await page.evaluate("JSON.stringify(sessionStorage) + JSON.stringify(localStorage)")
    [cookie] = [c for c in await page.context.cookies() if c["name"] == "mediator_staff_session"]
    assert cookie["httpOnly"] and cookie["value"] != token and cookie["sameSite"] == "Strict"
    assert await page.evaluate("document.cookie") == ""  # the page's script cannot read it
    await page.reload()
    await expect(page.locator("#who")).to_have_text("Signed in as Maja")  # the session outlives a reload
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.locator("#signin")).to_be_visible()
    await page.reload()
    await expect(page.locator("#signin")).to_be_visible()
    await expect(page.locator("#inbox")).to_be_hidden()


async def test_reports_sign_out_ends_the_session(page: Page, base_url: str, rt: Runtime) -> None:
    token = await admin_token(rt)
    await page.goto(f"{base_url}/admin/reports?period=2026-Q4")
    await page.get_by_label("Your admin token").fill(token)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("h1")).to_have_text("Mediation reports")
    [cookie] = [c for c in await page.context.cookies() if c["name"] == "mediator_report_session"]
    assert cookie["httpOnly"] and token not in cookie["value"]
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("alert")).to_contain_text("Sign in")
    await page.goto(f"{base_url}/admin/reports?period=2026-Q4")
    await expect(page.get_by_role("alert")).to_contain_text("Sign in")
