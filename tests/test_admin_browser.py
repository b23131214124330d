"""The admin pages in a real browser (headless Debian Chromium through Playwright) against the app served by
uvicorn on a loopback port: the issue's "done when" flow, end to end.

An admin logs in, lowers the coupon limit with a form, previews a scenario that shows the lower offer beside
the published one, publishes, sees the next live conversation use it, and rolls back. A draft that asks
buyers to delete their review is refused with its reason. Screenshots go to docs/admin-*.png.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import yaml

from bot.app.runtime import Runtime
from bot.store.admin_tokens import create_token
from tests.browser import CHECKED, Page, expect
from tests.conftest import ROOT, SHOP

DOCS = ROOT / "docs"
SCENARIO = yaml.safe_load((ROOT / "data" / "scenarios" / "en_rude_support_coupon.yml").read_text())

pytestmark = pytest.mark.timeout(600)
expect.set_options(timeout=30_000)


async def live_offer(rt: Runtime, n: int) -> str:
    """The next live conversation: a new case, the buyer's messages through the running engine."""
    [result] = await rt.intake.ingest(SHOP, [{**SCENARIO["review"], "external_id": f"live-{n}"}])
    await rt.worker.run_due()
    offers = []
    for step in SCENARIO["steps"][:3]:
        turn = await rt.conversation.buyer_message(result.case_id, step["buyer"])
        offers += [r.text for r in turn.replies if r.action == "propose_remedy"]
    assert len(offers) == 1, offers
    return offers[0]


async def test_admin_lowers_the_coupon_previews_publishes_sees_it_live_and_rolls_back(
    page: Page, base_url: str, rt: Runtime
) -> None:
    async with rt.sessions() as session, session.begin():
        token = await create_token(session, SHOP, "alice", "admin", rt.clock.now())
    DOCS.mkdir(exist_ok=True)

    # Log in.
    await page.goto(f"{base_url}/admin")
    await page.fill("#token", "mat_wrong")
    await page.click("#login-button")
    await expect(page.locator("#login-error")).to_contain_text("unknown or revoked admin token")
    await page.fill("#token", token)
    await page.screenshot(path=str(DOCS / "admin-login.png"))
    await page.click("#login-button")
    await expect(page.locator("#who")).to_contain_text("alice (admin)")
    await expect(page.locator("#valid-badge")).to_have_text("✓ valid", timeout=CHECKED)
    await expect(page.locator("#draft-state")).to_contain_text("published version 1")

    # 1. Lower the coupon limit with the form.
    await page.click("#tabs button[data-tab=forms]")
    percent = page.locator("#f-rule-rude-support-coupon-percent")
    await expect(percent).to_have_value("10")
    # Issue 21: every amount carries its currency, and the rates for orders in other currencies are stated.
    await expect(page.locator("#currency-note")).to_contain_text("Amounts are in EUR")
    await expect(page.locator("#currency-note")).to_contain_text("PLN")
    await expect(page.locator("#limits thead")).to_contain_text("max amount (EUR)")
    await expect(page.locator("#f-rule-rude-support-coupon-max_amount + .unit")).to_have_text(" EUR")
    await percent.fill("5")
    await page.click("#apply-forms")
    await expect(page.locator("#status")).to_contain_text("Applied 1 change(s) to the draft: remedies.yml")
    await page.screenshot(path=str(DOCS / "admin-forms.png"), full_page=True)
    await page.click("#tabs button[data-tab=editor]")
    await expect(page.locator("#valid-badge")).to_have_text("✓ valid", timeout=CHECKED)
    await expect(page.locator("#source")).to_have_value(lambda_free_contains("limit: {percent: 5, max_amount: 25.00}"))

    # 2. Preview a scenario: the lower offer beside the published one.
    await page.click("#tabs button[data-tab=preview]")
    await page.select_option("#scenario", "en_rude_support_coupon")
    await page.click("#run-preview")
    await expect(page.locator("#status")).to_contain_text("Preview ready", timeout=240_000)
    await expect(page.locator("#pv-active .remedy").first).to_contain_text("coupon 12.00 EUR")
    await expect(page.locator("#pv-draft .remedy").first).to_contain_text("coupon 6.00 EUR")
    await expect(page.locator("#pv-active-title")).to_have_text("Published (version 1)")
    await page.screenshot(path=str(DOCS / "admin-preview.png"), full_page=True)

    # 3. Publish.
    await page.click("#tabs button[data-tab=editor]")
    await page.fill("#comment", "smaller apology coupons for rude support")
    # Issue 21: publishing asks first, showing the server's diff; Cancel changes nothing.
    await page.click("#publish")
    await expect(page.locator("#confirm")).to_be_visible()
    await expect(page.locator("#confirm-diff")).to_contain_text("+    limit: {percent: 5, max_amount: 25.00}")
    await expect(page.locator("#confirm-message")).to_contain_text("publish version 2")
    await page.screenshot(path=str(DOCS / "admin-confirm-publish.png"))
    await page.click("#confirm-no")
    await expect(page.locator("#status")).to_contain_text("Not published: cancelled")
    await expect(page.locator("#draft-state")).to_contain_text("draft based on version 1")
    await page.click("#publish")
    await page.click("#confirm-yes")
    await expect(page.locator("#status")).to_contain_text("Published version 2 (remedies.yml)")
    await expect(page.locator("#draft-state")).to_contain_text("published version 2")

    # 4. The next live conversation uses it.
    offer = await live_offer(rt, 1)
    assert "6.00" in offer and "12.00" not in offer

    # A draft that asks buyers to delete their review is refused, with its reason.
    await page.select_option("#file", "messages/en.yml")
    source = await page.input_value("#source")
    asking = source.replace("If you'd like to update your review", "Please delete your review", 1)
    assert asking != source, "messages/en.yml changed: pick another sentence to edit"
    await page.fill("#source", asking)
    await expect(page.locator("#valid-badge")).to_contain_text("problem(s)", timeout=CHECKED)
    await expect(page.locator("#issues")).to_contain_text("asks for the review to be deleted")
    issues = await page.locator("#issues li").all_inner_texts()
    assert len(issues) == len(set(issues)) and not any("\\b" in i or "(?" in i for i in issues), issues  # plain, once
    await page.click("#publish")
    await expect(page.locator("#status")).to_contain_text("Not published")
    await page.locator("#issues li", has_text="asks for the review to be deleted").first.click()  # jumps to the line
    await expect(page.locator("#valid-badge")).to_contain_text("problem(s)", timeout=CHECKED)
    await expect(page.locator("#gutter .bad").first).to_be_visible()
    line = asking[: asking.index("Please delete your review")].count("\n") + 1
    await expect(page.locator("#gutter .bad").first).to_have_text(f"{line}\n")
    await page.screenshot(path=str(DOCS / "admin-guardrail.png"), full_page=True)
    async with rt.sessions() as session:
        from bot.policy.versions import head_version

        assert await head_version(session, SHOP) == 2
    await page.click("#discard")
    # The discard reloads the published files; the next step must not race it (its status would land last).
    await expect(page.locator("#status")).to_have_text("Draft discarded.")

    # 5. Roll back.
    await page.click("#tabs button[data-tab=history]")
    await expect(page.locator("#version-2")).to_contain_text("smaller apology coupons")
    await page.locator("#version-1 button.rollback").click()
    await expect(page.locator("#confirm-diff")).to_contain_text("-    limit: {percent: 5, max_amount: 25.00}")
    await page.click("#confirm-yes")
    await expect(page.locator("#status")).to_contain_text("version 3 publishes version 1 again")
    await expect(page.locator("#version-3")).to_contain_text("rollback")
    await page.locator("#version-2 button", has_text="Diff").click()
    await expect(page.locator("#history-diff")).to_contain_text("+    limit: {percent: 5, max_amount: 25.00}")
    await page.screenshot(path=str(DOCS / "admin-history.png"), full_page=True)
    offer = await live_offer(rt, 2)
    assert "12.00" in offer


