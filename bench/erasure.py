"""Erasing one buyer while the shop holds many finished inbound jobs (each a copy of a message and a number).

    .venv/bin/python bench/erasure.py [--jobs 1000 100000] [--database-url postgresql://…/mediator_bench]

The erasure must find the buyer's caseless jobs (inbound messages before their turn, Slack payloads) among
all of the shop's; it narrows them in SQL by the buyer's identifiers, then decides exactly in Python. Prints
the time of one `erase_buyer` transaction per job count. On SQLite that transaction holds the one writer.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from bench._common import ROOT, scratch_database
from bot.app.runtime import build_runtime
from bot.conversation.erasure import erase_buyer
from bot.platform.clock import VirtualClock
from bot.platform.config import Settings, ShopSettings
from bot.store.models import Case, Job
from bot.store.shops import ensure_shop

REVIEW = {
    "platform": "bench",
    "external_id": "b-1",
    "rating": 2,
    "text": "The lamp arrived broken",
    "created_at": "2026-11-01T18:00:00Z",
    "buyer": {"name": "Bench Buyer", "email": "bench@example.com", "phone": "+48601234567", "consent": {"sms": True}},
}


async def one(url: str, jobs: int) -> float:
    settings = Settings(
        database_url=scratch_database(url),
        data_dir=ROOT / "var",
        policies_dir=ROOT / "policies",
        shops={"demo": ShopSettings(name="Bench")},
        config_file=ROOT / "config.yml",
    )
    clock = VirtualClock(datetime(2026, 11, 2, 10, tzinfo=UTC))
    rt = await build_runtime(settings, clock)
    try:
        async with rt.sessions() as session, session.begin():
            await ensure_shop(session, "demo", "Bench", "bench-key", clock.now())
        await rt.seed_policies()
        [result] = await rt.intake.ingest("demo", [REVIEW])
        await rt.worker.run_due()
        now = clock.now()
        rows = [
            {
                "shop_id": "demo",
                "kind": "inbound",
                "run_at": now,
                "status": "done",
                "attempts": 1,
                "payload": {"channel": "sms", "sender": f"+4860{i:07d}", "text": f"message {i}", "lane": f"sms:{i}"},
                "created_at": now,
                "finished_at": now,
            }
            for i in range(jobs)
        ]
        async with rt.sessions() as session, session.begin():
            for start in range(0, jobs, 5000):
                await session.execute(insert(Job), rows[start : start + 5000])
        async with rt.sessions() as session:
            buyer_id = (await session.get(Case, result.case_id)).buyer_id  # type: ignore[union-attr]
        began = time.perf_counter()
        async with rt.sessions() as session, session.begin():
            await erase_buyer(session, "demo", buyer_id, now, actor="bench", role="admin")
        return time.perf_counter() - began
    finally:
        await rt.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--database-url", default=None, help="PostgreSQL benchmark-only database (recreated)")
    args = parser.parse_args()
    for jobs in args.jobs:
        seconds = asyncio.run(one(args.database_url, jobs))
        print(f"{jobs:>8} finished jobs in the shop: erase_buyer {seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
