"""The demo shop: loaded from data/demo/, idempotently (intake dedupes every review)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app.demo_history import load_history as replay_history
from bot.app.runtime import Runtime
from bot.intake.files import read_records
from bot.intake.service import ItemResult
from bot.platform.vocab import OPEN_STAGES, Stage
from bot.store.admin_tokens import admin_for_token, create_token, token_issued
from bot.store.models import Case, Order
from bot.store.shops import ensure_shop
from bot.store.staff_accounts import account_for_token, add_account, token_known
from bot.understanding.language import SUPPORTED_LANGUAGES
from channels.webchat import chat_link

DEMO_DIR = Path(__file__).resolve().parents[2] / "data" / "demo"
DEMO_SHOP = "demo"
# The demo shop's key is public on purpose; it exists only in the demo configuration.
DEMO_KEY = "demo-key"
# The demo's staff accounts, public for the same reason: a newcomer signs in to /staff as one of them.
# A real shop creates its own with `mediator staff add SHOP NAME`, whose tokens are random and shown once.
DEMO_STAFF = (("Maja", "mst_demo-maja"), ("Jonas", "mst_demo-jonas"))
# The demo's admin, public likewise: signs in to /admin (policies) and /admin/reports, which the shop's API key
# does not open. A real shop issues its own with `mediator admin token create --name NAME`.
DEMO_ADMIN = ("Ada", "mat_demo-ada")


async def load_demo(rt: Runtime, progress: Callable[[int], None] | None = None) -> list[ItemResult]:
    name = rt.settings.shops.get(DEMO_SHOP).name if DEMO_SHOP in rt.settings.shops else "Demo shop"
    async with rt.sessions() as session, session.begin():
        await ensure_shop(session, DEMO_SHOP, name or "Demo shop", DEMO_KEY, rt.clock.now())
        await ensure_demo_staff(session, rt.clock.now())
        await ensure_demo_admin(session, rt.clock.now())
    await rt.seed_policies()
    await load_history(rt)
    records = [record for _, record in read_records(DEMO_DIR / "reviews.jsonl")]
    records += live_reviews(rt.clock.now())
    results: list[ItemResult] = []
    for start in range(0, len(records), 100):
        results += await rt.intake.ingest(DEMO_SHOP, records[start : start + 100])
        if progress:
            progress(min(100, len(records) - start))
    return results


async def ensure_demo_staff(session: AsyncSession, now: datetime) -> list[tuple[str, str]]:
    """The demo's staff accounts, created on the first run and kept on later ones (their sessions too).
    An account someone removed, or a name an operator already gave to someone else, is left as it is."""
    ready = []
    for name, token in DEMO_STAFF:
        if await account_for_token(session, token) is not None:
            ready.append((name, token))
        elif not await token_known(session, token):  # never issued (a removed one stays removed)
            try:
                await add_account(session, DEMO_SHOP, name, now, by="demo", token=token)
            except ValueError:
                continue
            ready.append((name, token))
    return ready


async def ensure_demo_admin(session: AsyncSession, now: datetime) -> None:
    """The demo's admin token, issued on the first run; one an operator revoked stays revoked."""
    name, token = DEMO_ADMIN
    if not await token_issued(session, token):
        await create_token(session, DEMO_SHOP, name, "admin", now, token=token)


async def live_demo_admin(rt: Runtime) -> tuple[str, str] | None:
    """The demo admin's name and token if the token works now: what the demo prints."""
    async with rt.sessions() as session:
        return DEMO_ADMIN if await admin_for_token(session, DEMO_ADMIN[1]) is not None else None


async def live_demo_staff(rt: Runtime) -> list[tuple[str, str]]:
    """The demo staff accounts whose tokens work now: the ones the demo prints."""
    async with rt.sessions() as session:
        return [(name, token) for name, token in DEMO_STAFF if await account_for_token(session, token) is not None]


def live_reviews(now: datetime, path: Path = DEMO_DIR / "live.yml") -> list[dict[str, Any]]:
    """The demo's live cases (data/demo/live.yml) as intake records, dated relative to `now`: a shop owner
    trying the demo finds open conversations in eleven languages whenever they start it."""
    out = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
        ago = {k: (now - timedelta(hours=v)).isoformat().replace("+00:00", "Z") for k, v in entry["hours_ago"].items()}
        items = entry["order"]["items"]
        subtotal = sum(Decimal(str(i["price"])) * int(i["qty"]) for i in items)
        shipping = Decimal(str(entry["order"]["shipping_cost"]))
        out.append(
            {
                "platform": "demo-reviews",
                "external_id": entry["external_id"],
                "rating": entry["rating"],
                "text": entry["text"],
                "created_at": ago["review"],
                "verified_purchase": True,
                "edit_url": f"https://reviews.example/demo/reviews/{entry['external_id']}/edit",
                "buyer": {**entry["buyer"], "consent": {"sms": False, "telegram": False, "webchat": True}},
                "order": {
                    "id": f"NL-{entry['external_id'].upper()}",
                    "total": f"{subtotal + shipping:.2f}",
                    "shipping_cost": f"{shipping:.2f}",
                    "currency": entry["order"]["currency"],
                    "ordered_at": ago["ordered"],
                    "shipped_at": ago["shipped"],
                    "delivered_at": ago["delivered"],
                    "items": items,
                },
            }
        )
    return out


async def load_history(rt: Runtime) -> int:
    """The demo shop's past conversations (data/demo/history.yml), so its reports have finished cases."""
    return await replay_history(rt, DEMO_SHOP)


class DemoLink(NamedTuple):
    language: str
    case_id: int
    url: str
    items: tuple[str, ...]  # what the case's order holds: the items the bot can talk about in this chat


def ordered(items: tuple[str, ...]) -> str:
    """The order's items as the demo prints them beside a link ("Camping lantern Polaris and Tent Fjell 2"): a
    shop owner who tries "my lamp" on a link whose order is a skillet hears about the skillet, and should know why
    before they start (issue 21)."""
    return " and ".join(filter(None, [", ".join(items[:-1]), items[-1]])) if items else "an order without items"


async def demo_chat_links(rt: Runtime, languages: tuple[str, ...] = SUPPORTED_LANGUAGES) -> list[DemoLink]:
    """One web-chat link per language for an open demo case the bot is talking on, with what its order holds.

    A repeat run finds the cases the last run left: any open case the bot still holds counts (a constructive
    one first), so every run prints links; a first run's cases were only `opened` or `contacted`, and a
    second run printed none (usability review)."""
    links = []
    async with rt.sessions() as session:
        for language in languages:
            case = (
                await session.execute(
                    select(Case)
                    .where(
                        Case.shop_id == DEMO_SHOP,
                        Case.language == language,
                        Case.stage.in_([s for s in OPEN_STAGES if s not in (Stage.HANDOFF, Stage.AWAITING_STAFF)]),
                        Case.kind.in_(["constructive", "impulsive"]),
                    )
                    .order_by((Case.kind != "constructive"), Case.id)
                    .limit(1)
                )
            ).scalar_one_or_none()
            if case is not None:
                order = await session.get(Order, case.order_id) if case.order_id else None
                items = tuple(str(i.get("name") or i.get("sku") or "?") for i in (order.items if order else []))
                links.append(DemoLink(language, case.id, chat_link(rt, case)["url"], items))
    return links
