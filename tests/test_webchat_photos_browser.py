"""A photo from the buyer's phone to the staff inbox, in headless Debian Chromium (issue 21.4): the buyer picks a
photo in the web chat (the file input Playwright fills as a phone's picker would), sees its thumbnail, sends it
with words, and the bot does not ask for a photo again; staff signed in to /staff see it with the message and
open it full size. A file that is no photo, or one over the limit, is refused on the page with the reason, and
what the buyer typed stays. Every request leaving loopback is refused and fails the test."""

from __future__ import annotations

import httpx
import pytest

from bot.app.runtime import Runtime
from bot.handoff.staff_actions import Staff, take_over
from bot.store.models import Case
from tests.browser import (
    DESKTOP,
    PHONE,
    Browser,
    Locator,
    Page,
    browser_fixture,  # noqa: F401 - the `browser` fixture
    expect,
    guarded_page,
)
from tests.conftest import KEY, ROOT
from tests.test_staff_browser import sign_in
from tests.test_webchat_photos import FIRST, LAMP, SECOND, png

pytestmark = pytest.mark.timeout(240)
expect.set_options(timeout=20_000)
SHOT = ROOT / "docs" / "webchat-photo.png"


async def open_chat(base_url: str, rt: Runtime, external_id: str) -> tuple[int, str]:
    rt.settings.public_url = base_url  # chat links point at this server
    body = {**LAMP, "external_id": external_id, "buyer": {**LAMP["buyer"], "email": f"{external_id}@example.com"}}
    # No 5 s read timeout (httpx's default): speed is not what this test checks, and a loaded machine is slower.
    async with httpx.AsyncClient(base_url=base_url, headers={"X-Api-Key": KEY}, trust_env=False, timeout=120) as api:
        r = await api.post("/api/reviews", json=body)
        assert r.status_code == 201, r.text
        case_id = int(r.json()["case_id"])
        await rt.worker.run_due()  # first contact
        link = (await api.post(f"/api/cases/{case_id}/chat-link")).json()
    return case_id, link["url"]


async def send(page: Page, text: str) -> None:
    """Type and press Enter; wait until the bot's answer is on screen."""
    before = await page.locator(".msg.bot").count()
    await page.locator("#text").fill(text)
    await page.locator("#text").press("Enter")
    # A photo is uploaded before the message goes: the "…" shows only after that, so wait for the answer itself.
    await page.wait_for_function("n => document.querySelectorAll('.msg.bot').length > n", arg=before)
    await expect(page.locator(".msg.note", has_text="…")).to_have_count(0)


async def loaded(img: Locator) -> int:
    """The natural width of an <img>, once the browser has fetched and decoded the image it points at (a
    refused or broken image never gets there, and the wait fails)."""
    handle = await img.element_handle()
    await img.page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=handle)
    return int(await img.evaluate("el => el.naturalWidth"))


async def test_a_photo_goes_from_the_phone_to_the_staff_inbox(browser: Browser, base_url: str, rt: Runtime) -> None:
    case_id, url = await open_chat(base_url, rt, "photo-browser")
    async with guarded_page(browser, viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB") as page:
        await page.goto(url)
        await expect(page.locator(".msg.bot").first).to_have_attribute("data-action", "first_contact")
        picker = page.locator("#photo")
        await expect(picker).to_have_attribute("accept", "image/*")  # a phone offers its camera too
        await expect(page.get_by_role("button", name="Add a photo")).to_be_visible()
        await send(page, FIRST)

        # A page renamed .jpg is no photo: refused with the reason, and the words typed stay in the box.
        await page.locator("#text").fill(SECOND)
        await picker.set_input_files(files=[{"name": "lamp.jpg", "mimeType": "image/jpeg", "buffer": b"<html>"}])
        await page.locator("#text").press("Enter")
        await expect(page.locator(".msg.note").last).to_have_text(
            "This file is not a photo. Please choose a JPEG, PNG, WebP or HEIC image."
        )
        await expect(page.locator("#text")).to_have_value(SECOND)
        await expect(page.locator(".msg.buyer")).to_have_count(1)  # nothing was sent

        # One over the limit is refused on the page before any upload, naming the limit.
        limit = rt.settings.webchat.max_photo_bytes
        big = png() + b"\x00" * (limit + 1 - len(png()))
        await picker.set_input_files(files=[{"name": "huge.png", "mimeType": "image/png", "buffer": big}])
        await expect(page.locator(".msg.note").last).to_contain_text("the limit is 8 MB")

        # The photo itself: a thumbnail before sending, then in the conversation with the words.
        await picker.set_input_files(files=[{"name": "lamp.png", "mimeType": "image/png", "buffer": png(240, 160)}])
        await expect(page.locator("#preview")).to_be_visible()
        await expect(page.locator("#preview-name")).to_have_text("lamp.png")
        assert await loaded(page.locator("#preview-img")) == 240
        await expect(page.locator("#text")).to_have_value(SECOND)
        await send(page, SECOND)
        await expect(page.locator("#preview")).to_be_hidden()
        sent = page.locator(".msg.buyer").last
        await expect(sent).to_contain_text(SECOND)
        await expect(sent.locator("img")).to_have_attribute("alt", "Your photo")
        await expect(page.locator(".msg.unconfirmed")).to_have_count(0)  # the server numbered it
        # The bot takes it as the photo it would have asked for, and goes on to what is still missing.
        asked = page.locator('.msg.bot[data-action="ask_details"]')
        await expect(asked.last).not_to_contain_text("photo")
        async with rt.sessions() as session:
            case = await session.get(Case, case_id)
            assert case is not None and case.details["evidence"] == "yes"
            assert "evidence" not in case.details.get("asked", [])
        # After a reload the photo comes from the server, for this link only.
        await page.reload()
        stored = page.locator(".msg.buyer img")
        await expect(stored).to_have_count(1)
        await expect(stored).to_have_attribute("src", f"{url.removeprefix(base_url)}/photos/1")
        assert await loaded(stored) == 240
        SHOT.parent.mkdir(exist_ok=True)
        await page.screenshot(path=str(SHOT))

    # Staff of the shop see it with the message, and open it full size.
    await take_over(rt, case_id, Staff("tom", "Tom"))
    async with guarded_page(browser, viewport=DESKTOP, locale="en-GB") as staff:
        await sign_in(staff, base_url, rt)
        await staff.locator(f"#list li[data-case-id='{case_id}']").click()
        thumb = staff.locator(".conversation li.buyer .photo img")
        await expect(thumb).to_have_count(1)
        await expect(thumb).to_have_attribute("alt", "Photo from the buyer")
        assert await loaded(thumb) == 240
        with_photo = staff.locator(".conversation li.buyer", has=staff.locator(".photo img"))
        await expect(with_photo).to_contain_text(SECOND)
        async with staff.context.expect_page() as opened:
            await thumb.click()
        full = await opened.value
        await full.wait_for_load_state()
        assert full.url == f"{base_url}/staff/api/photos/1"
        assert await loaded(full.locator("img")) == 240  # Chromium shows an image document as one <img>
