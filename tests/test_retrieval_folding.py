"""The knowledge search's lexical side reads text folded (lower case, no diacritics) on both sides, as buyers
type questions on a phone: "czy dostawa jest bezplatna" finds "bezpłatna" as "bezpłatna" would (issue 18.9)."""

from __future__ import annotations

import numpy as np

from bot.retrieval.index import _LexicalIndex

TEXTS = [
    "Koszt wysyłki\n\nDostawa jest bezpłatna od 349 zł, ekspresowa kosztuje 39,99 zł.",
    "Rękojmia: 2 lata\n\nZa wady odpowiadamy przez dwa lata od wydania towaru.",
    "Zwrot pieniędzy\n\nPieniądze zwracamy w ciągu 14 dni na konto, z którego zapłacono.",
]


def index() -> _LexicalIndex:
    return _LexicalIndex([f"c{i}" for i in range(len(TEXTS))], TEXTS, [{"language": "pl"} for _ in TEXTS])


def test_a_question_without_diacritics_scores_as_with_them() -> None:
    lexical = index()
    for typed, written in [
        ("czy dostawa jest bezplatna", "czy dostawa jest bezpłatna"),
        ("rekojmia 2 lata", "rękojmia 2 lata"),
        ("kiedy zwrot pieniedzy", "kiedy zwrot pieniędzy"),
    ]:
        assert np.allclose(lexical.scores(typed), lexical.scores(written)), typed


def test_the_folded_question_finds_its_section() -> None:
    lexical = index()
    assert int(np.argmax(lexical.scores("RĘKOJMIA czy rekojmia"))) == 1
    assert int(np.argmax(lexical.scores("zwrot pieniedzy na konto"))) == 2