def lambda_free_contains(text: str):  # type: ignore[no-untyped-def]
    import re

    return re.compile(re.escape(text))


async def sign_in(page: Page, base_url: str, rt: Runtime, name: str, role: str) -> None:
    async with rt.sessions() as session, session.begin():
        token = await create_token(session, SHOP, name, role, rt.clock.now())
    await page.goto(f"{base_url}/admin")
    await page.fill("#token", token)
    await page.click("#login-button")
    await expect(page.locator("#who")).to_contain_text(f"{name} ({role})")


async def test_a_slow_preview_does_not_overwrite_the_status_of_a_newer_action(
    page: Page, base_url: str, rt: Runtime
) -> None:
    await sign_in(page, base_url, rt, "alice", "admin")
    await expect(page.locator("#valid-badge")).to_have_text("✓ valid", timeout=CHECKED)

    held = asyncio.Event()  # the preview's request waits here until the admin has done something newer

    async def hold(route: Any) -> None:
        await held.wait()
        await route.continue_()

    await page.route("**/api/policies/preview", hold)
    await page.click("#tabs button[data-tab=preview]")
    await page.select_option("#scenario", "en_rude_support_coupon")
    await page.click("#run-preview")
    await expect(page.locator("#status")).to_contain_text("Running the preview")
    await page.click("#tabs button[data-tab=editor]")
    await page.click("#discard")
    await expect(page.locator("#status")).to_have_text("Draft discarded.")
    held.set()
    # The transcripts are drawn just before the preview's own status line would be written.
    await page.click("#tabs button[data-tab=preview]")
    await expect(page.locator("#pv-draft li").first).to_be_visible(timeout=240_000)
    await expect(page.locator("#status")).to_have_text("Draft discarded.")


async def test_staff_may_read_but_not_publish(page: Page, base_url: str, rt: Runtime) -> None:
    await sign_in(page, base_url, rt, "sam", "staff")
    await expect(page.locator("#publish")).to_be_disabled()
    await expect(page.locator("#source")).to_have_value(lambda_free_contains("bot_authority:"))
