"""Held-out precision and recall of the rule-10 guard rails (data/guardrails/eval), for the word lists
alone, the meaning model alone and both together; bench/guardrails_accuracy.py prints them and
tests/test_guardrails_meaning.py holds a floor on them."""

from __future__ import annotations

from pathlib import Path

from bot.policy import draft_meaning, guardrails

METHODS = ("word_lists", "model", "combined")


def predictions(
    drafts: list[draft_meaning.Draft], model: draft_meaning.DraftModel, rails_file: Path = guardrails.SHIPPED_RAILS
) -> dict[str, list[str | None]]:
    """Per method, per draft: a reason it is refused, or None."""
    rails = guardrails.rails_patterns(guardrails.yaml.safe_load(rails_file.read_text(encoding="utf-8")))
    words = [next(iter(guardrails.word_list_reasons(d.text, rails)), None) for d in drafts]
    meaning = guardrails.meaning_reasons([d.text for d in drafts], model)
    return {
        "word_lists": words,
        "model": meaning,
        "combined": [w or m for w, m in zip(words, meaning, strict=True)],
    }


def heldout(
    model: draft_meaning.DraftModel, data_dir: Path = draft_meaning.DEFAULT_DATA_DIR
) -> dict[str, dict[str, dict[str, float]]]:
    """{method: {language or "all": precision, recall, n_bad, n_ok, false_positives}} on the eval set."""
    drafts = draft_meaning.read_set(data_dir / "eval")
    out: dict[str, dict[str, dict[str, float]]] = {}
    for method, predicted in predictions(drafts, model).items():
        by_lang: dict[str, dict[str, float]] = {}
        for lang in sorted({d.language for d in drafts}):
            pairs = [(d.label, p) for d, p in zip(drafts, predicted, strict=True) if d.language == lang]
            by_lang[lang] = draft_meaning.rule_rate([g for g, _ in pairs], [p for _, p in pairs])
        by_lang["all"] = draft_meaning.rule_rate([d.label for d in drafts], predicted)
        out[method] = by_lang
    return out
