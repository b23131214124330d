""" "Why do you need a photo of my kitchen?" asks why and of what: the answer is that only the item matters and the
photo is optional, then the next question (acknowledge.photo_why). Read as offering a photo, the buyer was told "yes,
please send it here", the question unanswered (held-out round 16: sv, pl, sq, ru, en). A photo offered ("I have photos,
shall I send them?") and a question about something else beside a photo ("why is it broken? photo attached") stay
what they were."""

from __future__ import annotations

import pytest

from bot.understanding.answers import asks_why_photo


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "hang on, why would you want a photo?"),
        ("en", "do I have to send a pic? it's in my bedroom"),
        ("pl", "a po co wam fotka?"),
        ("sv", "måste jag skicka bilder? den står i sovrummet"),
        ("de", "wofür brauchen Sie denn ein Foto?"),
        ("fr", "pourquoi vous voulez une photo de mon salon ?"),
        ("es", "para qué necesitan fotos?"),
        ("it", "a cosa serve la foto?"),
        ("cs", "nac vam bude fotka?"),
        ("ru", "а зачем вам фотка?"),
        ("uk", "навіщо вам фото моєї кухні?"),
        ("sq", "pse ju duhet fotoja e kuzhines?"),
    ],
)
def test_why_a_photo_is_asked(language: str, text: str) -> None:
    assert asks_why_photo(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "I have a few photos, shall I send them?"),
        ("en", "why did it break so fast?? photo attached"),
        ("pl", "dlaczego to pękło? zdjęcie mam"),
        ("de", "warum ist das kaputt? Fotos hab ich gemacht"),
        ("ru", "фото есть, куда скинуть?"),
        ("sv", "här är en bild på köket där den står"),
    ],
)
def test_a_photo_offered_or_another_question_is_not(language: str, text: str) -> None:
    assert not asks_why_photo(text, language)


@pytest.mark.parametrize(
    ("language", "text", "only"),
    [
        ("en", "why do you even need a photo?", True),
        ("en", "why do you need a photo? fine, I took one of the box", False),
        ("ru", "зачем вам фото? ладно, сфотографировала скол, могу прислать", False),
        ("sq", "pse ju duhet foto? po mire, e bera foto", False),
        ("sv", "varför behöver ni en bild? räcker det inte att jag säger det?", True),
    ],
)
def test_a_photo_offered_beside_the_question_is_still_offered(language: str, text: str, only: bool) -> None:
    from bot.conversation.flow import asks_why_only

    assert asks_why_only(text, language) is only
