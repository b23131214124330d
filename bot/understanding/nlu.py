"""Buyer-message understanding: language, intent, emotion and entities, trained from data/.

- Intent: TF-IDF (char_wb 2-5 + word 1-2) plus the message's language as a feature, a LinearSVC with
  sigmoid calibration, trained from data/nlu.yml (Rasa NLU YAML). No keyword list decides an intent.
- Emotion: a second calibrated LinearSVC on the same TF-IDF features plus shouting cues (caps ratio,
  "!!!"), trained from data/emotion.yml. anger = P(angry) + 0.5 * P(upset); level = the most probable.
- Language: lingua (bot.understanding.language's detector). Chat replies are short and lingua is unreliable on them,
  so the conversation's language is kept unless the message is long enough and lingua is confident.
- Entities: regexes for structured values (order ids, dates, amounts, e-mails), phonenumbers for phones,
  fuzzy matching for the order's items, and the data's lookup tables for problems and risks.

Entity values are normalised: order_id upper-case without "#"; date ISO 8601 (YYYY-MM-DD); amount as
"<decimal with 2 places> <ISO 4217 code>" in one value ("129,90 zł" -> "129.90 PLN") so a consumer
never has to pair two entities; phone E.164; email lower-case; item the order's item name when one
matches, else the item lookup value ("tent").
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import phonenumbers
import sklearn
import yaml
from rapidfuzz import fuzz
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import train_test_split
from sklearn.svm import LinearSVC

from bot.platform.folding import fold, normalise
from bot.understanding.after_use import as_defect
from bot.understanding.answers import (
    concord_words,
    follow_up_answer,
    negation_words,
    new_thing_words,
    plain_words,
    relative_words,
)
from bot.understanding.calm_words import CALM_ANGER, calm_level
from bot.understanding.chipped import chipped_off
from bot.understanding.clauses import ends_clause
from bot.understanding.colour_swap import colour_lines, colour_swapped, colours_said
from bot.understanding.earlier_order import without_earlier
from bot.understanding.folded_words import folded_language_confidence, known_share
from bot.understanding.item_kinds import ITEMS_FILE, SIZES_FILE, read_item_kinds
from bot.understanding.language import SUPPORTED_LANGUAGES, UNDETERMINED, _get_detector
from bot.understanding.life_story import about_life
from bot.understanding.model_cache import cached_model
from bot.understanding.order_lines import ORDER_LINES_FILE, LineWords, measure_siblings, named_lines, read_line_words
from bot.understanding.problems import NO_PROBLEM_INTENTS, REVIEW_MIN_CONFIDENCE, ProblemModel, read_problems
from bot.understanding.risk_things import names_a_thing
from bot.understanding.sentences import Sentence, split
from bot.understanding.short_count import says_short
from bot.understanding.sms_words import written_out
from bot.understanding.translit import CYRILLIC, latin_slavic, latin_texts
from bot.understanding.waited import says_waited

# Bump when features, estimators or the pickled layout change, so old caches are never loaded.
MODEL_FORMAT_VERSION = 5
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"
INTENTS = (
    "greet", "affirm", "deny", "thank", "goodbye", "describe_problem", "request_refund",
    "request_replacement", "request_discount", "request_return", "ask_human", "ask_policy",
    "vent", "insult", "opt_out", "out_of_scope",
)  # fmt: skip
LEVELS = ("calm", "upset", "angry")
EMPTY_INTENT = "out_of_scope"

# Language switch rule: lingua must be this sure, on a message with this much text, before the
# conversation's language is abandoned. Below that, "ok"/"tak"/"да" say nothing reliable.
_SWITCH_CONFIDENCE = 0.6
_SWITCH_MIN_WORDS = 3
_SWITCH_MIN_LETTERS = 15
# A short reply needs more: lingua gives "That's fine by me" to German at 0.81, and an English buyer
# answered in German mid-conversation is worse than a German buyer answered in English once more.
_SHORT_REPLY_WORDS = 6
_SHORT_SWITCH_CONFIDENCE = 0.9
_LANG_WEIGHT = 0.3  # language one-hot beside unit-norm TF-IDF blocks: a hint ("jo" = no in sq), not a rule
_MAX_CLASSIFY_CHARS = 1000  # a 10,000-character rant says what it means in its first lines
# One message per language the data covers, with every entity kind, for NLU.warm_up.
_WARM_UP_TEXTS = (
    "Order 10432 came on 3 May and the lamp was broken, I want 20 EUR back: jo@example.com, +44 20 7946 0958",
    "Zamówienie 10432 przyszło 3 maja, lampa jest rozbita",
    "Beställning 10432 kom den 3 maj och lampan var trasig",
    "Заказ 10432 пришёл 3 мая, лампа разбита",
    "Porosia 10432 erdhi më 3 maj dhe llamba ishte e thyer",
    "Bestellung 10432 kam am 3. Mai an, die Lampe war kaputt",
    "Замовлення 10432 прийшло 3 травня, лампа розбита",
    "La commande 10432 est arrivée le 3 mai et la lampe était cassée",
    "El pedido 10432 llegó el 3 de mayo y la lámpara estaba rota",
    "L'ordine 10432 è arrivato il 3 maggio e la lampada era rotta",
    "Objednávka 10432 přišla 3. května a lampa byla rozbitá",
)
_MAX_ENTITY_CHARS = 5000
PROBLEMS_FILE = "problems.yml"
_PLAIN_ANSWERS = frozenset({"affirm", "thank", "greet", "goodbye"})
_PLAIN_ANSWER_CONFIDENCE = 0.6
# An answer to a yes-or-no question, at any confidence: what the follow-up does with it does not depend on a
# problem the classifier might read in it (flow.answer_follow_up).
_ANSWERS = _PLAIN_ANSWERS | {"deny"}
# Whether a parse reads problems by meaning when the phrase lookup finds none (the encoder's ~10 ms):
#   read           always (a case still learning what went wrong);
#   unless_answer  not for a yes, no, thanks or greeting at any confidence (the follow-up's question);
#   skip           never, unless the buyer denies a problem (a case whose problems no longer matter to the turn).
# The conversation decides which (bot/conversation/flow.py: problem_reading).
ProblemReading = Literal["read", "unless_answer", "skip"]
_RANKING_SIZE = 10
# How much larger the share of a message's words known in the conversation's language must be than in lingua's pick
# for the conversation's language to stand (NLU._language); the margin language._settle_by_words uses.
_KEEP_BY_WORDS_MARGIN = 0.25
# A message this long (sentences and characters) that names no problem read whole is read sentence by sentence
# (NLU._problems_in_sentences): a vent of several hundred characters, not a short reply.
_LONG_SENTENCES = 4
_LONG_CHARS = 300


# ---- public types -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entity:
    entity: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class ParseResult:
    text: str
    language: str
    intent: str
    confidence: float
    ranking: list[tuple[str, float]]
    anger: float
    level: str
    entities: list[Entity] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)
    # Problems the buyer says are not the case ("it wasn't late", "it's not damaged"): a correction, which the
    # conversation drops from the facts it gathered in earlier turns (flow.absorb), not only from this message.
    denied: list[str] = field(default_factory=list)
    language_confidence: float = 0.0  # lingua's, for `language`; 0.0 where the conversation's language stood in
    # Each sentence classified on its own, when the message has two or more (bot/understanding/sentences.py).
    sentences: tuple[Sentence, ...] = ()

    def as_json(self) -> dict:
        return {
            "text": self.text,
            "language": self.language,
            "intent": {"name": self.intent, "confidence": round(self.confidence, 4)},
            "intent_ranking": [{"name": n, "confidence": round(c, 4)} for n, c in self.ranking],
            "emotion": {"anger": round(self.anger, 4), "level": self.level},
            "entities": [{"entity": e.entity, "value": e.value, "start": e.start, "end": e.end} for e in self.entities],
            "problems": list(self.problems),
            "risks": list(self.risks),
            "denied": list(self.denied),
            "sentences": [
                {"text": x.text, "span": [x.start, x.end], "intent": x.intent, "confidence": round(x.confidence, 4)}
                for x in self.sentences
            ],
        }


# ---- text folding (bot/platform/folding.py) ------------------------------------------------------


def _span(index: list[int], start: int, end: int) -> tuple[int, int]:
    """Original-text span of folded[start:end] (end > start)."""
    return index[start], index[end - 1] + 1


_DIGITS = re.compile(r"\d")
_SPACES = re.compile(r"\s+")


def _normalise(text: str) -> str:
    # Digits become 0 so "order 10442" and "order 20311" share features.
    folded, _ = fold(text[:_MAX_CLASSIFY_CHARS])
    return _SPACES.sub(" ", _DIGITS.sub("0", folded)).strip()


# ---- training data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: list[dict]
    language: str


_ANNOTATION = re.compile(r"\[(?P<text>[^\]\n]+)\](?:\((?P<entity>[^)\n]+)\)|(?P<json>\{[^}\n]+\}))")


def _strip_annotations(line: str) -> tuple[str, list[dict]]:
    """Training text without [text](entity) / [text]{"entity": ..., "value": ...} markup, plus the entities."""
    out, entities, pos = [], [], 0
    for m in _ANNOTATION.finditer(line):
        out.append(line[pos : m.start()])
        start = sum(map(len, out))
        value = m.group("text")
        if m.group("json"):
            spec = json.loads(m.group("json"))
            name, value = spec["entity"], str(spec.get("value", value))
        else:
            name, _, synonym = m.group("entity").partition(":")  # Rasa's older [text](entity:value)
            value = synonym or value
        out.append(m.group("text"))
        entities.append({"entity": name.strip(), "value": value, "start": start, "end": start + len(m.group("text"))})
        pos = m.end()
    out.append(line[pos:])
    return "".join(out), entities


def _example_lines(block: object, where: str) -> list[str]:
    if not isinstance(block, str):
        raise ValueError(f"{where}: `examples` must be a `|` block of '- text' lines")
    lines = []
    for raw in block.splitlines():
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("-"):
            raise ValueError(f"{where}: example line {line!r} must start with '- '")
        lines.append(line[1:].strip())
    return lines


def _read_examples(path: Path) -> tuple[list[Example], dict[str, dict[str, list[str]]]]:
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    examples: list[Example] = []
    raw_lookups: dict[str, list[str]] = {}
    synonyms: dict[str, list[str]] = {}
    for n, entry in enumerate(doc.get("nlu") or [], 1):
        where = f"{Path(path).name}: nlu entry {n}"
        if "intent" in entry:
            language = str((entry.get("metadata") or {}).get("language", UNDETERMINED))
            for line in _example_lines(entry.get("examples"), f"{where} (intent {entry['intent']})"):
                text, entities = _strip_annotations(line)
                examples.append(Example(text, str(entry["intent"]), entities, language))
        elif "lookup" in entry:
            raw_lookups.setdefault(str(entry["lookup"]), []).extend(_example_lines(entry.get("examples"), where))
        elif "synonym" in entry:
            synonyms.setdefault(str(entry["synonym"]), []).extend(_example_lines(entry.get("examples"), where))
        elif "regex" not in entry:  # regexes are valid Rasa data; this NLU has its own entity patterns
            raise ValueError(f"{where}: expected one of intent, lookup, synonym, regex")
    # A lookup entry that names a synonym stands for all its phrases (value -> phrases).
    lookups = {
        name: {value: synonyms.get(value) or [value] for value in values} for name, values in raw_lookups.items()
    }
    return examples, lookups


def read_rasa_nlu(path: Path) -> tuple[list[tuple[str, str, list[dict]]], dict[str, dict[str, list[str]]]]:
    """(text, intent, entities) per training example with markup stripped, and lookup value -> phrases."""
    examples, lookups = _read_examples(path)
    return [(e.text, e.intent, e.entities) for e in examples], lookups


def read_emotion(path: Path) -> list[tuple[str, str, str]]:
    """(text, level, language) per labelled message in data/emotion.yml."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    rows = []
    for level, by_language in (doc.get("examples") or {}).items():
        if level not in LEVELS:
            raise ValueError(f"{Path(path).name}: level {level!r} must be one of {LEVELS}")
        for language, texts in (by_language or {}).items():
            rows.extend((str(t), level, str(language)) for t in texts or [])
    return rows


