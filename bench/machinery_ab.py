"""Interleaved A/B of the private performance machinery on the embedded SQLite path (issue 17.8).

    .venv/bin/python bench/machinery_ab.py [--rounds 5] [--conversations 200] [--turns 10]

Each variant swaps one piece for the simpler, library-only arrangement it replaced:

- `nlu_in_process`: buyer messages parsed on the server's own core, instead of bot/understanding/nlu_process.py.

`--distinct-questions` makes every conversation's questions its own text (the order number appended, as
buyers write), so no search is answered from the cache.

Results (2026-12-04/05, issue 17.8). This one-process run is not enough on its own: it is blind to what a
turn's transaction costs the *other* processes on the same SQLite file. Each removal it favoured was therefore
also run through bench/channels.py (a web and a worker process, 100 SMS webhooks/s, interleaved pairs):
- the turn replay on `LookupNeeded` (a turn that needed an uncached search stepped out of its transaction,
  searched and was replayed): removed. Awaiting the search inside the turn measured 8% faster here with
  distinct questions, and bench/channels.py --distinct-questions (searches not answered from the cache) saw no
  cost to the other process either: 3 interleaved pairs at 100 webhooks/s, webhook p50 4.7-6.0 ms with the
  replay vs 5.3-5.6 ms without, p99 73-190 vs 99-144 ms, worker CPU 6.3-6.5 vs 6.5-6.7 s; 2 pairs at 150/s,
  p50 14-57 vs 10.5-10.6 ms, drain 4.8-18.7 vs 2.5-4.8 s (2026-12-05, with other work on the host);
- `sqlite_inline`: kept. 2-3% slower here without it (and a checkpoint thread since removed), but 35% fewer
  turns/s and webhook p50 12-15 ms -> 1.8-2.7 s in bench/channels.py (its docstring gives the figures);
- the WAL checkpoint thread: removed (2026-12-05). It shortened the commits' tail (COMMIT p99 8-16 ms vs 13-18 ms
  with SQLite's own autocheckpoint, 3 pairs) but bench/channels.py showed no difference end to end in 5
  interleaved pairs (worker CPU 11.8 / 11.8 vs 12.0 / 11.6 ms a turn at load ~3), so SQLite checkpoints itself;
- `nlu_process`: kept. 10-11% faster here without it, once flow.problem_reading spared most parses the
  sentence encoder, but in bench/channels.py parsing inside the turn's transaction holds the write lock the
  webhooks wait for: webhook p50 9-55 ms -> 256-620 ms, p99 0.1-0.8 s -> 4.0-4.7 s, turns/s 81 -> 64
  (bot/understanding/nlu_process.py).

Every run is a fresh process (nothing leaks between variants) doing the closed-loop capacity run of
bench/turn.py: all conversations send their next message as soon as the bot answered. The variants run
in a new shuffled order each round, because this host's speed drifts within a session; the figures are
each variant's median over the rounds: turns per second, and CPU milliseconds per turn (the server process
and its NLU helper together). A piece is worth keeping only if its simpler variant is >10% slower.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import script_line  # noqa: E402

VARIANTS = ("baseline", "nlu_in_process")


def cpu_seconds(process: psutil.Process) -> float:
    total = 0.0
    for p in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = p.cpu_times()
            total += times.user + times.system
    return total


def script_for(case_id: int, turns: int, distinct: bool) -> list[str]:
    return [script_line(case_id, turn, distinct) for turn in range(turns)]


async def one_run(variant: str, conversations: int, turns: int, distinct: bool) -> dict[str, float]:
    import os

    if variant == "nlu_in_process":
        os.environ["MEDIATOR_SERVER__NLU_PROCESS"] = "false"
    from bench.turn import WARM_UP, setup

    rt, case_ids = await setup(conversations + WARM_UP, None)
    if variant == "nlu_in_process":
        assert rt.conversation.nlu_process is None, "the NLU helper process was started anyway"
    me = psutil.Process()
    try:
        cpu0, t0 = cpu_seconds(me), time.perf_counter()

        async def conversation(case_id: int) -> None:
            for text in script_for(case_id, turns, distinct):
                await rt.conversation.buyer_message(case_id, text, channel="webchat")

        await asyncio.gather(*(conversation(c) for c in case_ids))
        elapsed, cpu = time.perf_counter() - t0, cpu_seconds(me) - cpu0
    finally:
        await rt.close()
    done = len(case_ids) * turns
    return {"turns_per_s": done / elapsed, "cpu_ms_per_turn": 1000 * cpu / done}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--distinct-questions", action="store_true", help="no two conversations ask the same")
    parser.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)  # one run, in a child process
    parser.add_argument("--only", action="append", choices=VARIANTS, help="run only these variants (repeatable)")
    args = parser.parse_args()
    if args.variant:
        import uvloop

        print(json.dumps(uvloop.run(one_run(args.variant, args.conversations, args.turns, args.distinct_questions))))
        return
    variants = args.only or list(VARIANTS)
    if "baseline" not in variants:
        variants.insert(0, "baseline")
    runs: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
    for r in range(args.rounds):
        order = random.sample(variants, len(variants))
        for v in order:
            cmd = [sys.executable, __file__, "--variant", v, "--conversations", str(args.conversations)]
            cmd += ["--turns", str(args.turns)] + (["--distinct-questions"] if args.distinct_questions else [])
            out = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if out.returncode != 0:
                sys.exit(f"{v} failed:\n{out.stderr[-3000:]}")
            runs[v].append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(f"round {r + 1}: {v:22} {runs[v][-1]['turns_per_s']:7.0f} turns/s", file=sys.stderr, flush=True)
    base = {k: statistics.median(x[k] for x in runs["baseline"]) for k in ("turns_per_s", "cpu_ms_per_turn")}
    asked = "distinct questions" if args.distinct_questions else "the same questions"
    print(f"{args.conversations} conversations x {args.turns} turns ({asked}), {args.rounds} rounds, medians:")
    print(f"{'variant':24}{'turns/s':>10}{'vs base':>10}{'CPU ms/turn':>14}{'vs base':>10}")
    for v in variants:
        tps = statistics.median(x["turns_per_s"] for x in runs[v])
        cpu = statistics.median(x["cpu_ms_per_turn"] for x in runs[v])
        print(
            f"{v:24}{tps:10.0f}{tps / base['turns_per_s'] - 1:+10.0%}"
            f"{cpu:14.2f}{cpu / base['cpu_ms_per_turn'] - 1:+10.0%}"
        )


if __name__ == "__main__":
    main()
