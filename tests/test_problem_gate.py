"""The problem classifier's gate (issue 18, item 4): the sentence encoder (~10 ms a message) reads problems by
meaning only on turns where a problem it finds can change what the bot does (flow.problem_reading)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.conversation import flow
from bot.platform.vocab import Stage
from bot.understanding.nlu import NLU

ROOT = Path(__file__).resolve().parent.parent
# No listed problem word: only the classifier reads the late delivery in it.
LATE_BY_MEANING = "they turned up a fortnight after the date on the website"


@pytest.mark.parametrize(
    ("stage", "slots", "reading"),
    [
        (Stage.CONTACTED, {"problems": ["late"], "what": "late"}, "read"),  # calming: the problem is still news
        (Stage.GATHERING, {}, "read"),  # nothing known yet
        (Stage.GATHERING, {"problems": ["late"], "what": "late", "requested_slot": "what"}, "read"),
        (Stage.GATHERING, {"problems": ["late"], "requested_slot": "item"}, "read"),  # what happened not told
        (Stage.GATHERING, {"problems": ["late"], "what": "it came late", "requested_slot": "item"}, "skip"),
        (Stage.PROPOSING, {"problems": ["damaged"], "what": "broken"}, "skip"),
        (Stage.FOLLOW_UP, {"problems": ["damaged"], "what": "broken"}, "unless_answer"),
        (Stage.REVISION_ASKED, {}, "skip"),
        (Stage.CLOSED, {}, "skip"),
    ],
)
def test_the_stage_and_the_facts_decide_the_reading(stage: Stage, slots: dict, reading: str) -> None:
    assert flow.problem_reading(stage, slots) == reading


def test_the_review_counts_as_having_said_what_happened() -> None:
    assert flow.problem_reading(Stage.GATHERING, {"problems": ["late"]}, review_says_what=True) == "skip"


def test_read_finds_the_problem_by_meaning_and_skip_does_not(nlu: NLU) -> None:
    assert nlu.parse(LATE_BY_MEANING, fallback_language="en").problems == ["late"]
    assert nlu.parse(LATE_BY_MEANING, fallback_language="en", meaning="skip").problems == []
    # The lookup's own words are found either way: the gate only spares the encoder.
    assert nlu.parse("the box came crushed", fallback_language="en", meaning="skip").problems == ["damaged"]


def test_a_correction_is_read_even_when_skipping(nlu: NLU) -> None:
    text = "it wasn't damaged, it just never turns on"
    parsed = nlu.parse(text, fallback_language="en", meaning="skip")
    assert parsed.denied == ["damaged"]
    assert parsed.problems == nlu.parse(text, fallback_language="en").problems


def test_unless_answer_skips_a_no_and_reads_a_description(nlu: NLU) -> None:
    said_no = nlu.parse("no", fallback_language="en", meaning="unless_answer")
    assert said_no.intent == "deny" and said_no.problems == []
    told = nlu.parse(LATE_BY_MEANING, fallback_language="en", meaning="unless_answer")
    assert told.problems == ["late"]
