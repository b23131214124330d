"""Opt-out acts only on a clear request (bot/understanding/opt_out.py, PLAYBOOK rule 11), measured on the
hand-written evaluation set with the real NLU."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.platform.vocab import Outcome, Stage
from bot.understanding.nlu import NLU, load_nlu
from bot.understanding.nlu_eval import load_eval, opt_out_counts, predict
from bot.understanding.opt_out import CLEAR_CONFIDENCE, default_rules, is_clear_opt_out, load_rules
from tests.test_flow import state, turn

DATA = Path(__file__).resolve().parents[1] / "data"
FLOOR = float(yaml.safe_load((DATA.parent / "policies" / "conversation.yml").read_text())["opt_out_min_confidence"])


@pytest.fixture(scope="module")
def nlu(tmp_path_factory: pytest.TempPathFactory) -> NLU:
    return load_nlu(tmp_path_factory.mktemp("models"), DATA)


def test_on_the_eval_set_no_message_is_taken_for_an_opt_out_and_most_requests_are(nlu: NLU) -> None:
    predictions = predict(nlu, load_eval())
    # The bot's decision reads each sentence of a longer message too (issue 18.1).
    decided = [
        is_clear_opt_out(p.message.text, p.intent, p.confidence, FLOOR, sentences=p.sentences, opt_out_p=p.opt_out_p)
        for p in predictions
    ]
    counts = opt_out_counts(predictions, decided)
    assert counts["false_opt_outs"] == 0, [p.message.text for p, d in zip(predictions, decided, strict=True) if d]
    assert counts["recall"] >= 0.85, counts
    # The raw intent at the policy's floor alone did stop conversations that asked for nothing of the kind.
    raw = opt_out_counts(predictions, [p.intent == "opt_out" and p.confidence >= FLOOR for p in predictions])
    assert raw["false_opt_outs"] > counts["false_opt_outs"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("it never stops leaking", "en"),
        ("I'm waiting for your answer", "en"),
        ("hiya, got your message", "en"),
        ("to nie przestaje cieknąć", "pl"),
    ],
)
def test_messages_that_only_look_like_stop_keep_the_conversation(nlu: NLU, text: str, language: str) -> None:
    r = nlu.parse(text, fallback_language=language)
    assert not is_clear_opt_out(text, r.intent, r.confidence, FLOOR)
    plan = turn(state(Stage.GATHERING), intent=r.intent, confidence=r.confidence, text=text)
    assert plan.outcome != Outcome.OPTED_OUT


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("STOP", "en"),
        ("stop writing to me", "en"),
        ("przestańcie do mnie pisać", "pl"),
        ("sluta skriva till mig", "sv"),
        ("не пишите мне больше", "ru"),
        ("mos me shkruani me", "sq"),
        ("Bitte keine Nachrichten mehr, abmelden.", "de"),
        ("не пишіть мені більше", "uk"),
    ],
)
def test_clear_requests_end_all_contact(nlu: NLU, text: str, language: str) -> None:
    r = nlu.parse(text, fallback_language=language)
    assert is_clear_opt_out(text, r.intent, r.confidence, FLOOR), (r.intent, r.confidence)
    plan = turn(state(Stage.PROPOSING), intent=r.intent, confidence=r.confidence, text=text)
    assert plan.outcome == Outcome.OPTED_OUT and plan.actions == ["action_opt_out_confirm"]


def test_an_unsure_opt_out_without_a_stop_phrase_is_not_acted_on() -> None:
    unsure = (FLOOR + CLEAR_CONFIDENCE) / 2
    assert not is_clear_opt_out("I have been waiting since Monday", "opt_out", unsure, FLOOR)
    assert is_clear_opt_out("please don't contact me again", "opt_out", unsure, FLOOR)
    assert is_clear_opt_out("I have been waiting since Monday", "opt_out", CLEAR_CONFIDENCE, FLOOR)
    # Below the policy's floor only a bare command counts.
    assert not is_clear_opt_out("please don't contact me again", "opt_out", FLOOR / 2, FLOOR)
    assert is_clear_opt_out("  Stop! ", "greet", 0.9, FLOOR)


def test_phrase_words_may_have_a_few_words_between_but_not_many() -> None:
    rules = default_rules()
    assert rules.has_phrase("Przestańcie mi już pisać!")
    # Swedish "you may not send" / "send me nothing more" (a retrained model once put such a request at 0.60).
    assert rules.has_phrase("Det här numret får ni inte skicka till.")
    assert rules.has_phrase("skicka mig inget mer tack")
    assert not rules.has_phrase("przestancie juz tak do mnie ciagle pisac")  # three words between: too far
    assert not rules.has_phrase("przestancie wreszcie wysylac paczki kurierem, ktory nigdy nie umie pisac")
    assert not rules.has_phrase("the pump never stops leaking, writing to you again")


@given(
    text=st.text(max_size=80),
    intent=st.sampled_from(["opt_out", "vent", "describe_problem", "affirm"]),
    low=st.floats(0, 1),
    high=st.floats(0, 1),
)
def test_more_confidence_never_turns_an_opt_out_into_none(text: str, intent: str, low: float, high: float) -> None:
    low, high = sorted((low, high))
    if is_clear_opt_out(text, intent, low, FLOOR):
        assert is_clear_opt_out(text, intent, high, FLOOR)
    if intent != "opt_out":  # another intent counts only as a bare command word, whatever its confidence
        assert is_clear_opt_out(text, intent, high, FLOOR) == default_rules().is_command(text)


def test_a_malformed_rules_file_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "opt_out.yml"
    path.write_text("commands: stop\nphrases: {}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs `commands` \\(a list\\)"):
        load_rules(path)
    path.write_text("commands: [stop]\nphrases: {en: [' ']}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"phrases\.en must be a list of non-empty strings"):
        load_rules(path)


@pytest.mark.parametrize(
    ("text", "language"),
    [("прошу, не пишіть мені більше", "uk"), ("please stop writing to me now", "en"), ("nie piszcie do mnie", "pl")],
)
def test_a_phrase_counts_when_opt_out_is_close_behind_another_intent(text: str, language: str) -> None:
    """A request in words the classifier put just behind another intent (deny 0.48, opt_out 0.45): the phrase decides.
    Without a phrase, or with opt_out far below the policy floor, the runner-up decides nothing."""
    assert default_rules().has_phrase(text), language
    assert is_clear_opt_out(text, "deny", 0.48, FLOOR, opt_out_p=0.45)
    assert not is_clear_opt_out(text, "deny", 0.9, FLOOR, opt_out_p=FLOOR / 3)
    assert not is_clear_opt_out("I have been waiting since Monday", "vent", 0.5, FLOOR, opt_out_p=0.45)
