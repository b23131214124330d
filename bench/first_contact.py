"""What the first message names, over every persona's review: the right problem, a wrong one, or the general
wording ("the problem with your order"), per language (issue 18: a wrong-coloured curtain greeted as a late
delivery).

The review goes through what a case does before its first message: triage (topic, its confidence, kind), the
NLU's reading of the review's problems (engine._state, for constructive and impulsive reviews), then
context.first_problem. The persona's `problem` is the truth.

Run: .venv/bin/python bench/first_contact.py [--misses] [DIR ...]   (default: data/eval/buyers*/)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.conversation.context import first_problem  # noqa: E402
from bot.intake.triage import TRIAGE_DATA  # noqa: E402
from bot.intake.triage_model import TriageInput, load_rows, train  # noqa: E402
from bot.understanding.nlu import load_nlu  # noqa: E402

# Persona files spell a few problems their own way.
ALIASES = {"lost": "lost_in_transit", "rude_service": "support_rude"}


def personas(dirs: list[Path]) -> list[dict]:
    out = []
    for d in dirs:
        for f in sorted(d.glob("*.yml")):
            data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
            for p in data.get("personas") or []:
                if p.get("review"):
                    out.append({**p, "language": data.get("language", f.stem), "set": d.name})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", type=Path)
    ap.add_argument("--misses", action="store_true", help="list every review greeted with a wrong problem")
    args = ap.parse_args()
    dirs = args.dirs or sorted(p for p in (ROOT / "data" / "eval").glob("buyers*") if p.is_dir())
    rows = personas(dirs)

    triage = train(load_rows(TRIAGE_DATA))
    inputs = [
        TriageInput(p["review"], int(p.get("rating", 2)), None, bool(p.get("order")), p["language"]) for p in rows
    ]
    predictions = triage.predict(inputs)
    with tempfile.TemporaryDirectory() as tmp:
        nlu = load_nlu(ROOT / "var" / "test-cache" if (ROOT / "var" / "test-cache").is_dir() else Path(tmp))
        per: dict[str, list[int]] = {}
        misses = []
        for p, t in zip(rows, predictions, strict=True):
            items = [i["name"] for i in (p.get("order") or {}).get("items", [])]
            read = nlu.problems(p["review"], p["language"], items) if t.kind in ("constructive", "impulsive") else []
            named = first_problem(sorted(set(read)), t.topic, t.topic_confidence)
            truth = ALIASES.get(p["problem"], p["problem"])
            s = per.setdefault(p["language"], [0, 0, 0, 0])
            s[0] += 1
            column = 2 if named == truth else 3 if named == "other" else 1
            s[column] += 1
            if column == 1:
                misses.append((p["set"], p["id"], truth, named, t.topic, t.topic_confidence, p["review"]))

    print(f"{'language':10}{'n':>5}{'wrong':>7}{'right':>7}{'general':>9}")
    for lang, (n, wrong, right, general) in sorted(per.items()):
        print(f"{lang:10}{n:>5}{wrong:>7}{right:>7}{general:>9}")
    total = [sum(s[i] for s in per.values()) for i in range(4)]
    print(f"{'all':10}{total[0]:>5}{total[1]:>7}{total[2]:>7}{total[3]:>9}")
    if args.misses:
        for where, pid, truth, named, topic, conf, review in misses:
            print(f"  {where}/{pid}: is {truth}, named {named} (topic {topic} {conf:.2f}): {review[:120]}")


if __name__ == "__main__":
    main()
