"""Conversation turns under load, in process on SQLite, then over HTTP through uvicorn.

    .venv/bin/python bench/turn.py [--conversations 1000] [--turns 10] [--rate 300]

1. Latency at a given load: 1,000 conversations are live at once; each buyer sends 10 messages, and
   together they offer `--rate` turns per second, steadily, as one Poisson stream. Prints the rate
   offered and answered, p50/p99 turn latency (from the moment each message was due) and peak RSS.
2. Capacity: another 1,000 conversations, each sending its next message the moment the bot answered.
   Prints the turns per second the engine sustains.
3. The same turn over HTTP (POST /chat/{token}/messages) against GET /healthz on the same uvicorn server,
   and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402

from bench._common import SCRIPT, bench_runtime, cpu_seconds, median, peak_rss_mb, percentile  # noqa: E402
from bot.app.web import create_app  # noqa: E402
from channels.webchat import chat_link  # noqa: E402

WARM_UP = 50  # conversations run before measuring


def review(i: int) -> dict:
    # Dates relative to today: the shop's damage rules apply within 14 days of delivery, and a bench
    # review frozen in time would drift out of them (and into a discount code for a broken lamp).
    now = datetime.now(UTC)

    def ago(days: float) -> str:
        return (now - timedelta(days=days)).isoformat().replace("+00:00", "Z")

    return {
        "platform": "bench",
        "external_id": f"t-{i}",
        "rating": 2,
        "created_at": ago(1),
        "text": "The parcel arrived a week late and the lamp inside was broken.",
        "verified_purchase": True,
        "edit_url": f"https://reviews.example/t-{i}/edit",
        "buyer": {"name": f"Buyer {i}", "email": f"t{i}@example.com", "timezone": "UTC", "consent": {"webchat": True}},
        "order": {
            "id": f"TO-{i}",
            "total": "89.00",
            "currency": "EUR",
            "ordered_at": ago(8),
            "shipped_at": ago(7),
            "delivered_at": ago(2),
            "items": [{"sku": "L1", "name": "Fjord table lamp", "qty": 1, "price": "89.00"}],
        },
    }


async def setup(n: int, url: str | None):
    rt = await bench_runtime(url)
    case_ids = []
    for start in range(0, n, 500):
        results = await rt.intake.ingest("bench", [review(i) for i in range(start, min(n, start + 500))])
        case_ids += [r.case_id for r in results]
    await rt.worker.run_due()
    # Measure a server that has been up a while, not one just started: a few whole conversations first
    # warm the NLU's memos, SQLite's page cache, SQLAlchemy's compiled statements, the executor and
    # the knowledge base. (Without it the first second's turns queue for up to ~1.5 s.)
    for case_id in case_ids[:WARM_UP]:
        for text in SCRIPT:
            await rt.conversation.buyer_message(case_id, text, channel="webchat")
    rt.settle()  # as `mediator serve` does once its runtime is built
    if rt.conversation.nlu_process is not None:  # a server is up before its traffic: so is its NLU helper
        async with asyncio.timeout(120):
            assert await rt.conversation.nlu_process.ready(), "the NLU helper was closed"
    return rt, case_ids[WARM_UP:]


async def capacity(rt, case_ids: list[int], turns: int) -> None:
    """Closed loop: every conversation sends its next message as soon as the bot answered, all at once.
    The rate it sustains is the engine's capacity; latencies here are mostly queueing."""
    latencies: list[float] = []

    async def conversation(case_id: int) -> None:
        for text in SCRIPT[:turns]:
            t0 = time.perf_counter()
            await rt.conversation.buyer_message(case_id, text, channel="webchat")
            latencies.append((time.perf_counter() - t0) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(conversation(c) for c in case_ids))
    elapsed = time.perf_counter() - started
    print(f"capacity, in process on {rt.engine.dialect.name}: {len(case_ids)} conversations x {turns} turns, no pauses")
    print(f"  turns        {len(latencies)} in {elapsed:.1f} s = {len(latencies) / elapsed:,.0f} turns/s")


