"""Asides and objections a buyer makes in the middle of a case (issue 18, round 10 probes written by the lead before
the round's personas): "how did you get my number?", "I'm at work, write later", "stop asking me for photos",
"10%? make it 20". None of them is a request to stop. Every sentence here was written for the test. Real data files."""

from __future__ import annotations

import pytest

from bot.platform.vocab import Stage
from bot.understanding import answers
from bot.understanding.opt_out import default_rules, is_clear_opt_out
from tests.test_flow import state, turn

# --- "how did you get my number?": answered, never an opt-out ------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "wait, who gave you my phone number??"),
        ("en", "why are you texting me about this"),
        ("de", "Woher haben Sie eigentlich meine Handynummer?"),
        ("pl", "skąd macie mój numer telefonu?"),
        ("ru", "откуда у вас мой номер?"),
        ("uk", "звідки у вас мій номер телефону?"),
        ("fr", "comment vous avez eu mon numéro ?"),
        ("es", "¿de dónde habéis sacado mi número?"),
        ("cs", "odkud máte moje číslo?"),
        ("sv", "hur fick ni mitt nummer?"),
        ("it", "come avete avuto il mio numero?"),
        ("sq", "nga e keni numrin tim?"),
    ],
)
def test_how_we_reached_the_buyer_is_a_question(language: str, text: str) -> None:
    assert answers.asks_how_reached(text, language)


def test_how_we_reached_the_buyer_is_answered_and_not_asked_about_stopping() -> None:
    plan = turn(state(Stage.CONTACTED), intent="opt_out", confidence=0.66, text="who gave you my number?")
    assert plan.actions == ["action_answer_question"] and plan.slots["question"] == "contact"
    assert plan.outcome is None and plan.stage == Stage.CONTACTED


def test_a_request_in_words_beside_it_still_stops() -> None:
    plan = turn(
        state(Stage.CONTACTED), intent="opt_out", confidence=0.9, text="how did you get my number? stop texting me"
    )
    assert plan.actions == ["action_opt_out_confirm"]


# --- "I'm at work, write later": the case waits, nothing is "missed" -----------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "driving rn, I'll reply tonight"),
        ("en", "not now"),
        ("de", "bin grad im Meeting, schreib mir später"),
        ("pl", "jestem teraz w pracy, odezwę się wieczorem"),
        ("ru", "я сейчас за рулем, напишу вечером"),
        ("uk", "я на роботі, напишу пізніше"),
        ("fr", "je suis au boulot, je vous réponds ce soir"),
        ("es", "estoy trabajando, os escribo luego"),
        ("sv", "är på jobbet, skriver ikväll"),
    ],
)
def test_write_later_is_read(language: str, text: str) -> None:
    assert answers.says_later(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "the parcel came two days later than promised"), ("de", "Das Paket kam später als angekündigt")],
)
def test_late_goods_are_no_write_later(language: str, text: str) -> None:
    assert not answers.says_later(text, language)


def test_write_later_keeps_the_waiting_question() -> None:
    s = state(Stage.GATHERING, what="cracked lid", problems=["damaged"], requested_slot="outcome", asked=["outcome"])
    plan = turn(s, intent="out_of_scope", confidence=0.4, text="busy now, can we talk tomorrow?")
    assert plan.actions == ["action_answer_question"] and plan.slots["question"] == "later"
    assert plan.stage == Stage.GATHERING and plan.handoff is None


def test_later_at_the_review_question_is_the_revision_answer() -> None:
    """After the remedy, "later" answers "would you like to update your review?": read by the stage, not an aside."""
    s = state(Stage.REVISION_ASKED)
    plan = turn(s, intent="out_of_scope", confidence=0.4, text="later")
    assert plan.slots.get("question") != "later"


# --- "stop asking me for photos", "enough with the apologies": no opt-out, no question about one --------------------


@pytest.mark.parametrize(
    "text",
    [
        "stop asking me for pictures, the crack is obvious",
        "enough with the sorry sorry, just sort it out",
        "Hören Sie auf zu fragen, schicken Sie einfach einen neuen",
        "przestańcie pytać o zdjęcia, po prostu wymieńcie",
        "хватит извиняться, просто верните деньги",
        "досить вибачатися, просто надішліть новий",
        "arrêtez de demander des photos, remboursez-moi",
        "dejen de pedir fotos, quiero el reembolso",
    ],
)
def test_stop_said_of_something_else_is_no_opt_out(text: str) -> None:
    assert default_rules().aims_elsewhere(text)
    assert not is_clear_opt_out(text, "opt_out", 0.85, 0.3)


@pytest.mark.parametrize("text", ["enough with the messages, stop texting me", "хватит уже мне писать сообщения"])
def test_stop_said_of_our_messages_still_counts(text: str) -> None:
    assert not default_rules().aims_elsewhere(text)


def test_stop_asking_for_photos_is_not_asked_about() -> None:
    s = state(Stage.GATHERING, what="cracked", problems=["damaged"], requested_slot="evidence", asked=["evidence"])
    plan = turn(s, intent="opt_out", confidence=0.62, text="stop asking me for pictures, it's cracked, that's it")
    assert "action_opt_out_check" not in plan.actions and "action_opt_out_confirm" not in plan.actions


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "stop asking me for photos"), ("de", "hören Sie auf mit den Fotos"), ("pl", "przestańcie chcieć zdjęć")],
)
def test_objecting_to_the_photo_question_is_no_photo(language: str, text: str) -> None:
    assert answers.photo_said(text, language) == "none"


# --- "10%? make it 20": the number that ends the message is the share asked ----------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "share"),
    [
        ("en", "15%? make it 25", 25),
        ("de", "nur 10 %? lieber 20", 20),
        ("pl", "5%? niech będzie 15", 15),
        ("en", "10% of 40 is only 4 euros", 10),
    ],
)
def test_a_share_then_a_bare_number(language: str, text: str, share: int) -> None:
    assert answers.percent_asked(text, language) == share
