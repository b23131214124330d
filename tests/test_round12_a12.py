"""Readers and data added for the failures of held-out round 12 (data/eval/buyers_heldout11, en/de/fr, wt-a12).
Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

import pytest

from bot.conversation.opt_out_doubts import sent_too_early_note
from bot.platform.vocab import Stage
from bot.understanding.answers import part_named, wishes_in
from bot.understanding.nlu import NLU
from bot.understanding.opt_out import default_rules
from bot.understanding.sent_early import sent_too_early
from tests.test_flow import state, turn

# ---- one piece of a set, asked for with a count of one, is a part ------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "part"),
    [
        ("en", "honestly I only need 1 bowl", "1 bowl"),
        ("en", "just the one plate please", "plate"),
        ("en", "no, only want a single glass, thanks", "glass"),
        ("de", "ich brauche nur einen neuen Teller", "Teller"),
        ("de", "bloss ein neues Glas, mehr nicht", "Glas"),
        ("fr", "il me faut juste une seule assiette", "assiette"),
        ("fr", "seulement un verre, merci", "verre"),
    ],
)
def test_one_piece_of_a_set_is_a_part(language: str, text: str, part: str) -> None:
    assert "part" in wishes_in(text, language)[0]
    assert part_named(text, language) == part


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "only one bowl survived the trip"),
        ("en", "just one more thing before we go on"),
        ("de", "es ist nur ein kleiner Kratzer am Rand"),
        ("de", "nur eine Frage noch"),
        ("fr", "c'est juste une rayure sur le côté"),
        ("fr", "juste une question"),
    ],
)
def test_one_of_something_said_otherwise_asks_no_part(language: str, text: str) -> None:
    assert "part" not in wishes_in(text, language)[0]


def test_a_count_of_one_at_the_offer_gets_the_part_not_the_whole_set() -> None:
    """ "1 of 4 cracked" then "just one mug": the whole set was offered, then the whole set's price back."""
    s = state(
        Stage.GATHERING,
        requested_slot="outcome",
        what="one cracked",
        item="Stoneware bowls, set of 4",
        problems=["damaged"],
    )
    plan = turn(s, intent="request_replacement", confidence=0.5, text="really just the one bowl please")
    assert plan.slots.get("wants") == "part"
    assert plan.slots.get("part") == "bowl"


# ---- a terse German "neuer Becher." asks for the replacement -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "wish"),
    [
        ("neuer Becher. danke", "replacement"),
        ("neues Glas bitte", "replacement"),
        ("a neue halt, passt", "replacement"),
    ],
)
def test_a_terse_german_new_one(text: str, wish: str) -> None:
    assert wish in wishes_in(text, "de")[0]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Neuer Becher kam auch schon mit Sprung an"),
        ("de", "neue Adresse: Hauptstr. 4"),
        ("en", "new mug arrived with a chip too"),
    ],
)
def test_new_said_about_something_else_asks_nothing(language: str, text: str) -> None:
    assert "replacement" not in wishes_in(text, language)[0]


# ---- screens and lights that flicker are a defect ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "the display keeps flickering when it's on"),
        ("en", "it won't hold a charge for more than an hour"),
        ("de", "der Bildschirm flimmert seit ein paar Tagen"),
        ("de", "die Lampe flackert wenn man sie einschaltet"),
        ("fr", "l'écran clignote sans arrêt"),
        ("fr", "la veilleuse s'éteint toute seule au bout de dix minutes"),
    ],
)
def test_flickering_is_a_defect(trained: NLU, language: str, text: str) -> None:
    _entities, problems, _risks, _denied = trained._extract(text, language, ())
    assert "defect" in problems


# ---- "sorry, sent too early" is no request to stop ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "early"),
    [
        ("en", "...is bent. sorry, pressed send too soon", True),
        ("en", "has a dent. my thumb slipped, sorry", True),
        ("de", "hat einen Sprung. Sorry, aus Versehen abgeschickt", True),
        ("de", "ist verbogen, war zu schnell auf Senden", True),
        ("fr", "est tordue. pardon, envoyé trop vite", True),
        ("fr", "a un trou, le texto est parti trop tôt", True),
        ("en", "send me the new one soon", False),
        ("fr", "vous l'avez envoyé trop tard", False),
    ],
)
def test_sent_too_early(language: str, text: str, early: bool) -> None:
    assert sent_too_early(text, language) is early