async def at_rate(rt, case_ids: list[int], turns: int, rate: float) -> None:
    """Open loop at a steady rate: the run's messages arrive as one Poisson stream of `rate` per second
    (exponential gaps), dealt round by round to the conversations in a shuffled order, so every buyer
    writes about every len(case_ids)/rate seconds and the offered rate holds from the first message to
    the last. (Independent random pauses per buyer would let the rate sag as conversations finish.) A
    buyer whose previous answer has not come yet waits for it; a turn's latency runs from the moment its
    message was due, so a backlog counts against us (no coordinated omission)."""
    rng = random.Random(7)
    n = len(case_ids)
    offsets, t = [], 0.0
    for _ in range(n * turns):
        t += rng.expovariate(rate)
        offsets.append(t)
    due_at: dict[int, list[float]] = {c: [] for c in case_ids}
    for r in range(turns):
        order = case_ids[:]
        rng.shuffle(order)
        for k, case_id in enumerate(order):
            due_at[case_id].append(offsets[r * n + k])

    latencies: list[float] = []
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    nlu = rt.conversation.nlu_process  # the NLU helper process (bot/understanding/nlu_process.py), if any
    helper = nlu.pid if nlu else None
    cpu_before = (time.process_time(), cpu_seconds(helper) if helper else 0.0, nlu.parsed if nlu else 0)

    async def conversation(case_id: int) -> None:
        for text, offset in zip(SCRIPT[:turns], due_at[case_id], strict=True):
            due = start + offset
            await asyncio.sleep(max(0.0, due - loop.time()))
            await rt.conversation.buyer_message(case_id, text, channel="webchat")
            latencies.append((loop.time() - due) * 1000)

    await asyncio.gather(*(conversation(c) for c in case_ids))
    elapsed = loop.time() - start
    cpu = time.process_time() - cpu_before[0]
    helper_cpu = cpu_seconds(helper) - cpu_before[1] if helper else 0.0
    print(
        f"at {rate:.0f} turns/s offered, in process on {rt.engine.dialect.name}: {n} concurrent "
        f"conversations x {turns} turns, one message every {n / rate:.1f} s per buyer on average"
    )
    print(f"  offered      {len(offsets)} over {offsets[-1]:.1f} s = {len(offsets) / offsets[-1]:,.0f} turns/s")
    print(f"  answered     {len(latencies)} in {elapsed:.1f} s = {len(latencies) / elapsed:,.0f} turns/s")
    print(f"  turn p50     {median(latencies):.1f} ms")
    print(f"  turn p99     {percentile(latencies, 99):.1f} ms")
    print(f"  turn max     {max(latencies):.1f} ms")
    print(f"  peak RSS     {peak_rss_mb():.0f} MB")
    print(
        f"  CPU          this process {cpu:.1f} s ({cpu / len(latencies) * 1000:.2f} ms a turn), "
        f"NLU helper process {helper_cpu:.1f} s ({nlu.parsed - cpu_before[2] if nlu else 0} parses)"
    )


HTTP_CLIENT = """
import json, sys, time, httpx
base, paths, rounds = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
health, turn = [], []
with httpx.Client(base_url=base, timeout=30) as client:
    for i in range(rounds):
        t0 = time.perf_counter(); client.get("/healthz"); health.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        r = client.post(paths[i % len(paths)], json={"text": "Is there any news about my replacement?"})
        turn.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, r.text
print(json.dumps({"health": health, "turn": turn}))
"""


async def over_http(rt, case_ids: list[int], rounds: int) -> None:
    """The same turn through uvicorn, from a client in another process (a client in this event loop
    would add its own scheduling to every request)."""
    import json

    from bot.store.models import Case

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(runtime=rt, run_scheduler=False), log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn.Server exposes only a flag
        await asyncio.sleep(0.01)
    async with rt.sessions() as session:
        cases = [await session.get(Case, c) for c in case_ids[:rounds]]
    paths = ["/chat/" + chat_link(rt, case)["token"] + "/messages" for case in cases]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        HTTP_CLIENT,
        f"http://127.0.0.1:{port}",
        json.dumps(paths),
        str(rounds),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await proc.communicate()
    server.should_exit = True
    await task
    data = json.loads(out)
    health, turn = data["health"], data["turn"]
    print(f"over HTTP (uvicorn on loopback, client in another process), {rounds} sequential requests each")
    print(f"  GET /healthz          p50 {median(health):.1f} ms  p99 {percentile(health, 99):.1f} ms")
    print(f"  POST chat message     p50 {median(turn):.1f} ms  p99 {percentile(turn, 99):.1f} ms")
    print(f"  ratio turn/healthz    p50 {median(turn) / median(health):.1f}x")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--rate", type=float, default=300.0, help="offered turns per second in the latency run")
    parser.add_argument("--http-rounds", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    rt, case_ids = await setup(2 * args.conversations + WARM_UP, args.database_url)
    try:
        # Two sets of conversations, so that each run starts every conversation from its beginning.
        await at_rate(rt, case_ids[: args.conversations], args.turns, args.rate)
        await capacity(rt, case_ids[args.conversations :], args.turns)
        await over_http(rt, case_ids, args.http_rounds)
    finally:
        await rt.close()


if __name__ == "__main__":
    # The same event loop `mediator serve` runs on (uvicorn picks uvloop when it is installed).
    import uvloop

    uvloop.run(main())
