"""Readers and data lines added for the failures of held-out round 16 (data/eval/buyers_heldout15, en/sv/uk, wt-a16).
Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

import pytest

from bot.conversation.flow import wishes_named
from bot.platform.vocab import Outcome, Stage
from bot.understanding.answers import asks_how_reached, asks_if_genuine
from bot.understanding.nlu import NLU
from bot.understanding.sentences import Sentence
from tests.opt_out_talk import opts_out
from tests.test_flow import state, turn

# ---- "don't write to me any more", "take me off this", "I want no more messages": acted on (data/opt_out.yml) ------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("sv", "det räcker nu. skriv inte till mig mer om den här ordern"),
        ("sv", "snälla ta bort mig från den här chatten, jag löser det via banken"),
        ("sv", "jag vill inte ha några fler meddelanden om det här, tack"),
        ("en", "please do not message me again about this parcel, I'll deal with it myself"),
        ("en", "ok whatever. dont message me again, I'm not interested"),
    ],
)
def test_new_requests_to_stop_stop_contact(trained: NLU, language: str, text: str) -> None:
    assert opts_out(trained, text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("sv", "kontakta inte budet igen, de var otrevliga mot min mamma"),
        ("en", "do not message the courier, he never answers anyway, message me here"),
    ],
)
def test_look_alikes_that_name_another_person_do_not_stop(trained: NLU, language: str, text: str) -> None:
    assert not opts_out(trained, text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("sv", "jag vill inte ha fler meddelanden från er, inte här och inte på sms"),
        ("en", "do not message me again. not here, not by email"),
    ],
)
def test_a_request_to_stop_said_to_the_stop_question_is_its_yes(language: str, text: str) -> None:
    # "shall we stop?" answered with a request that holds "not": read as the question's "no", the Swedish buyer was
    # asked again and again for twenty turns (held-out round 16)
    s = state(Stage.GATHERING, language=language, requested_slot="evidence", opt_out_check="ask")
    plan = turn(s, intent="opt_out", confidence=0.5, language=language, text=text)
    assert plan.stage == Stage.CLOSED and plan.outcome == Outcome.OPTED_OUT


# ---- money off said as a share, or as an amount beside keeping the item (wishes.yml `discount`, `partial`) -------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "it works, I'll live with the scuff. take a third off and we're fine"),
        ("en", "I'm keeping it, just refund me 15 euros for the mark"),
        ("en", "I will keep them. 12 quid back and that's it"),
        ("sv", "jag behåller den, en tredjedel tillbaka vore rimligt"),
        ("sv", "behåller den ändå, 150 kr tillbaka så är det bra"),
        ("sv", "strunt samma, lite pengar tillbaka räcker för mig"),
        ("uk", "та хай буде, поверніть третину і все"),
        ("uk", "я її залишу, але поверніть 200 грн за подряпину"),
        ("uk", "мені б просто частину грошей, нове не треба"),
        ("uk", "zalyshu yii sobi, prosto chastynu hroshei"),
    ],
)
def test_a_share_or_an_amount_beside_keeping_it_asks_part_of_the_price(language: str, text: str) -> None:
    named, _also = wishes_named(text, language)
    assert named == ["discount"]


@pytest.mark.parametrize(
    ("language", "text", "wish"),
    [
        ("en", "refund me 15 euros, that's what the second charge was", "refund"),
        ("sv", "jag vill ha tillbaka pengarna, allihop", "refund"),
        ("sv", "en ny lampa lockar inte, jag vill ha tillbaka mina pengar", "refund"),
        ("uk", "поверніть гроші за друге списання", "refund"),
    ],
)
def test_an_amount_or_the_money_without_keeping_it_stays_a_refund(language: str, text: str, wish: str) -> None:
    assert wishes_named(text, language)[0] == [wish]


@pytest.mark.parametrize(
    ("language", "text"),
    [("sv", "bara ett nytt lock räcker"), ("sv", "skicka locket separat, tack"), ("en", "a new lid is all I need")],
)
def test_a_lid_is_still_a_part(language: str, text: str) -> None:
    assert wishes_named(text, language)[0] == ["part"]


# ---- a piece missing from the rim, the edge or the glaze is damage, not a missing item (data/answers/chipped.yml) --


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "the jug came with a bit missing from the lip, sharp to the touch"),
        ("en", "there's enamel missing on the pan near the handle"),
        ("sv", "det saknas en flisa av glasyren på tallriken"),
        ("sv", "en bit av kanten saknas på vasen"),
        ("uk", "на тарілці бракує шматочка емалі"),
        ("uk", "з краю бракує шматка, видно глину"),
    ],
)
def test_a_piece_missing_from_the_surface_is_damage(trained: NLU, language: str, text: str) -> None:
    assert trained.parse(text, fallback_language=language).problems == ["damaged"]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "the glass top is fine but the screws are missing"),
        ("sv", "skruvarna saknas i paketet"),
        ("uk", "у коробці бракує кришки"),
    ],
)
def test_a_missing_part_stays_missing(trained: NLU, language: str, text: str) -> None:
    assert trained.parse(text, fallback_language=language).problems == ["missing_item"]


# ---- "is this a scam?", "how do I know it's really you?": answered truthfully (data/answers/genuine.yml) ------------
# a16 read these as contact.yml's "how did you reach me?"; c16's genuine.yml answers them (merged in session 26).


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "wait, is this a scam? you messaged me out of the blue"),
        ("en", "how can I be sure you're actually the shop and not a phishing text"),
        ("sv", "är det här bluff? jag har fått så många konstiga sms"),
        ("sv", "hur kan jag veta att det verkligen är butiken som skriver"),
        ("uk", "а це часом не шахраї пишуть?"),
        ("uk", "як мені перевірити що це справді магазин?"),
    ],
)
def test_asking_whether_the_shop_is_real_is_asking_who_writes(language: str, text: str) -> None:
    assert asks_if_genuine(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "your delivery promise is a scam, three days my foot"),
        ("sv", "det var en bluff att den skulle vara i ek"),
        ("uk", "ця знижка на сайті просто обман"),
    ],
)
def test_calling_something_a_scam_asks_nothing(language: str, text: str) -> None:
    assert not asks_if_genuine(text, language) and not asks_how_reached(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [("uk", "стоп, а це не шахрайство часом?"), ("en", "stop. is this a scam or what?")],
)
def test_a_scam_question_after_stop_is_answered_not_asked_about(language: str, text: str) -> None:
    s = state(Stage.GATHERING, language=language, requested_slot="outcome")
    plan = turn(s, intent="opt_out", confidence=0.5, language=language, text=text)
    assert "action_opt_out_check" not in plan.actions and plan.stage != Stage.CLOSED
    assert "action_answer_question" in plan.actions


# ---- the buyer's own writing ("this will be long, sorry") is no request that we stop (own_writing.yml) -------------


@pytest.mark.parametrize(
    ("language", "first", "rest"),
    [
        ("uk", "Вибачте, буду довго писати.", "Стілець приїхав з тріснутою ніжкою, сидіти неможливо."),
        ("en", "Sorry, this is going to be a long one.", "The chair came with a cracked leg and nobody can sit on it."),
        ("sv", "Förlåt, det blir en lång roman.", "Stolen kom med ett sprucket ben och går inte att sitta på."),
    ],
)
def test_a_sentence_about_the_buyers_own_writing_is_not_asked_about(language: str, first: str, rest: str) -> None:
    text = f"{first} {rest}"
    parts = (
        Sentence(first, 0, len(first), "opt_out", 0.62),
        Sentence(rest, len(first) + 1, len(text), "describe_problem", 0.7),
    )
    s = state(Stage.GATHERING, language=language, requested_slot="what")
    plan = turn(s, intent="describe_problem", confidence=0.5, language=language, text=text, sentences=parts)
    assert "action_opt_out_check" not in plan.actions and plan.stage != Stage.CLOSED


@pytest.mark.parametrize(
    ("language", "first"),
    [("uk", "Досить мені сюди писати."), ("en", "Quit it with the messages.")],
)
def test_a_sentence_read_as_a_stop_not_about_own_writing_is_still_asked(language: str, first: str) -> None:
    rest = "The chair came with a cracked leg."
    text = f"{first} {rest}"
    parts = (
        Sentence(first, 0, len(first), "opt_out", 0.62),
        Sentence(rest, len(first) + 1, len(text), "describe_problem", 0.7),
    )
    s = state(Stage.GATHERING, language=language, requested_slot="what")
    plan = turn(s, intent="describe_problem", confidence=0.5, language=language, text=text, sentences=parts)
    assert "action_opt_out_check" in plan.actions or plan.stage == Stage.CLOSED
