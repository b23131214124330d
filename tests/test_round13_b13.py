"""Readings added for the failures of held-out round 13 (data/eval/buyers_heldout12, es/it/sv, wt-b13).
Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

import pytest

from bot.platform.vocab import Stage
from bot.understanding.answers import declined_wishes, part_named, waits_for_offer, wishes_in, yes_no
from bot.understanding.nlu import NLU
from tests.test_flow import state, turn

# ---- money named only to be turned down is no refund wish --------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "wish"),
    [
        ("es", "no quiero el dinero, mándenme otro igual", "replacement"),
        ("es", "¿y para qué quiero el dinero? yo necesito la lámpara", None),
        ("it", "non voglio i soldi, mandatemene un altro", "replacement"),
        ("it", "e che me ne faccio dei soldi? mi serve il vassoio", None),
        ("sv", "inga pengar, jag vill ha en ny", "replacement"),
        ("sv", "vad ska jag med pengarna till? jag behöver skålen", None),
    ],
)
def test_money_turned_down_is_no_refund_wish(language: str, text: str, wish: str | None) -> None:
    named = wishes_in(text, language)[0]
    assert "refund" not in named and "refund" in declined_wishes(text, language)
    if wish:
        assert wish in named


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "quiero el dinero, nada más"),
        ("it", "voglio i soldi indietro"),
        ("sv", "kan jag inte bara få pengarna tillbaka?"),
    ],
)
def test_money_asked_for_is_still_a_refund(language: str, text: str) -> None:
    assert "refund" in wishes_in(text, language)[0]


def test_a_refund_read_by_the_model_yields_to_the_goods_the_buyer_asks_for() -> None:
    """The classifier read "no quiero el dinero ... otro igual" as request_refund, and a full refund was offered to a
    buyer who had just refused the money; the wish phrases name the replacement."""
    s = state(
        Stage.GATHERING, language="es", requested_slot="outcome", what="llegó roto", item="Jarra", problems=["damaged"]
    )
    plan = turn(
        s, intent="request_refund", confidence=0.6, language="es", text="no quiero el dinero, que me llegue otro igual"
    )
    assert plan.slots.get("wants") == "replacement"


# ---- one piece of a set, asked for with a count of one, is a part (es, it, sv) -----------------------------------


@pytest.mark.parametrize(
    ("language", "text", "part"),
    [
        ("es", "solo necesito un plato, gracias", "plato"),
        ("es", "con un vaso nuevo me basta", "vaso"),
        ("it", "mi basta un bicchiere, grazie", "bicchiere"),
        ("it", "solo una ciotola nuova per favore", "ciotola"),
        ("sv", "bara en skål till, tack", "skål"),
        ("sv", "det räcker med ett glas", "glas"),
        ("sv", "ett fat räcker, resten är hela", "fat"),
    ],
)
def test_one_piece_of_a_set_is_a_part(language: str, text: str, part: str) -> None:
    assert "part" in wishes_in(text, language)[0]
    assert part_named(text, language) == part


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "solo una pregunta"),
        ("es", "solo un plato llegó bien"),
        ("it", "solo un graffio sul bordo"),
        ("it", "solo una domanda"),
        ("sv", "bara en liten repa"),
        ("sv", "bara en fråga"),
        ("sv", "en dag räcker inte"),
    ],
)
def test_one_of_something_said_otherwise_asks_no_part(language: str, text: str) -> None:
    assert "part" not in wishes_in(text, language)[0]


# ---- a yes taken back in the same message is no yes --------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "vale, mandadme otra. uy no, espera, mejor devolvedme el dinero"),
        ("it", "va bene, mandatemene un altro. aspetta, no: preferisco il rimborso"),
        ("sv", "ok, skicka en ny. nej vänta, kan jag inte få pengarna tillbaka?"),
    ],
)
def test_a_yes_then_a_change_of_mind_asks_for_the_later_wish(language: str, text: str) -> None:
    assert wishes_in(text, language)[0] == ["refund"]
    offer = {"type": "replacement", "amount": None, "currency": "EUR"}
    s = state(Stage.PROPOSING, language=language, proposed_remedy=offer, problems=["damaged"], what="x", item="lamp")
    plan = turn(s, intent="affirm", confidence=0.6, language=language, text=text)
    assert plan.actions != ["action_confirm_remedy"]


# ---- regional yeses answer an offer ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "said"),
    [
        ("es", "dale, de una", "yes"),
        ("es", "órale, así sí", "yes"),
        ("es", "bacán, gracias", "yes"),
        ("it", "daje, così va bene", "yes"),
        ("sv", "schysst, kör på det", "yes"),
        ("sv", "najs, tack", "yes"),
        ("it", "andiamo avanti con le domande", None),
        ("sv", "vad skönt, tack", "yes"),
        ("es", "bueno ya, está bien", "yes"),
        ("es", "está bien roto, mire la foto", None),
    ],
)
def test_regional_yeses(language: str, text: str, said: str | None) -> None:
    assert yes_no(text, language) == said


def test_a_regional_yes_with_a_question_beside_it_accepts_the_offer() -> None:
    offer = {"type": "replacement", "amount": None, "currency": "EUR"}
    s = state(Stage.PROPOSING, language="es", proposed_remedy=offer, problems=["damaged"], what="x", item="lamp")
    plan = turn(s, intent="describe_problem", confidence=0.5, language="es", text="Dale. ¿Y la llevan a domicilio?")
    assert plan.actions[0] == "action_confirm_remedy"


# ---- a cushion's insert and cover named in the buyer's own words -------------------------------------------------

CUSHION = ["Linen cushion cover 45x45", "Wool cushion insert 45x45"]


@pytest.mark.parametrize(
    ("language", "text", "item"),
    [
        ("sv", "innerkudden kom aldrig", "Wool cushion insert 45x45"),
        ("sv", "fodralet har en reva", "Linen cushion cover 45x45"),
        ("es", "no venía el relleno del cojín", "Wool cushion insert 45x45"),
        ("it", "manca l'imbottitura del cuscino", "Wool cushion insert 45x45"),
    ],
)
def test_cushion_insert_and_cover(nlu: NLU, language: str, text: str, item: str) -> None:
    entities, _problems, _risks = nlu.entities(text, language, CUSHION)
    assert [e.value for e in entities if e.entity == "item"] == [item]


# ---- everyday damage words ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "damaged"),
    [
        ("sv", "skålen var kantstött när jag packade upp den", True),
        ("sv", "locket är bucklig på ena sidan", True),
        ("es", "la bandeja vino rayada por detrás", True),
        ("es", "tiene un rayón en la tapa", True),
        ("it", "il vassoio è arrivato storto", True),
        ("it", "la griglia è arrivata piegata", True),
        ("es", "pedí la camisa rayada azul", False),
        ("it", "le tovaglie erano ben piegate nella scatola", False),
    ],
)
def test_everyday_damage_words(trained: NLU, language: str, text: str, damaged: bool) -> None:
    _entities, problems, _risks, _denied = trained._extract(text, language, ())
    assert ("damaged" in problems) is damaged


# ---- "a new <part>" said to the offer of that part alone accepts it ----------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "part"),
    [
        ("sv", "ja, en ny kopp, tack", "kopp"),
        ("es", "mándenme otra taza entonces", "taza"),
        ("it", "mandatemi un altro piattino allora", "piattino"),
    ],
)
def test_a_new_one_of_the_offered_part_accepts_the_part(language: str, text: str, part: str) -> None:
    offer = {"type": "send_part", "amount": None, "currency": "EUR", "part": part}
    s = state(Stage.PROPOSING, language=language, proposed_remedy=offer, problems=["damaged"], what="x", item="Set")
    plan = turn(s, intent="request_replacement", confidence=0.7, language=language, text=text)
    assert plan.actions[0] == "action_confirm_remedy"
    assert plan.slots["accepted_remedy"]["type"] == "send_part"


def test_a_new_whole_item_said_to_a_part_offer_is_still_a_counter_wish() -> None:
    offer = {"type": "send_part", "amount": None, "currency": "EUR", "part": "lid"}
    s = state(Stage.PROPOSING, proposed_remedy=offer, problems=["damaged"], what="x", item="Saucepan")
    plan = turn(s, intent="request_replacement", confidence=0.7, text="no, send me a new saucepan, the whole thing")
    assert plan.actions[0] != "action_confirm_remedy"


# ---- a plain Swedish report of a fault is calm -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("hej, mattan kom i fredags och har en fläck i mitten, vad gör vi nu?", "calm"),
        ("hallå, det gäller vasen punkt den kom med en spricka punkt hur gör vi", "calm"),
        ("nu får ni skärpa er, tredje gången det kommer trasigt", "angry"),
    ],
)
def test_a_plain_swedish_fault_report_is_calm(nlu: NLU, text: str, level: str) -> None:
    assert nlu.parse(text, fallback_language="sv").level == level


@pytest.mark.parametrize(
    ("text", "waits"),
    [
        ("tack, då väntar jag på den nya", True),
        ("jag väntar på koppen då", True),
        ("jag väntar på ert svar", False),
        ("jag väntar fortfarande på pengarna", False),
    ],
)
def test_swedish_waiting_for_what_was_offered(text: str, waits: bool) -> None:
    assert waits_for_offer(text, "sv") is waits


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "no, ¿para qué quiero el dinero?"),
        ("it", "speditemene uno nuovo. anzi no, voglio un rimborso"),
    ],
)
def test_a_wish_turned_down_is_listed_once(language: str, text: str) -> None:
    declined = declined_wishes(text, language)
    assert len(declined) == len(set(declined)) == 1


# ---- "what voucher?!" scorns the offer it names -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "refused"),
    [
        ("it", "ma quale buono, a me serve il frullatore nuovo", "discount"),
        ("it", "ma che rimborso, voglio la lampada", "refund"),
        ("es", "¿qué cupón ni qué? quiero la olla", "discount"),
        ("es", "ni descuento ni nada, quiero que funcione", "discount"),
    ],
)
def test_a_scornful_what_turns_the_named_remedy_down(language: str, text: str, refused: str) -> None:
    assert refused in declined_wishes(text, language) and refused not in wishes_in(text, language)[0]


def test_a_scornful_what_never_confirms_the_coupon() -> None:
    offer = {"type": "coupon", "amount": "5.00", "currency": "EUR"}
    s = state(Stage.PROPOSING, language="it", proposed_remedy=offer, problems=["defect"], what="x", item="Mixer")
    plan = turn(
        s, intent="request_replacement", confidence=0.35, language="it", text="ma che buono, io voglio un mixer che va"
    )
    assert plan.actions[0] != "action_confirm_remedy"


@pytest.mark.parametrize(
    ("language", "text", "said"),
    [
        ("it", "e va be', mandate quella giusta", "yes"),
        ("it", "vabbè, allora sì", "yes"),
        ("es", "mmm no, eso no me convence", "no"),
        ("es", "uff, no, prefiero esperar", "no"),
        ("es", "bueno, no hay problema", None),
    ],
)
def test_settling_and_hesitant_answers(language: str, text: str, said: str | None) -> None:
    assert yes_no(text, language) == said


# ---- a machine that jams or stalls is a defect --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("it", "l'impastatrice si blocca dopo un minuto"),
        ("it", "il frullatore s'inceppa sempre"),
        ("es", "la picadora se traba a cada rato"),
        ("sv", "mixern hänger sig efter en stund"),
    ],
)
def test_a_machine_that_jams_is_a_defect(trained: NLU, language: str, text: str) -> None:
    _entities, problems, _risks, _denied = trained._extract(text, language, ())
    assert "defect" in problems
