"""Erasure of a Telegram buyer (issue 20): the chat id leaves the buyer, the contact point, the spent
deep-link token, the inbound jobs and the deliveries; aiogram against a fake Bot API on loopback."""

from __future__ import annotations

import httpx

from bot.app.runtime import Runtime
from tests.fakes.telegram_api import FakeTelegram
from tests.test_erasure import buyer_of, dump, findings
from tests.test_telegram import CHAT, bound_case, say, settings  # noqa: F401  (settings is a fixture)

SAID = "It broke on day two, I live at Storgatan 12, Stockholm"


async def test_erasing_a_telegram_buyer_leaves_no_chat_id(
    rt: Runtime,
    client: httpx.AsyncClient,
    tg: FakeTelegram,
) -> None:
    case_id = await bound_case(client, rt, tg)
    assert await say(client, rt, tg, SAID), "the bot answered on Telegram"
    needles = [str(CHAT), "Anna Kowalska", "tg-1@example.pl", "+48601234567", "Storgatan 12"]
    tables = await dump(rt)
    assert {n for n in needles if findings(tables, [n])} == set(needles), "all of it is there before"
    assert any(r["chat_id"] == str(CHAT) for r in tables["link_token_uses"])
    r = await client.delete(f"/api/buyers/{await buyer_of(rt, case_id)}")
    assert r.status_code == 200 and r.json()["contact_points_deleted"] >= 1, r.text
    assert findings(await dump(rt), needles) == []
    # The spent link stays spent: its row is kept, without the chat.
    assert [row["chat_id"] for row in (await dump(rt))["link_token_uses"]] == ["[erased]"]
