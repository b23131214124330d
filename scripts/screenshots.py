"""Refresh every screenshot in docs/ from a running demo, in headless Debian Chromium (scripts/screenshots).

    ./scripts/demo --port 18601 &            # or any running `mediator demo`
    ./scripts/screenshots --base-url http://127.0.0.1:18601

It does what a newcomer does with the demo the README describes, through the pages only (the shop's API key is
used just to post a review and get its chat link, as a shop's integration would):

1. a buyer opens a web-chat link on a phone, talks, attaches a photo and asks for a person
   (docs/webchat-photo.png, docs/webchat-conversation.png);
2. Maja signs in to /staff with her demo token, takes the case over and answers with the photo in view
   (docs/staff-inbox.png on a desktop, docs/staff-inbox-phone.png on a phone);
3. Ada signs in to /admin, lowers the rude-support coupon, previews it, is asked to confirm the publish, sees a
   guard rail refuse a message, and rolls back, so the demo's policy ends as it started (docs/admin-*.png);
4. the reports dashboard for the quarter the demo's history fills (docs/reports-dashboard.png).

docs/webchat-revision-ask.png is not taken here: the revision question comes days after the remedy (follow-up,
then the cool-off), and a closed case's link shows no conversation. The browser test that plays a whole mediation
on a virtual clock saves it:
tests/test_webchat_browser.py::test_a_full_mediation_in_the_browser_reaches_the_revision_ask.

Every request leaving loopback is refused. Each step waits for what it shows, so a page that does not reach that
state stops the script with the step's name rather than saving a picture of something else.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from playwright.async_api import Browser, BrowserContext, Page, Route, async_playwright, expect

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CHROMIUM = Path("/usr/bin/chromium")
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# The demo's own credentials, printed by `mediator demo` and named in the README.
DEMO_KEY = "demo-key"
STAFF_TOKEN = "mst_demo-maja"
ADMIN_TOKEN = "mat_demo-ada"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}

# A lamp, drawn by the browser itself and saved as the buyer's photo: no image file to ship, no imaging library.
LAMP_SVG = """<svg xmlns='http://www.w3.org/2000/svg' width='480' height='360'>
<rect width='480' height='360' fill='#e9e4da'/><rect y='280' width='480' height='80' fill='#b89f7e'/>
<polygon points='170,60 310,60 350,170 130,170' fill='#f4efe4' stroke='#8a7a62' stroke-width='4'/>
<path d='M250 60 L232 120 L262 170' stroke='#5b4a35' stroke-width='5' fill='none'/>
<line x1='240' y1='170' x2='262' y2='280' stroke='#444' stroke-width='9'/>
<ellipse cx='262' cy='290' rx='70' ry='12' fill='#333'/></svg>"""


def review(stamp: str) -> dict:
    """An English buyer's review with its order, posted as a shop's integration would (README, Trying the demo)."""
    return {
        "platform": "demo-reviews",
        "external_id": f"screenshots-{stamp}",
        "rating": 2,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600)),
        "text": "The floor lamp arrived with the linen shade torn. Disappointing.",
        "verified_purchase": True,
        "edit_url": f"https://reviews.example/demo/reviews/screenshots-{stamp}/edit",
        "buyer": {
            "name": "Sarah Byrne",
            "email": f"sarah.{stamp}@example.com",
            "timezone": "Europe/Dublin",
            "consent": {"webchat": True},
        },
        "order": {
            "id": f"NL-2026-{stamp[-5:]}",
            "total": "119.00",
            "currency": "EUR",
            "ordered_at": "2026-11-20T10:00:00Z",
            "shipped_at": "2026-11-21T10:00:00Z",
            "delivered_at": "2026-11-24T12:00:00Z",
            "items": [{"sku": "NL-FLM-LIN", "name": "Floor lamp with linen shade", "qty": 1, "price": "119.00"}],
        },
    }


class Step:
    """Names the step running, so a failure says where the walk stopped."""

    name = "start"

    @classmethod
    def at(cls, name: str) -> None:
        cls.name = name
        print(f"- {name}", flush=True)


async def loopback_only(context: BrowserContext) -> list[str]:
    refused: list[str] = []

    async def guard(route: Route) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
            await route.continue_()
        else:
            refused.append(route.request.url)
            await route.abort()

    await context.route("**/*", guard)
    return refused


async def send(page: Page, text: str) -> None:
    """Type like a buyer, press Enter, wait until the bot's answer (or silence while a person is asked) lands."""
    before = await page.locator(".msg.bot").count()
    await page.locator("#text").fill(text)
    await page.locator("#text").press("Enter")
    await expect(page.locator(".msg.buyer").last).to_contain_text(text)
    await page.wait_for_function("n => document.querySelectorAll('.msg.bot').length > n", arg=before, timeout=90_000)
    await expect(page.locator(".msg.note", has_text="…")).to_have_count(0)


