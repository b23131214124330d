"""Shared benchmark helpers: percentiles, peak memory, a scratch database."""

from __future__ import annotations

import os
import resource
import statistics
import tempfile
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scratch_database(url: str | None) -> str:
    """A fresh, empty database for one run: a temp SQLite file, or a recreated PostgreSQL database.

    For PostgreSQL the URL's database name is dropped and created again, so point it at a database that
    exists only for benchmarks (the default `mediator_bench`), never at real data.
    """
    if not url or url.startswith("sqlite"):
        return f"sqlite:///{Path(tempfile.mkdtemp(prefix='mediator-bench-')) / 'bench.db'}"
    base, _, name = url.rpartition("/")
    if name in {"postgres", "template0", "template1"}:
        raise SystemExit(f"refusing to recreate database {name!r}; use a benchmark-only database")
    admin = base.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


# One buyer's ten messages, used by the turn and channel benchmarks: a whole mediation up to the remedy
# being recorded (the follow-up and the revision ask wait days, on timers), then the questions a buyer
# asks while the replacement is on its way.
SCRIPT = [
    "Hello, the parcel finally came but the lamp inside is broken",
    "No photo, sorry, I already threw the box away",
    "I'd like a replacement please",
    "Yes, that works for me",
    "When will it arrive?",
    "Ok thanks",
    "How many days do I have to return something?",
    "It's the white Fjord table lamp, if that matters",
    "Do I need to send the broken one back?",
    "Great, thank you",
]
QUESTIONS = {i for i, text in enumerate(SCRIPT) if text.endswith("?")}


def script_line(buyer: int, turn: int, distinct: bool = False) -> str:
    """Line `turn` of the bench script for buyer `buyer`. With `distinct`, every buyer's questions are their
    own text (the order number appended), so no knowledge search is answered from the cache: a bench that
    repeats the questions cannot show what a search costs inside a turn."""
    text = SCRIPT[turn % len(SCRIPT)]
    return text + f" My order is {1000 + buyer}." if distinct and turn % len(SCRIPT) in QUESTIONS else text


async def bench_runtime(url: str | None):  # type: ignore[no-untyped-def]
    """A runtime on a scratch database with one shop, "bench", and the policies/ folder published for it."""
    from bot.app.runtime import build_runtime
    from bot.platform.clock import SystemClock
    from bot.platform.config import Settings, ShopSettings
    from bot.store.shops import ensure_shop

    root = ROOT
    settings = Settings(
        database_url=scratch_database(url),
        data_dir=root / "var",
        policies_dir=root / "policies",
        shops={"bench": ShopSettings(name="Bench")},
        config_file=root / "config.yml",
        public_url="http://127.0.0.1:1",
    )
    # refresh_knowledge: the index in var/chroma persists between runs, and a document added since (a new
    # language) would otherwise be missing, and the bot would quote another language in its place.
    rt = await build_runtime(settings, SystemClock(), refresh_knowledge=True)
    async with rt.sessions() as session, session.begin():
        await ensure_shop(session, "bench", "Bench", "bench-key", rt.clock.now())
    await rt.seed_policies()
    return rt


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), to show what a webhook and a turn cost."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
