"""The readers behind issue 18's bad-input scenarios (tests/scenarios/*_bad_input_*.yml): a photo refused after
the offer is no answer to the offer, emoji say anger in any language, and a problem's description keeps the wish
it names in the same sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.conversation.flow import only_photo_refusal
from bot.understanding.nlu import NLU, load_nlu

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize(
    ("language", "text", "bare_no", "only_photo"),
    [
        ("en", "no photo, sorry", False, True),
        ("pl", "nie mam zdjecia", False, True),
        ("de", "Foto hab ich keins", False, True),
        ("sv", "nej, inga bilder", True, True),  # the photo question still open: the "no" answers it
        ("sv", "nej, inga bilder", False, False),  # no photo question open: the "no" may be the offer's
        ("en", "no, I don't want that, and I have no photos", True, False),
        ("pl", "nie, wole zwrot pieniedzy", True, False),  # no photo word at all
        ("en", "I have photos of it", False, False),
    ],
)
def test_a_photo_refusal_alone_is_told_apart(language: str, text: str, bare_no: bool, only_photo: bool) -> None:
    assert only_photo_refusal(text, language, bare_no=bare_no) is only_photo


@pytest.fixture(scope="module")
def nlu(tmp_path_factory: pytest.TempPathFactory) -> NLU:
    return load_nlu(tmp_path_factory.mktemp("models"), DATA)


@pytest.mark.parametrize(("text", "language"), [("😡😡😡", "de"), ("🤬", "pl"), ("seriously 😠", "en")])
def test_angry_emoji_are_angry_in_any_language(nlu: NLU, text: str, language: str) -> None:
    r = nlu.parse(text, fallback_language=language)
    assert r.level == "angry" and r.anger >= 0.9


def test_a_thumbs_up_stays_calm(nlu: NLU) -> None:
    assert nlu.parse("👍", fallback_language="de").level == "calm"


@pytest.mark.parametrize(
    ("text", "language"),
    [("det gäller skålarna", "sv"), ("chodzi o miski", "pl"), ("es geht um die Schüssel", "de")],
)
def test_the_buyer_s_word_for_a_bowl_finds_the_bowl_set(nlu: NLU, text: str, language: str) -> None:
    items = ("Mug set Hav (4)", "Bowl set Hav (2)")
    r = nlu.parse(text, fallback_language=language, items=items)
    assert [e.value for e in r.entities if e.entity == "item"] == ["Bowl set Hav (2)"]
