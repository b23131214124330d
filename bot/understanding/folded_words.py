"""The language of a text typed without diacritics or, for Russian and Ukrainian, in Latin letters (issue 18).

lingua learnt each language with its own letters: "Mixer prisel s prasklou miskou" reads as English and
"Posylka shla tri nedeli" as Czech, and the buyer was first contacted in the wrong language. A small naive Bayes
over the character n-grams of the training text folded to plain ASCII (ř -> r, ł -> l; Russian and Ukrainian
transliterated the ways buyers type them, bot/understanding/translit.py) reads such a text; it decides only
when it is very sure, otherwise lingua does. Trained from data/triage/*.jsonl and data/nlu.yml, never data/eval.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from bot.platform.folding import plain
from bot.understanding.translit import latin_texts

ROOT = Path(__file__).resolve().parents[2]
# Measured on data/eval/triage and data/eval/nlu folded to ASCII (bench/language_accuracy.py): below this
# the model's own pick is no more often right than lingua's.
MIN_PROBABILITY = 0.9
MIN_LETTERS = 12  # "ok", "ano", "tak": too short for any reader to tell a language from its letters

_model: Any = None
_vocabulary: dict[str, frozenset[str]] | None = None
_lock = threading.Lock()
_WORD = re.compile(r"[^\W\d_]+")
# A word seen this often in a language's training text is one of its words; once may be a quoted foreign word.
_KNOWN_WORD_COUNT = 2


def _rows(root: Path = ROOT) -> list[tuple[str, str]]:
    """(text, language) of every labelled training line: data/triage's reviews and data/nlu.yml's examples."""
    rows: list[tuple[str, str]] = []
    for path in sorted((root / "data" / "triage").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows.append((row["text"], row["language"]))
    nlu = yaml.safe_load((root / "data" / "nlu.yml").read_text(encoding="utf-8"))
    for block in nlu.get("nlu", []):
        language = (block.get("metadata") or {}).get("language")
        if language and "intent" in block:
            rows += [(e[2:], language) for e in block["examples"].splitlines() if e.startswith("- ")]
    return rows


def training_texts(root: Path = ROOT) -> tuple[list[str], list[str]]:
    """(texts, languages): the labelled training text, folded or transliterated as a buyer without the
    keyboard would type it."""
    texts, languages = [], []
    for text, language in _rows(root):
        variants = latin_texts(text, language) if language in ("ru", "uk") else [plain(text)]
        for variant in variants:
            if variant.isascii():  # ru/uk lines already in Latin letters, and everything else folded
                texts.append(variant)
                languages.append(language)
    return texts, languages


def _build() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import make_pipeline

    texts, languages = training_texts()
    model = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, min_df=2),
        MultinomialNB(alpha=0.01),
    )
    return model.fit(texts, languages)


def _get_model() -> Any:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = _build()
    return _model


def warm_up() -> None:
    """Train the model now (about two seconds), so no buyer's message pays for it."""
    _get_model()


def folded_language_confidence(text: str) -> tuple[str | None, float]:
    """(language, probability) of a plain-ASCII text when the folded-text model is very sure of it, else
    (None, 0.0): text with diacritics or Cyrillic is lingua's, which sees the letters themselves."""
    if not text.isascii() or sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return None, 0.0
    model = _get_model()
    probabilities = model.predict_proba([text.lower()])[0]
    best = int(probabilities.argmax())
    if probabilities[best] < MIN_PROBABILITY:
        return None, 0.0
    return str(model.classes_[best]), float(probabilities[best])


def folded_language(text: str) -> str | None:
    """The language `folded_language_confidence` is sure of, or None."""
    return folded_language_confidence(text)[0]


def _vocabularies() -> dict[str, frozenset[str]]:
    global _vocabulary
    if _vocabulary is None:
        with _lock:
            if _vocabulary is None:
                counts: dict[str, Counter[str]] = {}
                for text, language in _rows():
                    counts.setdefault(language, Counter()).update(_WORD.findall(plain(text)))
                _vocabulary = {
                    language: frozenset(w for w, n in c.items() if n >= _KNOWN_WORD_COUNT)
                    for language, c in counts.items()
                }
    return _vocabulary


def words_of(text: str) -> list[str]:
    """The words of `text`, folded to plain letters, as known_share counts them."""
    return _WORD.findall(plain(text))


def known_share(text: str, language: str) -> float:
    """The share of the text's words that the language's training text uses (folded, so "dekuji" is "děkuji"): the
    evidence a short message gives for a language, beside lingua's letter statistics. "ma sei un bot?" is all
    Italian words, though lingua reads German into its trigrams at 0.92 (issue 18)."""
    words = _WORD.findall(plain(text))
    if not words:
        return 0.0
    known = _vocabularies().get(language, frozenset())
    return sum(w in known for w in words) / len(words)
