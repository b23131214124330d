"""Signed inbound SMS webhooks at a fixed rate against uvicorn on loopback, replies through the fake Twilio.

    .venv/bin/python bench/channels.py [--rate 500] [--seconds 30] [--buyers 500] [--database-url URL]

The app runs as the scale-out deployment does: uvicorn serving the webhooks in one process, a worker
process running the jobs (turns and deliveries), twilio's real client pointed at tests/fakes/twilio_api.py
in this process. The load is open-loop: webhook i is fired
at t0 + i/rate whatever happened to the earlier ones, so a slow server shows up as latency, not as a
lower offered rate. Prints the webhook latency (p50/p99), errors, then waits for the backlog of turns
to drain and counts:
- lost: acknowledged webhooks whose message never reached the case (no inbound row);
- doubled: SMS the fake received beyond the parts of the messages we sent (a reply sent twice);
- unanswered: messages the bot chose not to answer (handed off or closed cases stay quiet by design).
Target (issue 5): p99 <= 200 ms, nothing lost, nothing doubled.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from bench._common import SCRIPT, median, percentile, scratch_database  # noqa: E402
from bot.db import async_url, sync_url  # noqa: E402
from bot.sms_segments import split_to_budget  # noqa: E402
from tests.fakes import free_port  # noqa: E402
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio  # noqa: E402

KEY = "bench-key"


def app_factory() -> FastAPI:
    """The web process: `mediator serve`'s app without its embedded scheduler (a separate worker process
    runs the jobs, as in the scale-out deployment) and without the knowledge refresh at start."""
    from bot.app import create_app
    from bot.config import get_settings
    from bot.runtime import build_runtime

    settings = get_settings()
    app = create_app(settings)

    @asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[None]:
        rt = await build_runtime(settings)
        a.state.runtime = rt
        try:
            yield
        finally:
            await rt.close()

    app.router.lifespan_context = lifespan
    return app


def phone(n: int) -> str:
    return f"+4860{n:07d}"


async def create_shop(env: dict[str, str]) -> None:
    from bot.config import load_settings
    from bot.runtime import build_runtime
    from bot.shops import ensure_shop

    saved = dict(os.environ)
    os.environ.update(env)
    try:
        rt = await build_runtime(load_settings())
        async with rt.sessions() as session, session.begin():
            await ensure_shop(session, "demo", "Bench shop", KEY, datetime.now(UTC))
        await rt.close()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def query(url: str, sql: str) -> list[tuple]:
    engine = create_engine(sync_url(async_url(url)))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


async def worker() -> None:
    """The worker process: claims and runs the jobs (turns, deliveries) until terminated."""
    import signal

    from bot.config import load_settings
    from bot.runtime import build_runtime

    rt = await build_runtime(load_settings())
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await rt.worker.run_forever(stop)
    await rt.close()


async def main() -> None:
    if sys.argv[1:] == ["--worker"]:
        return await worker()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--buyers", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--drain-timeout", type=float, default=900)
    args = parser.parse_args()

    db = scratch_database(args.database_url)
    fake = FakeTwilio()
    await fake.start()
    port = free_port()
    app_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(
        {
            "DATABASE_URL": db,
            "MEDIATOR_DATA_DIR": str(ROOT / "var"),
            "MEDIATOR_SECRET_KEY": "bench-secret",
            "MEDIATOR_PUBLIC_URL": app_url,
            "MEDIATOR_SCHEDULER__POLL_SECONDS": "0.05",
            "MEDIATOR_SCHEDULER__BATCH_SIZE": "200",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": "+15005550006",
            "TWILIO_API_BASE": fake.url,
        }
    )
    await create_shop(env)
    log = tempfile.NamedTemporaryFile(prefix="mediator-bench-", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen(  # noqa: ASYNC220 - started once, before the measurement
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "bench.channels:app_factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    jobs = subprocess.Popen(  # noqa: ASYNC220
        [sys.executable, "bench/channels.py", "--worker"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    try:
        async with httpx.AsyncClient(base_url=app_url, limits=limits, timeout=30, trust_env=False) as client:
            for _ in range(600):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if server.poll() is not None:
                    raise SystemExit(f"the app exited; see {log.name}")
                await asyncio.sleep(0.5)
            await run(args, client, fake, db, app_url)
    finally:
        for proc in (server, jobs):
            proc.terminate()
            proc.wait(30)
        await fake.stop()


async def run(args: argparse.Namespace, client: httpx.AsyncClient, fake: FakeTwilio, db: str, app_url: str) -> None:
    # Open one case per buyer (each with its own number), then let the first contacts go out.
    reviews = []
    for n in range(args.buyers):
        reviews.append(
            {
                "platform": "demo-reviews",
                "external_id": f"bench-{n}",
                "rating": 2,
                "text": "The parcel arrived a week late and the lamp inside was broken.",
                "created_at": "2026-11-20T10:00:00Z",
                "buyer": {
                    "name": f"Buyer {n}",
                    "phone": phone(n),
                    "timezone": "Pacific/Honolulu",
                    "consent": {"sms": True},
                },
            }
        )
    for i in range(0, len(reviews), 500):
        r = await client.post("/api/reviews", json={"reviews": reviews[i : i + 500]}, headers={"X-Api-Key": KEY})
        assert r.status_code in (200, 201, 207), r.text
    busy = (
        "SELECT count(*) FROM jobs WHERE status IN ('pending','running') "
        "AND kind IN ('deliver','inbound','first_contact')"
    )
    while query(db, busy)[0][0]:  # noqa: ASYNC110 - polling another process's database
        await asyncio.sleep(0.5)
    contacts = len(fake.sent)
    print(
        f"{args.buyers} cases opened, {contacts} first-contact SMS sent; firing {args.rate:.0f} webhooks/s "
        f"for {args.seconds:.0f} s (machine shared with other work: figures are indicative)"
    )

    total = int(args.rate * args.seconds)
    url = app_url + "/webhooks/twilio"
    latencies: list[float] = []
    errors: list[str] = []
    accepted: list[str] = []

    # At most 400 requests in flight (an HTTP client pool with 15,000 waiters spends its time on the queue,
    # not on the requests); latency counts from the moment a webhook was due, so queueing shows up in it.
    gate = asyncio.Semaphore(400)

    async def fire(i: int, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        params = fake.inbound_params(
            phone(i % args.buyers), SCRIPT[(i // args.buyers) % len(SCRIPT)], f"SMbench{i:026d}"
        )
        headers = {"X-Twilio-Signature": fake.signature(url, params)}
        async with gate:
            try:
                r = await client.post("/webhooks/twilio", data=params, headers=headers)
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)
                return
        latencies.append(time.perf_counter() - at)
        if r.status_code == 200:
            accepted.append(params["MessageSid"])
        else:
            errors.append(str(r.status_code))

    t0 = time.perf_counter() + 0.5
    await asyncio.gather(*(fire(i, t0 + i / args.rate) for i in range(total)))
    elapsed = time.perf_counter() - t0
    print(
        f"webhooks: {total} in {elapsed:.1f} s ({total / elapsed:.0f}/s offered), "
        f"p50 {median(latencies) * 1000:.1f} ms, p99 {percentile(latencies, 99) * 1000:.1f} ms, "
        f"max {max(latencies) * 1000:.1f} ms, errors {len(errors)}"
    )

    drain_start = time.perf_counter()
    while query(db, busy)[0][0] and time.perf_counter() - drain_start < args.drain_timeout:  # noqa: ASYNC110
        await asyncio.sleep(1)
    left = query(db, busy)[0][0]
    drained = time.perf_counter() - drain_start
    inbound = {r[0] for r in query(db, "SELECT provider_id FROM messages WHERE direction='in' AND channel='sms'")}
    # The inbox is the jobs table: an acknowledged webhook is safe once its job is committed, handled or not.
    inboxed = {r[0].rsplit(":", 1)[1] for r in query(db, "SELECT dedupe_key FROM jobs WHERE kind='inbound'")}
    lost = sum(1 for sid in accepted if sid not in inbound and sid not in inboxed)
    replied = {
        r[0].split(":")[1] for r in query(db, "SELECT provider_id FROM messages WHERE provider_id LIKE 'reply:%'")
    }
    sent_rows = query(db, "SELECT text FROM messages WHERE direction='out' AND status IN ('sent','delivered')")
    expected_sms = sum(len(split_to_budget(t, 3)) for (t,) in sent_rows)
    doubled = max(0, len(fake.sent) - expected_sms)
    print(
        f"backlog: {left} jobs left {drained:.0f} s after the load; {len(inbound)} of {len(accepted)} messages "
        f"had their turn ({len(inbound) / (elapsed + drained):.1f} turns/s over load and drain)"
    )
    print(
        f"accepted {len(accepted)}, lost {lost}, doubled {doubled}, "
        f"answered {len(replied & set(accepted))}, unanswered {len(accepted) - len(replied & set(accepted))} "
        f"(quiet by design after a handoff or close), SMS sent {len(fake.sent) - 0}"
    )


if __name__ == "__main__":
    asyncio.run(main())
