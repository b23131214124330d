"""Triage (kind, topic) accuracy on the hand-written reviews in data/eval/triage/, per language, plus train
time and predict throughput.

Not a split of data/triage/*.jsonl: that split comes from the same generated banks as the training rows.

Run: .venv/bin/python bench/triage_accuracy.py [--misses]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.metrics import f1_score  # noqa: E402

from bot.intake.triage_model import TriageInput, eval_inputs, load_eval_rows, load_rows, train  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--misses", action="store_true", help="list every review with a wrong kind or topic")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "triage", help="train from these *.jsonl")
    args = parser.parse_args()

    rows = load_eval_rows()
    started = time.perf_counter()
    model = train(load_rows(args.data_dir))
    trained = time.perf_counter() - started
    predictions = model.predict(eval_inputs(rows))

    per: dict[str, list[int]] = {}
    for r, p in zip(rows, predictions, strict=True):
        s = per.setdefault(r["language"], [0, 0, 0])
        s[0] += 1
        s[1] += p.kind == r["kind"]
        s[2] += p.topic == r["topic"]
    print(f"hand-written evaluation set data/eval/triage: {len(rows)} reviews (never trained on)")
    print(f"{'lang':<6}{'n':>5}{'kind acc':>10}{'topic acc':>11}")
    for lang, (n, kind_ok, topic_ok) in sorted(per.items()):
        print(f"{lang:<6}{n:>5}{kind_ok / n:>10.3f}{topic_ok / n:>11.3f}")
    n = len(rows)
    kind_acc = sum(s[1] for s in per.values()) / n
    topic_acc = sum(s[2] for s in per.values()) / n
    kind_f1 = f1_score([r["kind"] for r in rows], [p.kind for p in predictions], average="macro", zero_division=0)
    topic_f1 = f1_score([r["topic"] for r in rows], [p.topic for p in predictions], average="macro", zero_division=0)
    print(f"{'all':<6}{n:>5}{kind_acc:>10.3f}{topic_acc:>11.3f}   macro F1 kind {kind_f1:.3f}, topic {topic_f1:.3f}")
    # The costly mistake: a real buyer's complaint filed as troll/black_pr is never mediated.
    genuine = [(r, p) for r, p in zip(rows, predictions, strict=True) if r["kind"] in ("constructive", "impulsive")]
    dismissed = sum(p.kind in ("troll", "black_pr") for _, p in genuine)
    print(f"genuine complaints dismissed as troll/black_pr: {dismissed} of {len(genuine)}")

    if args.misses:
        print("\nmisses (where: expected kind/topic -> predicted: text)")
        for r, p in zip(rows, predictions, strict=True):
            if p.kind != r["kind"] or p.topic != r["topic"]:
                print(f"  {r['where']}: {r['kind']}/{r['topic']} -> {p.kind}/{p.topic}: {r['text']}")

    print(f"\ntrain: {trained:.1f} s")
    short = [TriageInput(f"Parcel {i} still not here, courier lost it", 1, None, True, "en") for i in range(20000)]
    started = time.perf_counter()
    model.predict(short)
    elapsed = time.perf_counter() - started
    print(f"predict: {len(short)} short items in {elapsed:.2f} s = {len(short) / elapsed:,.0f} items/s")


if __name__ == "__main__":
    main()
