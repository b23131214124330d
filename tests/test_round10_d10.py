"""Rules from the held-out buyer personas, round 10 (uk, sq; data/eval/buyers_heldout9, README-d10.md). Every
sentence here was written for the test: never an eval sentence or a paraphrase of one. Real data files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.platform.vocab import Outcome, Stage
from bot.policy.messages import load_catalog
from bot.understanding import answers
from bot.understanding.nlu import NLU
from bot.understanding.sentences import Sentence
from tests.test_flow import state, turn

ROOT = Path(__file__).resolve().parents[1]


# --- Albanian "po" before a verb is the progressive particle, not "yes" ---------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "po ju shpjegoj edhe njehere: pakoja erdhi bosh",
        "po e perserit: dua qe te zgjidhet",
        "po ta them qarte, porosia ka ardhur gabim",
        "po pres ende pergjigjen tuaj per kutine",
    ],
)
def test_albanian_progressive_po_is_no_yes(text: str) -> None:
    assert answers.yes_no(text, "sq") is None


@pytest.mark.parametrize("text", ["po", "po, ndaloni", "po ju lutem", "po dakord", "po, me pershtatet"])
def test_albanian_po_alone_or_with_a_yes_is_still_yes(text: str) -> None:
    assert answers.yes_no(text, "sq") == "yes"


def test_progressive_po_after_are_we_to_stop_carries_on() -> None:
    """ "po e them ndryshe: ..." (I am saying it differently) answered "shall we stop writing?" and stopped contact."""
    s = state(Stage.GATHERING, language="sq", opt_out_check="ask", requested_slot="outcome", problems=["wrong_item"])
    plan = turn(
        s, intent="describe_problem", confidence=0.6, text="po ju shpjegoj prape: kepucet jane te medha", language="sq"
    )
    assert plan.outcome != Outcome.OPTED_OUT and plan.stage != Stage.CLOSED


# --- "does not suit me" is a no, and turns the offer it names down --------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "такий варіант мене не влаштовує"),
        ("uk", "ні, знижка мене не влаштовує зовсім"),
        ("ru", "промокод меня не устраивает"),
        ("sq", "kjo zgjidhje nuk me pershtatet"),
    ],
)
def test_does_not_suit_me_is_a_no(language: str, text: str) -> None:
    assert answers.yes_no(text, language) == "no"


@pytest.mark.parametrize(
    ("language", "text", "declined"),
    [
        ("uk", "промокод мене не влаштовує, поверніть гроші", "discount"),
        ("ru", "замена меня не устраивает, лучше деньги", "replacement"),
    ],
)
def test_does_not_suit_me_turns_the_named_wish_down(language: str, text: str, declined: str) -> None:
    assert declined in answers.declined_wishes(text, language)
    assert declined not in answers.wishes_in(text, language)[0]


def test_a_coupon_that_does_not_suit_is_not_confirmed() -> None:
    offer = {"type": "coupon", "amount": "3.00"}
    s = state(Stage.PROPOSING, language="uk", proposed_remedy=offer, problems=["late"])
    plan = turn(s, intent="affirm", confidence=0.5, text="купон мене не влаштовує, я за доставку платив", language="uk")
    assert "accepted_remedy" not in plan.slots


# --- the shipping back with its amount between the words ------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "доставку 5,90 поверніть будь ласка"),
        ("uk", "dostavku 6 jevro povernit"),
        ("ru", "доставку 4.50 евро верните"),
    ],
)
def test_shipping_back_with_the_amount_between(language: str, text: str) -> None:
    assert "shipping" in answers.wishes_in(text, language)[0]


# --- Albanian: an exchange and a size number ask for the right item; "a sincere apology" asks for one ---------------


@pytest.mark.parametrize(
    "text",
    ["shkembejeni me nje palë tjeter", "ma nderroni, ju lutem", "numrin 38 dua, jo kete", "numri 41 do me rrinte mire"],
)
def test_albanian_exchange_or_size_is_the_replacement_wish(text: str) -> None:
    assert "replacement" in answers.wishes_in(text, "sq")[0]


@pytest.mark.parametrize("text", ["nderrova mendje per kete", "porosia numer 12345", "numrin 30 euro e pagova"])
def test_albanian_change_of_mind_or_other_numbers_are_no_replacement(text: str) -> None:
    assert "replacement" not in answers.wishes_in(text, "sq")[0]


@pytest.mark.parametrize("text", ["vetem nje ndjese, asgje tjeter", "dua nje kerkim-falje te sinqerte nga ai operator"])
def test_albanian_a_sincere_apology_is_the_apology_wish(text: str) -> None:
    assert answers.wishes_in(text, "sq")[0] == ["apology"]


# --- a sentence read as opt_out inside a message that names a wish is not asked about ------------------------------


def test_a_wish_beside_a_sentence_read_as_opt_out_is_not_asked_about() -> None:
    """A numbered list opened with "I'm writing it point by point so we don't mix things up" (read as opt_out alone)
    and asked for a new lid: the buyer was asked whether to stop."""
    first = "Po jua shkruaj pike per pike qe te mos kemi keqkuptime:"
    text = first + "\n1) trupi eshte mire\n2) kapaku u thye\n3) dergoni vetem kapakun"
    sentences = (
        Sentence(first, 0, len(first), "opt_out", 0.7),
        Sentence("3) dergoni vetem kapakun", 0, 10, "request_replacement", 0.5),
    )
    s = state(Stage.CONTACTED, language="sq")
    plan = turn(
        s,
        intent="describe_problem",
        confidence=0.8,
        text=text,
        language="sq",
        sentences=sentences,
        problems=["damaged"],
    )
    assert "action_opt_out_check" not in plan.actions


# --- "how did you get my number?", "why are you writing to me on Telegram?" ------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "вибачте, а звідки у вас мій номер телефону?"),
        ("uk", "а чому ви мені пишете у вайбер?"),
        ("uk", "zvidky u vas mij nomer?"),
        ("ru", "подождите, откуда у вас мой номер?"),
        ("ru", "а зачем вы мне пишете в телеграм?"),
        ("sq", "nga e moret numrin tim, se nuk e mbaj mend"),
        ("sq", "pse me shkruani ne viber?"),
        ("en", "sorry, how did you get my number?"),
        ("pl", "skąd macie mój numer telefonu?"),
        ("de", "woher haben Sie eigentlich meine Nummer?"),
    ],
)
def test_why_contacted_is_a_question(language: str, text: str) -> None:
    assert answers.asks_how_reached(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "чого ви мені пишете ці шаблони, дайте відповідь"),
        ("sq", "pse me shkruani gjithe keto fjali te gatshme"),
        ("en", "why are you writing me these canned lines"),
        ("uk", "номер замовлення 4411, звідки відправляли?"),
    ],
)
def test_objections_to_the_words_are_no_contact_question(language: str, text: str) -> None:
    assert not answers.asks_how_reached(text, language)


@pytest.mark.parametrize(
    ("language", "text", "stage"),
    [
        ("uk", "стривайте, а звідки у вас мій номер?", Stage.PROPOSING),
        ("sq", "pse me shkruani ne telegram? une s'ju kam shkruar", Stage.GATHERING),
        ("en", "why are you texting me on whatsapp?", Stage.PROPOSING),
    ],
)
def test_why_contacted_is_answered_and_the_talk_goes_on(language: str, text: str, stage: Stage) -> None:
    """Read as not understood, it was handed to staff the second time (uk); read as a possible opt-out, the buyer was
    asked whether to stop (sq)."""
    offer = {"type": "refund_full", "amount": "20.00"}
    s = state(
        stage,
        language=language,
        proposed_remedy=offer,
        requested_slot="outcome",
        problems=["charged_twice"],
        not_understood=1,
    )
    plan = turn(s, intent="opt_out", confidence=0.45, text=text, language=language)
    assert plan.handoff is None and plan.outcome != Outcome.OPTED_OUT
    assert "action_answer_question" in plan.actions and "action_opt_out_check" not in plan.actions
    assert plan.slots["question"] == "contact"


def test_a_clear_stop_beside_the_contact_question_still_stops() -> None:
    s = state(Stage.GATHERING, language="uk", requested_slot="when", problems=["late"])
    text = "звідки у вас мій номер? не пишіть мені більше"
    plan = turn(s, intent="opt_out", confidence=0.8, text=text, language="uk")
    assert plan.outcome == Outcome.OPTED_OUT


@pytest.mark.parametrize("language", ["en", "uk", "ru", "sq", "pl", "cs", "de", "fr", "es", "it", "sv"])
def test_every_language_says_why_it_writes(language: str) -> None:
    catalog = load_catalog(ROOT / "policies" / "messages", ROOT / "policies" / "guardrails.yml")
    assert catalog.variants("answer_question", language, sub="contact") >= 2
    said = catalog.render("answer_question", language, {"shop_name": "Nordlys"}, sub="contact")
    assert "Nordlys" in said and said != catalog.render(
        "answer_question", language, {"shop_name": "Nordlys"}, sub="identity"
    )


# --- "and the money?", "what is the solution for me?": the bot goes on, no policy passage ---------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "добре. а з коштами що?"),
        ("ru", "понятно. а с возвратом что?"),
        ("sq", "ne rregull. cila eshte zgjidhja atehere?"),
        ("sq", "mire, po per ate qe ju thashe?"),
    ],
)
def test_and_the_money_asks_what_next(language: str, text: str) -> None:
    assert answers.asks_what_next(text, language)


def test_what_next_before_an_offer_goes_on_not_to_a_passage() -> None:
    s = state(Stage.DEESCALATING, language="sq", what="operatorja me mbylli biseden", problems=["support_rude"])
    plan = turn(s, intent="ask_policy", confidence=0.5, text="ne rregull. cila eshte zgjidhja atehere?", language="sq")
    assert "action_answer_question" not in plan.actions
    assert plan.actions[-1] in ("action_ask_details", "action_propose_remedy")


# --- a video offered in a question answers the photo question ------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [("sq", "e kam filmuar, a ta nis ketu?"), ("uk", "можу зняти відео, куди скинути?")],
)
def test_a_video_offered_with_a_question_answers_the_photo_question(language: str, text: str) -> None:
    s = state(
        Stage.GATHERING, language=language, what="x", item="x", when="x", requested_slot="evidence", problems=["defect"]
    )
    plan = turn(s, intent="request_return", confidence=0.4, text=text, language=language)
    assert plan.slots.get("evidence") == "yes" and plan.slots.get("photo_offered") == "video"
    assert "action_answer_question" not in plan.actions


# --- "not essential" turns a wish down; Albanian "some money back" is a partial refund -----------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "гаразд, хай повернуть доставку, а знижка вже не принципова"),
        ("ru", "ладно, доставку верните, купон не принципиален"),
    ],
)
def test_not_essential_turns_the_coupon_down(language: str, text: str) -> None:
    assert "discount" in answers.declined_wishes(text, language)
    assert answers.wishes_in(text, language)[0] == ["shipping"]


@pytest.mark.parametrize("text", ["do doja nje pjese te shumes mbrapsht", "ca leke mbrapsht dhe mbyllim pune"])
def test_albanian_some_money_back_is_a_partial_refund(text: str) -> None:
    assert answers.wishes_in(text, "sq")[0] == ["refund"] and answers.asks_part_of_price(text, "sq")


def test_what_next_sentence_is_not_answered_beside_the_flow() -> None:
    text = "ok. cila eshte zgjidhja atehere?"
    sentences = (
        Sentence("ok.", 0, 3, "affirm", 0.8),
        Sentence("cila eshte zgjidhja atehere?", 4, len(text), "ask_policy", 0.5),
    )
    s = state(Stage.DEESCALATING, language="sq", what="me mbyllen biseden", problems=["support_rude"])
    plan = turn(s, intent="affirm", confidence=0.4, text=text, language="sq", sentences=sentences)
    assert "action_answer_question" not in plan.actions


# --- "I can't take a photo ... how do I photograph what isn't there?" has no photo ----------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "фото не зроблю, камера зламана. і що фотографувати, порожнє місце?"),
        ("en", "I can't take pictures right now, the phone is dead. and how do you photograph a missing part?"),
    ],
)
def test_a_photo_in_a_rhetorical_question_beside_a_negated_one_is_none(language: str, text: str) -> None:
    assert answers.photo_said(text, language) == "none"


@pytest.mark.parametrize(
    ("language", "text"), [("uk", "є знімки розпакування, скинути сюди?"), ("en", "shall I send you the photos?")]
)
def test_a_photo_offered_in_a_question_is_still_offered(language: str, text: str) -> None:
    assert answers.photo_said(text, language) == "has"


# --- "I already sent the photo, it's in the review": evidence, nothing to send -----------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("sq", "fotot i kam nisur me pare me email, i keni aty"),
        ("uk", "я ж уже скинула знімок учора, подивіться вище"),
        ("en", "i already attached a picture to my first message"),
        ("ru", "я уже прикрепила фотографию к письму"),
    ],
)
def test_photo_already_sent_is_evidence_and_no_offer(language: str, text: str) -> None:
    assert answers.photo_given(text, language)
    s = state(
        Stage.GATHERING,
        language=language,
        what="x",
        item="x",
        when="x",
        requested_slot="evidence",
        problems=["damaged"],
    )
    plan = turn(s, intent="describe_problem", confidence=0.5, text=text, language=language)
    assert plan.slots.get("evidence") == "yes" and not plan.slots.get("photo_offered")


@pytest.mark.parametrize(
    ("language", "text"), [("uk", "я вже викинула коробку, фото нема"), ("en", "i already threw the box out")]
)
def test_already_doing_something_else_is_no_photo_sent(language: str, text: str) -> None:
    assert not answers.photo_given(text, language)


# --- Ukrainian: a parcel that "went almost a month", a part "not in the box" -----------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [("моя посилка йшла майже місяць з Польщі", "late"), ("в коробці немає пульта, решта є", "missing_item")],
)
def test_ukrainian_late_and_missing_said_plainly(nlu: NLU, text: str, problem: str) -> None:
    """ "Моста в коробці нема" got a generic first contact and "what happened?" after the wish (round 10)."""
    assert problem in nlu.parse(text, fallback_language="uk").problems


@pytest.mark.parametrize(
    "text", ["thjesht numri eshte gabim, 36 ne vend te 38", "blenderi ndalon ne mes te punes, pastaj ndizet prape"]
)
def test_albanian_wrong_size_and_stopping_mid_use(nlu: NLU, text: str) -> None:
    found = nlu.parse(text, fallback_language="sq").problems
    assert found and found[0] in ("wrong_item", "defect")