# Intents whose emotion is unambiguous: their NLU examples widen the emotion set for free.
# Emoji that say anger whatever the language (the emotion model is trained on words: bot/understanding/nlu._result).
_ANGRY_EMOJI = frozenset("😡🤬😠👿💢😤🖕")
_EMOTION_FROM_INTENT = {"insult": "angry", "greet": "calm", "thank": "calm", "affirm": "calm", "goodbye": "calm"}


# ---- model ------------------------------------------------------------------------------------


_EMPHATIC = ("!!", "??", "?!", "!?")


def _shouting(texts: Sequence[str]) -> np.ndarray:
    rows = np.zeros((len(texts), 4), dtype=np.float32)
    for i, text in enumerate(texts):
        text = text[:_MAX_CLASSIFY_CHARS]
        letters = sum(map(str.isalpha, text))
        # Caps only mean shouting past a few letters: "OK" or "STOP" is a keyword, not a raised voice.
        rows[i, 0] = sum(map(str.isupper, text)) / letters if letters >= 6 else 0.0
        rows[i, 1] = min(text.count("!") / 3.0, 1.0)
        # "?!" is as emphatic as "!!": a bare "?!?!" read as calm once calm lines with one "!" were trained on.
        rows[i, 2] = 1.0 if any(mark in text for mark in _EMPHATIC) else 0.0
        rows[i, 3] = min(sum(1 for w in text.split() if len(w) >= 3 and w.isupper()) / 3.0, 1.0)
    return rows


def _calibrated_svc(c: float) -> CalibratedClassifierCV:
    # LinearSVC trains in a fraction of a second; 3-fold sigmoid calibration makes its margins
    # probabilities the dialogue policy can compare with thresholds.
    return CalibratedClassifierCV(LinearSVC(C=c, class_weight="balanced"), cv=3, method="sigmoid")


