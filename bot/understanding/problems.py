"""What went wrong, read from the meaning of a buyer's message: a classifier beside the phrase lookup.

The lookup at the end of data/nlu.yml finds a problem only where the buyer uses a listed word; real buyers
often do not ("they turned up 2 weeks after I ordered", "er heizt nicht mehr", "I ordered a L and the label
says M"), and the bot then asked again what happened and proposed remedies for the wrong problem (issue 18,
bench/buyers.py). The lookup stays the precise first source (nlu.NLU.entities); this model speaks only when
it found nothing.

Training rows, all from data/:
- data/problems.yml: hand-written descriptions per problem and language, and `none` statements ("the cups are
  fine") so praise of one item is not read as a fault;
- data/nlu.yml describe_problem lines in which the lookup finds exactly one problem (labelled by it);
- data/nlu.yml lines of intents that describe no problem (a yes, thanks, a question, a wish, venting) and name
  none: `none`, so a message that is not about a problem gets none.

Features: char_wb 2-5 and word 1-2 TF-IDF over folded text (typos, inflection, missing diacritics), as the intent
model's, beside the multilingual sentence encoder's embedding (bot/platform/sentence_encoder.py), which carries
the meaning of words the few training lines never used ("a fortnight after the date", "landed on my doorstep").
A calibrated LinearSVC, so `MIN_CONFIDENCE` compares real probabilities. Chosen on
bench/problem_accuracy.py (data/eval/problems/, written apart from the training data), all 114 messages:
TF-IDF alone 0.535, with the embedding 0.737, no false problem either way on the 22 that name none nor on
254 data/eval/nlu messages of other intents; the encoder costs ~10 ms a message, and is shared with retrieval.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from bot.platform.folding import fold
from bot.platform.sentence_encoder import use_multilingual
from bot.platform.vocab import Problem, names

NONE = "none"
LABELS = (*[p for p in names(Problem) if p != "other"], NONE)
# Below this the message is left with the lookup's answer (often none): a wrong problem costs more than a
# missing one, since the bot then asks "what happened?" instead of proposing for the wrong fault.
MIN_CONFIDENCE = 0.35
# A review's problem names the first message ("I saw your message about the late delivery"): a wrong one there
# is worse than the generic "the problem with your order", and the buyer has not yet said more, so it takes more
# certainty (on data/eval/buyers' reviews, 0.5 kept every wrong guess out and lost two right ones of 28).
REVIEW_MIN_CONFIDENCE = 0.5
# The embedding's weight beside the two unit-norm TF-IDF blocks (0.5 scored best of 0.5, 1 and 2: heavier, it
# read problems into questions and thanks).
EMBEDDING_WEIGHT = 0.5
# NLU intents whose messages describe no problem when the lookup finds none in them (training `none` rows).
NO_PROBLEM_INTENTS = frozenset(
    {
        "greet",
        "affirm",
        "deny",
        "thank",
        "goodbye",
        "ask_human",
        "ask_policy",
        "opt_out",
        "out_of_scope",
        "request_refund",
        "request_replacement",
        "request_discount",
        "request_return",
        # Anger and insults without a listed problem word ("third time something goes wrong, I'm so tired"):
        # reading a fault into them made the bot skip asking what happened.
        "vent",
        "insult",
    }
)
_MAX_CHARS = 1000


def _text(text: str) -> str:
    return " ".join(fold(text[:_MAX_CHARS])[0].split())


def read_problems(path: Path) -> list[tuple[str, str, str]]:
    """(text, problem or `none`, language) per line of data/problems.yml; a bad label raises naming it."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    rows = []
    for label, by_language in (doc.get("problems") or {}).items():
        if label not in LABELS:
            raise ValueError(f"{Path(path).name}: problem {label!r} must be one of {LABELS}")
        for language, texts in (by_language or {}).items():
            rows.extend((str(t), str(label), str(language)) for t in texts or [])
    return rows


class ProblemModel:
    """Fitted vectorisers and the calibrated classifier; pickled inside the NLU model's cache."""

    def __init__(self) -> None:
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=np.float32)
        self._words = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b", sublinear_tf=True, dtype=np.float32
        )
        self._model = CalibratedClassifierCV(LinearSVC(C=0.5, class_weight="balanced"), cv=3, method="sigmoid")

    def _features(self, raw: Sequence[str]) -> sparse.csr_matrix:
        texts = [_text(t) for t in raw]
        meaning = use_multilingual().encode([t[:_MAX_CHARS] for t in raw]) * EMBEDDING_WEIGHT
        return sparse.hstack(
            [self._chars.transform(texts), self._words.transform(texts), sparse.csr_matrix(meaning)], format="csr"
        )

    def fit(self, rows: Sequence[tuple[str, str]]) -> ProblemModel:
        """rows: (text, problem or `none`)."""
        texts = [_text(t) for t, _ in rows]
        self._chars.fit(texts)
        self._words.fit(texts)
        self._model.fit(self._features([t for t, _ in rows]), [label for _, label in rows])
        return self

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(most probable label, its probability) per text; the label may be `none`."""
        if not texts:
            return []
        p = self._model.predict_proba(self._features(texts))
        best = p.argmax(axis=1)
        return [(str(self._model.classes_[k]), float(p[i, k])) for i, k in enumerate(best)]

    def problems(self, texts: Sequence[str], min_confidence: float = MIN_CONFIDENCE) -> list[list[str]]:
        """The problem each text names by its meaning ([] when none, not sure enough, or told without the words
        such a problem is always told with: data/problem_evidence.yml)."""
        return [[found[0]] if found else [] for found in self.readings(texts, min_confidence)]

    def readings(self, texts: Sequence[str], min_confidence: float = MIN_CONFIDENCE) -> list[tuple[str, float] | None]:
        """(problem, probability) per text that names one as `problems` reads it, else None: for a caller that
        weighs several texts' problems against each other (NLU._problems_in_sentences)."""
        return [
            (label, p) if label != NONE and p >= min_confidence and has_evidence(label, text) else None
            for text, (label, p) in zip(texts, self.predict(texts), strict=True)
        ]


EVIDENCE_FILE = Path(__file__).resolve().parents[2] / "data" / "problem_evidence.yml"
_WORDS = re.compile(r"\w+|€")


@lru_cache(maxsize=4)
def _evidence(path: Path = EVIDENCE_FILE) -> dict[str, tuple[str, ...]]:
    """data/problem_evidence.yml, checked: an admin's mistake is named by file, entry and fix at the first read."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", exc)
        raise ValueError(f"{path.name}: {where}not valid YAML ({problem}); fix that line") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: write one entry per problem, `charged_twice:` followed by its word starts")
    evidence = {}
    for label, stems in data.items():
        if label not in LABELS or not isinstance(stems, list) or not stems:
            raise ValueError(f"{path.name}: {label}: give a problem of {LABELS} and a non-empty list of word starts")
        folded = [_text(w) if isinstance(w, str) else "" for w in stems]
        # An empty start would begin every word, and the problem would never be filtered: refuse it.
        for stem, said in zip(folded, stems, strict=True):
            if not stem:
                raise ValueError(f"{path.name}: {label}: {said!r} is no word start; write letters, e.g. - paid")
        evidence[label] = tuple(folded)
    return evidence


def has_evidence(label: str, text: str) -> bool:
    """Whether `text` holds a word that starts with one of the stems `label` needs (True if it needs none): "the
    courier came twice" is no double charge, whatever the classifier learned of "twice" (held-out round 4)."""
    stems = _evidence().get(label)
    if not stems:
        return True
    return any(w.startswith(stems) for w in _WORDS.findall(_text(text)))
