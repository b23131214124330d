"""Problem recognition on the hand-written evaluation set (data/eval/problems/), per language: the share of
messages whose problem the NLU finds (a `none` message: that it finds none), and the false problems it finds
in messages that name none.

Run: .venv/bin/python bench/problem_accuracy.py [--misses] [--lookup-only]
`--lookup-only` scores the phrase lookup alone (data/nlu.yml's `problem` lookup), the way main read problems
before the classifier in bot/understanding/problems.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.understanding.nlu import DEFAULT_DATA_DIR, load_nlu  # noqa: E402
from bot.understanding.nlu_eval import DEFAULT_PROBLEM_EVAL_DIR, load_problem_eval, problem_right  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    ap.add_argument("--eval-dir", type=Path, default=DEFAULT_PROBLEM_EVAL_DIR)
    ap.add_argument("--cache-dir", type=Path, default=None, help="model cache (default: a fresh temporary one)")
    ap.add_argument("--lookup-only", action="store_true", help="the phrase lookup alone, without the classifier")
    ap.add_argument("--misses", action="store_true", help="list every message read wrong")
    args = ap.parse_args()

    messages = load_problem_eval(args.eval_dir)
    with tempfile.TemporaryDirectory() as tmp:
        nlu = load_nlu(args.cache_dir or Path(tmp), args.data_dir)
        if args.lookup_only:
            found = [nlu.entities(m.text, m.language)[1] for m in messages]
        else:
            found = [nlu.parse(m.text, fallback_language=m.language).problems for m in messages]

    per: dict[str, list[int]] = {}
    false_problems = 0
    misses = []
    for m, problems in zip(messages, found, strict=True):
        s = per.setdefault(m.language, [0, 0])
        right = problem_right(m.problem, problems)
        s[0] += 1
        s[1] += right
        false_problems += m.problem == "none" and bool(problems)
        if not right:
            misses.append((m.where, m.problem, problems, m.text))
    print(f"{'language':10}{'n':>5}{'accuracy':>10}")
    for lang, (n, ok) in sorted(per.items()):
        print(f"{lang:10}{n:>5}{ok / n:>10.3f}")
    n, ok = len(messages), sum(s[1] for s in per.values())
    print(f"{'all':10}{n:>5}{ok / n:>10.3f}")
    n_none = sum(m.problem == "none" for m in messages)
    print(f"false problems on messages naming none: {false_problems}/{n_none}")
    if args.misses:
        for where, expected, problems, text in misses:
            print(f"  {where}: expected {expected}, found {problems or 'none'}: {text}")


if __name__ == "__main__":
    main()
