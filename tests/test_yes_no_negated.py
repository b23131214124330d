"""A yes phrase turned by a negation in its own clause is a no (answers.yes_no: _negated_yes). Read as a yes, an Italian
buyer's "what arrived is not all right", said to "shall we stop writing?", opted her out (round 2's set, replayed in
session 25); at an offer the same reading confirms a remedy the buyer turned down."""

from __future__ import annotations

import pytest

from bot.platform.vocab import Stage
from bot.understanding.answers import yes_no
from tests.test_flow import state, turn


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("it", "per me così non va bene"),
        ("it", "no guardi, non sono d'accordo"),
        ("es", "pues a mí eso no me parece bien"),
        ("es", "no estoy de acuerdo con eso"),
        ("fr", "non, je ne suis pas d'accord"),
        ("fr", "franchement pas d'accord"),
        ("de", "damit bin ich nicht einverstanden"),
        ("sv", "nej, det funkar inte för mig"),
        ("ru", "я с этим не согласна"),
        ("uk", "я не згоден з цим"),
        ("sq", "nuk jam dakord me kete"),
    ],
)
def test_a_negated_yes_is_a_no(language: str, text: str) -> None:
    assert yes_no(text, language) == "no"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("it", "va bene, grazie mille"),
        ("es", "vale, me parece bien"),
        ("fr", "d'accord, merci beaucoup"),
        ("de", "ja, einverstanden"),
        ("sv", "det funkar, tack"),
        ("ru", "да, согласна"),
        ("en", "ok no problem, go ahead"),
        ("sq", "shume mire, po, faleminderit"),
    ],
)
def test_the_yes_without_a_negation_stays_a_yes(language: str, text: str) -> None:
    assert yes_no(text, language) == "yes"


@pytest.mark.parametrize(
    ("language", "text"),
    [("it", "voglio dire che il pezzo arrivato non va bene"), ("es", "digo que lo que llegó no me parece bien")],
)
def test_a_negated_yes_to_shall_we_stop_does_not_opt_out(language: str, text: str) -> None:
    s = state(Stage.GATHERING, language=language, opt_out_check="ask", requested_slot="outcome", problems=["defect"])
    plan = turn(s, text=text, intent="describe_problem", confidence=0.6, language=language)
    assert plan.outcome is None and "action_opt_out_confirm" not in plan.actions


@pytest.mark.parametrize("text", ["sostituitela per favore", "cambiatemelo, per favore", "me lo sostituite?"])
def test_an_italian_replace_it_please_asks_for_a_replacement_not_to_stop(text: str) -> None:
    """ "Replace it, please" read opt_out 0.32 beside round 15's Italian "close the chat, please" lines and asked
    whether to stop: the wish named (data/answers/wishes.yml) keeps an unsure opt_out reading from asking
    (flow.check_opt_out)."""
    s = state(Stage.GATHERING, language="it", requested_slot="outcome", problems=["defect"])
    plan = turn(s, text=text, intent="opt_out", confidence=0.32, language="it")
    assert "action_opt_out_check" not in plan.actions and plan.slots.get("wants") == "replacement"
