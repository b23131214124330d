"""Signed inbound SMS webhooks at a fixed rate against uvicorn on loopback, replies through the fake Twilio.

    .venv/bin/python bench/channels.py [--rate 500] [--seconds 30] [--buyers 500] [--database-url URL]
        [--distinct-questions] [--without inline|lane_wait ...]

Process layout: the scale-out deployment on one small machine (2 cores), as production would run it:
- the web process: uvicorn (httptools and uvloop, which uvicorn[standard] brings), serving the webhooks
  with no scheduler in it. A webhook only verifies the signature, dedupes by MessageSid and commits
  the inbound job (one statement), then answers 200: its latency is what Twilio sees;
- one worker process running the jobs (turns and deliveries, bot/store/queue.py) at a lower CPU priority
  (`nice`, --worker-nice): the acknowledgements are latency-bound and the backlog is durable, so when
  the two compete for the cores the webhooks go first and the turns catch up afterwards (systemd:
  `Nice=` or `CPUWeight=` on the worker unit). With more cores, run more workers: they share the
  jobs table through SKIP LOCKED;
- PostgreSQL (or one SQLite file) beside them; twilio's real client is pointed at
  tests/fakes/twilio_api.py, which runs in this process and notes when each SMS arrives.

The load is open-loop: webhook i is fired at t0 + i/rate whatever happened to the earlier ones, so a
slow server shows up as latency, not as a lower offered rate. Prints:
- webhooks: the latency Twilio sees (fired → 200 received), p50/p99/max, and errors;
- replies: the latency the buyer sees (webhook fired → the reply SMS received by the fake Twilio),
  p50/p99, for the messages that were answered; at 500 messages/s the turns (5-7 ms of CPU each) fall
  behind and catch up after the burst, so this includes the time spent in the backlog;
- the drain: how long after the burst the last job finished;
- lost: acknowledged webhooks whose message never reached the case (no inbound row, no inbox job);
- doubled: SMS the fake received beyond the parts of the messages we sent (a reply sent twice);
- unanswered: messages the bot chose not to answer (handed off or closed cases stay quiet by design).
Target (issue 5): webhook p99 <= 200 ms, nothing lost, nothing doubled.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from bench._common import cpu_seconds, median, percentile, scratch_database, script_line  # noqa: E402
from bot.store.db import async_url, sync_url  # noqa: E402
from channels.sms_segments import split_to_budget  # noqa: E402
from tests.fakes import free_port  # noqa: E402
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio  # noqa: E402

KEY = "bench-key"

# `--without NAME` (repeatable) runs the web and worker processes with one piece of private machinery swapped for
# the simpler arrangement, to judge it in an interleaved A/B (issue 17.8). A switch of this bench only, passed to
# the child processes in the environment, never a product setting:
# - inline: SQLAlchemy's aiosqlite as shipped (a helper thread per connection) instead of bot/store/sqlite_inline.py;
# - lane_wait: inbound jobs skip `Worker._wait_for_lane` and the claim's `Worker._note_unsure` (the queries that keep
#   a sender's messages in order across retries); with no retries in this bench the order is the same, so only
#   their cost shows.
WITHOUT_ENV = "BENCH_CHANNELS_WITHOUT"  # not MEDIATOR_*: the settings refuse unknown keys
SWITCHES = ("inline", "lane_wait")


def switch_off_machinery() -> None:
    """Apply `--without` in a child process, before it builds its runtime."""
    names = [n for n in os.environ.get(WITHOUT_ENV, "").split(",") if n]
    if not names:
        return
    import bot.store.db
    from bot.store.queue import Worker

    if "inline" in names:
        bot.store.db.inline_creator = lambda _database: None  # type: ignore[assignment]  # aiosqlite's default

    if "lane_wait" in names:

        async def no_wait(self: Worker, *_jobs: Any) -> None:
            return None

        Worker._wait_for_lane = no_wait  # type: ignore[method-assign]
        Worker._note_unsure = no_wait  # type: ignore[method-assign]


async def report_machinery(rt: Any) -> None:
    """Write to the log what the worker's engine really runs on, so a switch that did not take is seen."""
    async with rt.engine.connect() as conn:
        driver = type((await conn.get_raw_connection()).driver_connection).__module__
    print(
        f"worker: without {os.environ.get(WITHOUT_ENV) or 'nothing'}; driver {driver}",
        file=sys.stderr,
        flush=True,
    )


