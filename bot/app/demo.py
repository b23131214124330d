"""The demo shop: loaded from data/demo/, idempotently (intake dedupes every review)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.app.demo_history import load_history as replay_history
from bot.app.runtime import Runtime
from bot.intake.files import read_records
from bot.intake.service import ItemResult
from bot.store.shops import ensure_shop

DEMO_DIR = Path(__file__).resolve().parents[2] / "data" / "demo"
DEMO_SHOP = "demo"
# The demo shop's key is public on purpose; it exists only in the demo configuration.
DEMO_KEY = "demo-key"


async def load_demo(rt: Runtime, progress: Callable[[int], None] | None = None) -> list[ItemResult]:
    name = rt.settings.shops.get(DEMO_SHOP).name if DEMO_SHOP in rt.settings.shops else "Demo shop"
    async with rt.sessions() as session, session.begin():
        await ensure_shop(session, DEMO_SHOP, name or "Demo shop", DEMO_KEY, rt.clock.now())
    await rt.seed_policies()
    await load_history(rt)
    records = [record for _, record in read_records(DEMO_DIR / "reviews.jsonl")]
    results: list[ItemResult] = []
    for start in range(0, len(records), 100):
        results += await rt.intake.ingest(DEMO_SHOP, records[start : start + 100])
        if progress:
            progress(min(100, len(records) - start))
    return results


async def load_history(rt: Runtime) -> int:
    """The demo shop's past conversations (data/demo/history.yml), so its reports have finished cases."""
    return await replay_history(rt, DEMO_SHOP)


async def demo_chat_links(
    rt: Runtime, languages: tuple[str, ...] = ("en", "pl", "de", "sv")
) -> list[tuple[str, int, str]]:
    """One web-chat link per language, for open demo cases the bot is talking on: (language, case id, url)."""
    from sqlalchemy import select

    from bot.store.models import Case
    from channels.webchat import chat_link

    links = []
    async with rt.sessions() as session:
        for language in languages:
            case = (
                await session.execute(
                    select(Case)
                    .where(
                        Case.shop_id == DEMO_SHOP,
                        Case.language == language,
                        Case.stage.in_(["contacted", "opened"]),
                        Case.kind == "constructive",
                    )
                    .order_by(Case.id)
                    .limit(1)
                )
            ).scalar_one_or_none()
            if case is not None:
                links.append((language, case.id, chat_link(rt, case)["url"]))
    return links
