"""Which knowledge section answers a buyer's question, per language, as the bot searches (issue 18.9).

Questions from data/eval/retrieval/<lang>.yml (written as buyers ask half-way through a chat: typos, no
diacritics), each with the file and section (its anchor, the same in every language) that answers it. Each is
searched the way answer_question does: among the passages in its own language, the configured embeddings and
hybrid weight, in a temporary Chroma store built by the real loader and splitter.

    .venv/bin/python bench/retrieval_accuracy.py [--eval-dir data/eval/retrieval] [--hybrid-weight W] [--misses]

Prints, per language: section@1 (the first passage is the expected section), file@1, section@3.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.platform.config import load_settings  # noqa: E402
from bot.platform.knowledge_config import KnowledgeSettings, PersistentStoreSettings  # noqa: E402
from bot.retrieval.index import KnowledgeBase  # noqa: E402


def load_questions(eval_dir: Path) -> list[dict[str, str]]:
    """Every question of every <lang>.yml; a malformed entry raises naming the file, the entry and the fix."""
    rows = []
    for path in sorted(eval_dir.glob("*.yml")):
        for n, item in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))["questions"], start=1):
            missing = [k for k in ("q", "source", "section") if not str(item.get(k) or "").strip()]
            if missing:
                raise SystemExit(
                    f"{path.name}: question {n} needs {missing} (q: text, source: file.md, section: anchor)"
                )
            rows.append({**item, "lang": path.stem})
    if not rows:
        raise SystemExit(f"no <lang>.yml with questions in {eval_dir}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=ROOT / "data/eval/retrieval")
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--hybrid-weight", type=float, default=None, help="default: config.yml's")
    parser.add_argument("--misses", action="store_true", help="list the questions whose first passage is wrong")
    args = parser.parse_args()

    questions = load_questions(args.eval_dir)
    configured = load_settings(ROOT / "config.yml").knowledge
    with tempfile.TemporaryDirectory() as tmp:
        settings = KnowledgeSettings(
            knowledge_dir=args.knowledge,
            store=PersistentStoreSettings(path=Path(tmp) / "chroma"),
            collection="eval",
            embeddings=configured.embeddings,
            hybrid_weight=configured.hybrid_weight if args.hybrid_weight is None else args.hybrid_weight,
        )
        kb = KnowledgeBase(settings)
        kb.index()
        index = kb._lexical_index()  # the chunks' metadata: a passage's section name (anchor)
        anchor = {(m["source"], m.get("heading", "")): m.get("anchor", "") for m in index.metadatas}
        hits: dict[str, list[tuple[bool, bool, bool]]] = defaultdict(list)
        misses = []
        for item in questions:
            found = kb.search(item["q"], k=3, language=item["lang"])
            got = [(p.source.rsplit("/", 1)[-1], anchor.get((p.source, p.heading), "")) for p in found]
            want = (item["source"], item["section"])
            hit = (got[:1] == [want], [f for f, _ in got[:1]] == [want[0]], want in got)
            hits[item["lang"]].append(hit)
            hits["all"].append(hit)
            if not hit[0]:
                misses.append((item["lang"], item["q"], "/".join(want), "/".join(got[0]) if got else "-"))

    print(
        f"retrieval on {len(questions)} questions, {settings.embeddings.provider}, "
        f"hybrid weight {settings.hybrid_weight}"
    )
    print(f"{'lang':6} {'n':>3} {'section@1':>10} {'file@1':>8} {'section@3':>10}")
    for lang in [*sorted(k for k in hits if k != "all"), "all"]:
        rows = hits[lang]
        n = len(rows)
        cols = [sum(r[i] for r in rows) / n for i in range(3)]
        print(f"{lang:6} {n:>3} {cols[0]:>10.2f} {cols[1]:>8.2f} {cols[2]:>10.2f}")
    if args.misses:
        for lang, q, want, got in misses:
            print(f"  miss [{lang}] {q!r}: want {want}, got {got}")


if __name__ == "__main__":
    main()