def app_factory() -> FastAPI:
    """The web process: `mediator serve`'s app without its embedded scheduler (a separate worker process
    runs the jobs, as in the scale-out deployment) and without the knowledge refresh at start."""
    from bot.app.runtime import build_runtime
    from bot.app.web import create_app
    from bot.platform.config import get_settings

    switch_off_machinery()
    settings = get_settings()
    app = create_app(settings)

    @asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[None]:
        rt = await build_runtime(settings)
        rt.settle()  # as `mediator serve` does
        a.state.runtime = rt
        try:
            yield
        finally:
            await rt.close()

    app.router.lifespan_context = lifespan
    return app


# Quiet hours (policies/mediation.yml) hold an SMS to a buyer until their morning, and this bench waits
# for the first contacts before it starts: with every buyer asleep it would wait hours (it did, run at
# 09:46 UTC with the buyers in Pacific/Honolulu). So the buyers live where it is early afternoon now.
ZONES = (
    "Pacific/Honolulu", "America/Los_Angeles", "America/New_York", "Europe/London", "Europe/Warsaw", "Asia/Dubai",
    "Asia/Kolkata", "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
)  # fmt: skip


def daytime_zone(now: datetime) -> str:
    def from_one_pm(zone: str) -> float:
        local = now.astimezone(ZoneInfo(zone))
        return abs(local.hour + local.minute / 60 - 13)

    return min(ZONES, key=from_one_pm)


def phone(n: int) -> str:
    return f"+4860{n:07d}"


async def create_shop(env: dict[str, str]) -> None:
    from bot.app.runtime import build_runtime
    from bot.platform.config import load_settings
    from bot.store.shops import ensure_shop

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

    from bot.app.runtime import build_runtime
    from bot.platform.config import load_settings

    switch_off_machinery()
    rt = await build_runtime(load_settings())
    rt.settle()
    await report_machinery(rt)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await rt.worker.run_forever(stop)
    await rt.close()


