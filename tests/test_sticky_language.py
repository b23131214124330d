"""A case's language does not flip on one message (issue 18 point 4): two messages in a row in the other
language, or one long message the detector is very sure of, before the bot changes the language it writes in."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.platform.vocab import Stage
from bot.understanding.nlu import NLU, load_nlu
from tests.test_flow import state, turn

DATA = Path(__file__).resolve().parents[1] / "data"
SHORT_CS = "mam fotku krabice doma"  # 19 letters: past the minimum, far from the strong switch
LONG_PL = "Przepraszam, wolę pisać po polsku. Mam zdjęcie etykiety, mogę wysłać."


@pytest.fixture(scope="module")
def nlu(tmp_path_factory: pytest.TempPathFactory) -> NLU:
    return load_nlu(tmp_path_factory.mktemp("models"), DATA)


def test_one_message_in_another_language_does_not_switch() -> None:
    plan = turn(state(Stage.GATHERING, language="sq"), text=SHORT_CS, language="cs")
    assert "language" not in plan.slots and plan.slots["language_candidate"] == "cs"


def test_two_messages_in_a_row_switch() -> None:
    plan = turn(state(Stage.GATHERING, language="sq", language_candidate="cs"), text=SHORT_CS, language="cs")
    assert plan.slots["language"] == "cs" and plan.slots["language_candidate"] is None


def test_a_message_back_in_the_case_language_forgets_the_candidate() -> None:
    plan = turn(state(Stage.GATHERING, language="sq", language_candidate="cs"), text="po, kam foto", language="sq")
    assert "language" not in plan.slots and plan.slots["language_candidate"] is None
    # ...so a later single message in Czech starts counting again, and does not switch.
    plan = turn(state(Stage.GATHERING, language="sq"), text=SHORT_CS, language="cs")
    assert "language" not in plan.slots


def test_a_candidate_in_a_third_language_does_not_count_for_another() -> None:
    plan = turn(state(Stage.GATHERING, language="sq", language_candidate="es"), text=SHORT_CS, language="cs")
    assert "language" not in plan.slots and plan.slots["language_candidate"] == "cs"


def test_one_long_very_sure_message_switches_at_once() -> None:
    plan = turn(state(Stage.GATHERING, language="en"), text=LONG_PL, language="pl", language_confidence=1.0)
    assert plan.slots["language"] == "pl"
    # As long, but the detector is not sure: it waits for a second message.
    plan = turn(state(Stage.GATHERING, language="en"), text=LONG_PL, language="pl", language_confidence=0.7)
    assert "language" not in plan.slots and plan.slots["language_candidate"] == "pl"


def test_a_short_reply_is_no_evidence_at_all() -> None:
    plan = turn(state(Stage.GATHERING, language="sq", language_candidate="cs"), text="ok", language="cs")
    assert "language" not in plan.slots and "language_candidate" not in plan.slots


def test_the_first_message_sets_the_language() -> None:
    plan = turn(flow_state_without_language(), text="ok", language="fr")
    assert plan.slots["language"] == "fr"


def flow_state_without_language():  # type: ignore[no-untyped-def]
    s = state(Stage.CONTACTED)
    return type(s)(s.stage, {}, s.facts)


def test_albanian_without_diacritics_stays_albanian_through_a_conversation(nlu: NLU) -> None:
    """Albanian replies typed without diacritics, parsed with the real NLU and fed through the flow one after
    another: lingua reads some of them as Czech or Spanish, the case stays in Albanian."""
    s = state(Stage.GATHERING, language="sq")
    for text in ["ska problem, pres", "kam foto te kutise", "po, e dua nje te re", "ok po, ne rregull",
                 "nuk e di sakte, para nje jave"]:  # fmt: skip
        r = nlu.parse(text, fallback_language=s.get("language"))
        plan = turn(s, text=text, language=r.language, language_confidence=r.language_confidence)
        s = type(s)(s.stage, {**s.slots, **plan.slots}, s.facts)
        assert s.get("language") == "sq", (text, r.language)


def test_the_parse_carries_the_detector_confidence(nlu: NLU) -> None:
    r = nlu.parse(LONG_PL, fallback_language="en")
    assert r.language == "pl" and r.language_confidence >= 0.95
    assert nlu.parse("ok", fallback_language="sv").language_confidence == 0.0  # the case's language stood in
