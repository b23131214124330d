"""Held-out NLU accuracy per language, per-intent F1, emotion accuracy, train time and parse latency.

Run: .venv/bin/python bench/nlu_accuracy.py [--seeds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.understanding.nlu import DEFAULT_DATA_DIR, evaluate, load_nlu, train  # noqa: E402

# Buyer messages of the lengths a chat sees, parsed with and without the conversation's language.
MESSAGES = [
    "ok",
    "tak",
    "STOP",
    "нет",
    "dziękuję!",
    "I want to talk to a human",
    "Zamówienie NL-2026-10442: namiot przyszedł rozbity 14.10, zapłaciłam 129,90 zł",
    "my order #10442 arrived yesterday and the kettle was crushed, call me on +44 20 7946 0958",
    "Der Wasserkocher kam am Montag kaputt an, 20 EUR Versand extra!!!",
    "ВЫ МОШЕННИКИ, ВЕРНИТЕ ДЕНЬГИ",
    "mos më shkruani më",
    "tältet kom med en trasig stång och ingen svarar på mina mejl sedan i fredags",
]


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=1, help="average the held-out split over this many seeds")
    args = parser.parse_args()

    runs = [evaluate(DEFAULT_DATA_DIR, test_fraction=0.2, seed=seed) for seed in range(args.seeds)]
    first = runs[0]
    print(f"held-out split 20%, stratified by intent+language, seeds 0..{args.seeds - 1}")
    print(f"{'lang':<6}{'n':>6}{'intent acc':>12}")
    for lang in first["languages"]:
        n = sum(r["languages"][lang]["n"] for r in runs)
        acc = statistics.mean(r["languages"][lang]["accuracy"] for r in runs)
        print(f"{lang:<6}{n:>6}{acc:>12.3f}")
    overall = statistics.mean(r["overall"]["accuracy"] for r in runs)
    macro = statistics.mean(r["overall"]["macro_f1"] for r in runs)
    print(f"{'all':<6}{sum(r['n_test'] for r in runs):>6}{overall:>12.3f}   macro F1 {macro:.3f}")
    print()
    print(f"{'intent':<22}{'F1':>6}")
    for intent in first["intents"]:
        print(f"{intent:<22}{statistics.mean(r['intents'][intent]['f1'] for r in runs):>6.2f}")
    emotion = statistics.mean(r["emotion"]["accuracy"] for r in runs)
    print(f"\nemotion accuracy (calm/upset/angry, held-out): {emotion:.3f} on {first['emotion']['n']} per seed")

    started = time.perf_counter()
    model = train(DEFAULT_DATA_DIR)
    print(f"train on all data: {time.perf_counter() - started:.2f} s wall (fit {model.train_seconds:.2f} s)")

    with tempfile.TemporaryDirectory() as tmp:
        nlu = load_nlu(Path(tmp), DEFAULT_DATA_DIR)
        for text in MESSAGES * 20:  # warm-up: lingua's models, numpy paths
            nlu.parse(text)
        latencies = []
        for i in range(5000):
            text = MESSAGES[i % len(MESSAGES)]
            t = time.perf_counter()
            nlu.parse(text, fallback_language="pl" if i % 2 else None, items=["Alpine Tent 2P"])
            latencies.append((time.perf_counter() - t) * 1000)
    print(
        f"parse latency over {len(latencies)} messages: p50 {_percentile(latencies, 50):.2f} ms, "
        f"p99 {_percentile(latencies, 99):.2f} ms, max {max(latencies):.2f} ms"
    )


if __name__ == "__main__":
    main()
