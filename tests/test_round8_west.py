"""Readers and flow rules added for the failures of held-out round 8 (data/eval/buyers_heldout7, west half). Every
sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

import pytest

from bot.platform.vocab import Stage
from bot.understanding.answers import asks_part_of_price, part_named, wishes_in, yes_no
from bot.understanding.nlu import NLU, load_nlu
from bot.understanding.opt_out import default_rules
from bot.understanding.sentences import Sentence
from tests.test_flow import state, turn
from tests.test_nlu import DATA


@pytest.mark.parametrize(
    ("text", "stops"),
    [
        # a sending verb with another object asks nothing of the kind
        ("ni borde sluta skicka trasiga varor till folk", False),
        ("sluta skicka mig runt mellan olika avdelningar", False),
        ("you could stop sending parcels with no padding", False),
        ("dejad de enviar cajas medio vacias", False),
        ("arretez d'envoyer des colis abimes", False),
        # ...the buyer, messages or nothing after it still do
        ("snälla sluta skicka sms till mig", True),
        ("sluta skicka. jag är klar med er", True),
        ("stop sending me these texts", True),
        ("please stop sending me anything", True),
        ("dejen de enviarme mensajes, gracias", True),
        ("arretez de m'envoyer des messages", True),
        # phrases without a sending verb are as before
        ("stop writing to me", True),
    ],
)
def test_a_sending_verb_stops_only_with_the_buyer_or_messages_as_its_object(text: str, stops: bool) -> None:
    assert default_rules().has_phrase(text) is stops


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("sv", "tack snälla, det var det enda jag behövde"),
        ("en", "cheers, that's everything i needed"),
        ("de", "danke, mehr wollte ich gar nicht"),
        ("fr", "merci, c'est tout ce que je demandais"),
        ("es", "gracias, era lo unico que pedia"),
        ("it", "grazie, era tutto quello che chiedevo"),
    ],
)
def test_thanks_that_is_all_i_wanted_is_a_yes(language: str, text: str) -> None:
    assert yes_no(text, language) == "yes"


@pytest.mark.parametrize(
    ("language", "text"), [("en", "so?"), ("de", "und??"), ("sv", "och?"), ("it", "e quindi?"), ("es", "?")]
)
def test_a_bare_and_after_an_answer_at_an_offer_gets_the_offer_again(language: str, text: str) -> None:
    """ "and?" after the bot answered a question while a refund waited was a second miss and went to staff: it asks
    for the offer again, as "what now?" does."""
    offer = {"type": "refund_full", "amount": "42.00"}
    s = state(
        Stage.PROPOSING,
        language=language,
        proposed_remedy=offer,
        problems=["charged_twice"],
        wants="refund",
        asked_question=True,
        not_understood=1,
    )
    plan = turn(s, intent="out_of_scope", confidence=0.2, text=text, language=language)
    assert plan.actions == ["action_propose_remedy"]
    assert plan.stage == Stage.PROPOSING and "accepted_remedy" not in plan.slots


@pytest.mark.parametrize(
    ("language", "text", "wishes"),
    [
        # "don't want" turns the voucher down, as "not" does
        ("en", "an apology would do. i don't need a coupon", ["apology"]),
        # part of the price back, said with "vom Geld", "sur le prix", "en lo que pague"
        ("de", "ich behalte die Lampe, wenn ich einen Teil vom Kaufpreis erstattet bekomme", ["refund"]),
        ("fr", "je la garde, mais un geste sur le prix serait bienvenu", ["discount"]),
        ("es", "me lo quedo con una rebaja sobre el precio", ["discount"]),
        # an exchange named only to be dropped ("I was thinking of ...")
        ("fr", "je pensais a un remplacement, mais un remboursement partiel ira", ["refund"]),
        # the goods again, said with the right colour or model
        ("fr", "envoyez-moi la bonne couleur", ["replacement"]),
        ("en", "please send the correct colour", ["replacement"]),
        ("it", "vorrei il modello giusto", ["replacement"]),
        ("sv", "skicka rätt färg istället", ["replacement"]),
        ("es", "que me envieis la talla que pedi", ["replacement"]),
    ],
)
def test_wishes_said_the_way_round_8_found_missing(language: str, text: str, wishes: list[str]) -> None:
    assert wishes_in(text, language)[0] == wishes


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "ich behalte ihn gegen einen Teil vom Preis"),
        ("fr", "un petit geste sur mon prix et je garde tout"),
        ("es", "un descuento sobre lo pagado y me lo quedo"),
    ],
)
def test_part_of_the_price_asked_for(language: str, text: str) -> None:
    assert asks_part_of_price(text, language)


def test_a_wish_taken_back_in_a_later_sentence_is_not_the_sentence_wish() -> None:
    """ "Exchange it... no, better not, I'd rather have money off" read sentence by sentence gave the exchange (the
    first sentence is a request for one; the second reads as a no): the message's own phrases, with the change of
    mind, name the money off."""
    first, second = "tauschen...", "nee, lieber doch nicht, ich haette gern einen Nachlass und behalte es"
    text = f"{first} {second}"
    parts = (
        Sentence(first, 0, len(first), "request_replacement", 0.5),
        Sentence(second, len(first) + 1, len(text), "deny", 0.3),
    )
    s = state(
        Stage.GATHERING,
        language="de",
        what="heizt nur manchmal",
        item="Yogurt maker",
        requested_slot="outcome",
        problems=["defect"],
        asked=["what", "item", "evidence", "outcome"],
        evidence="yes",
    )
    plan = turn(s, intent="deny", confidence=0.25, text=text, language="de", sentences=parts)
    assert plan.slots.get("wants") == "discount"


@pytest.mark.parametrize(
    ("language", "text", "evidence"),
    [
        ("en", "The bowl arrived split in two, I took pictures of it and the box. Can you send another?", "yes"),
        ("sv", "Skålen kom sprucken. Jag har bilder på den och kartongen.", "yes"),
        ("fr", "Le bol est arrive fendu, j'ai des photos.", "yes"),
        # a photo asked about is no photo the buyer has
        ("en", "The bowl arrived split in two. Do you need a picture?", None),
    ],
)
def test_a_photo_named_before_the_bot_asks_is_not_asked_for(language: str, text: str, evidence: str | None) -> None:
    """The evidence a first message that tells everything already gives ("I took pictures") is not asked for again."""
    cut = text.find(". ") + 1 or len(text)
    parts = (
        Sentence(text[:cut], 0, cut, "describe_problem", 0.8),
        Sentence(text[cut:].strip(), cut, len(text), "x", 0.5),
    )
    s = state(Stage.CONTACTED, language=language)
    plan = turn(
        s,
        intent="describe_problem",
        confidence=0.8,
        text=text,
        language=language,
        problems=["damaged"],
        sentences=parts,
    )
    assert plan.slots.get("evidence") == evidence


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> NLU:
    return load_nlu(tmp_path_factory.mktemp("models"), DATA)


@pytest.mark.parametrize(
    ("language", "text", "problem"),
    [
        (
            "en",
            "Honestly I don't even know why I bother. I've ordered from loads of shops this year and never had this. "
            "It was a birthday present for my dad, his birthday was on Sunday, so that's gone now. "
            "The courier's page has shown the parcel sitting at their hub in Lyon for nine days, not a single update. "
            "I phoned them twice and they just read the same screen to me. Your email address bounces. "
            "So here I am writing to a chat bot at eleven at night.",
            "lost_in_transit",
        ),
        (
            "de",
            "Ich weiss gar nicht, wo ich anfangen soll. Seit Jahren kaufe ich bei Ihnen und war immer zufrieden. "
            "Diesmal sollte es ein Geschenk fuer meine Schwester sein, die Feier war am Samstag. "
            "Laut Sendungsverfolgung liegt das Paket seit zehn Tagen im Verteilzentrum und bewegt sich nicht mehr. "
            "Beim Paketdienst hiess es, ich solle mich an den Haendler wenden. Auf meine Mail kam nichts zurueck. "
            "Ich bin ehrlich gesagt ziemlich enttaeuscht.",
            "lost_in_transit",
        ),
    ],
)
def test_a_long_vent_is_read_sentence_by_sentence_for_its_problem(
    trained: NLU, language: str, text: str, problem: str
) -> None:
    """Read whole, a long vent names no problem: the one sentence that tells it is lost among the rest."""
    assert trained.parse(text).problems == [problem]


def test_a_short_message_is_not_read_sentence_by_sentence(trained: NLU) -> None:
    assert trained.parse("ok. thanks. that's fine. bye.").problems == []


@pytest.mark.parametrize(
    ("language", "text", "part"),
    [
        # a part said to be in the box is not the one to send
        ("sv", "skruvarna fanns med i lådan, men handtaget saknas", "handtaget"),
        ("en", "the screws were in the box, the handle was not", "handle"),
        ("de", "die Schrauben lagen bei, aber der Griff fehlt", "Griff"),
        # ...but Spanish "venia" is no such word: "venia rota" came broken
        ("es", "la tapa venia rota", "tapa"),
        # Swedish "-an" (the tray, the lamp) asked for alone is a part named in the buyer's words
        ("sv", "kan ni skicka bara sitsdynan?", "sitsdynan"),
    ],
)
def test_a_part_said_to_be_there_is_not_the_one_to_send(language: str, text: str, part: str | None) -> None:
    assert part_named(text, language) == part


@pytest.mark.parametrize(
    "text",
    ["please stop sending to my number", "sluta skicka till mitt nummer", "dejen de enviar a este numero"],
)
def test_a_sending_verb_towards_the_buyers_number_still_stops(text: str) -> None:
    assert default_rules().has_phrase(text)
