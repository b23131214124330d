"""Flow rules from the held-out buyer personas, round 7 (sentences written apart from the set)."""

from __future__ import annotations

import pytest

from bot.platform.vocab import Stage
from bot.understanding.sentences import Sentence
from tests.test_flow import state, turn


@pytest.mark.parametrize(
    ("language", "first", "second"),
    [
        ("pl", "nagralam krotkie wideo z rozpakowania.", "gdzie je przeslac?"),
        ("cs", "mam natocene video, jak to vypada.", "kam vam ho mam poslat?"),
        ("en", "I filmed the whole unboxing.", "where should the video go?"),
    ],
)
def test_asking_where_to_send_a_video_is_no_return_wish(language: str, first: str, second: str) -> None:
    """Round 6 taught "I have photos, where do I send them?" to the photo words only: the same question beside a
    video read as request_return, and a full refund was offered to a buyer who wanted a new lid."""
    text = f"{first} {second}"
    parts = (
        Sentence(first, 0, len(first), "describe_problem", 0.5),
        Sentence(second, len(first) + 1, len(text), "request_return", 0.6),
    )
    s = state(
        Stage.GATHERING,
        language=language,
        what="the lid came cracked",
        item="teapot",
        requested_slot="evidence",
        problems=["damaged"],
        asked=["what", "item", "evidence"],
    )
    plan = turn(s, intent="request_return", confidence=0.6, text=text, language=language, sentences=parts)
    assert plan.slots.get("wants") is None


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("cs", "a mam to jeste nahlasit na poste, nebo se o to postarate?"),
        ("pl", "czy mam to jeszcze zglosic kurierowi?"),
        ("en", "do I have to tell the courier as well?"),
    ],
)
def test_a_question_about_what_to_do_leaves_the_offer_open(language: str, text: str) -> None:
    """ "Do I report it to the carrier too?" asked while a refund was offered read as a vent: the buyer was asked to
    rephrase, and their "ah, good to know" after the next answer handed the case to staff. It is answered and the
    offer waits."""
    offer = {"type": "refund_full", "amount": "129.00"}
    s = state(Stage.PROPOSING, language=language, proposed_remedy=offer, problems=["lost_in_transit"], wants="refund")
    plan = turn(s, intent="vent", confidence=0.36, text=text, language=language)
    assert plan.actions == ["action_answer_question"]
    assert plan.stage == Stage.PROPOSING and "accepted_remedy" not in plan.slots


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("cs", "aha, to je dobre vedet"),
        ("pl", "aha, dobrze wiedziec"),
        ("ru", "ок, буду знать"),
        ("en", "ok, good to know"),
        # "thanks for the explanation" thanks for the answer, as "good to know" acknowledges it
        ("pl", "ok, dziekuje za informacje"),
        ("en", "ok, thanks for explaining"),
    ],
)
def test_good_to_know_after_an_answer_asks_the_offer_again(language: str, text: str) -> None:
    """ "Good to know" acknowledges the answer the buyer got while an offer waited; it is not a yes, and not a message
    the bot fails to understand (it was the second miss that handed a refund case to staff)."""
    offer = {"type": "refund_full", "amount": "129.00"}
    s = state(Stage.PROPOSING, language=language, proposed_remedy=offer, asked_question=True, offer_misses=1)
    plan = turn(s, intent="greet", confidence=0.48, text=text, language=language)
    assert plan.actions == ["action_propose_remedy"] and plan.stage == Stage.PROPOSING
    assert plan.handoff is None and "accepted_remedy" not in plan.slots


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "pieniadze mnie nie interesuja, wolalabym nowa pokrywke"),
        ("uk", "знижка мене не цікавить, надішліть ліхтар"),
        ("ru", "скидка мне ни к чему, пришлите новый"),
    ],
)
def test_a_remedy_that_does_not_interest_the_buyer_is_not_accepted(language: str, text: str) -> None:
    """ "The refund doesn't interest me, I want the lid" named the refund offered only to refuse it, and the refund
    was confirmed."""
    offer = {"type": "refund_full" if language == "pl" else "coupon", "amount": "44.00"}
    s = state(Stage.PROPOSING, language=language, proposed_remedy=offer, problems=["damaged"], item="teapot")
    wish = "request_refund" if language == "pl" else "request_discount"
    plan = turn(s, intent=wish, confidence=0.45, text=text, language=language)
    assert "accepted_remedy" not in plan.slots


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "Я питала в чаті, коли буде знижка на тарілки. Мені відповіли, що я заважаю, і вийшли з чату."),
        (
            "pl",
            "Zapytalam na czacie czy lampka ma gwarancje. Konsultant odpisal ze mam sobie poczytac i sie rozlaczyl.",
        ),
    ],
)
def test_a_question_asked_elsewhere_and_told_as_the_problem_is_no_question(language: str, text: str) -> None:
    """An unsure policy reading with no question mark, of a message that tells what happened ("I asked your chat
    whether ..., and was told ..."), is the story told: the bot quoted the import-duty passage at it instead."""
    first, second = text.split(". ", 1)
    parts = (
        Sentence(first + ".", 0, len(first) + 1, "ask_policy", 0.3),
        Sentence(second, len(first) + 2, len(text), "describe_problem", 0.5),
    )
    s = state(Stage.CONTACTED, language=language, what="the chat was rude", item="tray")
    plan = turn(s, intent="ask_policy", confidence=0.29, text=text, language=language, sentences=parts)
    assert "action_answer_question" not in plan.actions
    # With a question mark it is still a question to answer.
    asked = text.replace(". ", "? ", 1)
    plan = turn(s, intent="ask_policy", confidence=0.29, text=asked, language=language, sentences=parts)
    assert "action_answer_question" in plan.actions
