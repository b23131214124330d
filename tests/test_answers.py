"""The answer to "would you like to update your review?", read against that question (issue 19.7)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.understanding.answers import revision_answer

# (language, what a buyer wrote, what it means): written the way buyers answer, typos and missing accents in.
ANSWERS = [
    ("en", "Fair enough, I'll bump it up to 3 stars", "revised"),
    ("en", "already updated it :)", "revised"),
    ("en", "ive changed it to 4 stars", "revised"),
    ("en", "I'll change it tonight", "revised"),
    ("en", "I won't change it, sorry. The delivery was still a mess.", "kept"),
    ("en", "I'll leave it as it is", "kept"),
    ("en", "maybe later", "later"),
    ("en", "not now, I'm at work", "later"),
    ("pl", "Zmienię na 4 gwiazdki, dzięki", "revised"),
    ("pl", "juz poprawilam opinie", "revised"),
    ("pl", "nie bede zmieniac, niech zostanie", "kept"),
    ("pl", "moze pozniej", "later"),
    ("sv", "Jag ändrar den i kväll", "revised"),
    ("sv", "har redan ändrat till 4 stjärnor", "revised"),
    ("sv", "nej tack, jag låter den vara", "kept"),
    ("sv", "kanske senare", "later"),
    ("de", "Hab die Bewertung schon geändert", "revised"),
    ("de", "ich ändere sie gleich auf 4 Sterne", "revised"),
    ("de", "Nein danke, die bleibt so.", "kept"),
    ("de", "vielleicht später mal", "later"),
    ("ru", "Исправлю отзыв, спасибо", "revised"),
    ("ru", "уже изменила на 4 звезды", "revised"),
    ("ru", "нет, спасибо, оставлю как есть", "kept"),
    ("ru", "может позже", "later"),
    ("uk", "Змiню вiдгук сьогоднi", "revised"),
    ("uk", "вже змінила, дякую", "revised"),
    ("uk", "ні, дякую, нехай залишиться", "kept"),
    ("uk", "може пізніше", "later"),
    ("sq", "do ta ndryshoj sot", "revised"),
    ("sq", "e ndryshova ne 4 yje", "revised"),
    ("sq", "jo faleminderit", "kept"),
    ("sq", "ndoshta me vone", "later"),
    ("fr", "je vais la modifier ce soir", "revised"),
    ("fr", "non merci, je la laisse comme ca", "kept"),
    ("es", "ya lo hice, 4 estrellas", "revised"),
    ("es", "no, gracias", "kept"),
    ("it", "la cambiero stasera", "revised"),
    ("it", "forse piu tardi", "later"),
    ("cs", "uz jsem to zmenila", "revised"),
    ("cs", "ne, dekuji", "kept"),
]


@pytest.mark.parametrize(("language", "text", "meaning"), ANSWERS)
def test_revision_answers_in_every_language(language: str, text: str, meaning: str) -> None:
    assert revision_answer(text, language) == meaning


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "How long will the refund take?"), ("pl", "A kiedy przyjdzie kurier?"), ("de", "Wo ist mein Paket?")],
)
def test_a_question_is_not_an_answer(language: str, text: str) -> None:
    assert revision_answer(text, language) is None


@given(st.text(max_size=300), st.sampled_from(["en", "pl", "sv", "de", "ru", "uk", "sq", "fr", "es", "it", "cs", "xx"]))
def test_any_text_gets_an_answer_or_none_and_never_fails(text: str, language: str) -> None:
    assert revision_answer(text, language) in ("revised", "kept", "later", None)
