"""Readers and data added for the failures of held-out round 15 (data/eval/buyers_heldout14, pl/fr/sv, wt-b15).
Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

import pytest

from bot.platform.folding import fold
from bot.understanding.nlu import NLU
from bot.understanding.risk_things import names_a_thing

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