class NLUModel:
    """Fitted vectorisers and the intent and emotion classifiers (what the disk cache holds)."""

    def __init__(self, data_hash: str = "", lookups: dict[str, dict[str, list[str]]] | None = None) -> None:
        self.data_hash = data_hash
        self.lookups = lookups or {}
        self.train_seconds = 0.0
        self.languages = tuple(SUPPORTED_LANGUAGES)
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=np.float32)
        self._words = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b", sublinear_tf=True, dtype=np.float32
        )
        self._intent = _calibrated_svc(0.5)
        self._emotion = _calibrated_svc(0.3)

    def _text_features(self, normalised: Sequence[str]) -> sparse.csr_matrix:
        return sparse.hstack([self._chars.transform(normalised), self._words.transform(normalised)], format="csr")

    def _language_features(self, languages: Sequence[str]) -> np.ndarray:
        rows = np.zeros((len(languages), len(self.languages)), dtype=np.float32)
        for i, lang in enumerate(languages):
            if lang in self.languages:
                rows[i, self.languages.index(lang)] = _LANG_WEIGHT
        return rows

    def fit(
        self,
        intents: Sequence[tuple[str, str, str]],
        emotions: Sequence[tuple[str, str, str]],
    ) -> NLUModel:
        """intents: (text, intent, language); emotions: (text, level, language)."""
        started = time.perf_counter()
        intent_norm = [_normalise(t) for t, _, _ in intents]
        emotion_raw = [t for t, _, _ in emotions] + [t for t, i, _ in intents if i in _EMOTION_FROM_INTENT]
        emotion_y = [lvl for _, lvl, _ in emotions]
        emotion_y += [_EMOTION_FROM_INTENT[i] for _, i, _ in intents if i in _EMOTION_FROM_INTENT]
        emotion_norm = [_normalise(t) for t in emotion_raw]
        self._chars.fit(intent_norm + emotion_norm)
        self._words.fit(intent_norm + emotion_norm)
        languages = self._language_features([lang for _, _, lang in intents])
        x_intent = sparse.hstack([self._text_features(intent_norm), languages], format="csr")
        self._intent.fit(x_intent, [i for _, i, _ in intents])
        x_emotion = sparse.hstack(
            [self._text_features(emotion_norm), sparse.csr_matrix(_shouting(emotion_raw))], format="csr"
        )
        self._emotion.fit(x_emotion, emotion_y)
        self._fast_intent = _FastCalibrated(self._intent)
        self._fast_emotion = _FastCalibrated(self._emotion)
        self.train_seconds = time.perf_counter() - started
        return self

    @property
    def intents(self) -> list[str]:
        return [str(c) for c in self._intent.classes_]

    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(intent probabilities in `intents` order, emotion probabilities in LEVELS order)."""
        if not hasattr(self, "_analysers"):  # built per process: analysers are closures, not pickled
            self._analysers = [
                (_char_columns(self._chars), self._chars.vocabulary_, self._chars.idf_.astype(np.float32)),
                (_term_columns(self._words), self._words.vocabulary_, self._words.idf_.astype(np.float32)),
            ]
        text_x = _tfidf(self._analysers, [_normalise(t) for t in texts])
        intent_p = self._fast_intent.predict_proba(text_x, self._language_features(languages))
        emotion_p = self._fast_emotion.predict_proba(text_x, _shouting(texts))
        order = [list(self._emotion.classes_).index(level) for level in LEVELS]
        return intent_p, emotion_p[:, order]

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_analysers", None)
        return state


# One document's tf-idf row as (columns, values): its nonzero entries only.
SparseRow = tuple[np.ndarray, np.ndarray]
Columns = Callable[[str], list[int]]  # a document's in-vocabulary terms, as column numbers, with repeats


def _term_columns(vectoriser: TfidfVectorizer) -> Columns:
    analyse, vocabulary = vectoriser.build_analyzer(), vectoriser.vocabulary_
    return lambda doc: [c for term in analyse(doc) if (c := vocabulary.get(term)) is not None]


def _char_columns(vectoriser: TfidfVectorizer) -> Columns:
    """`char_wb` n-grams never cross a space, so a document's n-grams are its words' n-grams one after
    another. Words recur across buyers ("the", "parcel", "paczka"), so each word's columns are kept:
    building and looking up ~150 n-gram strings per message was most of a parse."""
    preprocess, vocabulary = vectoriser.build_preprocessor(), vectoriser.vocabulary_

    @lru_cache(maxsize=1 << 16)
    def word(w: str) -> tuple[int, ...]:
        return tuple(c for gram in vectoriser._char_wb_ngrams(w) if (c := vocabulary.get(gram)) is not None)

    def columns(doc: str) -> list[int]:
        found: list[int] = []
        for w in preprocess(doc).split():
            found += word(w)
        return found

    return columns


def _tfidf(analysers: list[tuple[Columns, dict[str, int], np.ndarray]], docs: Sequence[str]) -> list[SparseRow]:
    """The nonzero entries of hstack(TfidfVectorizer.transform) for sublinear-tf, l2 vectorisers, per document.

    sklearn's transform spends most of a one-message call validating inputs, and building a scipy matrix
    for one row costs more than the arithmetic; a chat turn cannot afford either on the hot path.
    """
    rows = []
    for doc in docs:
        offset, columns, data = 0, [], []
        for terms, vocabulary, idf in analysers:
            found = terms(doc)
            if found:
                cols, counts = np.unique(np.asarray(found, dtype=np.int64), return_counts=True)
                values = (1.0 + np.log(counts.astype(np.float32))) * idf[cols]
                columns.append(cols + offset)
                data.append(values / np.sqrt(np.dot(values, values)))
            offset += len(vocabulary)
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        rows.append((np.concatenate(columns), np.concatenate(data)) if columns else empty)
    return rows


class _FastCalibrated:
    """predict_proba of a fitted sigmoid CalibratedClassifierCV over LinearSVCs, as a few small products.

    sklearn's version calls one calibrator per class and fold with full input validation each time
    (~4 ms per message for 16 intents); this gives the same numbers in well under 0.1 ms.
    """

    def __init__(self, model: CalibratedClassifierCV) -> None:
        folds = model.calibrated_classifiers_
        self.n_folds, self.n_classes = len(folds), len(model.classes_)
        self.weights = np.hstack([f.estimator.coef_.T for f in folds]).astype(np.float32)  # (features, folds*classes)
        self.bias = np.concatenate([f.estimator.intercept_ for f in folds])
        self.a = np.concatenate([[c.a_ for c in f.calibrators] for f in folds])
        self.b = np.concatenate([[c.b_ for c in f.calibrators] for f in folds])

    def predict_proba(self, text_rows: list[SparseRow], extra: np.ndarray) -> np.ndarray:
        width = self.weights.shape[0] - extra.shape[1]  # text features first, then the extra columns
        # Only the rows of the weights a message touches: a gather of ~200 rows beats a sparse product.
        text_scores = np.stack([values @ self.weights[columns] for columns, values in text_rows])
        scores = text_scores + extra @ self.weights[width:] + self.bias
        p = 1.0 / (1.0 + np.exp(self.a * scores + self.b))  # sklearn's sigmoid: expit(-(a*d + b))
        p = p.reshape(len(scores), self.n_folds, self.n_classes)
        total = p.sum(axis=2, keepdims=True)
        p = np.divide(p, total, out=np.full_like(p, 1.0 / self.n_classes), where=total != 0)
        return p.mean(axis=1)


# ---- entities ---------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}\b")
_ORDER = re.compile(
    r"(?<![\w-])(?P<code>[A-Z]{2,4}-\d{4}-\d{3,8})(?![\w-])"  # NL-2026-10442, the platform's format
    r"|[#№]\s?(?P<hash>\d{3,10})\b"  # #10442
    # "order 10442", "zamówienie nr 10442", "заказ №10442": the keyword makes a bare number an order id.
    r"|(?:order|zam[oó]wieni\w*|beställning\w*|best[aä]llning\w*|ordernummer|ordernr|заказ\w*|замовлен\w*"
    r"|porosi\w*|bestellung\w*|bestellnummer|commande|pedido|ordine|objedn[aá]v\w*|nr\.?)"
    r"[\s:.]*(?:nr\.?|no\.?|number|numer|номер|№|#)?[\s:.#]*(?P<num>\d{4,10})\b",
    re.IGNORECASE,
)

_NUMBER = r"\d{1,3}(?:[ \u00a0.]\d{3})+(?:,\d{1,2})?|\d{1,3}(?:[ \u00a0,]\d{3})+(?:\.\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_CURRENCY_WORDS = {
    "PLN": ("zł", "zl", "pln", "złotych", "zlotych", "złote", "zlote", "złoty"),
    "EUR": ("€", "eur", "euro", "euros", "evro", "eurot", "euron", "eura", "евро", "євро"),  # sq, cs, ru, uk forms
    "SEK": ("kr", "sek", "kronor", "kronor"),
    "RUB": ("₽", "руб", "rub", "рублей", "рубля", "рубль"),
    "UAH": ("₴", "грн", "uah", "гривень", "гривні", "гривня"),
    "ALL": ("lek", "lekë", "leke", "lekë"),
    "USD": ("$", "usd"),
    "GBP": ("£", "gbp"),
    "CHF": ("chf",),
    "CZK": ("kč", "czk"),
}
_CURRENCY_OF = {w: code for code, words in _CURRENCY_WORDS.items() for w in words}
_CURRENCY_ALT = "|".join(re.escape(w) for w in sorted(_CURRENCY_OF, key=len, reverse=True))
_AMOUNT = re.compile(
    rf"(?<![\w.,])(?P<n1>{_NUMBER})\s?(?P<c1>{_CURRENCY_ALT}|ALL)(?!\w)"
    rf"|(?<!\w)(?P<c2>[€$£₽₴]|eur|pln|sek|usd|gbp|chf)\s?(?P<n2>{_NUMBER})(?![\w.,]\d)",
    re.IGNORECASE,
)

_MONTHS = {  # folded stems (en, pl, ru, sq, uk, de, sv, fr, es, it, cs); the longest matching stem wins
    1: ("jan", "stycz", "январ", "janar", "січ", "ene", "genn", "ledn", "leden"),
    2: ("feb", "lut", "феврал", "shkurt", "лют", "fev", "unor"),
    3: ("mar", "март", "берез", "brez"),
    4: ("apr", "kwie", "апрел", "prill", "квіт", "avr", "abr", "dub"),
    5: ("may", "maj", "mai", "мая", "маи", "трав", "magg", "kvet"),
    6: ("jun", "czerw", "июн", "qershor", "черв", "juin", "giu", "cerven", "cervn"),
    7: ("jul", "lip", "июл", "korrik", "лип", "juil", "lug", "cervenc"),
    8: ("aug", "sierp", "август", "gusht", "серп", "aout", "ago", "srp"),
    9: ("sep", "wrze", "сентябр", "shtator", "верес", "sett", "zari"),
    10: ("oct", "okt", "pazdz", "октябр", "tetor", "жовт", "ott", "rij"),
    11: ("nov", "listop", "ноябр", "nentor", "листоп"),
    12: ("dec", "dez", "grud", "декабр", "dhjetor", "груд", "dic", "pros"),
}
_MONTH_OF = sorted(((stem, m) for m, stems in _MONTHS.items() for stem in stems), key=lambda p: -len(p[0]))
_MONTH_ALT = "|".join(stem for stem, _ in _MONTH_OF)
_RELATIVE_DAYS = {
    # Not the French "hier": it is German for "here".
    0: ("today", "dzisiaj", "dzis", "idag", "сегодня", "sot", "heute", "сьогодні", "aujourd'hui", "hoy", "oggi",
        "dnes"),
    1: ("yesterday", "wczoraj", "igar", "вчера", "dje", "gestern", "вчора", "учора", "ayer", "ieri", "vcera"),
    2: ("day before yesterday", "przedwczoraj", "i forrgar", "позавчера", "pardje", "vorgestern", "позавчора",
        "avant-hier", "avant hier", "anteayer", "antes de ayer", "l'altro ieri", "altroieri", "predevcirem"),
}  # fmt: skip
_WEEKDAYS = {  # folded spellings per language (en, pl, sv, ru, sq, de, uk, fr, es, it, cs); Monday = 0
    0: (
        "monday",
        r"poniedzia\w*",
        r"mandag\w*",
        r"понедельник\w*",
        r"(?:e|te)\s+hene\w*",
        r"montag\w*",
        r"понеділ\w*",
        "lundi",
        "lunes",
        "lunedi",
        r"pondel\w*",
    ),
    1: (
        "tuesday",
        r"wtor\w*",
        r"tisdag\w*",
        r"вторник\w*",
        r"(?:e|te)\s+marte\w*",
        r"dienstag\w*",
        r"вівтор\w*",
        "mardi",
        "martes",
        "martedi",
        r"uter\w*",
    ),
    2: (
        "wednesday",
        r"srod\w*",
        r"onsdag\w*",
        "сред[аыу]",
        r"(?:e|te)\s+merkure\w*",
        r"mittwoch\w*",
        "серед[аиу]",
        "mercredi",
        "miercoles",
        "mercoledi",
        "stred[auy]",
    ),
    3: (
        "thursday",
        r"czwart\w*",
        r"torsdag\w*",
        r"четверг\w*",
        r"(?:e|te)\s+enjte\w*",
        r"donnerstag\w*",
        r"четвер\w*",
        "jeudi",
        "jueves",
        "giovedi",
        r"ctvrt(?:ek|k\w*)",
    ),
    4: (
        "friday",
        r"piat\w*",
        r"fredag\w*",
        r"пятниц\w*",
        r"(?:e|te)\s+premte\w*",
        r"freitag\w*",
        r"п'?ятниц\w*",
        "vendredi",
        "viernes",
        "venerdi",
        r"pat(?:ek|k\w*)",
    ),
    5: (
        "saturday",
        r"sobot\w*",
        r"lordag\w*",
        r"суббот\w*",
        r"(?:e|te)\s+shtune\w*",
        r"samstag\w*",
        r"субот\w*",
        "samedi",
        "sabado",
        "sabato",
    ),
    6: (
        "sunday",
        r"niedziel\w*",
        r"sondag\w*",
        r"воскресень\w*",
        r"(?:e|te)\s+diel\w*",
        r"sonntag\w*",
        r"неділ\w*",
        "dimanche",
        "domingo",
        "domenica",
        r"nedel\w*",
    ),
}


def _alternation(groups: dict[int, Iterable[str]], prefix: str, escape: bool) -> str:
    return "|".join(
        f"(?P<{prefix}{key}_{i}>{re.escape(p) if escape else p})"
        for key, ps in groups.items()
        for i, p in enumerate(ps)
    )


_DATE = re.compile(
    r"(?<![\w.])(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})(?![\w])"
    r"|(?<![\w.,])(?P<nd>\d{1,2})[./](?P<nm>\d{2})(?:[./](?P<ny>\d{4}|\d{2}))?\.?(?![\w]|[.,]\d)"
    rf"|(?<![\w.])(?P<td>\d{{1,2}})(?:\.|st|nd|rd|th|-?го|-?е)?\s+(?:of\s+)?(?P<tm>{_MONTH_ALT})\w*(?:\s+(?P<ty>\d{{4}}))?"
    rf"|(?<!\w)(?P<em>{_MONTH_ALT})\w*\s+(?P<ed>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)"
    rf"|(?<!\w)(?:{_alternation(_RELATIVE_DAYS, 'r', escape=True)})(?!\w)"
    rf"|(?<!\w)(?:{_alternation(_WEEKDAYS, 'w', escape=False)})(?!\w)"
)


def _valid_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _past_date(today: date, month: int, day: int, year: str | None) -> date | None:
    """A date without a year is the most recent one not after today: complaints are about the past."""
    if year:
        y = int(year)
        return _valid_date(y + 2000 if y < 100 else y, month, day)
    found = _valid_date(today.year, month, day)
    if found and found > today:
        found = _valid_date(today.year - 1, month, day)
    return found


def _month(stem: str) -> int:
    return next(m for s, m in _MONTH_OF if stem.startswith(s))


def _date_value(m: re.Match, today: date) -> date | None:
    g = m.groupdict()
    if g["iy"]:
        return _valid_date(int(g["iy"]), int(g["im"]), int(g["id"]))
    if g["nd"]:
        return _past_date(today, int(g["nm"]), int(g["nd"]), g["ny"])
    if g["td"]:
        return _past_date(today, _month(g["tm"]), int(g["td"]), g["ty"])
    if g["em"]:
        return _past_date(today, _month(g["em"]), int(g["ed"]), None)
    name = m.lastgroup or ""
    if name.startswith("r"):
        return today - timedelta(days=int(name[1:].split("_")[0]))
    if name.startswith("w"):
        # "on Monday" told on a Monday means last week's: the same day would be "today".
        back = (today.weekday() - int(name[1:].split("_")[0])) % 7 or 7
        return today - timedelta(days=back)
    return None


def _amount_value(number: str, currency: str) -> str | None:
    if currency == "ALL" or currency.lower() in _CURRENCY_OF:
        code = "ALL" if currency == "ALL" else _CURRENCY_OF[currency.lower()]
    else:
        return None
    n = number.replace("\u00a0", " ")
    if re.fullmatch(r"\d{1,3}(?:[ .]\d{3})+(?:,\d{1,2})?", n):  # 1.299,90 / 1 299,90
        n = n.replace(" ", "").replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(?:[ ,]\d{3})+(?:\.\d{1,2})?", n):  # 1,299.90
        n = n.replace(" ", "").replace(",", "")
    else:
        n = n.replace(",", ".")
    try:
        return f"{Decimal(n).quantize(Decimal('0.01'))} {code}"
    except InvalidOperation:
        return None


_PHONE_REGION = {"en": "GB", "pl": "PL", "sv": "SE", "ru": "RU", "sq": "AL", "de": "DE", "uk": "UA", "cs": "CZ",
                 "fr": "FR", "es": "ES", "it": "IT"}  # fmt: skip


def _phones(text: str, language: str) -> Iterable[Entity]:
    if sum(map(str.isdigit, text)) < 7:  # the matcher is slow; no phone number has fewer digits
        return
    for match in phonenumbers.PhoneNumberMatcher(text, _PHONE_REGION.get(language, "PL")):
        value = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        yield Entity("phone", value, match.start, match.end)


# A Slavic noun's last-syllable vowel that drops before an ending (the "fleeting" e/o): "kubek" (mug) is "kubka",
# "kubki"; "pudełek"/"pudełka"; "носок"/"носка"; "kbelík" keeps it. Round 13/14: "kubka w paczce nie było" named no
# line of the order, and the missing mug was never offered anything. Folded letters: consonant, e or o, consonant.
_CONSONANT = "bcdfghjklmnprstvwxzбвгджзйклмнпрстфхцчшщ"
_FLEETING = re.compile(rf"(\w*[{_CONSONANT}])([eoео])([{_CONSONANT}])")


_VOWEL_END = re.compile(r"\w{4,}[aeiouyаеиоуыяюіїєё]")


def _inflected(word: str) -> str:
    """A word of a phrase as a pattern whose ending may change: "deska" finds "deski", "deskę" (folded "deske")."""
    if _VOWEL_END.fullmatch(word):
        return re.escape(word[:-1]) + r"\w{1,3}"
    return re.escape(word) + (r"\w{0,3}" if len(word) >= 5 else "")


class _Lookup:
    """Phrase matcher for one lookup table: word boundaries, case and diacritics ignored.

    A single word of 5+ letters may carry up to 3 more letters, so "uszkodzony" also finds
    "uszkodzonym" and "kaputt" "kaputte"; Slavic stems in the data ("разбит") rely on it.
    """

    def __init__(self, values: dict[str, list[str]], inflect: bool = False) -> None:
        """`inflect`: each word of a phrase may change its last vowel for an ending, as Slavic nouns and adjectives
        do ("deska łupkowa" is "deski łupkowej", "deskę łupkową"): used for data/items.yml, whose kinds count only
        where the order holds one (round 14: "deski lupkowej w ogole nie bylo" named no line of the order, so the
        missing board was never offered anything). Not for the other lookups, where a bare stem would reach too far."""
        # One alternation per first character, longest phrase first (so the longest wins at a position, as
        # in one big alternation). Python's re tries every alternative at every position, so a single
        # regex of ~200 phrases cost ~170 µs per message; starting only where a phrase can start is ~10x less.
        groups: dict[str, list[str]] = {}
        self._values: list[str] = []
        phrases = [(fold(p)[0].strip(), value) for value, ps in values.items() for p in ps]
        for phrase, value in sorted(set(phrases), key=lambda p: -len(p[0])):
            if not phrase:
                continue
            if inflect:
                body = r"\s+".join(_inflected(w) for w in phrase.split())
            else:
                body = r"\s+".join(re.escape(w) for w in phrase.split())
                if " " not in phrase and len(phrase) >= 5:
                    body += r"\w{0,3}"
            fleeting = _FLEETING.fullmatch(phrase) if len(phrase) >= 5 else None
            if fleeting:  # "kubek" -> "kubka", "носок" -> "носка": the vowel drops when an ending is added
                body = f"(?:{body}|{re.escape(fleeting[1] + fleeting[3])}\\w{{1,3}})"
            groups.setdefault(phrase[0], []).append(f"(?P<p{len(self._values)}>{body})")
            self._values.append(value)
        self._by_first = {ch: re.compile(rf"(?<!\w)(?:{'|'.join(parts)})(?!\w)") for ch, parts in groups.items()}
        self._starts = re.compile(rf"(?<!\w)[{''.join(re.escape(ch) for ch in groups)}]") if groups else None

    def find(self, folded: str) -> Iterable[tuple[str, int, int]]:
        """Non-overlapping matches, left to right, as `finditer` over one alternation of all phrases."""
        if self._starts is None:
            return
        pos = 0
        while (start := self._starts.search(folded, pos)) is not None:
            m = self._by_first[start.group(0)].match(folded, start.start())
            if m is None:
                pos = start.start() + 1
                continue
            yield self._values[int((m.lastgroup or "p0")[1:])], m.start(), m.end()
            pos = m.end()


_TOKEN = re.compile(r"\w{3,}")


@lru_cache(maxsize=4096)
def _folded(phrase: str) -> str:
    return fold(phrase)[0]


@lru_cache(maxsize=4096)
def _item_words(items: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    # Words under 4 letters ("for", "set", "2p") would match half of any message.
    return [(name, [w for w in _TOKEN.findall(_folded(name)) if len(w) >= 4]) for name in items]


def _names_kind(folded_name: str, kind: str, kinds: dict[str, list[str]]) -> bool:
    """Does a catalogue name hold one of the kind's phrases as whole words ("Silicone baking mats" holds
    "mat"; "Portable speaker" does not hold "table")?"""
    return any(re.search(rf"(?<!\w){re.escape(_folded(p))}\w{{0,2}}(?!\w)", folded_name) for p in kinds.get(kind, []))


@lru_cache(maxsize=1 << 16)  # word pairs recur across messages
def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    # Inflection changes endings ("namiotu", "kurtkę"): a long shared beginning is the same word.
    common = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    if common >= 4 and common >= 0.75 * min(len(a), len(b)):
        return True
    # A typo ("lampa"/"lamap", "lanten"): rapidfuzz's normalised Indel similarity, 0-100, between words of about
    # the same length. Without the length check a word that is a subsequence of an item's word matched it:
    # Swedish "låter" ("sounds", folded "later") is 83 to "lantern", and "jag låter det stå" (I'll leave it)
    # after the remedy was read as the buyer naming the lantern again.
    return len(a) >= 4 and len(b) >= 4 and abs(len(a) - len(b)) <= 1 and fuzz.ratio(a, b) >= 80


# Negation words that, said alone, answer a question ("no it came broken") rather than deny what follows.
_ANSWER_WORDS = frozenset({"no", "нет", "ні", "jo", "nej", "nein", "non"})
_CLAUSE_END = re.compile(r"[,.;:!?\n]")


def _clause_around(text: str, start: int, end: int) -> str:
    """The clause of `text` that holds the span: between the clause marks before and after it."""
    before = max((m.end() for m in _CLAUSE_END.finditer(text, 0, start)), default=0)
    after = _CLAUSE_END.search(text, end)
    return text[before : after.start() if after else len(text)].strip()


def _holds_negation(phrase: str) -> bool:
    """A problem phrase with its own "never" or "not" ("mai arrivato", "nie dotarła"): a negation before it agrees
    with it ("non è mai arrivato", it never arrived) rather than denying the problem (negative concord)."""
    return bool(set(re.findall(r"\w+", phrase)) & (concord_words() | negation_words()))


def _denied(text: str, start: int, language: str = UNDETERMINED) -> bool:
    """Whether the buyer denies the problem named at `start` ("it wasn't late", "nie było opóźnione"): a
    negation among the two words before it, in the same clause."""
    negations = negation_words() - plain_words(language)  # Swedish "ni" is "you", not Spanish "nor"
    clause = _CLAUSE_END.split(text[:start])[-1]
    words = [normalise(w) for w in re.findall(r"[\w']+", clause)]
    if len(words) >= 2 and words[-2] in relative_words() and words[-1] in negations:
        # "une nouvelle qui ne fuit pas", "one that isn't broken": the negation describes a thing, it denies nothing.
        return False
    if ends_clause(words, negations):  # "... nicht das fehlt einfach" (dictated): the next clause (clauses.py)
        return False
    denial = [k for k in range(max(0, len(words) - 2), len(words)) if words[k] in negations]
    before = [normalise(w) for w in re.findall(r"[\w']+", text[:start])]  # across a comma: "a new one, not cracked"
    at = len(before) - (len(words) - denial[0]) if denial else 0
    if denial and new_thing_words() & set(before[max(0, at - 3) : at]):
        # "un autre distributeur pas fêlé", "a new one, not chipped": the negation describes the new thing wished for;
        # read as a denial it dropped the crack the buyer had reported, and a coupon was offered (held-out round 13).
        return False
    # An answer word ("no", "nej", "non") opening the clause answers a question ("no it came broken"); inside the
    # clause it negates the verb after it, as Spanish and Italian say it ("que no llegó tarde, es el color": held-out
    # round 10, the late delivery the buyer denied sent the case to staff).
    first = max(0, len(words) - 2)
    return any(w in negations and (w not in _ANSWER_WORDS or first + k > 0) for k, w in enumerate(words[first:]))


# ---- the NLU ----------------------------------------------------------------------------------


def _letters_and_words(text: str) -> tuple[int, int]:
    return sum(map(str.isalpha, text)), len(text.split())


def _lang_code(language: object) -> str:
    return language.iso_code_639_1.name.lower()  # type: ignore[attr-defined]


LATIN_TYPED = ("ru", "uk")
LATIN_LOOKUPS = ("problem", "risk")


def latin_phrases(values: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each Cyrillic phrase of a lookup as Russian and Ukrainian buyers type it in Latin letters, every common way
    (bot/understanding/translit.py); phrases without Cyrillic are left out (they already match Latin text)."""
    out: dict[str, list[str]] = {}
    for value, phrases in values.items():
        latin = {variant for phrase in phrases if CYRILLIC.search(phrase) for variant in _latin_variants(phrase)}
        if latin:
            out[value] = sorted(latin)
    return out


