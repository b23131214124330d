"""Readers and data added for the failures of held-out round 16 (data/eval/buyers_heldout15, de/es/cs, wt-b16).
Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

import pytest

from bot.conversation import flow
from bot.understanding.answers import asks_what_to_do, percent_asked, wishes_in
from bot.understanding.courtesy import only_courtesy
from bot.understanding.nlu import NLU
from tests.test_flow import POLICY, REMEDIES
from tests.test_round11_c11 import offered

# ---- the plural of a fault's verb: some pieces of a set do not work --------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "de las cuatro bombillas, tres no funcionan desde el primer dia"),
        ("es", "los dos focos del porche no se encienden por la noche"),
        ("cs", "dve ze ctyr zarovek nefunguji, zbytek sviti"),
        ("cs", "obe svitilny prestaly fungovat po tydnu"),
        ("de", "zwei von den Strahlern funktionieren nicht"),
        ("de", "die kleinen Lampen gehen nicht an, egal wie lange sie laden"),
        ("fr", "deux des guirlandes ne s'allument pas du tout"),
        ("it", "tre delle lucine non si accendono"),
    ],
)
def test_some_pieces_not_working_is_a_defect(trained: NLU, language: str, text: str) -> None:
    assert "defect" in trained.parse(text, fallback_language=language).problems


# ---- a strap or handle torn off (cs, es) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("cs", "batoh prisel s utrzenym ramennim popruhem"),
        ("cs", "taska ma urvane jedno ucho uz z krabice"),
        ("es", "la mochila vino con el asa arrancada"),
        ("es", "la funda llego descosida por un lado"),
    ],
)
def test_a_torn_off_strap_is_damage(trained: NLU, language: str, text: str) -> None:
    assert "damaged" in trained.parse(text, fallback_language=language).problems


# ---- one piece of a pair or set, named with a demonstrative or a count, is a part ---------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("cs", "jen ten jeden kolik, ne celou sadu"),
        ("cs", "poslete mi prosim tu jednu rukavici, druha je v poradku"),
        ("cs", "staci mi poslat jednu novou lahev, zbytek je cely"),
        ("es", "mandadme las tres tazas que llegaron rotas y ya"),
        ("es", "solo las 2 copas, el resto del juego esta bien"),
    ],
)
def test_one_piece_of_a_set_is_a_part(language: str, text: str) -> None:
    assert "part" in wishes_in(text, language)[0]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("cs", "jen tu jednu vec bych se chtel zeptat"),
        ("es", "solo los dos euros del envio"),
        ("es", "me llegaron las dos sillas rotas"),
    ],
)
def test_a_count_or_demonstrative_alone_asks_no_part(language: str, text: str) -> None:
    assert "part" not in wishes_in(text, language)[0]


# ---- a sentence beside the yes that asks only for what the offer gives is no "other request" ----------------------


@pytest.mark.parametrize(
    ("language", "remedy", "text"),
    [
        ("es", "refund_shipping", "De acuerdo. Devolvedme los gastos de envio entonces."),
        ("cs", "replacement", "Dobre, beru. Poslete mi novou, tahle je k nicemu."),
        ("de", "refund_shipping", "Ja, passt so. Die Versandkosten zurück reicht mir."),
    ],
)
def test_a_yes_restating_the_offer_notes_no_other_request(trained: NLU, language: str, remedy: str, text: str) -> None:
    r = trained.parse(text, fallback_language=language)
    plan = flow.on_buyer_message(offered(remedy, language), r, POLICY, REMEDIES)
    assert plan.actions == ["action_confirm_remedy"]
    assert not plan.slots.get("side_request")


@pytest.mark.parametrize(
    ("language", "remedy", "text"),
    [
        ("es", "refund_shipping", "Vale, de acuerdo. Y podeis mandar la factura a mi correo?"),
        ("cs", "replacement", "Dobre, beru. A kuryr at zazvoni dvakrat, zvonek je rozbity."),
    ],
)
def test_a_yes_with_another_request_still_notes_it(trained: NLU, language: str, remedy: str, text: str) -> None:
    r = trained.parse(text, fallback_language=language)
    plan = flow.on_buyer_message(offered(remedy, language), r, POLICY, REMEDIES)
    assert plan.actions[0] == "action_confirm_remedy"
    assert plan.slots.get("side_request") or plan.slots.get("question_text")


# ---- a fifth, a quarter or a third of the price, in words ---------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "share"),
    [
        ("de", "ein Viertel vom Kaufpreis zurück, dann passt das", 25),
        ("de", "erstatten Sie mir bitte ein Fünftel, mehr will ich nicht", 20),
        ("cs", "vratte mi tretinu ceny a je to vyrizene", 33),
        ("cs", "petina penez zpet by mi stacila", 20),
        ("es", "con una quinta parte del precio me doy por satisfecho", 20),
    ],
)
def test_a_share_in_words_is_read(language: str, text: str, share: int) -> None:
    assert percent_asked(text, language) == share


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "ein Drittel der Teller kam zerbrochen an"),
        ("cs", "ctvrtina sroubku chybela"),
        ("es", "una tercera parte de las tazas llego rota"),
    ],
)
def test_a_share_of_the_goods_asks_nothing(language: str, text: str) -> None:
    assert percent_asked(text, language) is None


# ---- a hope that the goods sent again work asks nothing -----------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("cs", "Snad ta nova vydrzi dyl"),
        ("cs", "doufam ze tentokrat dorazi cela"),
        ("de", "Hoffentlich hält der neue diesmal"),
        ("es", "Ojalá llegue entera esta vez"),
    ],
)
def test_a_hope_for_the_new_one_is_courtesy(language: str, text: str) -> None:
    assert only_courtesy(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("cs", "ale at funguje, jinak chci penize zpet"),
        ("de", "hoffentlich kommt er bis Freitag, sonst storniere ich"),
        ("es", "espero que llegue bien, y mandadme tambien la factura"),
    ],
)
def test_a_hope_with_a_condition_or_request_is_not_courtesy(language: str, text: str) -> None:
    assert not only_courtesy(text, language)


# ---- "do I need a return label, or do you just send the part?" asks about a duty ------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "brauch ich dafür einen Rücksendeschein oder schickt ihr den Deckel einfach so?"),
        ("de", "Benötige ich eine Retoure, oder reicht das Foto?"),
        ("cs", "potrebujete to poslat zpet, nebo staci fotka?"),
        ("cs", "je potreba ho vratit zpet?"),
    ],
)
def test_asking_if_a_return_is_needed_is_a_duty_question(language: str, text: str) -> None:
    assert asks_what_to_do(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Retoure will ich keine, einfach Geld zurück"),
        ("cs", "chci to poslat zpet a penize zpatky"),
    ],
)
def test_a_return_wished_is_no_duty_question(language: str, text: str) -> None:
    assert not asks_what_to_do(text, language)