async def lamp_photo(browser: Browser) -> bytes:
    page = await browser.new_page(viewport={"width": 480, "height": 360})
    await page.set_content(f"<body style='margin:0'>{LAMP_SVG}</body>")
    shot = await page.screenshot(type="png")
    await page.close()
    return shot


async def buyer_and_staff(browser: Browser, api: httpx.AsyncClient, base: str) -> None:
    Step.at("a buyer's review posted, and its chat link")
    stamp = str(int(time.time()))
    r = await api.post("/api/reviews", json=review(stamp))
    r.raise_for_status()
    case_id = int(r.json()["case_id"])
    link = (await api.post(f"/api/cases/{case_id}/chat-link")).raise_for_status().json()["url"]
    photo = await lamp_photo(browser)

    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB")
    refused = await loopback_only(context)
    page = await context.new_page()
    Step.at("the buyer opens the chat on a phone (the first contact may take a few seconds)")
    await page.goto(link)
    await expect(page.locator(".msg.bot").first).to_have_attribute("data-action", "first_contact", timeout=60_000)
    await send(page, "Hi. Yes, the shade is torn right down one side, and it was meant to be a gift.")
    Step.at("the buyer attaches a photo")
    await page.locator("#photo").set_input_files(files=[{"name": "lamp.png", "mimeType": "image/png", "buffer": photo}])
    await expect(page.locator("#preview")).to_be_visible()
    await send(page, "Here is a photo of it.")
    await expect(page.locator(".msg.buyer img").last).to_be_visible()
    await page.screenshot(path=str(DOCS / "webchat-photo.png"))
    Step.at("the buyer asks for a person")
    await send(page, "Could a person from your team look at this, please?")
    await expect(page.locator(".msg.bot").last).to_have_attribute("data-action", "handoff")

    Step.at("Maja signs in to /staff on a desktop and answers with the photo in view")
    staff_context = await browser.new_context(viewport=DESKTOP, locale="en-GB")
    refused += await loopback_only(staff_context)
    staff = await staff_context.new_page()
    await staff.goto(base + "/staff")
    await staff.get_by_label("Staff token").fill(STAFF_TOKEN)
    await staff.get_by_role("button", name="Open the inbox").click()
    await expect(staff.locator("#who")).to_have_text("Signed in as Maja")
    await staff.locator(f"#list li[data-case-id='{case_id}']").click()
    await expect(staff.locator("#detail h2")).to_contain_text(f"Case {case_id}")
    await expect(staff.locator(".conversation li.buyer .photo img")).to_be_visible()
    await staff.get_by_role("button", name="Take over").click()
    # The buyer is told who joined; the card redraws with it, so the reply is typed after that, not lost to it.
    await expect(staff.locator("#detail .conversation li").last).to_contain_text("Maja")
    await staff.wait_for_timeout(1000)
    await staff.get_by_label("Reply to the buyer").fill(
        "Hi Sarah, Maja here from the Nordlys team. Thanks for the photo: that shade is torn, no doubt. "
        "I'll send you a new lamp today, and the courier takes the damaged one back."
    )
    await staff.get_by_role("button", name="Send").click()
    await expect(staff.locator("#status")).to_have_text("sent to the buyer")
    await expect(staff.locator(".conversation li.buyer .photo img")).to_be_in_viewport()
    await staff.screenshot(path=str(DOCS / "staff-inbox.png"))
    Step.at("the same case in /staff on a phone")
    await staff.set_viewport_size(PHONE)
    await staff.screenshot(path=str(DOCS / "staff-inbox-phone.png"))
    await staff_context.close()

    Step.at("the buyer sees who joined and the answer, without reloading")
    await expect(page.locator(".msg.staff").last).to_contain_text("Maja here", timeout=60_000)
    height = await page.evaluate("document.body.scrollHeight - log.clientHeight + log.scrollHeight")
    await page.set_viewport_size({"width": 480, "height": height})
    await page.screenshot(path=str(DOCS / "webchat-conversation.png"))
    await context.close()
    if refused:
        raise SystemExit(f"requests left loopback: {refused}")


