"""Round 14, found by the lead on the merged rounds' transcripts (issue 18): a thanks for the truth about the bot is no
yes to the offer on the table, and "the money is there" answers the follow-up. Sentences written for these tests."""

from __future__ import annotations

import pytest

from bot.platform.vocab import Stage
from bot.understanding.answers import follow_up_answer
from tests.test_flow import state, turn

OFFER = {"type": "refund_shipping", "amount": "4.95", "currency": "EUR", "rule_id": "late-shipping-refund"}


@pytest.mark.parametrize(
    ("language", "question"),
    [("en", "hang on, am I talking to a bot?"), ("de", "Moment, bist du ein Bot?"), ("pl", "czy ty jesteś botem?")],
)
def test_the_truth_about_the_bot_asks_the_offer_again_and_a_thanks_then_accepts_nothing(
    language: str, question: str
) -> None:
    s = state(Stage.PROPOSING, language=language, proposed_remedy=OFFER, problems=["late"], what="late")
    plan = turn(s, intent="ask_human", confidence=0.5, text=question, language=language)
    assert plan.actions == ["action_answer_question", "action_propose_remedy"] and plan.slots["offer_plain"]
    after = state(Stage.PROPOSING, **{**s.slots, **plan.slots})
    thanks = turn(
        after, intent="thank", confidence=0.8, text="I see, thank you for being straight with me", language=language
    )
    assert "action_confirm_remedy" not in thanks.actions


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("looked at my banking app, the money is there now", "en"),
        ("sprawdziłam, pieniądze są już na koncie", "pl"),
        ("le virement est bien passé, merci", "fr"),
        ("el reembolso ya aparece en mi cuenta", "es"),
        ("деньги поступили, всё нормально", "ru"),
        ("гроші вже надійшли, дякую", "uk"),
        ("der Betrag ist gutgeschrieben", "de"),
    ],
)
def test_money_seen_in_the_account_answers_the_follow_up_as_worked(text: str, language: str) -> None:
    assert follow_up_answer(text, language) == "worked"


def test_money_not_there_yet_is_still_waiting() -> None:
    assert follow_up_answer("the money isn't there yet", "en") == "waiting"
