"""Flow rules from the held-out buyer personas, round 6 (sentences written apart from the set)."""

from __future__ import annotations

import pytest

from bot.platform.vocab import Stage
from bot.understanding.sentences import Sentence
from tests.test_flow import state, turn


@pytest.mark.parametrize(
    ("language", "first", "second"),
    [
        ("pl", "mam kilka zdjec w galerii.", "gdzie mam je wyslac?"),
        ("sq", "i kam fotot ne celular.", "si t'jua nis?"),
        ("en", "I took pictures of the box.", "where should I send them?"),
    ],
)
def test_asking_where_to_send_the_photos_is_no_return_wish(language: str, first: str, second: str) -> None:
    """ "Where do I send them?" after "I have photos" read as request_return: the bot skipped "what would be fair?"
    and refused a full refund nobody asked for. The photos are what is sent."""
    text = f"{first} {second}"
    parts = (
        Sentence(first, 0, len(first), "describe_problem", 0.5),
        Sentence(second, len(first) + 1, len(text), "request_return", 0.6),
    )
    s = state(
        Stage.GATHERING,
        language=language,
        what="the screws were missing",
        item="chair",
        requested_slot="evidence",
        problems=["missing_item"],
        asked=["what", "item", "evidence"],
    )
    plan = turn(s, intent="describe_problem", confidence=0.5, text=text, language=language, sentences=parts)
    assert plan.slots.get("wants") is None
    # A return named in words still counts as one.
    said = {"pl": "wole to odeslac", "sq": "dua ta kthej mbrapsht", "en": "I'd rather send it back"}[language]
    text = f"{first} {said}"
    parts = (parts[0], Sentence(said, len(first) + 1, len(text), "request_return", 0.6))
    plan = turn(s, intent="describe_problem", confidence=0.5, text=text, language=language, sentences=parts)
    assert plan.slots.get("wants") == "return"
