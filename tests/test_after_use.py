"""A failure some time after delivery is a defect, not lateness or transit damage (issue 18; written for this
test, not from data/ or the personas)."""

from __future__ import annotations

import pytest

from bot.understanding.after_use import as_defect, failed_after_use

FAILED_AFTER_USE = [
    ("pl", "padła po 3 tygodniach"),
    ("pl", "czajnik zepsuł się po dwóch tygodniach"),
    ("de", "ging nach zwei Wochen kaputt"),
    ("de", "nach 3 Tagen den Geist aufgegeben"),
    ("ru", "перестал работать через неделю"),
    ("ru", "умер через 3 дня"),
    ("uk", "зламався через тиждень"),
    ("sv", "slutade fungera efter en vecka"),
    ("sv", "dog efter tre dagar"),
    ("en", "it died after 3 weeks"),
    ("en", "broke after only two weeks of use"),
    ("cs", "odešel po týdnu"),
    ("fr", "il a lâché au bout de deux semaines"),
    ("es", "se rompió a las dos semanas"),
    ("it", "si è rotto dopo due settimane"),
    ("sq", "u prish pas dy javesh"),
    # On its first use, night or trip: a product that fails in use, not a parcel damaged on the way.
    ("en", "the zip tore on our second outing"),
    ("en", "the handle snapped the first time we used it"),
    ("de", "Der Griff ist beim ersten Gebrauch abgebrochen"),
    ("fr", "la poignée a cassé dès la première utilisation"),
    ("es", "la correa se rompió la primera vez que la usé"),
    ("it", "la cerniera si è spezzata alla prima uscita"),
    ("cs", "rukojeť praskla hned první den"),
    ("pl", "rączka pękła przy pierwszym użyciu"),
    ("ru", "ручка треснула в первый же день"),
    ("uk", "ручка тріснула в перший же день"),
    ("sv", "handtaget gick av forsta gangen"),
    ("sq", "doreza u plas diten e pare"),
]

NOT_A_FAILURE_AFTER_USE = [
    ("pl", "paczka przyszła po 3 tygodniach"),  # late, and nothing failed
    ("en", "it arrived after 3 weeks and the lamp was broken"),  # late and damaged in transit
    ("de", "das Paket kam nach zwei Wochen"),
    ("ru", "посылка пришла через три недели"),
    ("en", "it broke in transit"),
    ("en", "the first box was fine, the second one arrived torn"),  # no use: transit
    ("de", "beim ersten Versuch kam das Paket nicht an"),
]


@pytest.mark.parametrize(("language", "text"), FAILED_AFTER_USE)
def test_a_failure_after_some_time_is_a_defect(language: str, text: str) -> None:
    assert failed_after_use(text, language)
    assert as_defect(["late"], text, language) == ["defect"]
    assert as_defect(["damaged"], text, language) == ["defect"]
    assert as_defect([], text, language) == ["defect"]


@pytest.mark.parametrize(("language", "text"), NOT_A_FAILURE_AFTER_USE)
def test_a_late_or_damaged_parcel_stays_what_it_is(language: str, text: str) -> None:
    assert not failed_after_use(text, language)
    assert as_defect(["late"], text, language) == ["late"]
    assert as_defect(["damaged", "late"], text, language) == ["damaged", "late"]


def test_other_problems_named_beside_it_stand() -> None:
    assert as_defect(["wrong_item"], "padła po 3 tygodniach", "pl") == ["wrong_item"]
