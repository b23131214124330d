"""Answers read against what the bot asked, found by the buyer simulator (bench/buyers.py, issue 18): a plain
yes or no to an offer in any language, a question answered and the flow resumed, an item named as the one the
buyer does NOT mean, a detail that stays missing, an unsure request for a person."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.conversation import flow
from bot.platform.vocab import Stage
from bot.understanding.answers import negated, yes_no
from tests.test_flow import POLICY, REMEDIES, Msg, state, turn

OFFER = {"type": "replacement"}


@pytest.mark.parametrize(
    ("language", "text", "meaning"),
    [
        ("en", "Ok great, lets do that", "yes"),
        ("en", "no problem, go ahead", "yes"),
        ("en", "nope, not that", "no"),
        ("pl", "Dobrze, poproszę.", "yes"),
        ("pl", "nie, tylko ta brakujaca czesc", "no"),
        ("sv", "Okej, vi kör på det.", "yes"),
        ("de", "Ja bitte, gerne.", "yes"),
        ("de", "Nein, lieber mein Geld zurück", "no"),
        ("ru", "Хорошо, давайте так.", "yes"),
        ("uk", "Так, будь ласка.", "yes"),
        ("sq", "Në rregull, le ta bëjmë kështu.", "yes"),
        ("fr", "oui ça me va, merci", "yes"),
        ("es", "sí, me vale", "yes"),
        ("es", "no hay problema, adelante", "yes"),
        ("it", "Sì, grazie.", "yes"),
        ("cs", "Ano, prosím.", "yes"),
        ("cs", "ne, to nechci", "no"),
        # Polish and Czech "no" as "well" before a yes; a Polish or Czech "no, not that" is still a no
        ("pl", "no dobrze, niech juz tak bedzie", "yes"),
        ("pl", "no ok, to biore", "yes"),
        ("pl", "no nie, to mi nie pasuje", "no"),
        ("cs", "no jo, tak at je to tak", "yes"),
        ("cs", "no dobre, beru to", "yes"),
        ("cs", "no, to nechci", "no"),
        ("en", "how long does a refund take?", None),
    ],
)
def test_a_plain_yes_or_no(language: str, text: str, meaning: str | None) -> None:
    assert yes_no(text, language) == meaning


def test_a_yes_to_an_offer_the_classifier_cannot_place_is_a_yes() -> None:
    s = state(Stage.PROPOSING, language="es", proposed_remedy=OFFER)
    plan = turn(s, intent="describe_problem", confidence=0.2, language="es", text="sí, me vale, gracias")
    assert plan.actions == ["action_confirm_remedy"] and plan.slots["not_understood"] == 0
    # A yes that names another wish is still no yes to this offer.
    s = state(Stage.PROPOSING, language="en", proposed_remedy={"type": "coupon"})
    plan = turn(s, intent="affirm", text="ok, but I'd rather have my money back")
    assert plan.actions != ["action_confirm_remedy"]


def test_a_question_while_gathering_is_answered_and_the_missing_detail_asked_again() -> None:
    s = state(
        Stage.GATHERING,
        requested_slot="outcome",
        asked=["outcome"],
        what="late",
        problems=["late"],
        item="boots",
        when="2026-11-01",
    )
    plan = turn(s, intent="ask_policy", confidence=0.3, text="is the 3 days delivery a guarantee?")
    assert plan.actions == ["action_answer_question", "action_ask_details"]
    assert plan.slots["requested_slot"] == "outcome" and plan.slots["not_understood"] == 0
    # Without a question mark it is the answer to what was asked, whatever the classifier says.
    said = "I think at least the shipping cost should be refunded"
    plan = turn(s, intent="ask_policy", confidence=0.8, text=said)
    assert "action_answer_question" not in plan.actions
    assert plan.slots["wants"] == "shipping"  # the shipping cost back, a wish of its own since issue 19.2


@dataclass
class Item:
    value: str
    start: int
    end: int
    entity: str = "item"


@dataclass
class WithItems(Msg):
    entities: list = field(default_factory=list)


def test_the_item_the_buyer_says_it_is_not_about_is_skipped() -> None:
    text = "the camping light, not the head torch"
    assert negated(text, text.index("head")) and not negated(text, text.index("camping"))
    entities = [Item("Rechargeable camping lantern", 4, 18), Item("Headlamp 400 lm", 27, 37)]
    s = state(Stage.GATHERING, requested_slot="item", what="broken", problems=["damaged"])
    plan = flow.on_buyer_message(s, WithItems(text=text, entities=entities), POLICY, REMEDIES)
    assert plan.slots["item"] == "Rechargeable camping lantern"


def test_a_detail_still_missing_after_two_answers_goes_to_a_person() -> None:
    s = state(Stage.GATHERING, requested_slot="item", asked=["item"], what="broken", problems=["damaged"])
    first = turn(s, intent="describe_problem", text="that one")
    assert first.actions == ["action_ask_details"] and first.slots["slot_misses"] == 1
    s2 = state(Stage.GATHERING, **{**s.slots, **first.slots})
    second = turn(s2, intent="describe_problem", text="the one in the box")
    assert second.handoff == "not_understood"


def test_an_unsure_request_for_a_person_is_no_handoff() -> None:
    s = state(Stage.GATHERING, requested_slot="outcome", what="late", problems=["late"])
    assert turn(s, intent="ask_human", confidence=0.28, text="ok. well at least someone answered").handoff is None
    assert turn(s, intent="ask_human", confidence=0.9, text="I want a person").handoff == "buyer_asked"


def test_an_answer_that_fills_the_detail_asked_for_is_understood() -> None:
    s = state(
        Stage.GATHERING, language="cs", requested_slot="outcome", not_understood=1, what="x", problems=["damaged"]
    )
    plan = turn(s, intent="out_of_scope", confidence=0.2, language="cs", text="stačí poslat ten chybějící díl")
    assert plan.handoff is None and plan.slots["wants"] == "part" and plan.slots["not_understood"] == 0
    s = state(Stage.GATHERING, language="cs", requested_slot="evidence", what="x", problems=["damaged"])
    plan = turn(s, intent="out_of_scope", confidence=0.2, language="cs", text="Ano, mám fotku v mobilu")
    assert plan.slots["evidence"] == "yes" and plan.slots["not_understood"] == 0


@pytest.mark.parametrize(
    ("language", "intent", "text", "wish"),
    [
        # Issue 18: the wish phrases name one thing and the classifier guessed another; the phrases stand.
        ("en", "request_refund", "can you do money off instead?", "discount"),
        ("ru", "request_refund", "hochu novuyu", "replacement"),
        ("de", "request_replacement", "ein Ersatzdeckel reicht völlig", "part"),
        ("uk", "request_replacement", "povernit groshi", "refund"),
        # Where the phrases name nothing, or what the classifier read, its reading stands.
        ("en", "request_refund", "I want my money back", "refund"),
        ("en", "request_replacement", "please sort it out", "replacement"),
    ],
)
def test_a_wish_the_phrases_name_outweighs_the_classifiers_guess(
    language: str, intent: str, text: str, wish: str
) -> None:
    assert flow.wish_of(Msg(text=text, intent=intent, language=language), state(language=language)) == wish


def test_a_partial_refund_the_classifier_read_as_money_off_stays_money_off() -> None:
    # "delvis återbetalning" names a refund in the phrases and is a discount to the classifier: both are right, and
    # reading it as the whole price offered a full refund to a buyer who asked for part (bench/buyers.py, sv).
    m = Msg(text="delvis återbetalning känns rimligt", intent="request_discount", language="sv")
    assert flow.wish_of(m, state(language="sv")) == "discount"


@pytest.mark.parametrize(
    ("language", "text", "offered"),
    [
        ("en", "I recorded a clip of it on my phone, want it?", "video"),
        ("de", "Ich hab's beim Auspacken gefilmt", "video"),
        ("it", "ho un video dove si vede la crepa", "video"),
        ("es", "sí, grabé un vídeo al abrir la caja", "video"),
        ("sv", "ja jag har ett klipp", "video"),
        ("en", "yes I've got pictures, shall I send them?", True),
    ],
)
def test_a_buyer_with_a_video_is_asked_for_a_screenshot_not_the_photo(
    language: str, text: str, offered: object
) -> None:
    # Held-out round 4: "I filmed the unboxing, there's a video" was answered "send the photo here" (en, sv).
    s = state(Stage.GATHERING, language=language, requested_slot="evidence", what="x", problems=["damaged"])
    plan = turn(s, intent="describe_problem", confidence=0.6, language=language, text=text)
    assert plan.slots["evidence"] == "yes" and plan.slots["photo_offered"] == offered
    assert plan.actions[0] == "action_acknowledge"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "me la quedo si me devolvéis una parte del precio"),
        ("it", "mi basta un rimborso parziale, lo tengo"),
        ("en", "keep it and give me part of the money back"),
    ],
)
def test_part_of_the_price_back_as_the_answer_to_what_would_be_fair_is_money_off(language: str, text: str) -> None:
    # Held-out round 4: "con que me devolváis una parte me vale" was offered the whole price back.
    s = state(Stage.GATHERING, language=language, requested_slot="outcome", what="x", problems=["damaged"])
    plan = turn(s, intent="out_of_scope", confidence=0.2, language=language, text=text)
    assert plan.slots["wants"] == "discount"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Wann wäre denn ein Ersatz bei uns? Wir brauchen es dringend"),
        ("en", "how fast could you get a new one to me?"),
        ("fr", "un remplacement arriverait quand ?"),
    ],
)
def test_a_wish_asked_as_a_question_is_answered_and_the_flow_goes_on(language: str, text: str) -> None:
    # Held-out round 4: "wie schnell wäre so ein Austausch da?" got an offer and no answer.
    s = state(Stage.GATHERING, language=language, requested_slot="evidence", what="x", problems=["defect"])
    plan = turn(s, intent="request_replacement", confidence=0.6, language=language, text=text)
    assert plan.actions[0] == "action_answer_question" and len(plan.actions) > 1
    assert plan.slots["wants"] == "replacement"


def test_a_wish_without_a_question_is_not_answered_with_a_quote() -> None:
    s = state(Stage.GATHERING, language="en", requested_slot="evidence", what="x", problems=["defect"])
    plan = turn(s, intent="request_replacement", confidence=0.6, text="a replacement please, quickly")
    assert "action_answer_question" not in plan.actions


@pytest.mark.parametrize(
    ("language", "text", "wish"),
    [
        ("ru", "nu a kupon na skidku hot' dadite?", "discount"),
        ("pl", "to moze chociaz zwrot pieniedzy?", "refund"),
        ("uk", "може хоч знижку дасте?", "discount"),
        ("en", "could you maybe just send it again?", "replacement"),
    ],
)
def test_a_wish_asked_as_a_question_answers_what_would_be_fair(language: str, text: str, wish: str) -> None:
    # Held-out round 5: a wish put as a question was not read against "what would be fair?", which was asked again.
    s = state(Stage.GATHERING, language=language, requested_slot="outcome", what="x", problems=["late"])
    plan = turn(s, intent="out_of_scope", confidence=0.3, language=language, text=text)
    assert plan.slots["wants"] == wish


def test_a_question_for_information_naming_a_wish_does_not_answer_what_would_be_fair() -> None:
    s = state(Stage.GATHERING, language="en", requested_slot="outcome", what="x", problems=["late"])
    plan = turn(s, intent="out_of_scope", confidence=0.3, text="how long is a coupon valid?")
    assert not plan.slots.get("wants")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "ye foto, zrobyla odrazu"),
        ("ru", "есть фотки с распаковки"),
        ("pl", "mam zdjecia z rozpakowania"),
        ("sq", "kam foto nga kutia"),
    ],
)
def test_a_photo_offered_to_the_photo_question_is_no_request_for_a_person(language: str, text: str) -> None:
    # Held-out round 5: the answer to "do you have a photo?" read as ask_human (0.45) was handed to staff.
    s = state(Stage.GATHERING, language=language, requested_slot="evidence", what="x", problems=["damaged"])
    plan = turn(s, intent="ask_human", confidence=0.5, language=language, text=text)
    assert plan.handoff is None and plan.slots["evidence"] == "yes"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "фото є, але дайте мені живу людину"),
        ("pl", "mam zdjecie, ale chce rozmawiac z konsultantem"),
        ("en", "I have photos, but put me through to a human"),
    ],
)
def test_a_photo_with_a_request_for_a_person_is_handed_over(language: str, text: str) -> None:
    s = state(Stage.GATHERING, language=language, requested_slot="evidence", what="x", problems=["damaged"])
    plan = turn(s, intent="ask_human", confidence=0.5, language=language, text=text)
    assert plan.handoff == "buyer_asked"


def test_thanks_for_an_answer_is_no_yes_to_the_offer() -> None:
    # Held-out round 5: "thanks for explaining" after the bot answered a question about delivery times confirmed
    # the offer on the table, which the buyer had not accepted.
    s = state(Stage.PROPOSING, language="en", proposed_remedy=OFFER)
    asked = turn(s, intent="ask_policy", confidence=0.8, text="how long does delivery take?")
    assert asked.slots["asked_question"]
    s = state(Stage.PROPOSING, **{**s.slots, **asked.slots})
    plan = turn(s, intent="thank", text="thanks for explaining")
    assert plan.actions != ["action_confirm_remedy"]
    # A thanks to the offer itself, with no question before it, still accepts it.
    s = state(Stage.PROPOSING, language="en", proposed_remedy=OFFER)
    assert turn(s, intent="thank", text="thank you, that's kind").actions == ["action_confirm_remedy"]
