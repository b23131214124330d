"""The reactive buyer simulator's figures (issue 18), per language and in total.

Hand-written personas (data/eval/buyers/<lang>.yml) talk to the real engine on a virtual clock, each
answering what the bot just asked (bot/app/buyer_sim.py). Printed per language: conversations; agreed
remedies without staff among the buyers whose wish the policy allows (goal >= 80%); of those, how many
went to staff afterwards (failed_after: the remedy failed at the follow-up, or a later message needed a
person); of the remedies buyers confirmed with the bot, the share that meets their wish (wish_met, issue
19); handoffs and their reasons; false opt-outs (goal 0) and missed ones; repeated questions (goal <= 1
per 20 conversations); wrong-language replies (goal 0); "not understood" replies.

    .venv/bin/python bench/buyers.py [--lang pl --lang de] [--transcripts DIR] [--seed 1] [--max-turns 12]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, peak_rss_mb
from bot.app.buyer_sim import figures, persona_files, render_transcript, run_buyers
from bot.platform.config import get_settings

COLUMNS = (
    "conversations",
    "agreed",
    "failed_after",
    "wish_met",
    "handoffs",
    "false_opt_outs",
    "missed_opt_outs",
    "repeated_q",
    "wrong_lang",
    "not_understood",
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", action="append", help="only this language (repeatable)")
    ap.add_argument("--persona", action="append", help="only this persona id (repeatable)")
    ap.add_argument("--transcripts", type=Path, help="write one readable transcript per conversation here")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-turns", type=int, default=12, help="buyer messages per conversation at most")
    ap.add_argument("--personas-dir", type=Path, default=ROOT / "data" / "eval" / "buyers")
    args = ap.parse_args()
    try:
        files = persona_files(args.personas_dir, args.lang)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        conversations = asyncio.run(
            run_buyers(
                get_settings(),
                files,
                seed=args.seed,
                max_turns=args.max_turns,
                personas=set(args.persona) if args.persona else None,
            )
        )
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    took = time.perf_counter() - started
    if args.transcripts:
        args.transcripts.mkdir(parents=True, exist_ok=True)
        for c in conversations:
            (args.transcripts / f"{c.persona}.txt").write_text(render_transcript(c), encoding="utf-8")
    per = figures(conversations)
    print(f"{'lang':6}" + "".join(f"{c:>16}" for c in COLUMNS))
    for lang, f in per.items():
        row = f.row()
        print(f"{lang:6}" + "".join(f"{row[c]!s:>16}" for c in COLUMNS))
    print("\nhandoff reasons:")
    for lang, f in per.items():
        if f.handoffs:
            print(f"  {lang:6} " + ", ".join(f"{r} {n}" for r, n in f.handoffs.most_common()))
    print("\nhow conversations ended:")
    for lang, f in per.items():
        print(f"  {lang:6} " + ", ".join(f"{r} {n}" for r, n in f.ends.most_common()))
    total = per.get("total")
    if total and total.conversations:
        print(f"\nrepeated questions per 20 conversations: {20 * total.repeated / total.conversations:.2f}")
    print(f"{len(conversations)} conversations in {took:.0f} s, peak RSS {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
