"""The hand-written evaluation sets (data/eval/): their shape, their loaders, their scoring, and the rule
that they are never trained on."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.intake.triage_model import KINDS, TOPICS, load_eval_rows
from bot.understanding import nlu as nlu_module
from bot.understanding.nlu import INTENTS, fold, read_emotion
from bot.understanding.nlu_eval import (
    EvalMessage,
    Prediction,
    load_eval,
    load_problem_eval,
    opt_out_counts,
    problem_right,
    score,
)
from bot.understanding.problems import read_problems

DATA = Path(__file__).resolve().parents[1] / "data"
MAIN = ("en", "pl", "sv", "ru", "sq", "de", "uk")
EXTRA = ("fr", "es", "it", "cs")


def _key(text: str) -> str:
    # Case, diacritics, punctuation and spacing do not make a sentence new.
    return " ".join(re.findall(r"\w+", fold(text)[0]))


def _training_keys() -> set[str]:
    examples, _ = nlu_module._read_examples(DATA / "nlu.yml")
    texts = [e.text for e in examples] + [t for t, _, _ in read_emotion(DATA / "emotion.yml")]
    for path in sorted((DATA / "triage").glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts += [t for t, _, _ in read_problems(DATA / "problems.yml")]
    return {_key(t) for t in texts}


def test_eval_sets_have_the_promised_size_in_every_language() -> None:
    nlu = Counter(m.language for m in load_eval())
    assert {lang for lang in MAIN if nlu[lang] < 40} == set(), nlu
    assert {lang for lang in EXTRA if nlu[lang] < 20} == set(), nlu
    triage = Counter(r["language"] for r in load_eval_rows())
    assert {lang for lang in MAIN + EXTRA if triage[lang] < 15} == set(), triage


def test_eval_sets_cover_every_label() -> None:
    messages = load_eval()
    assert {m.intent for m in messages} == set(INTENTS)
    # opt-out mistakes are the costly ones: every language has requests to measure.
    assert all(sum(m.intent == "opt_out" and m.language == lang for m in messages) >= 2 for lang in MAIN + EXTRA)
    rows = load_eval_rows()
    assert {r["kind"] for r in rows} == set(KINDS)
    assert {r["topic"] for r in rows} == set(TOPICS) - {"other"} or {r["topic"] for r in rows} == set(TOPICS)


def test_no_eval_text_is_in_the_training_data() -> None:
    """data/eval/README.md: the evaluation set is never trained on, or it measures nothing."""
    training = _training_keys()
    leaked = [m.text for m in load_eval() if _key(m.text) in training]
    leaked += [r["text"] for r in load_eval_rows() if _key(r["text"]) in training]
    leaked += [m.text for m in load_problem_eval() if _key(m.text) in training]
    assert leaked == []


def _trigrams(text: str) -> set[str]:
    k = f" {_key(text)} "
    return {k[i : i + 3] for i in range(len(k) - 2)}


def test_no_eval_text_is_a_near_copy_of_a_training_line() -> None:
    """Nor a paraphrase a few words away: 'jag vill bara ha tillbaka pengarna nu' against the training line
    'jag vill bara ha tillbaka pengarna' shares 0.92 of its character trigrams; 0.6 is where rewording
    starts (measured: the closest written-separately pairs share 0.56-0.59)."""
    examples, _ = nlu_module._read_examples(DATA / "nlu.yml")
    texts = [e.text for e in examples] + [t for t, _, _ in read_problems(DATA / "problems.yml")]
    training = [(t, _trigrams(t)) for t in texts]
    close = []
    for m in [*load_eval(), *load_problem_eval()]:
        grams = _trigrams(m.text)
        text, other = max(training, key=lambda t: len(grams & t[1]) / len(grams | t[1]))
        if len(grams & other) / len(grams | other) >= 0.6:
            close.append((m.where, m.text, text))
    assert close == []


def test_the_near_copy_check_sees_a_near_copy() -> None:
    a, b = _trigrams("jag vill bara ha tillbaka pengarna nu"), _trigrams("jag vill bara ha tillbaka pengarna")
    assert len(a & b) / len(a | b) >= 0.6


def test_no_eval_text_is_written_twice() -> None:
    keys = Counter((m.language, _key(m.text)) for m in load_eval())
    assert [k for k, n in keys.items() if n > 1] == []


def test_the_leak_check_sees_a_copied_line(tmp_path: Path) -> None:
    # The check above must be able to fail: an eval line pasted into training (with other case and
    # without diacritics) is found.
    line = load_eval()[0].text
    assert _key(line.upper()) == _key(line)
    assert _key("Przestańcie do mnie pisać!") == _key("przestancie do mnie  pisac")


def _write(path: Path, doc: object) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "en.yml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"language": "pl", "messages": [{"text": "hi", "intent": "greet"}]}, "`language` must be 'en'"),
        ({"language": "en", "messages": []}, "`messages` must be a non-empty list"),
        ({"language": "en", "messages": [{"text": " ", "intent": "greet"}]}, "en.yml: message 1: needs a non-empty"),
        ({"language": "en", "messages": [{"text": "hi", "intent": "hello"}]}, "`intent` 'hello' must be one of"),
    ],
)
def test_a_bad_eval_file_names_the_entry_and_the_fix(tmp_path: Path, doc: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        load_eval(_write(tmp_path / "eval", doc))


@pytest.mark.parametrize(
    ("review", "message"),
    [
        ({"text": "x", "rating": 6, "kind": "troll", "topic": "other"}, "review 1: `rating` must be"),
        ({"text": "x", "rating": 1, "kind": "spam", "topic": "other"}, "review 1: `topic`/`kind` must be"),
        ({"text": "x", "rating": 1, "kind": "troll", "topic": "other", "verified_purchase": "yes"}, "verified"),
    ],
)
def test_a_bad_triage_review_names_the_entry_and_the_fix(tmp_path: Path, review: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        load_eval_rows(_write(tmp_path / "triage", {"language": "en", "reviews": [review]}))


def test_score_counts_per_language_and_opt_out_mistakes() -> None:
    def p(text: str, gold: str, lang: str, predicted: str, confidence: float = 0.9) -> Prediction:
        return Prediction(EvalMessage(text, gold, lang, "x"), predicted, confidence)

    predictions = [
        p("stop", "opt_out", "en", "opt_out"),
        p("it never stops leaking", "describe_problem", "en", "opt_out"),  # a false opt-out
        p("nie piszcie", "opt_out", "pl", "deny"),  # a missed one
        p("tak", "affirm", "pl", "affirm"),
    ]
    result = score(predictions)
    assert result["languages"] == {"en": {"n": 2, "accuracy": 0.5}, "pl": {"n": 2, "accuracy": 0.5}}
    assert result["overall"]["accuracy"] == 0.5
    assert result["opt_out"] == {
        "precision": 0.5,
        "recall": 0.5,
        "false_opt_outs": 1,
        "missed_opt_outs": 1,
        "n_opt_out": 2,
    }
    # A stricter decision that drops the false one keeps the true one.
    assert opt_out_counts(predictions, [True, False, False, False])["false_opt_outs"] == 0


def test_the_problem_eval_set_covers_every_language_and_messages_naming_none() -> None:
    messages = load_problem_eval()
    per = Counter(m.language for m in messages)
    assert {lang for lang in MAIN + EXTRA if per[lang] < 9} == set(), per
    for lang in MAIN + EXTRA:  # every language measures false problems too
        assert sum(m.problem == "none" and m.language == lang for m in messages) >= 2, lang
    assert {"late", "wrong_item", "defect", "damaged", "missing_item"} <= {m.problem for m in messages}


def test_a_problem_is_right_when_found_and_none_when_none_is_found() -> None:
    assert problem_right("late", ["late", "damaged"]) and not problem_right("late", ["damaged"])
    assert problem_right("none", []) and not problem_right("none", ["late"])


def test_a_bad_problem_eval_entry_names_the_fix(tmp_path: Path) -> None:
    doc = {"language": "en", "messages": [{"text": "it was late", "problem": "slow"}]}
    with pytest.raises(ValueError, match=re.escape("en.yml: message 1: `problem` 'slow' must be one of")):
        load_problem_eval(_write(tmp_path / "problems", doc))
