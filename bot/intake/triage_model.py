"""Topic and kind classifier for incoming reviews, trained from data/triage/*.jsonl.

One shared feature matrix feeds two classifiers (topic, kind): text is vectorised once
per batch, which is the expensive part. Features:
- char_wb 2-5 TF-IDF: robust to typos, missing diacritics and inflection across 11 languages;
- word 1-2 TF-IDF: cheap, sharp cues ("refund", "paczkomat") the char n-grams dilute;
- metadata: rating, verified purchase (true/false/unknown), has_order, length, shouting. These are
  the evidence that separates a smear or a troll from a real buyer with the same words.
Linear SVMs with sigmoid calibration: fast to train, fast to apply, and confidences are real
probabilities, which the triage policy compares with thresholds.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sklearn
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import train_test_split
from sklearn.svm import LinearSVC

from bot.platform.vocab import Kind, Topic, names
from bot.understanding.model_cache import cached_model

# Bump when features or estimators change, so old caches are never loaded into new code.
MODEL_FORMAT_VERSION = 1
TOPICS = names(Topic)
KINDS = names(Kind)
_META_WEIGHT = 1.0  # metadata columns sit beside l2-normalised TF-IDF blocks of norm 1


@dataclass(frozen=True)
class TriageInput:
    text: str
    rating: int
    verified_purchase: bool | None  # None: the platform does not say
    has_order: bool
    language: str


@dataclass(frozen=True)
class TriagePrediction:
    topic: str
    topic_confidence: float
    kind: str
    kind_confidence: float


def _metadata(items: Sequence[TriageInput]) -> sparse.csr_matrix:
    rows = np.zeros((len(items), 13), dtype=np.float64)
    # map() over str methods keeps these loops in C; this function is on the hot predict path.
    for i, item in enumerate(items):
        text = item.text
        n = len(text) or 1
        letters = sum(map(str.isalpha, text))
        rows[i, min(max(int(item.rating), 1), 5) - 1] = 1.0
        rows[i, 5 + {True: 0, False: 1, None: 2}[item.verified_purchase]] = 1.0
        rows[i, 8] = 1.0 if item.has_order else 0.0
        rows[i, 9] = np.log1p(len(text)) / 6.0
        rows[i, 10] = min(text.count("!") / n * 10.0, 1.0)
        rows[i, 11] = sum(map(str.isupper, text)) / letters if letters else 0.0
        rows[i, 12] = sum(map(str.isdigit, text)) / n * 5.0  # dates, amounts, order numbers = facts
    return sparse.csr_matrix(rows * _META_WEIGHT)


class TriageModel:
    """Fitted vectorisers and the two classifiers; `predict` is batch and vectorised."""

    def __init__(self, data_hash: str = "") -> None:
        self.data_hash = data_hash
        self.train_seconds = 0.0
        self._chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, dtype=np.float32
        )
        self._words = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), min_df=1, sublinear_tf=True, dtype=np.float32
        )
        # LinearSVC fits in well under a second here (multinomial lbfgs logistic regression took
        # ~35 s for both heads); 3-fold sigmoid calibration turns its margins into probabilities
        # that policy thresholds can use.
        self._topic = CalibratedClassifierCV(LinearSVC(C=0.5), cv=3, method="sigmoid")
        self._kind = CalibratedClassifierCV(LinearSVC(C=0.5), cv=3, method="sigmoid")

    def _features(self, items: Sequence[TriageInput], fit: bool = False) -> sparse.csr_matrix:
        texts = [item.text for item in items]
        if fit:
            chars, words = self._chars.fit_transform(texts), self._words.fit_transform(texts)
        else:
            chars, words = self._chars.transform(texts), self._words.transform(texts)
        return sparse.hstack([chars, words, _metadata(items)], format="csr")

    def fit(self, items: Sequence[TriageInput], topics: Sequence[str], kinds: Sequence[str]) -> TriageModel:
        started = time.perf_counter()
        x = self._features(items, fit=True)
        self._topic.fit(x, list(topics))
        self._kind.fit(x, list(kinds))
        self.train_seconds = time.perf_counter() - started
        return self

    def predict(self, items: Sequence[TriageInput]) -> list[TriagePrediction]:
        if not items:
            return []
        x = self._features(items)
        topic_p, kind_p = self._topic.predict_proba(x), self._kind.predict_proba(x)
        ti, ki = topic_p.argmax(axis=1), kind_p.argmax(axis=1)
        topics, kinds = self._topic.classes_[ti], self._kind.classes_[ki]
        tc, kc = topic_p[np.arange(len(ti)), ti], kind_p[np.arange(len(ki)), ki]
        return [
            TriagePrediction(str(t), float(a), str(k), float(b))
            for t, a, k, b in zip(topics, tc, kinds, kc, strict=True)
        ]


# ---- data -------------------------------------------------------------------------------------


def _data_files(data_dir: Path) -> list[Path]:
    files = sorted(Path(data_dir).glob("*.jsonl"))
    if not files:
        raise FileNotFoundError(f"no *.jsonl training files in {data_dir}")
    return files


def load_rows(data_dir: Path) -> list[dict]:
    """All labelled rows; raises ValueError naming the file and line of a bad row."""
    rows = []
    for path in _data_files(data_dir):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if row.get("topic") not in TOPICS or row.get("kind") not in KINDS:
                raise ValueError(f"{path.name}:{lineno}: topic/kind must be one of {TOPICS} / {KINDS}")
            rows.append(row)
    return rows


def _inputs(rows: Sequence[dict], unknown_every: int = 0) -> list[TriageInput]:
    # Training marks every n-th row's verified_purchase as unknown so the "unknown" column gets
    # weight; platforms that do not report it must not be pushed towards troll/black_pr.
    return [
        TriageInput(
            text=r["text"],
            rating=int(r["rating"]),
            verified_purchase=None if unknown_every and i % unknown_every == 0 else bool(r["verified_purchase"]),
            has_order=bool(r["has_order"]),
            language=r["language"],
        )
        for i, r in enumerate(rows)
    ]


def data_hash(data_dir: Path) -> str:
    """sha256 over the training files' names and contents plus the model format and sklearn version."""
    h = hashlib.sha256(f"triage-v{MODEL_FORMAT_VERSION}-sklearn{sklearn.__version__}".encode())
    # This module's code counts too: a model cached by an older version of the features must not be reused.
    h.update(Path(__file__).read_bytes())
    for path in _data_files(data_dir):
        h.update(path.name.encode() + b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def train(rows: Sequence[dict], data_hash_: str = "") -> TriageModel:
    model = TriageModel(data_hash_)
    return model.fit(_inputs(rows, unknown_every=10), [r["topic"] for r in rows], [r["kind"] for r in rows])


# ---- cache ------------------------------------------------------------------------------------


def load_triage_model(data_dir: Path, cache_dir: Path) -> TriageModel:
    """The model for the current data: memoised in process, cached on disk, trained if neither."""
    digest = data_hash(data_dir)
    return cached_model("triage", digest, cache_dir, TriageModel, lambda: train(load_rows(data_dir), digest))


# ---- evaluation -------------------------------------------------------------------------------


def evaluate(data_dir: Path, test_fraction: float = 0.2, seed: int = 0) -> dict:
    """Held-out accuracy per language (split stratified by language), plus overall and train time."""
    rows = load_rows(data_dir)
    train_rows, test_rows = train_test_split(
        rows, test_size=test_fraction, random_state=seed, stratify=[r["language"] for r in rows]
    )
    model = train(train_rows)
    predictions = model.predict(_inputs(test_rows))
    per: dict[str, dict[str, float]] = {}
    for row, pred in zip(test_rows, predictions, strict=True):
        s = per.setdefault(row["language"], {"n": 0, "topic_correct": 0, "kind_correct": 0})
        s["n"] += 1
        s["topic_correct"] += pred.topic == row["topic"]
        s["kind_correct"] += pred.kind == row["kind"]
    languages = {
        lang: {
            "n": int(s["n"]),
            "topic_accuracy": s["topic_correct"] / s["n"],
            "kind_accuracy": s["kind_correct"] / s["n"],
        }
        for lang, s in sorted(per.items())
    }
    total = len(test_rows)
    return {
        "languages": languages,
        "overall": {
            "n": total,
            "topic_accuracy": sum(s["topic_correct"] for s in per.values()) / total,
            "kind_accuracy": sum(s["kind_correct"] for s in per.values()) / total,
        },
        "n_train": len(train_rows),
        "n_test": total,
        "train_seconds": model.train_seconds,
    }


# ---- hand-written evaluation set ----------------------------------------------------------------

# data/eval/triage/<lang>.yml: reviews written by hand, never trained on (data/eval/README.md). The split
# above comes from the same generated banks as the training rows and so says little about real reviews.
DEFAULT_EVAL_DIR = Path(__file__).resolve().parents[2] / "data" / "eval" / "triage"


def load_eval_rows(eval_dir: Path = DEFAULT_EVAL_DIR) -> list[dict]:
    """Rows shaped like load_rows' ({text, language, rating, verified_purchase, has_order, topic, kind});
    a malformed review raises naming its file, its number and the fix."""
    import yaml  # only the evaluation reads YAML; serving never does

    files = sorted(Path(eval_dir).glob("*.yml"))
    if not files:
        raise FileNotFoundError(f"no evaluation files (<lang>.yml) in {eval_dir}")
    rows = []
    for path in files:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if doc.get("language") != path.stem:
            raise ValueError(f"{path.name}: `language` must be {path.stem!r} (the file's name)")
        for n, r in enumerate(doc.get("reviews") or [], 1):
            where = f"{path.name}: review {n}"
            if not isinstance(r, dict) or not isinstance(r.get("text"), str) or not r["text"].strip():
                raise ValueError(f"{where}: needs a non-empty `text` string")
            if r.get("topic") not in TOPICS or r.get("kind") not in KINDS:
                raise ValueError(f"{where}: `topic`/`kind` must be one of {TOPICS} / {KINDS}")
            if r.get("rating") not in (1, 2, 3, 4, 5):
                raise ValueError(f"{where}: `rating` must be a whole number of stars, 1 to 5")
            verified = r.get("verified_purchase")
            if verified not in (True, False, None):
                raise ValueError(f"{where}: `verified_purchase` must be true, false or left out (unknown)")
            rows.append(
                {
                    "text": r["text"],
                    "language": path.stem,
                    "rating": r["rating"],
                    "verified_purchase": verified,
                    "has_order": bool(r.get("has_order", False)),
                    "topic": r["topic"],
                    "kind": r["kind"],
                    "where": where,
                }
            )
    return rows


def eval_inputs(rows: Sequence[dict]) -> list[TriageInput]:
    """Evaluation rows as the intake builds them: an unknown verified_purchase stays None."""
    return [
        TriageInput(r["text"], int(r["rating"]), r["verified_purchase"], r["has_order"], r["language"]) for r in rows
    ]
