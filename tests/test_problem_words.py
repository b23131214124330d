"""Problem words (session 19). A negation inside a relative clause describes a thing; it denies no problem
(nlu._denied): "une nouvelle gourde qui ne fuit pas" (a new bottle that doesn't leak) denied the leak, the replacement
the policy gives for a defect was refused and a coupon offered (held-out round 2, on the path the new emotion model
opened). Also Italian "broken in pieces" and coatings that peel. Sentences written for the test; real NLU and data."""

from __future__ import annotations

import pytest

from bot.understanding.nlu import NLU


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "j'aimerais juste une bouilloire qui ne fuit pas"),
        ("pl", "poproszę nowy czajnik, który nie cieknie"),
        ("de", "ich hätte gern eine neue, die nicht tropft"),
        ("sv", "skicka en ny som inte läcker"),
    ],
)
def test_a_wish_for_one_that_does_not_leak_denies_no_leak(nlu: NLU, language: str, text: str) -> None:
    assert "defect" not in nlu.parse(text, fallback_language=language).denied


@pytest.mark.parametrize(
    ("language", "text", "problem"),
    [
        ("de", "es war nicht verspätet, es kam kaputt an", "late"),
        ("ru", "я же писал, что не опоздало, а сломалось", "late"),
        ("fr", "ce n'était pas en retard, c'est arrivé cassé", "late"),
    ],
)
def test_a_plain_denial_still_denies(nlu: NLU, language: str, text: str, problem: str) -> None:
    assert problem in nlu.parse(text, fallback_language=language).denied


@pytest.mark.parametrize(
    "text",
    ["il ripiano di vetro è arrivato spezzato in due", "la ciotola era in frantumi nella scatola", "piatto frantumato"],
)
def test_italian_broken_in_pieces_is_damage(nlu: NLU, text: str) -> None:
    """ "spezzata in due parti" (broken in two) was no damage word: a formal letter about a pizza oven's broken stone
    read as a late parcel (its delivery day), and the stone asked for alone went to staff (held-out round 9, merged)."""
    assert "damaged" in nlu.parse(text, fallback_language="it").problems


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "the non-stick coating is peeling off after two uses"),
        ("pl", "powłoka łuszczy się po tygodniu"),
        ("fr", "le revêtement s'écaille déjà"),
        ("ru", "покрытие облезает через неделю"),
        ("sv", "färgen flagnar redan"),
        ("de", "der Lack blättert ab"),
    ],
)
def test_a_coating_that_comes_off_is_a_defect(nlu: NLU, language: str, text: str) -> None:
    """ "Die Beschichtung löst sich ab, nach einer Woche" was no problem once the merged round-9 training lines moved
    the classifier's line (none 0.45): the pan's buyer was asked what happened and handed over
    (tests/scenarios/de_bad_input_only_emoji.yml). Peeling and flaking are lookups now, in 11 languages."""
    assert "defect" in nlu.parse(text, fallback_language=language).problems