# A phrase's words may each be typed by another habit ("trekinh ne ruhayetsya": "h" for г in one word, "h" for х
# in the next; held-out round 6 read that lost parcel as late): the variants are every combination of the words'
# own spellings, up to this many per phrase (then one spelling habit per phrase, as before).
MAX_LATIN_VARIANTS = 64


def _latin_variants(phrase: str) -> set[str]:
    folded = fold(phrase)[0]
    whole = {variant for language in LATIN_TYPED for variant in latin_texts(folded, language)}
    words = [{v for language in LATIN_TYPED for v in latin_texts(word, language)} for word in folded.split()]
    if not words or math.prod(len(w) for w in words) > MAX_LATIN_VARIANTS:
        return whole
    return whole | {" ".join(combo) for combo in itertools.product(*(sorted(w) for w in words))}


class NLU:
    def __init__(
        self,
        model: NLUModel,
        item_kinds: dict[str, list[str]] | None = None,
        item_sizes: dict[str, list[str]] | None = None,
        line_words: LineWords | None = None,
    ) -> None:
        self.model = model
        self._line_words = line_words  # data/order_lines.yml: a line named by its place or measure
        self._intents = model.intents
        self._lookups = {name: _Lookup(values) for name, values in model.lookups.items()}
        # The problem and risk phrases of Russian and Ukrainian as typed in Latin letters ("shchitka ne
        # zaryadzhuyetsya"), read only in a ru/uk message without Cyrillic: "brak" is Russian "брак" (defect) and
        # Polish for "missing", so these never apply to a message in another language.
        self._latin_lookups = {
            name: _Lookup(latin_phrases(values)) for name, values in model.lookups.items() if name in LATIN_LOOKUPS
        }
        self._item_values = model.lookups.get("item", {})
        # data/items.yml: the wider product vocabulary; a phrase the trained lookup already has stays its own.
        known = {_folded(p) for ps in self._item_values.values() for p in ps}
        kinds = {k: [p for p in ps if _folded(p) not in known] for k, ps in (item_kinds or {}).items()}
        self._kinds = _Lookup({k: ps for k, ps in kinds.items() if ps}, inflect=True)
        self._kind_values = item_kinds or {}
        # data/item_sizes.yml: "the small one" names an order line only beside the same product in another size.
        self._sizes = _Lookup(item_sizes or {})
        self._size_values = item_sizes or {}
        # In a catalogue name, whole words only: Swedish "stora" must not find "storage".
        exact = {
            k: re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(_folded(p)) for p in ps)})(?!\w)")
            for k, ps in self._size_values.items()
        }
        self._size_words = exact, re.compile("|".join(p.pattern for p in exact.values()) or r"(?!)")
        self._problems: ProblemModel | None = getattr(model, "problems", None)  # None: data without problems.yml

    def warm_up(self) -> None:
        """Pay every first-use cost now, not on a buyer's message: lingua's detector is built on its first
        detection (~40 ms), and the first prediction and entity pass touch code and data nothing has yet.
        A server calls this before it serves; its NLU helper, before it says it is ready. (Without it the
        first turns after a start queued behind the helper's first parse: bench/turn.py's p99 was 75 ms
        from its first second alone, and ~15 ms over the rest.)"""
        self.parse_many(_WARM_UP_TEXTS, items=("Fjord table lamp",))

    # -- language

    def detect_language(self, text: str, fallback_language: str | None = None) -> str:
        """lingua's answer when it is trustworthy, else the conversation's language (see module doc)."""
        return self._language(text, fallback_language)[0]

    def _language(self, text: str, fallback_language: str | None) -> tuple[str, float]:
        """(detect_language's answer, lingua's confidence in it; 0.0 where the fallback stands in). The
        conversation uses the confidence to switch at once on one long, very sure message (flow.absorb)."""
        letters, words = _letters_and_words(text)
        if not letters:
            return fallback_language or UNDETERMINED, 0.0
        translit = latin_slavic(text)  # Russian or Ukrainian in Latin letters: lingua has no model for it
        if translit is not None:
            return translit, 1.0
        # Czech without diacritics, Ukrainian in Latin letters: lingua reads them as English or Spanish.
        best, confidence = folded_language_confidence(text)
        if best is None:
            values = _get_detector().compute_language_confidence_values(text[:_MAX_CLASSIFY_CHARS])
            if not values or values[0].value <= 0.0:
                return fallback_language or UNDETERMINED, 0.0
            best, confidence = _lang_code(values[0].language), float(values[0].value)
        if fallback_language is None or best == fallback_language:
            return best, confidence
        if {best, fallback_language} == set(LATIN_TYPED) and text.isascii():
            # Russian and Ukrainian typed in Latin letters have lost the letters that tell them apart (ы э / і ї є),
            # and the folded-text model's guess between them is no evidence: "vy lichno ne vinovaty, no ja hochu
            # den'gi nazad" moved a Russian case to Ukrainian at 0.94. Only the marker words above switch them.
            return fallback_language, 0.0
        if known_share(text, fallback_language) - known_share(text, best) >= _KEEP_BY_WORDS_MARGIN:
            # Words clearly more the conversation's language's than lingua's pick's keep it, however sure lingua is:
            # "ok, promin za ten ton, byl to blbej den. pojdme to vyresit" (Czech, no diacritics) read as Albanian at
            # 0.99999, and the Czech buyer was answered in Albanian (held-out round 10): half its words are Czech,
            # one in twelve Albanian. A buyer who really switches writes the new language's words.
            return fallback_language, 0.0
        long_enough = words >= _SWITCH_MIN_WORDS or letters >= _SWITCH_MIN_LETTERS
        needed = _SHORT_SWITCH_CONFIDENCE if words < _SHORT_REPLY_WORDS else _SWITCH_CONFIDENCE
        if words < _SHORT_REPLY_WORDS and known_share(text, fallback_language) >= known_share(text, best):
            # A few words lingua is sure of are weak evidence where they are as much the conversation's language's
            # words: "ma sei un bot?" in an Italian case read as German at 0.92 (issue 18).
            return fallback_language, 0.0
        return (best, confidence) if long_enough and confidence >= needed else (fallback_language, 0.0)

    # -- entities

    def entities(
        self, text: str, language: str = UNDETERMINED, items: Sequence[str] = (), today: date | None = None
    ) -> tuple[list[Entity], list[str], list[str]]:
        """(entities, problem values, risk values) found in `text`."""
        return self._extract(text, language, items, today)[:3]

    def _extract(
        self, text: str, language: str = UNDETERMINED, items: Sequence[str] = (), today: date | None = None
    ) -> tuple[list[Entity], list[str], list[str], list[str]]:
        """`entities` and the problems the buyer denies (ParseResult.denied)."""
        text = text[:_MAX_ENTITY_CHARS]
        today = today or datetime.now(UTC).date()
        folded, index = fold(text)

        def span(start: int, end: int) -> tuple[int, int]:
            return _span(index, start, end)

        found: list[Entity] = []  # in priority order: a later candidate overlapping an earlier one loses
        found += [Entity("email", m.group(0).lower(), m.start(), m.end()) for m in _EMAIL.finditer(text)]
        for m in _ORDER.finditer(text):
            group = next(g for g in ("code", "hash", "num") if m.group(g))
            found.append(Entity("order_id", m.group(group).upper(), m.start(group), m.end(group)))
        for m in _AMOUNT.finditer(text):
            number, currency = (m.group("n1"), m.group("c1")) if m.group("n1") else (m.group("n2"), m.group("c2"))
            value = _amount_value(number, currency)
            if value:
                found.append(Entity("amount", value, m.start(), m.end()))
        for m in _DATE.finditer(folded):
            when = _date_value(m, today)
            if when:
                found.append(Entity("date", when.isoformat(), *span(m.start(), m.end())))
        found += list(_phones(text, language))
        found += self._items(folded, span, items)

        kept: list[Entity] = []
        for e in found:
            if all(e.end <= k.start or e.start >= k.end for k in kept):
                kept.append(e)
        kept.sort(key=lambda e: (e.start, e.end))

        problems, risks, denied = [], [], []
        latin = language in LATIN_TYPED and not CYRILLIC.search(text)
        for name, out in (("problem", problems), ("risk", risks)):
            if name in self._lookups:
                found_here = list(self._lookups[name].find(folded))
                if latin and name in self._latin_lookups:
                    found_here += self._latin_lookups[name].find(folded)
                for value, start, end in found_here:
                    if name == "problem" and about_life(folded, start, end, language):
                        # "my mum broke her wrist", "the van broke down": the buyer's life, not the order (round 12).
                        continue
                    if name == "risk" and names_a_thing(folded, start, end):
                        # "straż pożarna" (a toy fire station), "fire pit", "smoked glass": what a thing is, no danger.
                        continue
                    # "It wasn't late, it came BROKEN": the problem the buyer denies is not one (issue 18.3).
                    if (
                        name == "problem"
                        and not _holds_negation(folded[start:end])
                        and _denied(text, index[start], language)
                    ):
                        if value not in denied:
                            denied.append(value)
                        continue
                    if name == "problem" and value == "missing_item" and chipped_off(folded, start, end, language):
                        # "a chunk missing from the rim": a piece of the item's own surface, damage (round 16)
                        value = "damaged"
                    if value not in out:
                        out.append(value)
        if not problems and "wrong_item" not in denied and colour_swapped(text):
            problems.append("wrong_item")  # "came white, I ordered black": two colours say it (colour_swap.py)
        if not problems and "missing_item" not in denied and says_short(folded):
            problems.append("missing_item")  # "only 5 of the 10 plates came": part is missing (short_count.py)
        if not problems and "late" not in denied and says_waited(folded):
            problems.append("late")  # "ждала 11 дней", "waited 12 days": a long wait is a late parcel (waited.py)
        # A problem both denied and named ("not late, but late AND broken") stands: the buyer named it.
        return kept, problems, risks, [d for d in denied if d not in problems]

    def problems(self, text: str, language: str = UNDETERMINED, items: Sequence[str] = ()) -> list[str]:
        """What went wrong in a text that is a complaint (a review): the lookup's problems, else the classifier's.
        "Boots took nearly two weeks to arrive when the site said 3 days" names no listed word, and the first
        message spoke of "the problem with your order" instead of the late delivery."""
        _entities, found, _risks = self.entities(text, language, items)
        if not found and self._problems is not None and text.strip():
            found = self._problems.problems([text], REVIEW_MIN_CONFIDENCE)[0]
        return as_defect(found, text, language)  # "died after 3 weeks" is a defect, not a late parcel

    def _items(self, folded: str, span: Callable[[int, int], tuple[int, int]], items: Sequence[str]) -> list[Entity]:
        found: list[Entity] = []
        # A catalogue name's size word is no word of the item: "a small scratch" named "Glass vase, small" in an
        # order with another line; the size names a line only beside its sibling in another size (below).
        unsized = self._size_words[1]
        item_words = [
            (name, [w for w in words if not unsized.fullmatch(w)]) for name, words in _item_words(tuple(items))
        ]
        matched: set[str] = set()
        # Two lines of one product in two sizes ("Rope basket, large", "..., small"): the size word the buyer says
        # ("ten malý", "den lilla", "the bigger one") names its line, and the words the lines share name neither
        # (held-out round 9: "ten maly kos. ne velky" was asked "which item?" twice, then handed over).
        sized = {**measure_siblings(items, self._line_words), **self._sized_lines(tuple(items))}
        for size, start, end in self._sizes.find(folded) if sized else ():
            owner = sized.get(size)
            if owner is not None and owner not in matched:
                matched.add(owner)
                found.append(Entity("item", owner, *span(start, end)))
        # Lines of one product in several colours: the colour said ("la amarilla", "e verdha") names its line, as a
        # size does above (colour_swap.colour_lines; held-out round 15, es).
        coloured = colour_lines(items)
        for colour, start, end in colours_said(folded) if coloured else ():
            owner = coloured.get(colour)
            if owner is not None and owner not in matched:
                matched.add(owner)
                found.append(Entity("item", owner, *span(start, end)))
        # "la seconda", "40 gånger 40": a line pointed at by its place or measure (bot/understanding/order_lines.py).
        for owner, start, end in named_lines(folded, items, self._line_words):
            if owner not in matched:
                matched.add(owner)
                found.append(Entity("item", owner, *span(start, end)))
        if matched and sized:  # the words the lines share ("basket", "kos") then name neither line
            matched |= set(sized.values())
        # The words lines of one product in several colours share ("la taza", "the mug") name none of them: the first
        # line was taken, and a buyer of three mugs who meant the yellow one was offered the blue one's replacement
        # (held-out round 15, es). Unnamed, the bot asks which one.
        matched |= set(coloured.values())
        # The order's own item names first: "namiotu" or a typo still points at the order's tent.
        for m in _TOKEN.finditer(folded[:2000]):
            token = m.group(0)
            for name, words in item_words:
                if name not in matched and any(_similar(token, w) for w in words):
                    matched.add(name)
                    found.append(Entity("item", name, *span(m.start(), m.end())))
        # Then the item lookup ("namiot" -> tent), mapped onto an order item that shares the lookup value.
        if "item" in self._lookups:
            for value, start, end in self._lookups["item"].find(folded):
                phrases = [_folded(p) for p in self._item_values.get(value, [value])]
                owners = [name for name, _ in item_words if any(p in _folded(name) for p in phrases)]
                if _variants_of_one_product(owners):
                    # A word that fits several lines of one product alike ("one of the three mugs", the mugs in three
                    # colours) names none of them: the first was taken, and the replacement booked on a mug that was
                    # fine (held-out round 15, es and pl). Unnamed, the bot asks which one.
                    matched |= set(owners)
                    continue
                owner = owners[0] if owners else None
                # The trained lookup's word may be another product's too: Polish "czajnik", Russian "чайник" name the
                # kettle and the teapot alike, and a teapot's buyer was asked "which item?" until handed over
                # (held-out personas, round 7). Where the order holds no kettle, the kind that shares the word does.
                owner = owner or self._held_kind_owner(folded[start:end], "", item_words) or value
                if owner not in matched:
                    matched.add(owner)
                    found.append(Entity("item", owner, *span(start, end)))
        # Then the wider vocabulary ("Reiskocher" -> rice cooker), only where it names an item of this order:
        # a kind the order does not hold says nothing the case can use ("podstawka pod garnek" is a part).
        for kind, start, end in self._kinds.find(folded):
            owners = [name for name, _ in item_words if _names_kind(_folded(name), kind, self._kind_values)]
            if _variants_of_one_product(owners):  # as above: "the pan" of two pans in two sizes names neither
                matched |= set(owners)
                continue
            owner = owners[0] if owners else None
            if owner is None:
                # A word two kinds share names whichever of them the order holds: Polish "suszarka" is a hair dryer
                # or a clothes-drying rack, and the rack's buyer was asked "which item?" until handed over
                # (held-out personas, round 6).
                owner = self._held_kind_owner(folded[start:end], kind, item_words)
            if owner is not None and owner not in matched:
                matched.add(owner)
                found.append(Entity("item", owner, *span(start, end)))
        # A word that names no line of this order ("lampe": a lamp) gives way to a phrase over the same words that
        # does ("lampe frontale": the order's head torch). Kept first, it told a buyer the item was not in the order,
        # and he was handed to staff (held-out round 11, fr; still so in session 26).
        held = [e for e in found if e.value in items]
        return [e for e in found if e.value in items or not any(h.start < e.end and e.start < h.end for h in held)]

    def _sized_lines(self, items: tuple[str, ...]) -> dict[str, str]:
        """size -> the order line of that size, for lines that are one product in several sizes (their names the
        same once size words are left out); empty when the order has no such lines."""
        if len(items) < 2 or not self._size_values:
            return {}
        exact, unsized = self._size_words
        stems: dict[str, list[str]] = {}
        for name in items:
            stem = " ".join(_TOKEN.findall(unsized.sub(" ", _folded(name))))
            stems.setdefault(stem, []).append(name)
        out: dict[str, str] = {}
        for names in stems.values():
            if len(names) < 2:
                continue
            for size in self._size_values:
                holding = [n for n in names if exact[size].search(_folded(n))]
                if len(holding) == 1:
                    out[size] = holding[0]
        return out

    def _held_kind_owner(self, said: str, kind: str, item_words: list[tuple[str, list[str]]]) -> str | None:
        """The order's item of another kind than `kind` that also has the word `said`, if the order holds one."""
        return next(
            (
                name
                for other in self._shared_kinds(said, kind)
                for name, _ in item_words
                if _names_kind(_folded(name), other, self._kind_values)
            ),
            None,
        )

    def _shared_kinds(self, said: str, kind: str) -> list[str]:
        """The other kinds with a phrase that matches `said` as the lookup does (5+ letters: 3 more of inflection)."""
        out = []
        for other, phrases in self._kind_values.items():
            if other == kind:
                continue
            for p in phrases:
                phrase = _folded(p).strip()
                tail = r"\w{0,3}" if " " not in phrase and len(phrase) >= 5 else ""
                if re.fullmatch(r"\s+".join(map(re.escape, phrase.split())) + tail, said):
                    out.append(other)
                    break
        return out

    # -- parse

    def _result(
        self, text: str, language: str, intent_p: np.ndarray, emotion_p: np.ndarray, extracted: tuple
    ) -> ParseResult:
        if not text.strip():  # nothing to classify: the policy's clarify path handles it
            others = [(i, 0.0) for i in self._intents if i != EMPTY_INTENT]
            ranking = [(EMPTY_INTENT, 1.0), *others[: _RANKING_SIZE - 1]]
            anger, level = 0.0, "calm"
        else:
            order = np.argsort(-intent_p)[:_RANKING_SIZE]
            ranking = [(self._intents[k], float(intent_p[k])) for k in order]
            anger = float(min(1.0, max(0.0, emotion_p[2] + 0.5 * emotion_p[1])))
            level = LEVELS[int(np.argmax(emotion_p))]
            if _ANGRY_EMOJI.intersection(text):
                # "😡😡😡" alone read as calm (affirm 0.25) and was thanked "for the explanation": the emotion model
                # never saw emoji in training, and these few say one thing in every language.
                anger, level = max(anger, 0.9), "angry"
            if calm_level(text, language, level) != level:  # "no worries, these things happen" (calm_words.py)
                anger, level = min(anger, CALM_ANGER), "calm"
        entities, problems, risks, denied = extracted
        return ParseResult(
            text=text,
            language=language,
            intent=ranking[0][0],
            confidence=ranking[0][1],
            ranking=ranking,
            anger=anger,
            level=level,
            entities=entities,
            problems=problems,
            risks=risks,
            denied=denied,
        )

    def parse(
        self,
        text: str,
        *,
        fallback_language: str | None = None,
        items: Sequence[str] = (),
        today: date | None = None,
        meaning: ProblemReading = "read",
    ) -> ParseResult:
        """Understand one buyer message. `fallback_language` is the conversation's current language; `meaning`
        says whether the problem classifier may be skipped (ProblemReading; the conversation knows when)."""
        one = self.parse_many([text], fallback_language=fallback_language, items=items, today=today, meaning=meaning)
        return one[0]

    def parse_many(
        self,
        texts: Sequence[str],
        *,
        fallback_language: str | None = None,
        items: Sequence[str] = (),
        today: date | None = None,
        meaning: ProblemReading = "read",
    ) -> list[ParseResult]:
        """Batch `parse`: one vectorisation and one classifier call for all texts."""
        texts = [t if isinstance(t, str) else str(t) for t in texts]
        if not texts:
            return []
        detected = [self._language(t, fallback_language) for t in texts]
        languages = [lang for lang, _ in detected]
        # "tngo q devolver..." is read as "tengo que devolver...": every reader below knows whole words only.
        texts = [written_out(t, lang) for t, lang in zip(texts, languages, strict=True)]
        # The sentences of messages with several ride in the same batch, in the message's language (a sentence
        # alone is too short to tell its language reliably): one vectorisation for all.
        spans = [split(t[:_MAX_CLASSIFY_CHARS]) for t in texts]
        spans = [s if len(s) > 1 else [] for s in spans]
        extra = [(i, a, b) for i, s in enumerate(spans) for a, b in s]
        batch = texts + [texts[i][a:b] for i, a, b in extra]
        intent_p, emotion_p = self.model.predict(batch, languages + [languages[i] for i, _, _ in extra])
        # What the case learns (problems, items, dates) is read without the clauses about an earlier order: "the
        # last one came without pegs" named the pegs this case's missing part (earlier_order.py; held-out round 15).
        # Blanked, not cut, so the entities' spans are the message's; the intents above read the whole message.
        facts = [without_earlier(t, lang) for t, lang in zip(texts, languages, strict=True)]
        extracted = [self._extract(t, lang, items, today) for t, lang in zip(facts, languages, strict=True)]
        extracted = self._meant_problems(facts, extracted, intent_p[: len(texts)], meaning, languages)
        extracted = self._problems_in_sentences(facts, spans, extracted, meaning, languages)
        extracted = self._problems_of_other_lines(facts, extracted, meaning, languages, items, today)
        # "padła po 3 tygodniach": a failure some time after delivery is a defect, not lateness or transit damage.
        extracted = [
            (e, as_defect(found, t, lang), r, d)
            for (e, found, r, d), t, lang in zip(extracted, facts, languages, strict=True)
        ]
        sentences: list[list[Sentence]] = [[] for _ in texts]
        for k, (i, a, b) in enumerate(extra, start=len(texts)):
            best = int(np.argmax(intent_p[k]))
            sentences[i].append(Sentence(texts[i][a:b], a, b, self._intents[best], float(intent_p[k][best])))
        return [
            replace(
                self._result(t, lang, intent_p[i], emotion_p[i], extracted[i]),
                language_confidence=detected[i][1],
                sentences=tuple(sentences[i]),
            )
            for i, (t, lang) in enumerate(zip(texts, languages, strict=True))
        ]

    def _meant_problems(
        self,
        texts: Sequence[str],
        extracted: list[tuple],
        intent_p: np.ndarray,
        meaning: ProblemReading = "read",
        languages: Sequence[str] = (),
    ) -> list[tuple]:
        """The lookup's problems where it found any; else the problem classifier's (bot/understanding/problems.py),
        which reads what went wrong from the meaning of the words no list holds. A message the intent model is
        sure is a plain yes, thanks or greeting is not asked: it names no fault, and the encoder's ~10 ms is
        saved on the most common replies. `meaning` (ProblemReading) skips it on more turns where no problem it
        could find would change what the bot does; a correction ("not damaged, it ...") is read all the same."""
        best = np.argmax(intent_p, axis=1)
        plain = [
            self._intents[k] in _PLAIN_ANSWERS and intent_p[i][k] >= _PLAIN_ANSWER_CONFIDENCE
            for i, k in enumerate(best)
        ]
        if meaning == "unless_answer":
            plain = [p or self._intents[k] in _ANSWERS for p, k in zip(plain, best, strict=True)]
            # The follow-up's question answered "it arrived" / "all sorted" (data/answers/follow_up.yml) names no fault
            # by its meaning: "doszło wczoraj, sprawa zamknięta" (it came yesterday, case closed) was read as damage
            # and four settled cases went to staff as failed remedies (held-out round 10). A fault said in words
            # ("arrived, but cracked") is the lookup's and still counts; a "not arrived" reads as failed first.
            said = list(languages) or [UNDETERMINED] * len(texts)
            plain = [p or follow_up_answer(t, lang) == "worked" for p, t, lang in zip(plain, texts, said, strict=True)]
        elif meaning == "skip":
            plain = [not denied for _, _, _, denied in extracted]
        todo = [i for i, (_, found, _, _) in enumerate(extracted) if not found and texts[i].strip() and not plain[i]]
        if self._problems is None or not todo:
            return extracted
        meant = self._problems.problems([texts[i] for i in todo])
        out = list(extracted)
        for i, problems in zip(todo, meant, strict=True):
            entities, _, risks, denied = out[i]
            # "It wasn't late at all" still reads as about lateness by its meaning: what the buyer denies is not it.
            out[i] = (entities, [x for x in problems if x not in denied], risks, denied)
        return out

    def _problems_of_other_lines(
        self,
        texts: Sequence[str],
        extracted: list[tuple],
        meaning: ProblemReading,
        languages: Sequence[str],
        items: Sequence[str],
        today: date | None,
    ) -> list[tuple]:
        """A message naming two lines of the order, where the lookup found a problem: the clause of each line the lookup
        found none in is read by the classifier too. "Le bec de la théière est ébréché, et le mug n'était pas dans le
        colis" gave the lookup's damage alone, and the missing mug was never offered anything (round 13, fr ramekins
        and blowtorch): the lookup's problems, where it finds any, stand for the whole message otherwise."""
        if self._problems is None or meaning == "skip":
            return extracted
        out = list(extracted)
        for i, (entities, found, risks, denied) in enumerate(extracted):
            lines = {e.value: e for e in entities if e.entity == "item" and e.value in items}
            if not found or len(lines) < 2:
                continue
            lang = languages[i] if i < len(languages) else UNDETERMINED
            clauses = [_clause_around(texts[i], e.start, e.end) for e in lines.values()]
            silent = [
                c for c in dict.fromkeys(clauses) if len(c.split()) >= 3 and not self._extract(c, lang, (), today)[1]
            ]
            if not silent:
                continue
            more = [p for ps in self._problems.problems(silent) for p in ps if p not in denied and p not in found]
            if more:
                out[i] = (entities, [*found, *dict.fromkeys(more)], risks, denied)
        return out

    def _problems_in_sentences(
        self,
        texts: Sequence[str],
        spans: list[list[tuple[int, int]]],
        extracted: list[tuple],
        meaning: ProblemReading,
        languages: Sequence[str] = (),
    ) -> list[tuple]:
        """A long message that names no problem read whole is read sentence by sentence: venting buries the facts in
        the middle, and the meaning of one sentence ("tracking says it sat in a depot and hasn't moved for 11 days")
        is lost among ten about the trip it was bought for (held-out round 8: a lost parcel told in 900 characters was
        "the problem with your order", and the refund asked for got a coupon). The most certain sentence's problem."""
        if self._problems is None or meaning == "skip":
            return extracted
        long = [
            i
            for i, (_, found, _, _) in enumerate(extracted)
            if not found and len(spans[i]) >= _LONG_SENTENCES and len(texts[i]) >= _LONG_CHARS
        ]
        if not long:
            return extracted
        out = list(extracted)
        for i in long:
            lang = languages[i] if i < len(languages) else UNDETERMINED
            # A sentence of the life story around the facts ("my mum broke her wrist") is no reading of the order.
            told = [texts[i][a:b] for a, b in spans[i]]
            told = [x for x in told if not about_life(x, 0, len(x), lang)]
            readings = [r for r in self._problems.readings(told) if r] if told else []
            entities, _, risks, denied = out[i]
            if readings and (best := max((p, label) for label, p in readings)[1]) not in denied:
                out[i] = (entities, [best], risks, denied)
        return out