def run_on_uvloop(coro: Any) -> None:
    """uvloop when installed (uvicorn[standard] brings it, and the web process runs on it), else asyncio."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--buyers", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--drain-timeout", type=float, default=900)
    parser.add_argument(
        "--distinct-questions", action="store_true", help="every buyer's questions are their own (no cached answers)"
    )
    parser.add_argument("--worker-nice", type=int, default=10, help="CPU niceness of the worker process")
    parser.add_argument(
        "--without", action="append", default=[], choices=SWITCHES, help="swap out one piece of private machinery"
    )
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
            WITHOUT_ENV: ",".join(args.without),
        }
    )
    await create_shop(env)
    log = tempfile.NamedTemporaryFile(prefix="mediator-bench-", suffix=".log", delete=False)  # noqa: SIM115
    print(f"the web and worker processes log to {log.name}", flush=True)
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
        [sys.executable, "bench/channels.py", "--worker"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
        preexec_fn=lambda: os.nice(args.worker_nice),
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
            pids = {"web": server.pid, "worker": jobs.pid, "generator": os.getpid()}
            await run(args, client, fake, db, app_url, pids)
    finally:
        for proc in (server, jobs):
            proc.terminate()
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                print(f"pid {proc.pid} did not stop on SIGTERM within 60 s; killed")
                proc.kill()
                proc.wait()
        await fake.stop()


async def run(
    args: argparse.Namespace, client: httpx.AsyncClient, fake: FakeTwilio, db: str, app_url: str, pids: dict[str, int]
) -> None:
    # Open one case per buyer (each with its own number), then let the first contacts go out.
    reviews = []
    zone = daytime_zone(datetime.now(UTC))
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
                    "timezone": zone,
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
        f"{args.buyers} cases opened, {contacts} first-contact SMS sent; "
        f"without: {', '.join(args.without) or 'nothing'}; firing {args.rate:.0f} webhooks/s "
        f"for {args.seconds:.0f} s (machine shared with other work: figures are indicative)"
    )

    total = int(args.rate * args.seconds)
    latencies: list[float] = []
    errors: list[str] = []
    accepted: list[str] = []
    fired: dict[str, float] = {}  # MessageSid → when it was due
    # Bodies and signatures are made before the clock starts: the load generator shares the machine with
    # the server, and its own CPU time must not show up as server latency.
    requests = [signed_webhook(fake, app_url, i, args.buyers, args.distinct_questions) for i in range(total)]
    # At most 400 requests in flight; latency counts from the moment a webhook was due, so any queueing
    # here shows up in it.
    host, port = app_url.removeprefix("http://").split(":")
    poster = RawPoster(host, int(port), limit=400)
    try:

        async def fire(sid: str, raw: bytes, at: float) -> None:
            fired[sid] = at
            try:
                status = await poster.post(raw)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
                errors.append(type(exc).__name__)
                return
            latencies.append(time.perf_counter() - at)
            if status == 200:
                accepted.append(sid)
            else:
                errors.append(str(status))

        # Open-loop: webhook i is started at t0 + i/rate, whatever happened to the earlier ones.
        t0 = time.perf_counter() + 0.5
        cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        tasks = []
        for i, (sid, raw) in enumerate(requests):
            at = t0 + i / args.rate
            delay = at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(fire(sid, raw, at)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - t0
        cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
    finally:
        await poster.close()
    print(
        f"webhooks: {total} in {elapsed:.1f} s ({total / elapsed:.0f}/s offered), "
        f"p50 {median(latencies) * 1000:.1f} ms, p99 {percentile(latencies, 99) * 1000:.1f} ms, "
        f"max {max(latencies) * 1000:.1f} ms, errors {len(errors)} (fired → 200 received)"
        + (f": {dict(Counter(errors))}" if errors else "")
    )
    print(
        f"CPU during the burst: web {cpu['web']:.1f} s ({cpu['web'] / total * 1000:.2f} ms a webhook), "
        f"worker {cpu['worker']:.1f} s, this process (load generator and fake Twilio) "
        f"{cpu['generator']:.1f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )

    drain_start = time.perf_counter()
    while query(db, busy)[0][0] and time.perf_counter() - drain_start < args.drain_timeout:  # noqa: ASYNC110
        await asyncio.sleep(0.25)
    left = query(db, busy)[0][0]
    drained = time.perf_counter() - drain_start
    # The worker's CPU over burst and drain, per turn: on a shared host the wall-clock figures follow the other
    # work (the worker is niced), while what a turn costs in CPU moves much less.
    worker_cpu = cpu_seconds(pids["worker"]) - cpu_before["worker"]
    inbound = {r[0] for r in query(db, "SELECT provider_id FROM messages WHERE direction='in' AND channel='sms'")}
    # The inbox is the jobs table: an acknowledged webhook is safe once its job is committed, handled or not.
    inboxed = {r[0].rsplit(":", 1)[1] for r in query(db, "SELECT dedupe_key FROM jobs WHERE kind='inbound'")}
    lost = sum(1 for sid in accepted if sid not in inbound and sid not in inboxed)
    replies = reply_latencies(db, fake, fired)
    sent_rows = query(db, "SELECT text FROM messages WHERE direction='out' AND status IN ('sent','delivered')")
    expected_sms = sum(len(split_to_budget(t, 3)) for (t,) in sent_rows)
    doubled = max(0, len(fake.sent) - expected_sms)
    answered = len(set(replies) & set(accepted))
    print(
        f"replies: {answered} answered, p50 {median(list(replies.values())):.1f} s, "
        f"p99 {percentile(list(replies.values()), 99):.1f} s (webhook fired → reply SMS at the fake Twilio)"
    )
    print(
        f"drain: {'done' if not left else f'{left} jobs left'} {drained:.1f} s after the burst; "
        f"{len(inbound)} of {len(accepted)} messages had their turn "
        f"({len(inbound) / (elapsed + drained):.1f} turns/s over burst and drain); worker CPU {worker_cpu:.1f} s, "
        f"{worker_cpu / max(1, len(inbound)) * 1000:.2f} ms a turn"
    )
    print(
        f"accepted {len(accepted)}, lost {lost}, doubled {doubled}, "
        f"unanswered {len(accepted) - answered} (quiet by design after a handoff or close), "
        f"SMS sent {len(fake.sent)}"
    )


def signed_webhook(fake: FakeTwilio, app_url: str, i: int, buyers: int, distinct: bool) -> tuple[str, bytes]:
    """Webhook i as Twilio would post it, as the bytes of an HTTP/1.1 request: buyer i mod `buyers`, the
    next line of that buyer's script."""
    text = script_line(i % buyers, i // buyers, distinct)
    params = fake.inbound_params(phone(i % buyers), text, f"SMbench{i:026d}")
    body = urlencode(params).encode()
    head = (
        f"POST /webhooks/twilio HTTP/1.1\r\nHost: {app_url.removeprefix('http://')}\r\n"
        f"X-Twilio-Signature: {fake.signature(app_url + '/webhooks/twilio', params)}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return params["MessageSid"], head.encode() + body


class RawPoster:
    """Keep-alive HTTP/1.1 connections that send prepared requests and read the status and body.

    The load generator shares the 2-core machine with the server it measures, which Twilio would not;
    aiohttp spent a quarter of a core on 500 requests/s, and that CPU came out of the server's share.
    This client does only what the bench needs."""

    def __init__(self, host: str, port: int, limit: int):
        self.host, self.port = host, port
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._gate = asyncio.Semaphore(limit)

    async def post(self, raw: bytes) -> int:
        async with self._gate:
            reader, writer = await self._connection()
            try:
                writer.write(raw)
                head = (await reader.readuntil(b"\r\n\r\n")).lower()
                status = int(head[9:12])
                at = head.find(b"content-length:")
                if at < 0:
                    raise ValueError("a response without Content-Length")
                await reader.readexactly(int(head[at + 15 : head.index(b"\r\n", at)]))
            except BaseException:
                writer.close()
                raise
            if b"connection: close" in head:
                writer.close()
            else:
                self._idle.append((reader, writer))
            return status

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """The most recently used idle connection the server has not closed, else a new one. (uvicorn
        closes a keep-alive connection idle for 5 s; a burst's extra connections sit idle afterwards.)"""
        while self._idle:
            reader, writer = self._idle.pop()
            if not reader.at_eof() and not writer.is_closing():
                return reader, writer
            writer.close()
        return await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


def reply_latencies(db: str, fake: FakeTwilio, fired: dict[str, float]) -> dict[str, float]:
    """MessageSid → seconds from the webhook being fired to the first SMS of its first reply reaching the
    fake Twilio. A reply's message row says which inbound it answers (`reply:<sid>:<n>`); its deliveries
    name the SMS sids the fake recorded."""
    rows = query(
        db,
        "SELECT m.provider_id, d.provider_id FROM messages m JOIN deliveries d ON d.message_id = m.id "
        "WHERE m.provider_id LIKE 'reply:%' AND d.channel = 'sms'",
    )
    first: dict[str, float] = {}
    for reply, sms_sid in rows:
        sid, at = reply.split(":")[1], fake.received_at.get(sms_sid)
        if sid in fired and at is not None:
            first[sid] = min(first.get(sid, at), at)
    return {sid: at - fired[sid] for sid, at in first.items()}


if __name__ == "__main__":
    run_on_uvloop(worker() if sys.argv[1:] == ["--worker"] else main())
