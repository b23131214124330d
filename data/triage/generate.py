"""Compose the labelled triage reviews (data/triage/<lang>.jsonl) from the phrase banks in banks/.

Deterministic: the same banks and seed always produce byte-identical files, so the committed
JSONL and this script can be checked against each other (`python data/triage/generate.py --check`).

Each language has its own bank, written natively rather than translated line by line, and a
review is assembled from several slots (opener, one or two facts, closer, tails) with typos,
missing diacritics and casing noise, so the classifier sees varied structure, not one template.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
BANKS = HERE / "banks"
SEED = 20240611
ROWS_PER_LANGUAGE = 600
TOPICS = ("delivery", "product", "service", "billing", "website", "returns", "other")
KINDS = ("constructive", "impulsive", "troll", "black_pr")
KIND_WEIGHTS = (0.40, 0.28, 0.16, 0.16)
# Rating distributions per kind: complaints are mostly 1-3, a few constructive ones are 4-5,
# trolls sometimes give 5 stars ironically.
RATINGS = {
    "constructive": ((1, 2, 3, 4, 5), (0.28, 0.30, 0.25, 0.12, 0.05)),
    "impulsive": ((1, 2, 3, 4, 5), (0.78, 0.14, 0.05, 0.02, 0.01)),
    "troll": ((1, 2, 3, 4, 5), (0.70, 0.05, 0.05, 0.05, 0.15)),
    "black_pr": ((1, 2, 3, 4, 5), (0.88, 0.08, 0.02, 0.01, 0.01)),
}
# P(verified_purchase), P(has_order): real buyers mostly verified; trolls and smears mostly not,
# with noise so the model cannot rely on metadata alone.
METADATA = {
    "constructive": (0.86, 0.90),
    "impulsive": (0.78, 0.82),
    "troll": (0.12, 0.08),
    "black_pr": (0.10, 0.06),
}
STRIP_DIACRITICS = {"pl", "cs", "sq", "de", "sv", "fr", "es", "it"}


def load_bank(path: Path) -> dict[str, list[str]]:
    """Parse `[section]` headers followed by one phrase per line; `#` starts a comment line."""
    bank: dict[str, list[str]] = {}
    section = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            bank.setdefault(section, [])
        elif section is None:
            raise ValueError(f"{path}: text before the first section: {line!r}")
        else:
            bank[section].append(line)
    return bank


def _formats(bank: dict[str, list[str]], key: str) -> list[str]:
    return [v.split("=", 1)[1].strip() for v in bank["format"] if v.split("=", 1)[0].strip() == key]


def _slots(bank: dict[str, list[str]], rng: random.Random) -> dict[str, str]:
    d, m = rng.randint(1, 28), rng.randint(1, 12)
    a = rng.choice([rng.randint(9, 99), rng.randint(100, 999), rng.randint(1000, 4999)])
    return {
        "date": rng.choice(_formats(bank, "date")).format(d=d, m=f"{m:02d}", month=bank["months"][m - 1]),
        "amount": rng.choice(_formats(bank, "amount")).format(a=a, c=rng.choice(["00", "99", "49", "90"])),
        "order": rng.choice(_formats(bank, "order")).format(n=rng.randint(10000, 999999)),
        "item": rng.choice(bank["items"]),
        "courier": rng.choice(bank["couriers"]),
        "rival": rng.choice(bank["rivals"]),
        "days": str(rng.choice([2, 3, 4, 5, 6, 7, 9, 10, 12, 14, 21, 30])),
        "hours": str(rng.randint(2, 72)),
    }


def _pick_topic(bank: dict[str, list[str]], kind: str, rng: random.Random) -> str:
    available = [t for t in TOPICS if bank.get(f"{kind}.{t}")]
    if kind == "troll":  # trolls are mostly about nothing in particular
        return "other" if rng.random() < 0.75 else rng.choice(available)
    if kind in ("constructive", "impulsive"):
        weights = [0.6 if t == "other" else 1.0 for t in available]
        return rng.choices(available, weights)[0]
    return rng.choice(available)


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    w = words[i]
    j = rng.randint(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :] if rng.random() < 0.5 else w[:j] + w[j + 1 :]
    return " ".join(words)


def _strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _compose(bank: dict[str, list[str]], kind: str, topic: str, rating: int, rng: random.Random) -> str:
    slots = _slots(bank, rng)
    parts: list[str] = []
    if kind == "constructive":
        facts = bank[f"constructive.{topic}"]
        if rating >= 4 and rng.random() < 0.8:
            parts.append(rng.choice(bank["positive"]))
        elif rng.random() < 0.45:
            parts.append(rng.choice(bank["opener"]))
        parts.extend(rng.sample(facts, k=1 if rng.random() < 0.55 else min(2, len(facts))))
        if rng.random() < 0.6:
            parts.append(rng.choice(bank["closer"]))
    elif kind == "impulsive":
        parts.append(rng.choice(bank[f"impulsive.{topic}"]))
        if rng.random() < 0.6:
            parts.append(rng.choice(bank["tail.impulsive"]))
        if rng.random() < 0.25:
            parts.append(rng.choice(bank["impulsive.other"]))
    elif kind == "troll":
        parts.append(rng.choice(bank[f"troll.{topic}"]))
        extra = rng.choice(bank["troll.other"])
        if rng.random() < 0.25 and extra != parts[0]:
            parts.append(extra)
    else:
        parts.append(rng.choice(bank[f"black_pr.{topic}"]))
        if rng.random() < 0.55:
            parts.append(rng.choice(bank["tail.black_pr"]))
    text = " ".join(parts).format(**slots)
    if text and text[0].islower() and kind == "constructive":
        text = text[0].upper() + text[1:]
    if kind == "impulsive" and rng.random() < 0.2:
        text = text.upper()
    if kind in ("troll", "impulsive") and rng.random() < 0.2:
        text = text.lower()
    if rng.random() < 0.12:
        text = _typo(text, rng)
    return text


def generate_language(language: str, rows: int, seed: int) -> list[dict[str, object]]:
    bank = load_bank(BANKS / f"{language}.txt")
    # Seed per language so adding a language never changes the others' rows.
    rng = random.Random(f"{seed}:{language}")
    seen: set[str] = set()
    out: list[dict[str, object]] = []
    attempts = 0
    while len(out) < rows:
        attempts += 1
        if attempts > rows * 50:
            raise RuntimeError(f"{language}: bank too small for {rows} distinct reviews")
        kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
        topic = _pick_topic(bank, kind, rng)
        values, weights = RATINGS[kind]
        rating = rng.choices(values, weights)[0]
        text = _compose(bank, kind, topic, rating, rng)
        if language in STRIP_DIACRITICS and rng.random() < 0.08:
            text = _strip_diacritics(text)  # people typing on phones without a local keyboard
        if text in seen:
            continue
        seen.add(text)
        p_verified, p_order = METADATA[kind]
        out.append(
            {
                "text": text,
                "language": language,
                "rating": rating,
                "verified_purchase": rng.random() < p_verified,
                "has_order": rng.random() < p_order,
                "topic": topic,
                "kind": kind,
            }
        )
    return out


def render(rows: list[dict[str, object]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=ROWS_PER_LANGUAGE)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--check", action="store_true", help="fail if committed files differ")
    args = parser.parse_args(argv)
    stale = []
    for bank_path in sorted(BANKS.glob("*.txt")):
        language = bank_path.stem
        content = render(generate_language(language, args.rows, args.seed))
        target = HERE / f"{language}.jsonl"
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != content:
                stale.append(target.name)
        else:
            target.write_text(content, encoding="utf-8")
    if stale:
        print("stale:", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
