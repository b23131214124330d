"""A refusal after an acknowledgement is a refusal: "ok, no, thanks" to an offer declines it. The "no" patterns of
data/answers/yes_no.yml want the refusal first, and the "ok" in front of it made the declined remedy a yes (its own
"^ok" yes pattern); `ack` lists the acknowledgements read past before the "no" patterns are tried. Refusal look-alikes
after an acknowledgement ("ok, no rush", "vale, no hay prisa") stay what they were."""

from __future__ import annotations

import pytest

from bot.understanding.answers import yes_no


@pytest.mark.parametrize(
    ("language", "text", "meaning"),
    [
        ("en", "okay, no. not that one", "no"),
        ("en", "hm, right. nope", "no"),
        ("en", "k no thx", "no"),
        ("pl", "ok, nie, dzieki", "no"),
        ("pl", "hmm nie chyba nie", "no"),
        ("de", "naja, nein danke", "no"),
        ("de", "ok. nee, lieber nicht", "no"),
        ("ru", "ну нет, спасибо", "no"),
        ("ru", "ok, net, spasibo", "no"),  # typed without a Cyrillic keyboard
        ("uk", "та ні, не треба", "no"),
        ("es", "pues no, gracias", "no"),
        ("fr", "bah non merci", "no"),
        ("it", "mah, no grazie", "no"),
        ("cs", "hm, ne diky", "no"),
        ("sv", "jaha, nej tack", "no"),
        ("sq", "epo jo, faleminderit", "no"),
    ],
)
def test_a_refusal_after_an_acknowledgement_declines(language: str, text: str, meaning: str) -> None:
    assert yes_no(text, language) == meaning


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "ok, no rush, whenever you can"),
        ("en", "okay no problem, go ahead"),
        ("en", "ok ok, sounds good"),
        ("pl", "ok, nie szkodzi, moze byc"),
        ("pl", "ok, nie ma problemu"),
        ("es", "vale, no hay prisa"),
        ("ru", "ок, нет проблем"),
        ("de", "ok, passt"),
        ("it", "ok, va bene"),
        ("uk", "та добре"),
    ],
)
def test_acknowledged_look_alikes_stay_yes(language: str, text: str) -> None:
    assert yes_no(text, language) == "yes"