# ---- data, training, cache --------------------------------------------------------------------


def _data_files(data_dir: Path) -> tuple[Path, Path]:
    nlu, emotion = Path(data_dir) / "nlu.yml", Path(data_dir) / "emotion.yml"
    for path in (nlu, emotion):
        if not path.is_file():
            raise FileNotFoundError(f"missing NLU training file {path}")
    return nlu, emotion


def data_hash(data_dir: Path) -> str:
    """sha256 over the training files, this module's and the problem model's code and the sklearn version.

    The code counts because a cached model trained by an older version of this module would otherwise be
    reused silently after a change to its features."""
    h = hashlib.sha256(f"nlu-v{MODEL_FORMAT_VERSION}-sklearn{sklearn.__version__}".encode())
    h.update(Path(__file__).read_bytes())
    h.update((Path(__file__).parent / "problems.py").read_bytes())
    problems = Path(data_dir) / PROBLEMS_FILE
    for path in [*_data_files(data_dir), *([problems] if problems.is_file() else [])]:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _load_data(data_dir: Path) -> tuple[list[Example], dict[str, dict[str, list[str]]], list[tuple[str, str, str]]]:
    nlu_path, emotion_path = _data_files(data_dir)
    examples, lookups = _read_examples(nlu_path)
    unknown = sorted({e.intent for e in examples} - set(INTENTS))
    if unknown:
        raise ValueError(f"{nlu_path.name}: unknown intents {unknown}; allowed: {INTENTS}")
    return examples, lookups, read_emotion(emotion_path)


