"""Held-out precision and recall of the non-compliant class (PLAYBOOK rule 10) per language, for the word
lists alone, the meaning model alone and the combination; plus, with --cv, the threshold sweep by 5-fold
cross-validation on the training drafts that THRESHOLD in bot/policy/draft_meaning.py was chosen from.

Run: .venv/bin/python bench/guardrails_accuracy.py [--cv]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np
import yaml
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.policy import draft_meaning as dm  # noqa: E402
from bot.policy.guardrails import _strings, check_outgoing  # noqa: E402
from bot.policy.guardrails_eval import METHODS, heldout  # noqa: E402


def _table(scores: dict) -> None:
    langs = list(next(iter(scores.values())))
    print(f"{'language':<9}" + "".join(f"{m:>24}" for m in METHODS))
    print(f"{'':<9}" + "".join(f"{'precision  recall  FP':>24}" for _ in METHODS))
    for lang in langs:
        row = f"{lang:<9}"
        for m in METHODS:
            s = scores[m][lang]
            row += f"{s['precision']:>13.3f}{s['recall']:>8.3f}{s['false_positives']:>3}"
        n = scores[METHODS[0]][lang]
        print(row + f"   (n bad {n['n_bad']}, ok {n['n_ok']})")


def _cv(seed: int = 0) -> None:
    drafts = dm.read_set(dm.DEFAULT_DATA_DIR / "train")
    words = dm.read_review_words(dm.DEFAULT_DATA_DIR / dm.REVIEW_WORDS)
    p = np.zeros(len(drafts))
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    for a, b in folds.split(drafts, [f"{d.label}/{d.language}" for d in drafts]):
        model = dm.DraftModel("", words).fit([drafts[i] for i in a])
        gated = [model.about_review(drafts[i].text) for i in b]
        p[b] = [s if g else 0.0 for (s, _), g in zip(model.scores([drafts[i].text for i in b]), gated, strict=True)]
    bad = np.array([d.label != dm.OK for d in drafts])
    print("\n5-fold cross-validation on data/guardrails/train (model alone, review gate on):")
    for th in (0.3, 0.4, 0.5, 0.55, 0.6, 0.7):
        flagged = p >= th
        tp = int((bad & flagged).sum())
        print(f"  threshold {th:.2f}: precision {tp / max(int(flagged.sum()), 1):.3f}  recall {tp / bad.sum():.3f}")


def _rendered() -> list[tuple[str, str]]:
    """Each shipped message with ten combinations of remedy and problem names, a link and sample values."""
    out = []
    for path in sorted((ROOT / "policies" / "messages").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        remedies, problems = list(data["remedy_names"].values()), list(data["problem_names"].values())
        for _, template in _strings(data["messages"], ()):
            for k in range(10):
                text = template.replace("{remedy}", remedies[k % len(remedies)]).replace(
                    "{problem}", problems[k % len(problems)]
                )
                text = text.replace("{edit_url}", f"https://shop.example/r/{k}").replace("{amount}", "25.00 EUR")
                out.append((re.sub(r"\{[a-z_]+\}", "Anna", text), path.stem))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cv", action="store_true", help="also sweep the threshold by cross-validation")
    args = parser.parse_args()
    started = time.perf_counter()
    model = dm.train(dm.DEFAULT_DATA_DIR)
    print(
        f"trained on {len(dm.read_set(dm.DEFAULT_DATA_DIR / 'train'))} drafts in "
        f"{time.perf_counter() - started:.1f}s; threshold {dm.THRESHOLD}"
    )
    print("\nHeld-out drafts (data/guardrails/eval), non-compliant class:")
    _table(heldout(model))
    shipped = []
    for path in sorted((ROOT / "policies" / "messages").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        shipped += [t for _, t in _strings(data.get("messages"), ("messages",)) if isinstance(t, str)]
    refused = sum(r is not None for r in model.broken_rules(shipped))
    print(f"\nshipped policies/messages/*.yml: {refused} of {len(shipped)} messages refused by the model")
    sent = _rendered()
    refused = sum(bool(check_outgoing(text, lang)) for text, lang in sent)
    print(f"the same messages as sent (values filled in, 10 each): {refused} of {len(sent)} refused by check_outgoing")
    started = time.perf_counter()
    for _ in range(10):
        model.scores(shipped[:100])
    print(f"model latency: {(time.perf_counter() - started) / 1000 * 1000:.2f} ms per message (batches of 100)")
    if args.cv:
        _cv()


if __name__ == "__main__":
    main()
