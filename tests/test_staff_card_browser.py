"""The staff case card at a glance, in headless Chromium: a summary line, local times with their zone, words
instead of record keys, the conversation and reply box on screen at 1280x800, and at 390px the list and the
case as two screens with nothing wider than the phone."""

from __future__ import annotations

import re

import pytest

from bot.app.runtime import Runtime
from tests.browser import (
    DESKTOP,
    PHONE,
    Browser,
    Page,
    browser_fixture,  # noqa: F401 - the `browser` fixture
    expect,
    guarded_page,
)
from tests.test_staff_browser import approval_case, sign_in

pytestmark = pytest.mark.timeout(180)
expect.set_options(timeout=20_000)


async def long_case(rt: Runtime) -> int:
    """The approval case, with enough buyer messages that the conversation is taller than the screen."""
    case_id = await approval_case(rt)
    for n in range(14):
        await rt.conversation.buyer_message(
            case_id, f"Ich warte noch auf die Erstattung der 900 Euro, Nachricht Nummer {n}.", channel="webchat"
        )
    return case_id


async def page_width(page: Page) -> int:
    return int(await page.evaluate("document.documentElement.scrollWidth"))


async def test_card_reads_at_a_glance_on_a_desktop(browser: Browser, base_url: str, rt: Runtime) -> None:
    case_id = await long_case(rt)
    # Warsaw is UTC+1 in November: the case's first message, 10:00 UTC, must read 11:00 with the zone named.
    async with guarded_page(browser, viewport=DESKTOP, locale="en-GB", timezone_id="Europe/Warsaw") as page:
        await sign_in(page, base_url, rt)
        await page.locator(f"#list li[data-case-id='{case_id}']").click()
        summary = page.locator(".summary")
        await expect(summary).to_contain_text("charged twice")
        await expect(summary).to_contain_text("wants a refund")
        await expect(summary).to_contain_text(re.compile(r"\d+ d \d+ h left"))
        first = await page.locator(".conversation time").first.inner_text()
        assert re.search(r"11:00 (CET|GMT\+1)", first), first
        facts = await page.locator("aside.facts").inner_text()
        for key in ("order_ref", "awaiting_staff", "outcome_text", "resolved_kept"):
            assert key not in await page.locator("#detail").inner_text(), key
        assert "waiting for staff" in facts and "Buyer wants" in facts
        # Everything needed to answer is on screen without scrolling the page.
        assert await page.evaluate("document.documentElement.scrollHeight") <= 800
        await expect(page.locator(".conversation li").last).to_contain_text("Nummer 13")
        await expect(page.locator(".conversation li").last).to_be_in_viewport()
        await expect(page.get_by_label("Reply to the buyer")).to_be_in_viewport()
        await expect(page.get_by_role("button", name="Send")).to_be_in_viewport()
        assert await page_width(page) <= 1280


async def test_phone_shows_list_and_case_as_two_screens(browser: Browser, base_url: str, rt: Runtime) -> None:
    case_id = await long_case(rt)
    async with guarded_page(browser, viewport=PHONE, locale="en-GB", is_mobile=True) as page:
        await sign_in(page, base_url, rt)
        item = page.locator(f"#list li[data-case-id='{case_id}']")
        await expect(item).to_be_visible()
        await expect(page.locator("#detail")).to_be_hidden()
        assert await page_width(page) <= 390
        await item.click()
        await expect(page.locator("#detail h2")).to_contain_text(f"Case {case_id}")
        await expect(page.locator("#list")).to_be_hidden()
        await expect(page.get_by_label("Reply to the buyer")).to_be_visible()
        assert await page_width(page) <= 390
        # No part of the case is wider than the phone, or cut off at its right edge.
        overflowing = await page.evaluate(
            """() => [...document.querySelectorAll('#detail *')]
                .filter((el) => el.getBoundingClientRect().right > 390.5 && el.getClientRects().length)
                .map((el) => el.tagName + '.' + el.className)"""
        )
        assert overflowing == []
        await page.get_by_role("button", name="← All cases").click()
        await expect(item).to_be_visible()
        await expect(page.locator("#detail")).to_be_hidden()