def train(data_dir: Path, digest: str = "") -> NLUModel:
    examples, lookups, emotions = _load_data(data_dir)
    model = NLUModel(digest, lookups)
    model.fit([(e.text, e.intent, e.language) for e in examples], emotions)
    problems = Path(data_dir) / PROBLEMS_FILE
    if problems.is_file():  # optional: a shop's own data folder may not have one; the lookup then stands alone
        model.problems = ProblemModel().fit(problem_rows(examples, lookups, problems))
    return model


def problem_rows(
    examples: Sequence[Example], lookups: dict[str, dict[str, list[str]]], path: Path
) -> list[tuple[str, str]]:
    """The problem classifier's training rows (bot/understanding/problems.py says which and why)."""
    rows = [(t, label) for t, label, _ in read_problems(path)]
    lookup = _Lookup(lookups.get("problem", {}))
    for e in examples:
        found = {value for value, _, _ in lookup.find(fold(e.text)[0])}
        if e.intent == "describe_problem" and len(found) == 1:
            rows.append((e.text, found.pop()))
        elif e.intent in NO_PROBLEM_INTENTS and not found:
            rows.append((e.text, "none"))
    return rows


_VARIANT_BITS = re.compile(r"\d+(?:[.,]\d+)?\s*(?:x\s*\d+(?:[.,]\d+)?\s*)?(?:cm|mm|ml|l|m|kg|g|w|v|pcs)?\b")


