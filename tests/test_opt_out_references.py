"""A reference number named is no request to stop (PLAYBOOK rule 11): "numer przesyłki dałem" (I gave the parcel
number) read opt_out at 0.60 and silenced a buyer (round 13, pl, seed 7), since "number" is a word of "delete my
number" requests. Such a message is neither acted on nor asked about; a phrase of data/opt_out.yml still counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.platform.vocab import Outcome, Stage
from bot.understanding.opt_out import CLEAR_CONFIDENCE, default_rules, is_clear_opt_out, load_rules
from tests.test_flow import state, turn

ROOT = Path(__file__).resolve().parents[1]
# Written for this test, in the words of buyers who point at their order's or parcel's number.
REFERENCES = [
    ("numer paczki wysłałam wam wczoraj, wszystko tam jest", "pl"),
    ("podawalem juz nr zamowienia dwa razy", "pl"),
    ("номер посылки я вам уже скидывал", "ru"),
    ("трек номер є в листі, подивіться", "uk"),
    ("the tracking number is in my first message", "en"),
    ("Die Sendungsnummer steht doch oben", "de"),
    ("le numéro de suivi est dans le mail", "fr"),
    ("ya os di el número de pedido", "es"),
    ("il numero d'ordine ve l'ho gia dato", "it"),
    ("číslo zásilky máte v mailu", "cs"),
    ("ordernumret skickade jag igår", "sv"),
    ("numrin e porosise jua dhashe", "sq"),
]
# Clear requests that name a number too: the buyer's own, or beside an order's.
REQUESTS = [
    ("usuńcie mój numer z waszej bazy", "pl"),
    ("stop texting me, my order number is 5512", "en"),
    ("удалите мой номер из заказа", "ru"),
]


@pytest.mark.parametrize(("text", "language"), REFERENCES)
def test_a_reference_number_is_no_opt_out_however_sure_the_classifier(text: str, language: str) -> None:
    assert default_rules().names_a_reference(text)
    assert not is_clear_opt_out(text, "opt_out", 0.95, 0.3)


@pytest.mark.parametrize(("text", "language"), REFERENCES[:6])
def test_a_reference_number_read_as_opt_out_is_not_even_asked_about(text: str, language: str) -> None:
    plan = turn(state(Stage.GATHERING, language=language, requested_slot="when"), intent="opt_out",
                confidence=CLEAR_CONFIDENCE, text=text, language=language)  # fmt: skip
    assert "action_opt_out_check" not in plan.actions and plan.outcome != Outcome.OPTED_OUT


@pytest.mark.parametrize(("text", "language"), REQUESTS)
def test_a_request_to_stop_that_names_a_number_still_stops(text: str, language: str) -> None:
    assert not default_rules().names_a_reference(text)
    assert is_clear_opt_out(text, "opt_out", CLEAR_CONFIDENCE, 0.3)


def test_the_buyers_own_number_is_no_reference() -> None:
    assert not default_rules().names_a_reference("proszę nie pisać na ten numer")
    assert not default_rules().names_a_reference("this number is my work phone")


def test_a_malformed_references_entry_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "opt_out.yml"
    path.write_text("commands: [stop]\nphrases: {en: [stop writing]}\nreferences: {numbers: number}\n", "utf-8")
    with pytest.raises(ValueError, match=r"references\.numbers must be a list of non-empty strings"):
        load_rules(path)
    path.write_text("commands: [stop]\nphrases: {en: [stop writing]}\nreferences: [number]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="references must hold"):
        load_rules(path)


@given(st.text(max_size=60), st.sampled_from([t for t, _ in REFERENCES]))
def test_a_reference_beside_any_text_never_makes_the_classifier_alone_stop(noise: str, reference: str) -> None:
    text = f"{reference}. {noise}"
    if not default_rules().has_phrase(text) and not default_rules().is_command(text):
        assert not is_clear_opt_out(text, "opt_out", 0.99, 0.3)
