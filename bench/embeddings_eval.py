"""Recall@1 and recall@3 of each embedding model (and lexical / hybrid ranking) on the retrieval set.

Runs the real pipeline (bot.retrieval.index: loader, splitter, Chroma, fusion) against the demo knowledge
in a temporary store, so the figures are those the bot gets.

    .venv/bin/python bench/embeddings_eval.py [--questions data/retrieval/questions.yml] [--no-minilm] [--in-language]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import yaml
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.platform.knowledge_config import (  # noqa: E402
    EmbeddingsSettings,
    KnowledgeSettings,
    PersistentStoreSettings,
)
from bot.retrieval.index import KnowledgeBase  # noqa: E402


def load_questions(path: Path) -> list[dict[str, str]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]


def evaluate(
    kb: KnowledgeBase, questions: list[dict[str, str]], in_language: bool = False
) -> dict[str, tuple[float, float, int]]:
    """{language | "all": (recall@1, recall@3, n)}; a hit is the expected file in any language.

    With `in_language`, each question is searched as the bot searches it: among the passages in the
    question's language, or all passages when the shop has none in that language."""
    hits: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for item in questions:
        language = item["lang"] if in_language else None
        files = [p.source.rsplit("/", 1)[-1] for p in kb.search(item["q"], k=3, language=language)]
        hit = (files[:1] == [item["source"]], item["source"] in files)
        hits[item["lang"]].append(hit)
        hits["all"].append(hit)
    return {
        lang: (sum(a for a, _ in rows) / len(rows), sum(b for _, b in rows) / len(rows), len(rows))
        for lang, rows in hits.items()
    }


def candidates(with_minilm: bool) -> list[tuple[str, str, float]]:
    """(label, provider, hybrid weight). Weight 1.0 is the pure lexical (TF-IDF) baseline."""
    rows = [
        ("use-multilingual-v3 (vector only)", "use-multilingual-v3", 0.0),
        ("tf-idf char n-grams (lexical only)", "use-multilingual-v3", 1.0),
        ("hybrid use + tf-idf, w=0.1", "use-multilingual-v3", 0.1),
        ("hybrid use + tf-idf, w=0.2", "use-multilingual-v3", 0.2),
        ("hybrid use + tf-idf, w=0.3", "use-multilingual-v3", 0.3),
        ("hybrid use + tf-idf, w=0.5", "use-multilingual-v3", 0.5),
    ]
    if with_minilm:
        rows += [
            ("all-minilm-l6-v2 (vector only)", "all-minilm-l6-v2", 0.0),
            ("hybrid minilm + tf-idf, w=0.2", "all-minilm-l6-v2", 0.2),
        ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "data/retrieval/questions.yml")
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--no-minilm", action="store_true", help="skip the torch-based English model")
    parser.add_argument(
        "--in-language", action="store_true", help="search each question in its own language, as the bot does"
    )
    args = parser.parse_args()

    questions = load_questions(args.questions)
    languages = sorted({q["lang"] for q in questions})
    console = Console(width=180)  # the table is wide; never wrap it into an unreadable column
    table = Table(title=f"Retrieval on {len(questions)} questions: recall@1 / recall@3")
    table.add_column("ranking")
    for lang in [*languages, "all"]:
        n = sum(q["lang"] == lang for q in questions) if lang != "all" else len(questions)
        table.add_column(f"{lang} (n={n})", justify="right")
    table.add_column("ms/query", justify="right")

    with tempfile.TemporaryDirectory() as tmp:
        for label, provider, weight in candidates(not args.no_minilm):
            settings = KnowledgeSettings(
                knowledge_dir=args.knowledge,
                store=PersistentStoreSettings(path=Path(tmp) / provider),
                collection="eval",
                embeddings=EmbeddingsSettings(provider=provider),
                hybrid_weight=weight,
            )
            kb = KnowledgeBase(settings)
            try:
                kb.index()  # incremental: the second weight of a model re-embeds nothing
            except Exception as exc:  # e.g. torch missing for MiniLM: report the row, keep going
                table.add_row(label, *["-"] * (len(languages) + 1), f"unavailable: {exc}")
                continue
            kb.search("warm-up")
            start = time.perf_counter()
            result = evaluate(kb, questions, args.in_language)
            per_query = (time.perf_counter() - start) * 1000 / len(questions)
            cells = [f"{result[lang][0]:.2f} / {result[lang][1]:.2f}" for lang in [*languages, "all"]]
            table.add_row(label, *cells, f"{per_query:.1f}")
    console.print(table)


if __name__ == "__main__":
    main()