async def admin(browser: Browser, base: str) -> None:
    context = await browser.new_context(viewport=DESKTOP, locale="en-GB")
    refused = await loopback_only(context)
    page = await context.new_page()
    Step.at("Ada signs in to /admin")
    await page.goto(base + "/admin")
    await page.fill("#token", ADMIN_TOKEN)
    await page.screenshot(path=str(DOCS / "admin-login.png"))
    await page.click("#login-button")
    await expect(page.locator("#who")).to_contain_text("Ada (admin)")
    # Validation runs the guard-rail model over every message: on a busy machine it takes a while.
    await expect(page.locator("#valid-badge")).to_have_text("✓ valid", timeout=300_000)
    state = await page.locator("#draft-state").inner_text()  # "published version 3 · no unpublished changes"
    published = int(re.search(r"version (\d+)", state).group(1))  # type: ignore[union-attr]

    Step.at("the rude-support coupon lowered in the forms")
    await page.click("#tabs button[data-tab=forms]")
    percent = page.locator("#f-rule-rude-support-coupon-percent")
    was = await percent.input_value()
    await percent.fill(str(max(1, int(float(was)) // 2)))
    await page.click("#apply-forms")
    await expect(page.locator("#status")).to_contain_text("Applied 1 change(s) to the draft", timeout=120_000)
    await page.screenshot(path=str(DOCS / "admin-forms.png"), full_page=True)

    Step.at("the draft previewed beside the published version (runs a scenario twice; a minute or more)")
    await page.click("#tabs button[data-tab=preview]")
    await page.select_option("#scenario", "en_rude_support_coupon")
    await page.click("#run-preview")
    await expect(page.locator("#status")).to_contain_text("Preview ready", timeout=300_000)
    await page.screenshot(path=str(DOCS / "admin-preview.png"), full_page=True)

    Step.at("publish asks for confirmation with the diff")
    await page.click("#tabs button[data-tab=editor]")
    await page.fill("#comment", "smaller apology coupons for rude support")
    await expect(page.locator("#valid-badge")).to_have_text("✓ valid", timeout=300_000)
    await page.click("#publish")
    await expect(page.locator("#confirm")).to_be_visible(timeout=300_000)
    await expect(page.locator("#confirm-message")).to_contain_text(f"publish version {published + 1}")
    await page.screenshot(path=str(DOCS / "admin-confirm-publish.png"))
    await page.click("#confirm-yes")
    await expect(page.locator("#status")).to_contain_text(f"Published version {published + 1}", timeout=300_000)

    Step.at("a message asking for the review's deletion is refused, in plain words")
    await page.select_option("#file", "messages/en.yml")
    source = await page.input_value("#source")
    asking = source.replace("If you'd like to update your review", "Please delete your review", 1)
    if asking == source:
        raise SystemExit("messages/en.yml changed: pick another sentence for the guard-rail picture")
    await page.fill("#source", asking)
    await expect(page.locator("#issues")).to_contain_text("asks for the review to be deleted", timeout=300_000)
    await page.locator("#issues li", has_text="asks for the review to be deleted").first.click()
    await page.screenshot(path=str(DOCS / "admin-guardrail.png"), full_page=True)
    await page.click("#discard")
    await expect(page.locator("#status")).to_have_text("Draft discarded.")

    Step.at("rolled back to the version before, so the demo's policy ends as it started")
    await page.click("#tabs button[data-tab=history]")
    await page.locator(f"#version-{published} button.rollback").click()
    await expect(page.locator("#confirm-diff")).to_be_visible(timeout=300_000)
    await page.click("#confirm-yes")
    await expect(page.locator("#status")).to_contain_text(f"publishes version {published} again", timeout=300_000)
    await page.locator(f"#version-{published + 1} button", has_text="Diff").click()
    await expect(page.locator("#history-diff")).to_contain_text("percent")
    await page.screenshot(path=str(DOCS / "admin-history.png"), full_page=True)
    await context.close()
    if refused:
        raise SystemExit(f"requests left loopback: {refused}")


async def reports(browser: Browser, base: str, period: str) -> None:
    Step.at(f"the reports dashboard for {period}")
    context = await browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    refused = await loopback_only(context)
    page = await context.new_page()
    await page.goto(f"{base}/admin/reports?period={period}")
    await page.get_by_label("Your admin token").fill(ADMIN_TOKEN)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("h1")).to_have_text("Mediation reports")
    await expect(page.locator("figure svg").first).to_be_visible()
    await page.screenshot(path=str(DOCS / "reports-dashboard.png"), full_page=True)
    await context.close()
    if refused:
        raise SystemExit(f"requests left loopback: {refused}")


async def main(base: str, period: str) -> None:
    expect.set_options(timeout=30_000)
    async with (
        httpx.AsyncClient(base_url=base, headers={"X-Api-Key": DEMO_KEY}, trust_env=False, timeout=60) as api,
        async_playwright() as pw,
    ):
        try:
            (await api.get("/healthz")).raise_for_status()
        except httpx.HTTPError as exc:
            raise SystemExit(f"no demo at {base} ({exc}): start one with ./scripts/demo --port PORT") from exc
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            await buyer_and_staff(browser, api, base)
            await admin(browser, base)
            await reports(browser, base, period)
        finally:
            await browser.close()
    print(f"docs/*.png refreshed from {base}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="where the demo runs")
    parser.add_argument("--period", default="2026-Q4", help="the reports' period (the demo's history fills 2026-Q3/Q4)")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: run scripts/install-browser")
    DOCS.mkdir(exist_ok=True)
    try:
        asyncio.run(main(args.base_url.rstrip("/"), args.period))
    except Exception as exc:
        print(f"stopped at step '{Step.name}': {exc}", file=sys.stderr)
        raise SystemExit(1) from exc
