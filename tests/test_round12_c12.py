"""Readers and data added for the failures of held-out round 12 (data/eval/buyers_heldout11, pl/cs/ru, wt-c12).
Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.understanding.nlu import NLU, load_nlu
from tests.test_nlu import DATA


@pytest.fixture(scope="module")
def trained(cache_dir: Path) -> NLU:
    return load_nlu(cache_dir, DATA)


# ---- clothes a home shop sells as gifts: mittens, hats, sweaters, shawls --------------------------------------------

ORDER = ("Kids' wool mittens, blue", "Ribbed beanie hat, grey", "Lambswool sweater, M", "Silk scarf, floral")


@pytest.mark.parametrize(
    ("language", "text", "item"),
    [
        ("pl", "w paczce brak rękawiczek dla małego", "Kids' wool mittens, blue"),
        ("cs", "palčáky nepřišly, jen čepice", "Kids' wool mittens, blue"),
        ("ru", "варежек в посылке не оказалось", "Kids' wool mittens, blue"),
        ("pl", "sweter ma dziurę na łokciu", "Lambswool sweater, M"),
        ("cs", "ten svetr je úplně jiná barva", "Lambswool sweater, M"),
        ("ru", "шарф пришёл с затяжкой", "Silk scarf, floral"),
        ("cs", "kulich je moc malý", "Ribbed beanie hat, grey"),
    ],
)
def test_clothes_words_name_the_order_line(trained: NLU, language: str, text: str, item: str) -> None:
    r = trained.parse(text, fallback_language=language, items=ORDER)
    assert item in [e.value for e in r.entities if e.entity == "item"]