def test_sent_too_early_with_a_request_to_stop_in_words_is_still_a_stop() -> None:
    assert not sent_too_early_note("sent that too soon. anyway stop messaging me", (), "en")
    assert sent_too_early_note("has a dent. sorry, sent that too soon", (), "en")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "is bent at the rim. oops, hit send too early, the rest is fine"),
        ("de", "ist am Rand eingerissen. Ups, zu früh abgeschickt, der Rest passt"),
        ("fr", "est fendu. oups, envoyé trop vite, le reste va bien"),
    ],
)
def test_a_slip_of_send_read_as_opt_out_asks_no_doubt(language: str, text: str) -> None:
    s = state(Stage.GATHERING, language=language, requested_slot="what", problems=["damaged"])
    plan = turn(s, intent="opt_out", confidence=0.55, text=text, language=language)
    assert "action_opt_out_check" not in plan.actions


# ---- "remove me from your list", "désabonnez-moi" are requests to stop -------------------------------------------


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("please remove me from your mailing list", True),
        ("just get my number off your list", True),
        ("I'm done with this chat, goodbye", True),
        ("retirez-moi de votre liste de diffusion", True),
        ("désabonnez-moi tout de suite", True),
        ("remove the old one from the box", False),
        ("retirez le couvercle avant", False),
    ],
)
def test_new_opt_out_phrases(text: str, asks: bool) -> None:
    assert default_rules().has_phrase(text) is asks


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "one strap of the bag was torn off when I opened it"),
        ("de", "der Griff vom Korb ist abgerissen"),
        ("fr", "la poignée du sac est décousue"),
        ("fr", "une sangle arrachée à la livraison"),
    ],
)
def test_a_part_torn_off_is_damage(trained: NLU, language: str, text: str) -> None:
    _entities, problems, _risks, _denied = trained._extract(text, language, ())
    assert "damaged" in problems


# ---- a problem word of the buyer's life story names no problem of the order --------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "gone"),
    [
        ("en", "the lamp got here late, my dad broke his hip the same week so it was a mess", "damaged"),
        ("en", "our van broke down twice this month, anyway the parcel was twelve days late", "defect"),
        ("de", "mein Mann hat sich die Schulter gebrochen, und dann kam das Paket zwei Wochen zu spät", "damaged"),
        ("de", "der Transporter ist kaputt gegangen beim Umzug, das Paket kam zehn Tage zu spät", "damaged"),
        ("fr", "mon fils s'est cassé le poignet au foot, et le colis est arrivé dix jours en retard", "damaged"),
        ("fr", "la camionnette est tombée en panne au déménagement, et le colis est arrivé en retard", "defect"),
    ],
)
def test_a_life_story_problem_is_not_the_orders(trained: NLU, language: str, text: str, gone: str) -> None:
    _entities, problems, _risks, _denied = trained._extract(text, language, ())
    assert gone not in problems and "late" in problems


@pytest.mark.parametrize(
    ("language", "text", "problem"),
    [
        ("en", "the van driver dropped it, and the glass top is cracked", "damaged"),
        ("de", "der Fahrer war nett, aber der Spiegel ist zerbrochen", "damaged"),
        ("fr", "le livreur est venu en camion, mais le vase est cassé", "damaged"),
    ],
)
def test_a_vehicle_in_another_clause_keeps_the_problem(trained: NLU, language: str, text: str, problem: str) -> None:
    _entities, problems, _risks, _denied = trained._extract(text, language, ())
    assert problem in problems


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "je vous écris car le plateau est cassé"),
        ("fr", "la cafetière fuit, elle est en train de tout inonder"),
    ],
)
def test_english_vehicle_words_are_read_in_english_only(trained: NLU, language: str, text: str) -> None:
    _entities, problems, _risks, _denied = trained._extract(text, language, ())
    assert problems


@pytest.mark.parametrize(
    ("language", "text", "wish"),
    [
        ("de", "ich möchte eigentlich bloss eine Antwort, mehr nicht", None),
        ("de", "ich will wirklich nur eine Entschuldigung hören", "apology"),
        ("en", "honestly I only need one answer from you", None),
        ("fr", "je voulais juste une excuse, rien d'autre", None),
        ("fr", "seulement un remboursement, merci", "refund"),
    ],
)
def test_a_count_of_one_before_a_wish_word_is_no_part(language: str, text: str, wish: str | None) -> None:
    found = wishes_in(text, language)[0]
    assert "part" not in found
    if wish:
        assert wish in found


@pytest.mark.parametrize(
    ("language", "text", "part"),
    [
        ("pl", "wystarczy mi jedna nowa miska", True),
        ("pl", "wyslijcie jeden spodek, dzieki", True),
        ("pl", "tylko jeden spodek dojechal w calosci", False),
        ("cs", "staci mi jeden talirek", True),
        ("cs", "poslete jednu misku prosim", True),
        ("ru", "достаточно одного блюдца", True),
        ("ru", "вышлите одну миску, спасибо", True),
        ("ru", "лишь одна миска доехала целой", False),
    ],
)
def test_one_piece_of_a_set_in_the_eastern_languages(language: str, text: str, part: bool) -> None:
    assert ("part" in wishes_in(text, language)[0]) is part
