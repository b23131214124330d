"""Readers and data added for the failures of held-out round 12 (data/eval/buyers_heldout11, es/it/sv, wt-b12).
Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

import pytest

from bot.understanding.answers import follow_up_answer

# ---- the follow-up: a remedy that half worked is no success ---------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "the new kettle came, but it makes the same rattling noise as the old one"),
        ("en", "got the refund, only half of it though"),
        ("es", "ha llegado la lampara nueva pero tiene la misma grieta"),
        ("es", "me devolvieron solo la mitad, faltan veinte euros"),
        ("es", "el nuevo hace el mismo pitido raro que el anterior"),
        ("it", "la nuova e arrivata ma ha lo stesso difetto"),
        ("it", "il rimborso c'e, ma soltanto una parte. manca il resto"),
        ("sv", "den nya kom men den har samma spricka"),
        ("sv", "fick tillbaka pengar, men bara halva beloppet"),
        ("sv", "den nya låter samma gnissel som den gamla"),
        # the same in the other helpers' languages (their findings, sentences written here)
        ("en", "the replacement is here and it is no better than the first"),
        ("de", "der Austausch ist gekommen, hat aber denselben Riss"),
        ("de", "es kam nur die Hälfte vom Geld zurück"),
        ("fr", "le remplacement est arrivé, même panne qu'avant"),
        ("pl", "zwrocili tylko polowe, reszty brak"),
        ("cs", "dostal jsem jen polovinu penez"),
        ("ru", "пришла только часть возврата"),
        ("uk", "повернули лише половину грошей"),
    ],
)
def test_a_remedy_that_half_worked_is_failed(language: str, text: str) -> None:
    assert follow_up_answer(text, language) == "failed"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "ya ha llegado y funciona de maravilla"),
        ("it", "arrivato ieri, tutto perfetto"),
        ("sv", "den kom i går, allt i ordning"),
        ("en", "it arrived, all good now"),
    ],
)
def test_a_remedy_that_worked_stays_worked(language: str, text: str) -> None:
    assert follow_up_answer(text, language) == "worked"