def _variants_of_one_product(names: Sequence[str]) -> bool:
    """Two lines or more that are one product in several variants: the same name before its first comma (where the
    catalogue puts the colour or size: "Stoneware mug, ochre" / "..., sage"), measures and numbers left out ("Cast
    iron skillet 20 cm" / "... 28 cm"). A word that fits such lines fits them alike; one that fits a blanket and a
    pillow (both bedding) is left to name the first, as before."""
    if len(names) < 2:
        return False
    heads = {" ".join(_VARIANT_BITS.sub(" ", _folded(name.split(",")[0])).split()) for name in names}
    return len(heads) == 1


def load_nlu(cache_dir: Path, data_dir: Path = DEFAULT_DATA_DIR) -> NLU:
    """The NLU for the current data: memoised in process, cached on disk, trained if neither."""
    digest = data_hash(data_dir)
    kinds = read_item_kinds(Path(data_dir) / ITEMS_FILE)
    sizes = read_item_kinds(Path(data_dir) / SIZES_FILE)
    lines = read_line_words(Path(data_dir) / ORDER_LINES_FILE)
    return cached_model(
        "nlu", digest, cache_dir, NLUModel, lambda: train(data_dir, digest), wrap=lambda m: NLU(m, kinds, sizes, lines)
    )


