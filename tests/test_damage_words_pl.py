"""Polish words for a chip ("wyszczerbiony", "odpryśnięty", "obtłuczony", "ukruszony") name damage (data/nlu.yml, the
`damaged` synonyms): a three-sentence opener about a chipped rim found no problem read whole, the bot asked "what
happened?" after being told, and the buyer went to staff (round 14's set, replayed in session 25)."""

from __future__ import annotations

import pytest

from bot.understanding.nlu import NLU


@pytest.mark.parametrize(
    "text",
    [
        "kubek przyszedł obtłuczony na uchu, szkoda bo to na prezent",
        "talerz ma ukruszony brzeg. zamawiałam na święta. co teraz?",
        "szklanka przyszla wyszczerbiona przy krawedzi",
        "z boku miska jest odprysnieta, widac to od razu",
    ],
)
def test_a_chip_is_damage(nlu: NLU, text: str) -> None:
    assert "damaged" in nlu.parse(text, fallback_language="pl").problems
