"""Index 10,000 chunks into a temporary persistent Chroma and time queries.

The chunks are the demo knowledge plus generated policy-like sections (products, numbers, several
languages) written as Markdown files, so the real loader, splitter and incremental indexer run.

    .venv/bin/python bench/retrieval.py [--chunks 10000] [--queries 300]
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.platform.knowledge_config import KnowledgeSettings, PersistentStoreSettings  # noqa: E402
from bot.retrieval.index import KnowledgeBase  # noqa: E402

PRODUCTS = [
    "garden chair",
    "cast-iron pan",
    "rattan sofa",
    "parasol",
    "gas grill",
    "wool rug",
    "desk lamp",
    "bed linen",
    "storage box",
    "camping tent",
    "krzesło ogrodowe",
    "patelnia żeliwna",
    "dywan",
    "Gartentisch",
    "Sonnenschirm",
    "trädgårdsstol",
    "гриль",
    "палатка",
    "tenda kampingu",
]
TOPICS = [
    (
        "Delivery of {p}",
        "The {p} ships within {n} business days from our warehouse in {city}. Freight "
        "deliveries are announced by phone; if the carrier misses the slot we refund {m} EUR.",
    ),
    (
        "Care of {p}",
        "Clean the {p} with a soft cloth and mild soap. Store it indoors from November to "
        "March. Damage from frost is not covered; the legal guarantee of {n} years still applies.",
    ),
    (
        "Returns of {p}",
        "A {p} can be returned within {n} days if unused. Pickup for bulky items costs "
        "{m} PLN; for damaged items it is free.",
    ),
    (
        "Zwrot: {p}",
        "Produkt {p} możesz zwrócić w ciągu {n} dni. Odbiór kurierem kosztuje {m} PLN, "
        "a przy uszkodzeniu jest bezpłatny.",
    ),
    (
        "Lieferung: {p}",
        "Der Artikel {p} wird innerhalb von {n} Werktagen geliefert. Bei Verspätung "
        "erstatten wir {m} EUR Versandkosten.",
    ),
    ("Garanti för {p}", "För {p} gäller {n} års garanti. Kontakta kundtjänst med ordernummer och foto."),
]
CITIES = ["Poznań", "Gdańsk", "Malmö", "Leipzig", "Tirana", "Riga"]


def write_corpus(target: Path, n_chunks: int, seed: int = 7) -> None:
    """Copy the demo knowledge, then add files of generated sections until n_chunks is reached."""
    shutil.copytree(ROOT / "knowledge", target)
    rng = random.Random(seed)
    demo_chunks = 78  # what knowledge/ yields today; the index report gives the exact total
    sections_per_file = 20
    for f in range(max(0, (n_chunks - demo_chunks)) // sections_per_file + 1):
        lines = ["---", "language: en", f"title: Product notes {f}", "---", f"# Product notes {f}", ""]
        for s in range(sections_per_file):
            title, body = rng.choice(TOPICS)
            values = {
                "p": rng.choice(PRODUCTS),
                "n": rng.randint(2, 30),
                "m": rng.randint(5, 200),
                "city": rng.choice(CITIES),
            }
            lines += [f"## {title.format(**values)} ({f}.{s})", "", body.format(**values), ""]
        (target / "generated").mkdir(exist_ok=True)
        (target / "generated" / f"notes-{f:04d}.md").write_text("\n".join(lines), encoding="utf-8")


def queries(n: int) -> list[str]:
    base = [q["q"] for q in yaml.safe_load((ROOT / "data/retrieval/questions.yml").read_text())["questions"]]
    rng = random.Random(11)
    # Distinct strings, so the query-vector cache never hides the cost of embedding a query.
    return [f"{rng.choice(base)} ({rng.choice(PRODUCTS)} #{i})" for i in range(n)]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        knowledge = Path(tmp) / "knowledge"
        write_corpus(knowledge, args.chunks)
        settings = KnowledgeSettings(knowledge_dir=knowledge, store=PersistentStoreSettings(path=Path(tmp) / "db"))
        kb = KnowledgeBase(settings)
        kb.embeddings.embed_query("load the model before timing")

        start = time.perf_counter()
        report = kb.index()
        build = time.perf_counter() - start
        print(
            f"index build: {report.added} chunks from {report.files} files in {build:.1f} s "
            f"= {report.added / build:.0f} chunks/s (errors: {len(report.errors)})"
        )

        start = time.perf_counter()
        again = kb.index()
        print(
            f"re-index, nothing changed: {again.unchanged} unchanged, {again.added} embedded, "
            f"{time.perf_counter() - start:.2f} s"
        )

        start = time.perf_counter()
        kb.search("warm-up: builds the in-memory lexical index")
        print(
            f"first query (builds the TF-IDF side over {report.added} chunks): "
            f"{(time.perf_counter() - start) * 1000:.0f} ms"
        )

        for label, weight in (
            (f"hybrid (default, w={settings.hybrid_weight})", settings.hybrid_weight),
            ("vector only (w=0)", 0.0),
        ):
            kb.settings = settings.model_copy(update={"hybrid_weight": weight})
            timings = []
            for query in queries(args.queries):
                t0 = time.perf_counter()
                results = kb.search(query, k=3)
                timings.append((time.perf_counter() - t0) * 1000)
                assert results, "every query must return passages"
            print(
                f"{label}: {len(timings)} queries, p50 {statistics.median(timings):.1f} ms, "
                f"p99 {percentile(timings, 99):.1f} ms"
            )

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
