"""Per-language held-out accuracy of the triage model, plus train time and predict throughput.

Run: .venv/bin/python bench/triage_accuracy.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.intake.triage_model import TriageInput, evaluate, load_rows, train  # noqa: E402


def main() -> None:
    data_dir = ROOT / "data" / "triage"
    result = evaluate(data_dir, test_fraction=0.2, seed=0)
    print(f"{'lang':<6}{'n':>6}{'topic acc':>12}{'kind acc':>11}")
    for lang, s in result["languages"].items():
        print(f"{lang:<6}{s['n']:>6}{s['topic_accuracy']:>12.3f}{s['kind_accuracy']:>11.3f}")
    o = result["overall"]
    print(f"{'all':<6}{o['n']:>6}{o['topic_accuracy']:>12.3f}{o['kind_accuracy']:>11.3f}")
    print(f"train: {result['n_train']} rows in {result['train_seconds']:.1f} s")

    model = train(load_rows(data_dir))
    short = [TriageInput(f"Parcel {i} still not here, courier lost it", 1, None, True, "en") for i in range(20000)]
    started = time.perf_counter()
    model.predict(short)
    elapsed = time.perf_counter() - started
    print(f"predict: {len(short)} short items in {elapsed:.2f} s = {len(short) / elapsed:,.0f} items/s")


if __name__ == "__main__":
    main()
