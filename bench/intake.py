"""Ingest 100,000 reviews through the same code path the API uses (Intake.ingest), in batches.

    .venv/bin/python bench/intake.py                       # SQLite (a temp file)
    .venv/bin/python bench/intake.py --database-url postgresql://postgres@127.0.0.1:5432/mediator_bench

Prints reviews per second, p50 and p99 latency per batch, and peak RSS.
Reviews are built from the labelled triage data (11 languages) with varied ratings, buyers and orders,
so language detection, the triage model, dedupe and case opening all do their real work.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import median, peak_rss_mb, percentile, scratch_database  # noqa: E402
from bot.app.runtime import build_runtime  # noqa: E402
from bot.platform.clock import SystemClock  # noqa: E402
from bot.platform.config import Settings, ShopSettings  # noqa: E402
from bot.store.shops import ensure_shop  # noqa: E402

PHONES = ["+48601234567", "+46701234567", "+4915112345678", "+447911123456", "+355691234567", "+380501234567"]


def load_texts() -> list[str]:
    return [
        json.loads(line)["text"]
        for p in sorted((ROOT / "data" / "triage").glob("*.jsonl"))
        for line in p.read_text().splitlines()
        if line.strip()
    ]


def make_reviews(start: int, n: int, texts: list[str], seed: int = 7) -> list[dict]:
    """Reviews start..start+n-1, built per batch so the benchmark holds one batch at a time, like the API."""
    rng = random.Random(seed * 1_000_003 + start)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    out = []
    for i in range(start, start + n):
        ordered = now - timedelta(days=rng.randint(3, 60))
        has_order = rng.random() < 0.85
        item = {
            "platform": "bench",
            "external_id": f"b-{i}",
            "rating": rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 5, 5]),
            "text": rng.choice(texts),
            "created_at": now.isoformat(),
            "verified_purchase": has_order,
            "edit_url": f"https://reviews.example/bench/{i}/edit",
            "buyer": {
                "name": f"Buyer {i}",
                "email": f"buyer{i}@example.com",
                "phone": rng.choice(PHONES),
                "timezone": "Europe/Warsaw",
                "consent": {"sms": True, "telegram": False, "webchat": True},
            },
        }
        if has_order:
            item["order"] = {
                "id": f"BO-{i}",
                "total": f"{rng.randint(10, 400)}.00",
                "currency": "EUR",
                "ordered_at": ordered.isoformat(),
                "shipped_at": (ordered + timedelta(days=1)).isoformat(),
                "items": [{"sku": "SKU-1", "name": "Kettle", "qty": 1, "price": "10.00"}],
            }
        out.append(item)
    return out


async def run(n: int, batch: int, url: str | None) -> None:
    database_url = scratch_database(url)
    settings = Settings(
        database_url=database_url,
        data_dir=ROOT / "var",
        policies_dir=ROOT / "policies",
        shops={"bench": ShopSettings(name="Bench")},
        config_file=ROOT / "config.yml",
    )
    rt = await build_runtime(settings, SystemClock())
    async with rt.sessions() as session, session.begin():
        await ensure_shop(session, "bench", "Bench", "bench-key", rt.clock.now())
    await rt.seed_policies()
    texts = load_texts()
    await rt.intake.ingest("bench", make_reviews(10_000_000, 50, texts))  # warm-up: model and detector load
    latencies, created, cases = [], 0, 0
    busy = 0.0
    for start in range(0, n, batch):
        items = make_reviews(start, min(batch, n - start), texts)
        t0 = time.perf_counter()
        results = await rt.intake.ingest("bench", items)
        latencies.append((time.perf_counter() - t0) * 1000)
        busy += time.perf_counter() - t0
        created += sum(r.status == "created" for r in results)
        cases += sum(1 for r in results if r.case_id)
    elapsed = busy  # time inside Intake.ingest only; building the synthetic input is not intake's work
    await rt.close()
    backend = database_url.split(":", 1)[0]
    print(f"intake benchmark on {backend}: {n} reviews in batches of {batch}")
    print(f"  created {created}, cases opened {cases}, elapsed {elapsed:.1f} s")
    print(f"  throughput   {n / elapsed:,.0f} reviews/s")
    print(f"  batch p50    {median(latencies):.1f} ms")
    print(f"  batch p99    {percentile(latencies, 99):.1f} ms")
    print(f"  peak RSS     {peak_rss_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    asyncio.run(run(args.reviews, args.batch, args.database_url))


if __name__ == "__main__":
    main()
