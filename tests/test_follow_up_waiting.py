"""The follow-up's "not here yet" (data/answers/follow_up.yml `waiting`): the remedy is still on its way, which
is not a failure. Every sentence is written for this test."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.understanding.answers import follow_up_answer


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "nope, not here yet"),
        ("en", "still waiting for the refund tbh"),
        ("de", "leider noch nicht angekommen"),
        ("de", "ich warte immer noch"),
        ("fr", "pas encore reçu malheureusement"),
        ("es", "todavía no ha llegado nada"),
        ("it", "non ancora, purtroppo"),
        ("sv", "nej, inte än"),
        ("pl", "jeszcze nie doszło"),
        ("cs", "zatím nic nepřišlo"),
        ("ru", "пока нет, жду"),
        ("ru", "poka net, zhdu"),
        ("uk", "ще не прийшло"),
        ("sq", "ende jo, po pres"),
    ],
)
def test_not_yet_is_waiting(language: str, text: str) -> None:
    assert follow_up_answer(text, language) == "waiting"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "it came but it's not working yet either"),
        ("de", "ist da, funktioniert aber noch nicht"),
        ("fr", "reçu, mais il ne marche pas encore"),
        ("pl", "doszedł, ale jeszcze nie działa"),
        ("ru", "пришёл, но пока не работает"),
        ("sq", "erdhi por ende nuk punon"),
    ],
)
def test_a_fault_named_with_it_is_a_failure(language: str, text: str) -> None:
    assert follow_up_answer(text, language) == "failed"


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "yes it arrived, all good"), ("de", "ist angekommen, alles gut"), ("pl", "doszło, wszystko ok")],
)
def test_arrived_is_still_worked(language: str, text: str) -> None:
    assert follow_up_answer(text, language) == "worked"


@given(st.text(max_size=200), st.sampled_from(["en", "de", "pl", "ru", "sq", "xx", None]))
def test_any_text_reads_as_one_answer_or_none(text: str, language: str | None) -> None:
    assert follow_up_answer(text, language) in (None, "worked", "failed", "waiting")
