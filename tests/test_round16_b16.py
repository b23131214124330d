"""Readers and data added for the failures of held-out round 16 (data/eval/buyers_heldout15, de/es/cs, wt-b16).
Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

import pytest

from bot.understanding.nlu import NLU

# ---- the plural of a fault's verb: some pieces of a set do not work --------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "de las cuatro bombillas, tres no funcionan desde el primer dia"),
        ("es", "los dos focos del porche no se encienden por la noche"),
        ("cs", "dve ze ctyr zarovek nefunguji, zbytek sviti"),
        ("cs", "obe svitilny prestaly fungovat po tydnu"),
        ("de", "zwei von den Strahlern funktionieren nicht"),
        ("de", "die kleinen Lampen gehen nicht an, egal wie lange sie laden"),
        ("fr", "deux des guirlandes ne s'allument pas du tout"),
        ("it", "tre delle lucine non si accendono"),
    ],
)
def test_some_pieces_not_working_is_a_defect(trained: NLU, language: str, text: str) -> None:
    assert "defect" in trained.parse(text, fallback_language=language).problems


# ---- a strap or handle torn off (cs, es) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("cs", "batoh prisel s utrzenym ramennim popruhem"),
        ("cs", "taska ma urvane jedno ucho uz z krabice"),
        ("es", "la mochila vino con el asa arrancada"),
        ("es", "la funda llego descosida por un lado"),
    ],
)
def test_a_torn_off_strap_is_damage(trained: NLU, language: str, text: str) -> None:
    assert "damaged" in trained.parse(text, fallback_language=language).problems
