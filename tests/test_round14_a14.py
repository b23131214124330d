"""Readers and data lines added for the failures of held-out round 14 (data/eval/buyers_heldout13, en/pl/sq, wt-a14).
Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

import pytest

from bot.platform.vocab import Stage
from bot.understanding.answers import asks_part_of_price, wishes_in, yes_no
from bot.understanding.nlu import NLU
from tests.opt_out_talk import opts_out
from tests.test_flow import state, turn

# ---- a request to stop said as "I don't want to receive any more messages" (pl, sq) -------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "nie chcę już dostawać od was wiadomości, ani maili, ani esemesów"),
        ("pl", "skasujcie mój kontakt i tyle, dziękuję za wszystko"),
        ("sq", "me ka ardhur ne maje te hundes, nuk dua te marr me mesazhe nga dyqani juaj"),
        ("sq", "ju lutem, te mos marr asnje njoftim me per porosine time"),
    ],
)
def test_not_wanting_to_receive_messages_stops_contact(trained: NLU, language: str, text: str) -> None:
    assert opts_out(trained, text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "nie dostałam żadnych powiadomień o wysyłce, co się dzieje?"),
        ("pl", "czy mogę dostawać wiadomości o statusie paczki?"),
        ("sq", "a do te marr mesazh kur te niset pakoja?"),
        ("sq", "s'kam marre asnje njoftim per dergesen, ku eshte?"),
    ],
)
def test_messages_about_notifications_are_no_request_to_stop(trained: NLU, language: str, text: str) -> None:
    assert not opts_out(trained, text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("sq", "nderrimin me numrin 42 dua, asgje tjeter"),
        ("sq", "vetem ma ndrroni me numer me te vogel, tjeter gje s'kerkoj"),
    ],
)
def test_an_exchange_for_another_size_is_not_read_as_an_opt_out(trained: NLU, language: str, text: str) -> None:
    r = trained.parse(text, fallback_language=language)
    assert r.intent != "opt_out"  # not even asked "shall we stop writing?"


# ---- Polish and Czech "no to ..." / "no tak ..." is a filler, not the English "no" --------------------------------


@pytest.mark.parametrize(
    ("language", "text", "said"),
    [
        ("pl", "no to uff, dobrze wiedziec. co teraz?", None),
        ("pl", "no a kiedy by to doszło?", None),
        ("pl", "no to super, biorę", "yes"),
        ("pl", "no to nie, dziękuję", "no"),
        ("pl", "no, nie chcę tego", "no"),
        ("cs", "no tak, to je dobre vedet. a co ted?", None),
        ("cs", "no ne, to nechci", "no"),
        ("en", "no, that's not what I asked for", "no"),
    ],
)
def test_a_polish_or_czech_no_particle(language: str, text: str, said: str | None) -> None:
    assert yes_no(text, language) == said


@pytest.mark.parametrize(
    ("language", "text"),
    [("pl", "no to ulga, dzieki za info. i co dalej?"), ("cs", "no tak, diky za info. a co dal?")],
)
def test_what_next_after_a_particle_keeps_the_offer(language: str, text: str) -> None:
    s = state(
        Stage.PROPOSING,
        language=language,
        what="broken",
        item="vase",
        wants="replacement",
        problems=["damaged"],
        proposed_remedy={"type": "replacement"},
        asked_question=True,
    )
    plan = turn(s, intent="deny", language=language, text=text)
    assert plan.reason == "offer_restated"
    assert "replacement" not in plan.slots.get("declined", [])


# ---- "let it be the new one" said to an offer of money is the replacement, not a yes ------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "dobra, to niech już będzie ten nowy"),
        ("pl", "ok, biorę jednak nową"),
        ("sq", "ne rregull, le te jete nje e re atehere"),
        ("sq", "mire, po e marr te renë"),
    ],
)
def test_settling_on_the_new_one_is_the_replacement_wish(language: str, text: str) -> None:
    assert "replacement" in wishes_in(text, language)[0]


@pytest.mark.parametrize(
    ("language", "text"),
    [("pl", "dobrze, niech będzie nowa, dzięki"), ("sq", "ok, le te jete nje e re, faleminderit")],
)
def test_the_new_one_named_to_a_partial_refund_confirms_nothing(language: str, text: str) -> None:
    s = state(
        Stage.PROPOSING,
        language=language,
        what="chipped",
        item="bowl",
        when="2026-11-30",
        problems=["damaged"],
        proposed_remedy={"type": "refund_partial", "amount": "12.00"},
    )
    plan = turn(s, intent="affirm", language=language, text=text)
    assert "action_confirm_remedy" not in plan.actions
    assert plan.slots.get("wants") == "replacement"


@pytest.mark.parametrize(("language", "text"), [("pl", "niech będzie nowy adres dostawy"), ("sq", "le te jete ashtu")])
def test_other_new_things_are_no_replacement(language: str, text: str) -> None:
    assert "replacement" not in wishes_in(text, language)[0]


# ---- "the difference." said alone asks for the part of the price overcharged (sq, pl) -----------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("sq", "diferencen ju lutem"),
        ("sq", "njezeteshen mbrapsht."),
        ("pl", "różnicę."),
        ("pl", "tylko różnicę, proszę"),
    ],
)
def test_the_difference_alone_is_a_wish_for_part_of_the_money(language: str, text: str) -> None:
    assert wishes_in(text, language)[0]
    assert asks_part_of_price(text, language)


@pytest.mark.parametrize(
    ("language", "text"), [("sq", "diferenca eshte e madhe, pse?"), ("pl", "różnica w kolorze jest spora")]
)
def test_the_difference_in_a_sentence_asks_nothing(language: str, text: str) -> None:
    assert not wishes_in(text, language)[0]


# ---- a charge above the till's sum (sq) and a scratch said the everyday way (en) are problems ----------------------


@pytest.mark.parametrize(
    ("language", "text", "problem"),
    [
        ("sq", "ne arke dilte 52 euro, kurse banka me hoqi 58", "hidden_cost"),
        ("sq", "ma keni marre me shume se duhej nga llogaria", "hidden_cost"),
        ("en", "the tray came with a deep scratch across the middle", "damaged"),
        ("en", "there is a scratch on the lid, quite visible", "damaged"),
        ("sq", "masa gabim, kisha porositur nje numer me te madh", "wrong_item"),
        ("sq", "erdhi ne ngjyrë tjetër nga ajo qe zgjodha", "wrong_item"),
        ("en", "colour's wrong, I picked the green one", "wrong_item"),
    ],
)
def test_overcharge_and_scratch_are_problems(trained: NLU, language: str, text: str, problem: str) -> None:
    _entities, problems, _risks, _denied = trained._extract(text, language, ())
    assert problem in problems


@pytest.mark.parametrize(
    ("language", "text", "problem"),
    [
        ("sq", "ne arke kishte radhe te gjate", "hidden_cost"),
        ("en", "I had to start from scratch with the assembly", "damaged"),
        ("en", "scratch that, it came on friday", "damaged"),
        ("sq", "numri i porosise eshte gabim ne email", "wrong_item"),
    ],
)
def test_the_same_words_elsewhere_name_no_problem(trained: NLU, language: str, text: str, problem: str) -> None:
    _entities, problems, _risks, _denied = trained._extract(text, language, ())
    assert problem not in problems


# ---- "it's not you personally" is no request for a person (sq, en) ------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("sq", "s'eshte faji yt personalisht, jam thjesht e lodhur"),
        ("en", "nothing personal, it's the shop I'm annoyed with"),
    ],
)
def test_not_about_you_personally_is_no_request_for_a_person(trained: NLU, language: str, text: str) -> None:
    assert trained.parse(text, fallback_language=language).intent != "ask_human"


# ---- Albanian "ne" (në: in; we) is no negation, as Swedish "ni" (you) is none ---------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "problem"),
    [
        ("sq", "ne karton filxhani ishte i thyer", "damaged"),
        ("sq", "ne paketen tone mungonte kapaku", "missing_item"),
        ("sv", "ni har skickat fel storlek igen", "wrong_item"),
    ],
)
def test_a_plain_word_before_the_problem_denies_nothing(trained: NLU, language: str, text: str, problem: str) -> None:
    _entities, problems, _risks, denied = trained._extract(text, language, ())
    assert problem in problems and problem not in denied


@pytest.mark.parametrize(
    ("language", "text", "problem"),
    [
        ("pl", "to nie uszkodzone, tylko kolor nie ten", "damaged"),
        ("sv", "den var inte trasig alls", "damaged"),
    ],
)
def test_a_real_negation_still_denies(trained: NLU, language: str, text: str, problem: str) -> None:
    _entities, _problems, _risks, denied = trained._extract(text, language, ())
    assert problem in denied


# ---- "I'm not heated / I'm calm / I'm not shouting" said in words is calm (sq, pl) --------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("sq", "s'jam e nxehur, thjesht dua te di cfare behet"),
        ("sq", "jam i qete, vetem me thoni kur"),
        ("pl", "jestem spokojna, po prostu chcę to załatwić"),
        ("pl", "nie krzyczę, pytam tylko co dalej"),
    ],
)
def test_calm_said_in_words_is_calm(trained: NLU, language: str, text: str) -> None:
    assert trained.parse(text, fallback_language=language).level == "calm"


@pytest.mark.parametrize(
    ("language", "text"),
    [("sq", "JAM I NXEHUR!! KU JANE PARATE?!"), ("pl", "KRZYCZĘ BO NIKT NIE ODPOWIADA!!!")],
)
def test_shouting_is_not_made_calm(trained: NLU, language: str, text: str) -> None:
    assert trained.parse(text, fallback_language=language).level != "calm"


# ---- "keep it, a bit of money back" asks part of the price, not the whole (en, pl) --------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "honestly I'll hang on to it, a little bit of money back is all I'm after"),
        ("en", "a few quid back and I'll keep the thing"),
        ("pl", "zatrzymam go, niech chociaż część kasy wróci"),
        ("pl", "trochę pieniędzy zwrotu i zostawiam jak jest"),
    ],
)
def test_a_bit_of_money_back_is_part_of_the_price(language: str, text: str) -> None:
    assert wishes_in(text, language)[0]
    assert asks_part_of_price(text, language)


@pytest.mark.parametrize(
    ("language", "text"), [("en", "I want all my money back"), ("pl", "chcę całą kasę z powrotem")]
)
def test_all_the_money_back_is_still_the_whole_price(language: str, text: str) -> None:
    assert "refund" in wishes_in(text, language)[0]
    assert not asks_part_of_price(text, language)
