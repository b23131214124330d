"""A buyer who asks for a person, and a question the classifier could not place (held-out personas, round 5,
bench/buyers.py): a request for a person said in so many words hands the case over even inside a long complaint or
beside "are you a bot?", while the question alone is answered and the buyer kept; a question with a question mark
and question words, read unsure as something else, is answered from the documents before the offer is made."""

from __future__ import annotations

import pytest

from bot.platform.vocab import Stage
from tests.test_flow import state, turn


@pytest.mark.parametrize(
    ("language", "text", "intent"),
    [
        ("en", "are you a bot? if you are, put me through to a human", "ask_human"),
        ("de", "Bist du ein Bot? Dann verbinden Sie mich bitte mit einem Mitarbeiter", "ask_human"),
        ("it", "sei un robot? vorrei parlare con un operatore", "ask_human"),
        ("fr", "vous êtes un robot ? je veux parler à un conseiller", "ask_human"),
    ],
)
def test_are_you_a_bot_with_a_request_for_a_person_hands_over(language: str, text: str, intent: str) -> None:
    s = state(Stage.DEESCALATING, language=language, deescalation_turns=1)
    plan = turn(s, intent=intent, confidence=0.7, language=language, text=text)
    assert plan.handoff == "buyer_asked" and plan.stage == Stage.AWAITING_STAFF


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "are you a bot?"),
        ("de", "schreib ich hier grad mit nem Roboter?"),
        ("es", "¿eres un bot?"),
    ],
)
def test_are_you_a_bot_alone_is_answered_and_the_buyer_kept(language: str, text: str) -> None:
    # The classifier reads these as a request for a person (ask_human 0.45-0.7); the question is answered instead.
    s = state(Stage.DEESCALATING, language=language, deescalation_turns=1)
    plan = turn(s, intent="ask_human", confidence=0.6, language=language, text=text)
    assert plan.handoff is None and plan.actions[0] == "action_answer_question"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "en",
            "The parcel has been stuck for ten days and nobody knows anything. I want to speak to a manager.",
        ),
        ("es", "El pedido no llega y nadie sabe nada. Quiero hablar con una persona."),
        ("sv", "Paketet har stått still i en vecka. Jag vill prata med en människa."),
    ],
)
def test_a_request_for_a_person_inside_a_complaint_hands_over(language: str, text: str) -> None:
    # Read whole as a description (describe_problem 0.5): the request in it is still a request.
    s = state(Stage.CONTACTED, language=language)
    plan = turn(
        s, intent="describe_problem", confidence=0.5, language=language, text=text, problems=["lost_in_transit"]
    )
    assert plan.handoff == "buyer_asked"


@pytest.mark.parametrize(
    ("language", "text", "intent"),
    [
        ("es", "¿cuánto tiempo tengo para mandarlo de vuelta?", "request_return"),
        ("it", "quanto ci mette il rimborso ad arrivare?", "request_refund"),
        ("de", "wie lange dauert so eine Erstattung normalerweise?", "vent"),
    ],
)
def test_an_unsure_question_while_gathering_is_answered(language: str, text: str, intent: str) -> None:
    s = state(Stage.GATHERING, language=language, requested_slot="evidence", what="it broke")
    plan = turn(s, intent=intent, confidence=0.3, language=language, text=text)
    assert plan.actions[0] == "action_answer_question" and plan.handoff is None


def test_a_sure_vent_with_a_question_word_is_not_quoted_the_policy() -> None:
    s = state(Stage.CONTACTED)
    plan = turn(s, intent="vent", confidence=0.8, anger=0.8, level="angry", text="why does this always happen to me?")
    assert "action_answer_question" not in plan.actions


def test_an_unsure_question_after_the_offer_is_not_taken_for_a_policy_question() -> None:
    # At the follow-up, "where is it?" says the remedy has not arrived: answer_follow_up reads it, not the documents.
    s = state(Stage.FOLLOW_UP)
    plan = turn(s, intent="vent", confidence=0.3, text="where is it? still nothing")
    assert "action_answer_question" not in plan.actions


@pytest.mark.parametrize(
    ("language", "text", "intent", "confidence"),
    [
        ("en", "ok, I know it's not your fault", "ask_human", 0.35),
        ("fr", "bon, et maintenant on fait quoi ?", "out_of_scope", 0.6),
        ("de", "schon gut, Sie können ja nix dafür", "out_of_scope", 0.4),
    ],
)
def test_a_reply_to_the_calming_words_that_lets_the_bot_go_on(
    language: str, text: str, intent: str, confidence: float
) -> None:
    # Not a request to rephrase: the bot moves on to the facts it still needs.
    s = state(Stage.DEESCALATING, language=language, deescalation_turns=1, what="it arrived broken")
    plan = turn(s, intent=intent, confidence=confidence, language=language, text=text)
    assert "action_clarify" not in plan.actions and plan.handoff is None
    assert plan.stage == Stage.GATHERING


def test_a_question_announced_as_one_is_answered_even_read_surely_as_something_else() -> None:
    # Read as a vent at 0.6, while the bot waits for the fair outcome: the question is answered, the outcome asked
    # again, and nothing is proposed on the strength of it.
    s = state(Stage.GATHERING, language="fr", requested_slot="outcome", what="la couleur est partie", problem="defect")
    plan = turn(s, intent="vent", confidence=0.6, language="fr", text="petite question, c'est lavable en machine ?")
    assert plan.actions[0] == "action_answer_question"
    assert "action_propose_remedy" not in plan.actions
