"""The hand-written NLU evaluation set (data/eval/nlu/<lang>.yml) and its scores.

The held-out split of data/nlu.yml comes from the same phrase banks as the training rows, so it scores
~0.98 while real buyers were understood about one conversation in six. This set is written separately,
the way buyers type, and is never trained on (data/eval/README.md; tests/test_nlu_eval.py checks it).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from sklearn.metrics import f1_score

from bot.understanding.nlu import DEFAULT_DATA_DIR, INTENTS, NLU
from bot.understanding.sentences import Sentence

DEFAULT_EVAL_DIR = DEFAULT_DATA_DIR / "eval" / "nlu"


@dataclass(frozen=True)
class EvalMessage:
    text: str
    intent: str
    language: str
    where: str  # "en.yml: message 3", for error reports and the bench's list of misses


def _labelled(eval_dir: Path, field: str, allowed: Sequence[str]) -> Iterator[tuple[str, str, str, str]]:
    """(text, label, language, where) for every message of every <lang>.yml in `eval_dir`, each set's own label
    in `field`; a malformed file or entry raises naming the file, the entry and the fix. One reader for the intent,
    problem and emotion sets, which had three copies of it."""
    files = sorted(Path(eval_dir).glob("*.yml"))
    if not files:
        raise FileNotFoundError(f"no evaluation files (<lang>.yml) in {eval_dir}")
    for path in files:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        language = doc.get("language")
        if language != path.stem:
            raise ValueError(f"{path.name}: `language` must be {path.stem!r} (the file's name), got {language!r}")
        messages = doc.get("messages")
        if not isinstance(messages, list) or not messages:
            raise ValueError(f"{path.name}: `messages` must be a non-empty list of {{text, {field}}}")
        for n, entry in enumerate(messages, 1):
            where = f"{path.name}: message {n}"
            if not isinstance(entry, dict) or not isinstance(entry.get("text"), str) or not entry["text"].strip():
                raise ValueError(f"{where}: needs a non-empty `text` string")
            if entry.get(field) not in allowed:
                raise ValueError(f"{where}: `{field}` {entry.get(field)!r} must be one of {tuple(allowed)}")
            yield entry["text"], entry[field], path.stem, where


def load_eval(eval_dir: Path = DEFAULT_EVAL_DIR) -> list[EvalMessage]:
    """Every message of every <lang>.yml in `eval_dir`; a malformed entry raises naming file, entry and fix."""
    return [EvalMessage(*row) for row in _labelled(eval_dir, "intent", INTENTS)]


@dataclass(frozen=True)
class Prediction:
    message: EvalMessage
    intent: str
    confidence: float
    sentences: tuple[Sentence, ...] = ()  # each sentence read alone, for the opt-out decision (issue 18.1)
    opt_out_p: float = 0.0  # the classifier's probability of opt_out, for the opt-out decision


def predict(nlu: NLU, messages: Sequence[EvalMessage]) -> list[Prediction]:
    """Parse each message with its own language as the conversation's, as the dialogue does."""
    out = []
    for m in messages:
        r = nlu.parse(m.text, fallback_language=m.language)
        out.append(Prediction(m, r.intent, r.confidence, r.sentences, dict(r.ranking).get("opt_out", 0.0)))
    return out


def opt_out_counts(predictions: Sequence[Prediction], decided: Sequence[bool]) -> dict[str, float]:
    """Precision/recall of an opt-out decision per message (`decided[i]`: the bot would stop contacting)."""
    tp = sum(d and p.message.intent == "opt_out" for p, d in zip(predictions, decided, strict=True))
    fp = sum(d and p.message.intent != "opt_out" for p, d in zip(predictions, decided, strict=True))
    gold = sum(p.message.intent == "opt_out" for p in predictions)
    return {
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / gold if gold else 1.0,
        "false_opt_outs": fp,
        "missed_opt_outs": gold - tp,
        "n_opt_out": gold,
    }


def score(predictions: Sequence[Prediction]) -> dict:
    """Accuracy per language, macro-F1 over the intents present, and the raw intent's opt-out figures."""
    per_language: dict[str, list[int]] = {}
    for p in predictions:
        s = per_language.setdefault(p.message.language, [0, 0])
        s[0] += 1
        s[1] += p.intent == p.message.intent
    gold = [p.message.intent for p in predictions]
    predicted = [p.intent for p in predictions]
    labels = sorted(set(gold))
    return {
        "languages": {lang: {"n": n, "accuracy": ok / n} for lang, (n, ok) in sorted(per_language.items())},
        "overall": {
            "n": len(predictions),
            "accuracy": sum(g == q for g, q in zip(gold, predicted, strict=True)) / len(predictions),
            "macro_f1": float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)),
        },
        "opt_out": opt_out_counts(predictions, [p.intent == "opt_out" for p in predictions]),
    }


# ---- problem recognition (data/eval/problems/<lang>.yml) ---------------------------------------------

DEFAULT_PROBLEM_EVAL_DIR = DEFAULT_DATA_DIR / "eval" / "problems"


@dataclass(frozen=True)
class ProblemMessage:
    text: str
    problem: str  # a Problem value, or "none" for a message that names no problem
    language: str
    where: str


def load_problem_eval(eval_dir: Path = DEFAULT_PROBLEM_EVAL_DIR) -> list[ProblemMessage]:
    """Every labelled message of every <lang>.yml in `eval_dir`; a malformed entry raises naming it and the fix."""
    from bot.understanding.problems import LABELS

    return [ProblemMessage(*row) for row in _labelled(eval_dir, "problem", LABELS)]


def problem_right(expected: str, found: Sequence[str]) -> bool:
    """A problem message is read right when its problem is among those found; a `none` one, when none is."""
    return not found if expected == "none" else expected in found


# ---- emotion (data/eval/emotion/<lang>.yml) ------------------------------------------------------------

DEFAULT_EMOTION_EVAL_DIR = DEFAULT_DATA_DIR / "eval" / "emotion"


@dataclass(frozen=True)
class EmotionMessage:
    text: str
    level: str  # one of nlu.LEVELS
    language: str
    where: str


def load_emotion_eval(eval_dir: Path = DEFAULT_EMOTION_EVAL_DIR) -> list[EmotionMessage]:
    """Every labelled message of every <lang>.yml in `eval_dir`; a malformed entry raises naming it and the fix."""
    from bot.understanding.nlu import LEVELS

    return [EmotionMessage(*row) for row in _labelled(eval_dir, "level", LEVELS)]


def emotion_scores(gold: Sequence[str], predicted: Sequence[str]) -> dict:
    """Accuracy, macro-F1, recall per level, and the two costly mistakes: a calm buyer read as upset or angry
    (a needless calming reply) and an angry buyer read as calm (asked for facts while furious)."""
    from bot.understanding.nlu import LEVELS

    pairs = list(zip(gold, predicted, strict=True))
    n_level = {lvl: sum(g == lvl for g in gold) for lvl in LEVELS}
    return {
        "n": len(pairs),
        "accuracy": sum(g == q for g, q in pairs) / len(pairs) if pairs else 0.0,
        "macro_f1": float(f1_score(gold, predicted, labels=list(LEVELS), average="macro", zero_division=0)),
        "recall": {
            lvl: sum(g == q == lvl for g, q in pairs) / n_level[lvl] if n_level[lvl] else float("nan") for lvl in LEVELS
        },
        "calm_as_upset": sum(g == "calm" and q != "calm" for g, q in pairs),
        "angry_as_calm": sum(g == "angry" and q == "calm" for g, q in pairs),
        "n_level": n_level,
    }
