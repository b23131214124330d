"""What hot-reloaded policies cost a turn, in process on SQLite (or PostgreSQL with --database-url).

    .venv/bin/python bench/policy_reload.py [--turns 300] [--database-url postgresql://.../mediator_bench]

Prints:
1. the per-turn policy read (`policy_heads` by primary key, the one query a turn makes about policies):
   median and p99 over many reads;
2. turn latency (sequential turns of fresh conversations) before a publish, for the first turn after a
   publish (which loads and parses the new version), and after it (cached again): median and p99;
3. peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import bench_runtime, median, peak_rss_mb, percentile  # noqa: E402
from bench.turn import SCRIPT, review  # noqa: E402
from bot.policy.versions import files_of, head_of, publish  # noqa: E402


def figures(name: str, ms: list[float]) -> None:
    print(f"{name:<44} median {median(ms):7.3f} ms   p99 {percentile(ms, 99):7.3f} ms   n={len(ms)}")


async def main(turns: int, url: str | None) -> None:
    rt = await bench_runtime(url)
    try:
        results = await rt.intake.ingest("bench", [review(i) for i in range(3 * turns + 2)])
        cases = [r.case_id for r in results]
        await rt.worker.run_due()
        await rt.conversation.buyer_message(cases.pop(), "hello")  # warm the NLU and the executor

        reads = []
        async with rt.sessions() as session:
            for _ in range(2000):
                t = time.perf_counter()
                await head_of(session, "bench")
                reads.append((time.perf_counter() - t) * 1000)
        figures("policy read per turn (policy_heads)", reads)

        async def turn(case_id: int) -> float:
            t = time.perf_counter()
            await rt.conversation.buyer_message(case_id, SCRIPT[0])
            return (time.perf_counter() - t) * 1000

        before = [await turn(cases.pop()) for _ in range(turns)]
        figures("turn, published version cached", before)
        async with rt.sessions() as session, session.begin():
            files = await files_of(session, "bench", 1)
            files["remedies.yml"] = files["remedies.yml"].replace("max_amount: 150.00", "max_amount: 140.00", 1)
            await publish(session, "bench", files, base_version=1, author="bench", comment=None, now=rt.clock.now())
        first = await turn(cases.pop())
        print(f"{'first turn after a publish (loads version 2)':<44} {first:7.1f} ms")
        after = [await turn(cases.pop()) for _ in range(turns)]
        figures("turn, new version cached", after)
        print(f"peak RSS {peak_rss_mb():.0f} MB")
    finally:
        await rt.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(main(args.turns, args.database_url))
