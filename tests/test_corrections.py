"""Corrections replace gathered facts (issue 18.3): a problem, an item or a part the buyer takes back leaves the
case's slots, whichever earlier turn (or the review) put it there, and the bot stops naming it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from actions.base import _topic_problem
from bot.conversation import flow
from bot.platform.vocab import Stage
from bot.understanding.answers import part_named
from tests.test_flow import POLICY, REMEDIES, Msg, state

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Item:
    entity: str
    value: str
    start: int
    end: int


def absorb(s: flow.State, **msg: object) -> dict:
    return flow.absorb(s, Msg(**msg), POLICY)  # type: ignore[arg-type]


def test_a_denied_problem_leaves_the_problems_gathered_before() -> None:
    s = state(Stage.GATHERING, problems=["late"])
    slots = absorb(s, text="It wasn't late, it came BROKEN", problems=["damaged"], denied=["late"])
    assert slots["problems"] == ["damaged"]
    assert slots["denied_problems"] == ["late"]


def test_a_mix_up_swaps_one_problem_for_another() -> None:
    s = state(Stage.GATHERING, problems=["damaged", "late"])
    text = "sorry, I mixed it up: it's not damaged, it's the wrong colour"
    slots = absorb(s, text=text, problems=["wrong_item"], denied=["damaged"])
    assert slots["problems"] == ["late", "wrong_item"]


def test_a_denial_alone_empties_the_problems_and_the_topic_does_not_bring_it_back() -> None:
    s = state(Stage.GATHERING, problems=["late"])
    slots = absorb(s, text="no no, it was not late at all", problems=[], denied=["late"])
    assert slots["problems"] == []
    # The review's topic (delivery) suggests "late": the denied problem is not named in its place.
    assert _topic_problem("late", slots["denied_problems"]) == "other"
    assert _topic_problem("late", None) == "late"


def test_naming_a_denied_problem_again_puts_it_back() -> None:
    s = state(Stage.GATHERING, problems=["damaged"], denied_problems=["late"])
    slots = absorb(s, text="actually it was also a week late", problems=["late"])
    assert slots["problems"] == ["damaged", "late"]
    assert slots["denied_problems"] == []


def test_a_message_without_problems_keeps_the_gathered_ones() -> None:
    slots = absorb(state(Stage.GATHERING, problems=["late"]), text="ok", intent="affirm")
    assert "problems" not in slots


def test_an_item_taken_back_is_asked_for_again() -> None:
    s = state(Stage.GATHERING, item="Enamel mug set", item_said="mugs")
    slots = absorb(s, text="no, not the mugs", intent="deny", entities=[Item("item", "Enamel mug set", 12, 16)])
    assert slots["item"] is None


@pytest.mark.parametrize(
    ("language", "text", "part"),
    [
        ("en", "no, not the handle, the lid", "lid"),
        ("en", "not the cable but the charger", "charger"),
        ("de", "nein, nicht der Griff, der Deckel", "Deckel"),
        ("pl", "nie raczka, tylko pokrywka", "pokrywka"),
    ],
)
def test_a_part_named_after_a_negation_is_not_the_one_meant(language: str, text: str, part: str) -> None:
    assert part_named(text, language) == part


def test_the_part_gathered_before_is_replaced() -> None:
    s = state(Stage.GATHERING, part="handle")
    assert absorb(s, text="no, not the handle, the lid", intent="deny")["part"] == "lid"


@pytest.mark.parametrize(
    ("text", "named", "denied"),
    [
        ("It wasn't late, it came BROKEN", "damaged", "late"),
        ("sorry, I mixed it up: it's not damaged, it's the wrong colour", "wrong_item", "damaged"),
        ("Nie było opóźnione, przyszło rozbite", "damaged", "late"),
    ],
)
def test_the_nlu_says_which_problem_is_denied(nlu, text: str, named: str, denied: str) -> None:  # type: ignore[no-untyped-def]
    parsed = nlu.parse(text, fallback_language="en")
    assert named in parsed.problems and denied not in parsed.problems
    assert parsed.denied == [denied]


def test_a_correction_across_turns_in_the_flow(nlu) -> None:  # type: ignore[no-untyped-def]
    """The review said late; the buyer corrects it. The problem the next replies name is the damage."""
    s = state(Stage.GATHERING, problems=["late"], requested_slot="item")
    parsed = nlu.parse("It wasn't late, it came BROKEN", fallback_language="en")
    plan = flow.on_buyer_message(s, parsed, POLICY, REMEDIES)
    assert plan.slots["problems"] == ["damaged"]
