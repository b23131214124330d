"""Readers and flow rules added for the failures of held-out round 11 (data/eval/buyers_heldout10, es/it/sv, wt-b11).
Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.understanding.nlu import NLU, load_nlu
from bot.understanding.order_lines import ORDER_LINES_FILE, measure_siblings, named_lines, read_line_words
from tests.test_nlu import DATA

WORDS = read_line_words(Path(DATA) / ORDER_LINES_FILE)


@pytest.fixture(scope="module")
def trained(cache_dir: Path) -> NLU:
    return load_nlu(cache_dir, DATA)


def items_named(nlu: NLU, text: str, language: str, items: tuple[str, ...]) -> list[str]:
    entities, _problems, _risks = nlu.entities(text, language, items)
    return [e.value for e in entities if e.entity == "item"]


# ---- a line of a several-line order named by its place or its measure ---------------------------------------------

THREE = ("Bamboo fruit bowl", "Enamel colander 24 cm", "Walnut spice rack")
TWO_SIZES = ("Wool rug 80x150, grey", "Wool rug 160x230, grey")


@pytest.mark.parametrize(
    ("language", "text", "line"),
    [
        ("en", "the second thing on the list came dented", 1),
        ("es", "es la tercera, la de las especias", 2),
        ("es", "lo que esta mal es el primero del pedido", 0),
        ("it", "guardi, il problema e l'ultima cosa che ho ordinato", 2),
        ("it", "la seconda, quella di smalto", 1),
        ("sv", "det gäller den andra saken i ordern", 1),
        ("sv", "den sista grejen, kryddhyllan", 2),
    ],
)
def test_a_line_named_by_its_place(trained: NLU, language: str, text: str, line: int) -> None:
    assert items_named(trained, text, language, THREE)[:1] == [THREE[line]]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "the second time I called nobody picked up"),
        ("es", "el segundo cargo apareció el día 12"),
        ("it", "la seconda volta che scrivo, e il primo giorno non ha risposto nessuno"),
        ("sv", "det andra problemet är att ingen svarar"),
        ("sv", "jag vill inte ha det andra"),  # "the other thing" as well: never a line on its own
    ],
)
def test_a_place_word_about_something_else_names_no_line(trained: NLU, language: str, text: str) -> None:
    assert named_lines(text.lower(), THREE, WORDS) == []


def test_a_place_needs_an_order_of_several_lines() -> None:
    assert named_lines("la seconda, quella di smalto", ("Enamel colander 24 cm",), WORDS) == []
    assert named_lines("the fourth one", THREE, WORDS) == []  # three lines: no fourth


@pytest.mark.parametrize(
    ("language", "text", "line"),
    [
        ("es", "la alfombra de 160 por 230 viene manchada", 1),
        ("it", "il tappeto 80 x 150, quello piccolo", 0),
        ("sv", "mattan som är 160 gånger 230", 1),
        ("en", "the 80x150 one", 0),
    ],
)
def test_a_line_named_by_its_measure(trained: NLU, language: str, text: str, line: int) -> None:
    assert items_named(trained, text, language, TWO_SIZES)[:1] == [TWO_SIZES[line]]


@pytest.mark.parametrize(
    ("language", "text", "line"),
    [
        ("sv", "det är den mindre mattan", 0),
        ("it", "quello più grande, il tappeto grigio", 1),
        ("es", "la pequeña, la otra llegó bien", 0),
    ],
)
def test_the_smaller_of_two_measures(trained: NLU, language: str, text: str, line: int) -> None:
    assert items_named(trained, text, language, TWO_SIZES)[:1] == [TWO_SIZES[line]]


def test_a_measure_or_number_that_is_no_line_names_nothing() -> None:
    # a price, a date and a measure two lines share name no line
    assert named_lines("pagué 24,90 el 24/11", THREE, WORDS) == []
    assert measure_siblings(("Glass jar 1 l", "Steel pot 3 l"), WORDS) == {}
    assert named_lines("los dos de 24 cm", ("Cake tin 24 cm", "Pizza tray 24 cm"), WORDS) == []


@pytest.mark.parametrize(
    ("language", "text", "line"),
    [
        ("it", "sono le tovagliette ad avere il colore sbagliato", 1),
        ("es", "el mantel está bien, lo que falla son los manteles individuales", 1),
        ("sv", "bordsduken kom fram men inte tabletterna", 1),
    ],
)
def test_table_linen_in_the_buyers_words(trained: NLU, language: str, text: str, line: int) -> None:
    linen = ("Linen tablecloth 150x250, sand", "Linen placemats, set of 4, sand")
    assert linen[line] in items_named(trained, text, language, linen)