# ---- evaluation -------------------------------------------------------------------------------


def evaluate(data_dir: Path = DEFAULT_DATA_DIR, test_fraction: float = 0.2, seed: int = 0) -> dict:
    """Held-out scores; the splits are stratified by intent+language (NLU) and level+language (emotion).

    The test messages are classified with their own language as the conversation language, as the
    dialogue does (it always knows the case's language).
    """
    examples, lookups, emotions = _load_data(data_dir)
    train_ex, test_ex = train_test_split(
        examples, test_size=test_fraction, random_state=seed, stratify=[f"{e.intent}/{e.language}" for e in examples]
    )
    train_em, test_em = train_test_split(
        emotions, test_size=test_fraction, random_state=seed, stratify=[f"{lvl}/{lang}" for _, lvl, lang in emotions]
    )
    model = NLUModel("", lookups).fit([(e.text, e.intent, e.language) for e in train_ex], train_em)
    intent_p, _ = model.predict([e.text for e in test_ex], [e.language for e in test_ex])
    predicted = [model.intents[k] for k in intent_p.argmax(axis=1)]
    gold = [e.intent for e in test_ex]
    _, emotion_p = model.predict([t for t, _, _ in test_em], [lang for _, _, lang in test_em])
    emotion_pred = [LEVELS[k] for k in emotion_p.argmax(axis=1)]

    per_language: dict[str, dict] = {}
    for e, p in zip(test_ex, predicted, strict=True):
        s = per_language.setdefault(e.language, {"n": 0, "correct": 0})
        s["n"] += 1
        s["correct"] += p == e.intent
    labels = sorted(set(gold))
    precision, recall, f1, support = precision_recall_fscore_support(gold, predicted, labels=labels, zero_division=0)
    return {
        "languages": {
            lang: {"n": s["n"], "accuracy": s["correct"] / s["n"]} for lang, s in sorted(per_language.items())
        },
        "intents": {
            label: {
                "n": int(support[i]),
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
            }
            for i, label in enumerate(labels)
        },
        "overall": {
            "n": len(gold),
            "accuracy": sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(gold),
            "macro_f1": float(f1_score(gold, predicted, average="macro", zero_division=0)),
        },
        "emotion": {
            "n": len(test_em),
            "accuracy": sum(p == lvl for p, (_, lvl, _) in zip(emotion_pred, test_em, strict=True)) / len(test_em),
        },
        "errors": [(e.text, e.language, e.intent, p) for e, p in zip(test_ex, predicted, strict=True) if p != e.intent],
        "n_train": len(train_ex),
        "n_test": len(test_ex),
        "train_seconds": model.train_seconds,
    }
