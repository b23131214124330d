"""Readers and data added for the failures of held-out round 15 (data/eval/buyers_heldout14, pl/fr/sv, wt-b15).
Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

import pytest

from bot.platform.folding import fold
from bot.platform.vocab import Stage
from bot.understanding.answers import asks_if_bot
from bot.understanding.nlu import NLU
from bot.understanding.risk_things import names_a_thing
from tests.test_flow import state, turn

# ---- a risk word inside a thing's name ("straż pożarna", "fire pit", "пожарная машинка") is no danger ------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "wóz straży pożarnej dla wnuka dotarł po świętach, czekaliśmy dwa tygodnie"),
        ("pl", "zamówiłam autko pożarne z drabiną, a przyszła sama drabina"),
        ("ru", "игрушечная пожарная машинка пришла с отломанной лестницей"),
        ("ru", "заказали сыну пожарную станцию, доставка шла три недели"),
        ("en", "the fire pit arrived with a dent in the bowl"),
        ("en", "the smoked glass shade came in pieces"),
        ("en", "my smoker box was missing its lid"),
    ],
)
def test_a_things_name_is_no_safety_risk(trained: NLU, language: str, text: str) -> None:
    assert trained.parse(text, fallback_language=language).risks == []


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "ładowarka zaczęła dymić i był mały pożar na biurku"),
        ("pl", "w kuchni wybuchł pożar przez ten czajnik"),
        ("ru", "обогреватель вызвал пожар в комнате"),
        ("en", "the fire pit tipped over and caught fire on the decking"),
        ("en", "the toaster caught fire the first time I used it"),
    ],
)
def test_a_real_danger_beside_or_without_a_name_still_counts(trained: NLU, language: str, text: str) -> None:
    assert "safety" in trained.parse(text, fallback_language=language).risks


def test_the_name_must_cover_the_risk_phrase() -> None:
    folded = fold("a fire pit and a fire in the garden")[0]
    first = folded.index("fire")
    second = folded.index("fire", first + 1)
    assert names_a_thing(folded, first, first + 4)
    assert not names_a_thing(folded, second, second + 4)


# ---- "is it a program answering at this hour, or a real person?" asks who writes; it is no request for a person ------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "c'est un programme qui tourne la nuit ou une vraie personne derrière ?"),
        ("fr", "est-ce une machine qui me lit le soir, ou bien quelqu'un de chez vous ?"),
        ("pl", "bot mi tu odpowiada w nocy czy człowiek?"),
        ("pl", "to jakiś program pisze o tej porze, czy osoba z obsługi?"),
        ("sv", "svarar en robot mitt i natten eller sitter det nån där på riktigt?"),
        ("sv", "är det ett program som skriver eller en människa?"),
    ],
)
def test_program_or_person_at_night_is_answered_and_the_chat_goes_on(language: str, text: str) -> None:
    assert asks_if_bot(text, language)
    s = state(Stage.GATHERING, language=language, requested_slot="outcome", problems=["late"])
    plan = turn(s, intent="ask_human", confidence=0.8, text=text, language=language)
    assert plan.actions[0] == "action_answer_question" and plan.stage == Stage.GATHERING
    assert plan.slots.get("question") == "identity"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "mon robot pâtissier tourne mal, ou quelqu'un peut m'aider ?"),
        ("pl", "robot kuchenny nie działa, czy ktoś mi pomoże?"),
        ("sv", "robotdammsugaren är trasig, eller kan någon hjälpa?"),
    ],
)
def test_a_robot_the_shop_sells_is_no_question_about_who_writes(language: str, text: str) -> None:
    assert not asks_if_bot(text, language)
