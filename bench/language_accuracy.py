"""Language detection accuracy on the hand-written evaluation text (data/eval/triage reviews and data/eval/nlu
messages), as written, folded to plain ASCII (a phone without diacritics) and, for Russian and Ukrainian,
transliterated to Latin letters (issue 18). Per language: right / total for each form, with the folded-text
model (bot/understanding/folded_words.py) and, with --lingua-only, without it.

    .venv/bin/python bench/language_accuracy.py [--lingua-only]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.platform.folding import plain  # noqa: E402
from bot.understanding import language as language_module  # noqa: E402
from bot.understanding.translit import latin_texts  # noqa: E402


def _rows() -> list[tuple[str, str]]:
    rows = []
    for sub, key in (("triage", "reviews"), ("nlu", "messages")):
        for path in sorted((ROOT / "data" / "eval" / sub).glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            rows += [(r["text"], data["language"]) for r in data.get(key, [])]
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lingua-only", action="store_true", help="without the folded-text model")
    ap.add_argument("--misses", action="store_true")
    args = ap.parse_args()
    if args.lingua_only:
        language_module.folded_language = lambda _text: None  # type: ignore[assignment]
    forms: dict[str, list[tuple[str, str]]] = {"as_written": [], "folded": []}
    for text, lang in _rows():
        forms["as_written"].append((text, lang))
        if lang in ("ru", "uk"):
            forms["folded"] += [(t, lang) for t in latin_texts(text, lang)[:2]]
        else:
            forms["folded"].append((plain(text), lang))
    print(f"{'lang':<6}" + "".join(f"{f:>18}" for f in forms))
    table: dict[str, dict[str, list[int]]] = {}
    for form, rows in forms.items():
        got = language_module.detect_languages([t for t, _ in rows])
        for (text, want), g in zip(rows, got, strict=True):
            cell = table.setdefault(want, {}).setdefault(form, [0, 0])
            cell[0] += g == want
            cell[1] += 1
            if args.misses and g != want:
                print(f"  {form} {want}->{g}: {text}")
    totals = {f: [0, 0] for f in forms}
    for lang in sorted(table):
        line = f"{lang:<6}"
        for form in forms:
            ok, n = table[lang].get(form, [0, 0])
            totals[form][0] += ok
            totals[form][1] += n
            line += f"{f'{ok}/{n}':>18}"
        print(line)
    print(f"{'total':<6}" + "".join(f"{f'{ok}/{n} ({ok / n:.1%})':>18}" for ok, n in totals.values()))


if __name__ == "__main__":
    main()
