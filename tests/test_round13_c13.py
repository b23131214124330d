"""Readers and data added for the failures of held-out round 13 (data/eval/buyers_heldout12, pl/cs/ru, wt-c13).
Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.conversation.flow import State
from bot.platform.vocab import Stage
from bot.understanding.answers import (
    asks_what_next,
    declined_wishes,
    follow_up_answer,
    part_named,
    position_rest,
    wishes_in,
)
from bot.understanding.nlu import NLU
from tests.test_flow import state, turn

# ---- a good follow-up said as "case closed", "this time right" or an emoji is no failed remedy --------------------


@pytest.mark.parametrize(
    ("language", "text", "said"),
    [
        ("pl", "wszystko jest w porządku, temat zamknięty", "worked"),
        ("pl", "sprawa załatwiona, dzięki wielkie", "worked"),
        ("pl", "tym razem prawidłowy rozmiar", "worked"),
        ("pl", "są 👍", "worked"),
        ("pl", "nie jest ok, nadal ta sama rysa", "failed"),
        ("pl", "znowu nie ten kolor", "failed"),
        ("cs", "tentokrát je to správně, díky", "worked"),
        ("cs", "věc je vyřízená", "worked"),
        ("cs", "není to v pořádku, zase jiná barva", "failed"),
        ("ru", "вопрос решён, благодарю", "worked"),
        ("ru", "на этот раз всё как надо", "worked"),
        ("ru", "опять не тот размер", "failed"),
        ("en", "the replacement is finally here, all good now", "worked"),
        ("en", "new one's here but it does the same thing", "failed"),
        ("en", "it's not fine, the lid is cracked again", "failed"),
        ("cs", "✅", "worked"),
        ("ru", "👍👍", "worked"),
        ("pl", "👍🏻", "worked"),
        ("en", "it is fine but where is my refund?", None),
    ],
)
def test_follow_up_answer(language: str, text: str, said: str) -> None:
    assert follow_up_answer(text, language) == said


@pytest.mark.parametrize(("language", "text"), [("pl", "👎"), ("ru", "😡"), ("cs", "a kdy to přijde?")])
def test_follow_up_answer_that_says_neither(language: str, text: str) -> None:
    assert follow_up_answer(text, language) is None


@pytest.mark.parametrize(
    ("language", "text"),
    [("pl", "temat zamknięty z mojej strony, wszystko jest ok"), ("cs", "tentokrát sedí, je to v pořádku")],
)
def test_a_good_follow_up_closes_kindly_not_at_staff(language: str, text: str) -> None:
    s = state(Stage.FOLLOW_UP, language=language, accepted_remedy={"type": "replacement"})
    plan = turn(s, intent="deny", confidence=0.4, text=text)
    assert plan.handoff is None and plan.slots.get("resolved") is True


# ---- money, shipping and one missing piece of a set, said the way buyers say them ---------------------------------


@pytest.mark.parametrize(
    ("language", "text", "wish"),
    [
        ("pl", "kasa z powrotem i po sprawie", "refund"),
        ("pl", "wolałbym kasę z powrotem na kartę", "refund"),
        ("pl", "za przesyłkę zwrot by się należał", "shipping"),
        ("pl", "za dostawę oddajcie i tyle", "shipping"),
    ],
)
def test_polish_money_and_shipping_wishes(language: str, text: str, wish: str) -> None:
    assert wish in wishes_in(text, language)[0]


@pytest.mark.parametrize(
    ("language", "text", "part"),
    [
        ("ru", "дошлите одну тарелку и всё", "тарелку"),
        ("ru", "пришлите один бокал с той же гравировкой", "бокал"),
        ("ru", "одна недостающая ложка, больше ничего", "ложка"),
        ("pl", "doślijcie jedną miseczkę i będzie komplet", "miseczkę"),
        ("pl", "jedna brakująca łyżeczka wystarczy", "łyżeczka"),
        ("cs", "doposlete jeden talíř a bude to komplet", "talíř"),
        ("cs", "jedna chybějící vidlička, nic víc", "vidlička"),
    ],
)
def test_one_missing_piece_named_before_more_words_is_a_part(language: str, text: str, part: str) -> None:
    assert "part" in wishes_in(text, language)[0]
    assert part_named(text, language) == part


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ru", "пришлите один раз ещё фото"),
        ("pl", "wyślijcie jeden raz jeszcze"),
        ("cs", "pošlete jeden kus znovu"),
    ],
)
def test_one_said_of_something_else_is_no_part(language: str, text: str) -> None:
    assert "part" not in wishes_in(text, language)[0]


# ---- accept, then change one's mind in the same message ----------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "dobra, wyślijcie nową. a nie, czekajcie, jednak wolę zwrot pieniędzy"),
        ("pl", "zgoda na wymianę. rozmyśliłam się, oddajcie kasę"),
        ("cs", "jo, pošlete nový. počkat, ne, radši vraťte peníze"),
        ("cs", "beru výměnu. ne, moment, rozmyslel jsem si to, chci peníze zpátky"),
        ("ru", "хорошо, присылайте новую. нет, постойте, лучше возврат денег"),
        ("ru", "давайте замену. я передумала, верните деньги"),
    ],
)
def test_accept_then_change_of_mind_turns_the_first_wish_down(language: str, text: str) -> None:
    wishes, _also = wishes_in(text, language)
    assert wishes == ["refund"]
    assert "replacement" in declined_wishes(text, language)


def test_a_change_of_mind_at_a_replacement_offer_is_no_yes() -> None:
    s = state(
        Stage.PROPOSING,
        language="cs",
        problems=["damaged"],
        item="Glass salad bowl",
        wants="refund",
        proposed_remedy={"type": "replacement"},
    )
    plan = turn(s, intent="affirm", confidence=0.6, text="dobře, pošlete novou. vlastně ne, počkat, vraťte peníze")
    assert plan.actions != ["action_confirm_remedy"]
    assert not plan.slots.get("accepted_remedy")


# ---- "and my case?" after an answer, with an offer waiting -------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "asks"),
    [
        ("pl", "jasne. a jak stoi ta moja reklamacja?", True),
        ("pl", "ok, a moja sprawa?", True),
        ("cs", "dobře. jak to vypadá s mou reklamací?", True),
        ("cs", "a moje reklamace?", True),
        ("ru", "понятно. а по моему заказу что теперь?", True),
        ("ru", "хорошо. как там с моим возвратом?", True),
        ("pl", "moja sprawa jest prosta, zepsuty czajnik", False),
        ("ru", "по моему заказу пришла не та вещь", False),
    ],
)
def test_and_my_case_asks_what_next(language: str, text: str, asks: bool) -> None:
    assert asks_what_next(text, language) is asks


# ---- a line of a two-line order named in the buyer's words, and "in pieces" is damage ----------------------------


@pytest.mark.parametrize(
    ("language", "text", "items", "line"),
    [
        ("pl", "łupkowa deska nie dojechała", ("Slate serving board 30 cm", "Linen napkins, 4 pcs"), 0),
        ("cs", "slánka má uštípnutý roh", ("Linen napkins, 4 pcs", "Ceramic salt cellar"), 1),
        ("ru", "противень погнут", ("Enamel baking tray 40 cm", "Oven mitts, pair"), 0),
        ("pl", "pędzelek się rozkleił", ("Oven mitts, pair", "Pastry brush, beech"), 1),
        ("ru", "одна чашка разбилась", ("Stoneware teacups, set of 4", "Tea strainer"), 0),
        ("cs", "šálek má prasklinu", ("Bamboo tray", "Porcelain teacup with saucer"), 1),
    ],
)
def test_a_line_named_by_its_kind(trained: NLU, language: str, text: str, items: tuple[str, ...], line: int) -> None:
    entities, _problems, _risks, _denied = trained._extract(text, language, items)
    assert [e.value for e in entities if e.entity == "item"] == [items[line]]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "miska dotarła w kawałkach"),
        ("cs", "váza přišla na kusy"),
        ("ru", "ваза приехала вдребезги"),
        ("en", "the vase came in pieces"),
        ("fr", "le vase est arrivé en morceaux"),
    ],
)
def test_in_pieces_is_damage(trained: NLU, language: str, text: str) -> None:
    _entities, problems, _risks, _denied = trained._extract(text, language, ())
    assert "damaged" in problems


# ---- a choice said by its place, to the one offer on the table ---------------------------------------------------


def _refund_offer(language: str) -> State:
    return state(
        Stage.PROPOSING,
        language=language,
        problems=["charged_twice"],
        wants="refund",
        proposed_remedy={"type": "refund_full", "amount": "42.00"},
    )


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ru", "vtoroi variant, da"),
        ("ru", "первый вариант, давайте"),
        ("pl", "opcja 1, tak"),
        ("cs", "ta druhá možnost, ano"),
        ("en", "the first option, yes please"),
    ],
)
def test_a_place_beside_a_yes_accepts_the_offer(language: str, text: str) -> None:
    plan = turn(_refund_offer(language), intent="goodbye", confidence=0.4, text=text)
    assert plan.reason == "remedy_accepted"
    assert plan.slots["accepted_remedy"]["type"] == "refund_full"


@pytest.mark.parametrize(("language", "text"), [("pl", "2"), ("cs", "poslední možnost"), ("ru", "вариант 3")])
def test_a_place_alone_gets_the_offer_asked_plainly_once(language: str, text: str) -> None:
    plan = turn(_refund_offer(language), intent="other", confidence=0.2, text=text)
    assert plan.reason == "offer_asked_again" and plan.slots.get("offer_plain")
    assert not plan.slots.get("accepted_remedy")
    again = turn(replace(_refund_offer(language), slots={**_refund_offer(language).slots, **plan.slots}), text=text)
    assert again.reason != "offer_asked_again"


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "the second time it broke"), ("pl", "drugi raz to samo"), ("ru", "второй раз пишу")],
)
def test_a_place_word_inside_other_words_is_no_choice(language: str, text: str) -> None:
    assert position_rest(text, language) is None or position_rest(text, language) not in ("", "yes")


# ---- "I need the sixth cup" / "one more glass" asks for the missing piece --------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "part"),
    [
        ("ru", "мне нужна шестая тарелка, а не купон", "тарелка"),
        ("ru", "пришлите ещё одну кружку", "кружку"),
        ("pl", "potrzebuję szóstego talerzyka, nie rabatu", "talerzyka"),
        ("cs", "chci šestou skleničku, ne slevu", "skleničku"),
    ],
)
def test_the_missing_nth_piece_is_a_part(language: str, text: str, part: str) -> None:
    assert wishes_in(text, language)[0] == ["part"]
    assert part_named(text, language) == part


@pytest.mark.parametrize(("language", "text"), [("ru", "нужен пятый раз звонить?"), ("pl", "chcę piąty raz pisać?")])
def test_a_count_of_times_is_no_piece(language: str, text: str) -> None:
    assert "part" not in wishes_in(text, language)[0]