async def test_the_list_says_who_is_the_buyer_and_who_is_assigned(browser: Browser, base_url: str, rt: Runtime) -> None:
    """A colleague who shares the buyer's first name: the card names the buyer as the buyer, with the initial of
    their last name, and the assignee on a line of their own ("unassigned" until someone takes the case)."""
    case_id = await approval_case(rt)  # the buyer is Markus Becker
    async with guarded_page(browser, viewport=DESKTOP, locale="en-GB") as page:
        await sign_in(page, base_url, rt, name="Markus")
        item = page.locator(f"#list li[data-case-id='{case_id}']")
        await expect(item).to_contain_text(f"Case {case_id} · buyer Markus B. · 1/5")
        await expect(item.locator(".assignee")).to_have_text("unassigned")
        await item.click()
        await expect(page.locator("#assignee")).to_have_text("unassigned")
        await page.get_by_role("button", name="Take over").click()
        await expect(item.locator(".assignee")).to_have_text("assigned to Markus")
        await expect(page.locator("#assignee")).to_have_text("Markus")
        await expect(page.locator(".conversation li.buyer .who").first).to_contain_text("Markus B.")


BUYER_SAID = (
    "Ja, auf meinem Kontoauszug steht die Abbuchung von 900 Euro zweimal, am 28. Oktober",
    "Ich möchte die doppelte Abbuchung zurück, also mein Geld",
    "Es geht um die ganze Bestellung, das Familienzelt Trollheim 6 und die Schlafsäcke",
)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_what_happened_is_what_the_bot_understood_and_the_buyer_is_quoted_apart(
    browser: Browser, base_url: str, rt: Runtime, viewport: dict[str, int]
) -> None:
    """Issue 21 item 2: a German buyer's three messages become one English line of facts; their words stay in the
    conversation, one message each, and nowhere in the card are they glued together."""
    case_id = await approval_case(rt)  # says BUYER_SAID, in this order
    async with guarded_page(browser, viewport=viewport, locale="en-GB", is_mobile=viewport is PHONE) as page:
        await sign_in(page, base_url, rt)
        await page.locator(f"#list li[data-case-id='{case_id}']").click()
        line = page.locator("#what-happened")
        await expect(line).to_be_visible()
        await expect(line).to_contain_text("What happened: Charged twice")
        await expect(line).to_contain_text("Wants a refund")
        await expect(line).to_contain_text("Waiting for approval: a full refund (€900.00)")
        detail = await page.locator("#detail").inner_text()
        for said in BUYER_SAID:
            assert said not in await line.inner_text()
            # Each message once, in its own bubble: never joined to the next one anywhere on the card.
            assert detail.count(said) == 1, said
            await expect(page.locator(".conversation li.buyer").filter(has_text=said)).to_have_count(1)
        assert " ".join(BUYER_SAID[:2]) not in detail
        assert await page_width(page) <= viewport["width"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_take_over_becomes_the_state_and_a_colleague_sees_who(
    browser: Browser, base_url: str, rt: Runtime, viewport: dict[str, int]
) -> None:
    case_id = await approval_case(rt)  # waiting for staff, nobody assigned
    options: dict[str, object] = {"viewport": viewport, "locale": "en-GB", "is_mobile": viewport is PHONE}
    async with guarded_page(browser, **options) as maja, guarded_page(browser, **options) as tom:
        await sign_in(maja, base_url, rt, "Maja")
        await maja.locator(f"#list li[data-case-id='{case_id}']").click()
        take_over = maja.get_by_role("button", name="Take over")
        await expect(take_over).to_be_visible()
        await expect(maja.locator("#taken")).to_have_count(0)
        await take_over.click()
        # The button is gone; the state says who has it, and the reply box is there to use.
        await expect(maja.locator("#taken")).to_have_text("You have taken over")
        await expect(maja.get_by_role("button", name="Take over")).to_have_count(0)
        reply = maja.get_by_label("Reply to the buyer")
        await expect(reply).to_be_visible()
        await expect(reply).to_be_enabled()
        await reply.fill("Hallo Markus, ich kümmere mich darum.")
        await maja.get_by_role("button", name="Send").click()
        await expect(maja.locator(".conversation li.staff").last).to_contain_text("ich kümmere mich darum")
        await expect(maja.locator("#taken")).to_have_text("You have taken over")  # still, after the card redrew
        # A colleague sees who took it, not "you", and may still take it from them.
        await sign_in(tom, base_url, rt, "Tom")
        await tom.locator(f"#list li[data-case-id='{case_id}']").click()
        await expect(tom.locator("#taken")).to_have_text("Taken over by Maja")
        await expect(tom.get_by_role("button", name="Take over from Maja")).to_be_visible()
        await expect(tom.get_by_role("button", name="Take over", exact=True)).to_have_count(0)
        # The state comes from the server, not from the click: a reload shows it again.
        await maja.reload()
        await maja.locator(f"#list li[data-case-id='{case_id}']").click()
        await expect(maja.locator("#taken")).to_have_text("You have taken over")
        assert await page_width(maja) <= viewport["width"]
        assert await page_width(tom) <= viewport["width"]
