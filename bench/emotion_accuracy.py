"""Emotion level on the hand-written evaluation set (data/eval/emotion/), per language: accuracy, macro-F1,
recall per level, calm buyers read as upset or angry (a needless calming reply) and angry buyers read as calm
(asked for facts while furious); overall the same and the confusion matrix.

The NLU is the bot's own (load_nlu, trained from data/ or read from the cache); each message is parsed with its
own language as the conversation's, as the dialogue does.

Run: PYTHONPATH=$PWD .venv/bin/python bench/emotion_accuracy.py [--misses] [--data-dir DIR] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.understanding.nlu import DEFAULT_DATA_DIR, LEVELS, load_nlu  # noqa: E402
from bot.understanding.nlu_eval import DEFAULT_EMOTION_EVAL_DIR, emotion_scores, load_emotion_eval  # noqa: E402


def _row(name: str, s: dict) -> str:
    recall = "".join(f"{s['recall'][lvl]:>8.2f}" for lvl in LEVELS)
    calm, angry = s["n_level"]["calm"], s["n_level"]["angry"]
    return (
        f"{name:<6}{s['n']:>5}{s['accuracy']:>7.3f}{s['macro_f1']:>7.3f}{recall}"
        f"{s['calm_as_upset']:>6}/{calm:<3}{s['angry_as_calm']:>7}/{angry:<3}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="train from this data folder")
    ap.add_argument("--eval-dir", type=Path, default=DEFAULT_EMOTION_EVAL_DIR)
    ap.add_argument("--cache-dir", type=Path, default=None, help="model cache (default: a fresh temporary one)")
    ap.add_argument("--misses", action="store_true", help="list every message whose level is read wrong")
    args = ap.parse_args()

    messages = load_emotion_eval(args.eval_dir)
    with tempfile.TemporaryDirectory() as tmp:
        nlu = load_nlu(args.cache_dir or Path(tmp), args.data_dir)
        parsed = [nlu.parse(m.text, fallback_language=m.language) for m in messages]
    predicted = [p.level for p in parsed]

    print(f"hand-written evaluation set {args.eval_dir.name}/: {len(messages)} messages (never trained on)")
    recall = "".join(f"{'R ' + lvl:>8}" for lvl in LEVELS)
    print(f"{'lang':<6}{'n':>5}{'acc':>7}{'F1':>7}{recall}  calm->u/a  angry->calm")
    for lang in sorted({m.language for m in messages}):
        idx = [i for i, m in enumerate(messages) if m.language == lang]
        print(_row(lang, emotion_scores([messages[i].level for i in idx], [predicted[i] for i in idx])))
    print(_row("all", emotion_scores([m.level for m in messages], predicted)))

    print("\nconfusion (rows: expected, columns: read as)")
    print(f"{'':<8}" + "".join(f"{lvl:>7}" for lvl in LEVELS))
    for g in LEVELS:
        counts = [sum(m.level == g and q == lvl for m, q in zip(messages, predicted, strict=True)) for lvl in LEVELS]
        print(f"{g:<8}" + "".join(f"{c:>7}" for c in counts))

    if args.misses:
        print("\nmisses (where: expected -> read as, anger: text)")
        for m, p in zip(messages, parsed, strict=True):
            if p.level != m.level:
                print(f"  {m.where}: {m.level} -> {p.level}, anger {p.anger:.2f}: {m.text}")


if __name__ == "__main__":
    main()
