"""Readers and flow rules added for the failures of held-out round 11 (data/eval/buyers_heldout10, pl/cs/ru, wt-c11).
Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.conversation import flow
from bot.conversation.flow import wishes_named
from bot.platform.vocab import Stage
from bot.understanding.after_use import failed_after_use
from bot.understanding.answers import asks_for_person, asks_if_bot, declined_wishes
from bot.understanding.courtesy import only_courtesy
from bot.understanding.language import detect_languages
from bot.understanding.nlu import NLU
from tests.test_flow import POLICY, REMEDIES, facts


def offered(remedy: str, language: str, **slots: object) -> flow.State:
    offer = {"type": remedy, "amount": None, "currency": "EUR", "percent": None, "rule_id": "r1",
             "cite": {"source": "coupons.md", "heading": "Apology coupons"}, "starts_complaint": False,
             "needs_approval": False}  # fmt: skip
    base = {"language": language, "what": "x", "item": "x", "problems": ["damaged"], "proposed_remedy": offer}
    return flow.State(Stage.PROPOSING, {**base, **slots}, facts(topic="product", order_value=Decimal("40.00")))


# ---- an offer echoed as a question, then refused ("kupon? ne.") -----------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("cs", "sleva? k cemu mi je? ne, chci zpatky svoje penize"),
        ("pl", "rabat?? nie, dziekuje. wolalabym zwrot pieniedzy"),
        ("ru", "скидка? нет уж, верните деньги"),
        ("en", "a voucher?! no. just refund me"),
    ],
)
def test_an_offer_echoed_as_a_question_and_refused_is_declined(language: str, text: str) -> None:
    assert "discount" in declined_wishes(text, language)
    assert "discount" not in wishes_named(text, language)[0]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("cs", "sleva? a kolik procent?"),
        ("pl", "czy moge dostac rabat? albo zwrot"),
        ("ru", "скидка? ну ладно, давайте"),
    ],
)
def test_an_offer_asked_about_or_asked_for_is_not_refused(language: str, text: str) -> None:
    assert "discount" not in declined_wishes(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("cs", "sleva? k cemu mi je? ne, chci zpatky svoje penize"),
        ("pl", "rabat?? nie, dziekuje. wolalabym zwrot pieniedzy"),
    ],
)
def test_a_coupon_echoed_and_refused_is_not_confirmed(trained: NLU, language: str, text: str) -> None:
    r = trained.parse(text, fallback_language=language)
    plan = flow.on_buyer_message(offered("coupon", language), r, POLICY, REMEDIES)
    assert plan.actions != ["action_confirm_remedy"]
    assert not plan.slots.get("accepted_remedy")


# ---- a sentence beside the yes that only apologises or says something kind is no "other request" -------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("cs", "promin, ze jsem na zacatku tak vyjela"),
        ("pl", "sorki za ton wczesniej, nerwy mi puscily"),
        ("ru", "простите, что сорвался в начале"),
        ("ru", "prostite chto sorvalsja v nachale"),
        ("en", "sorry about my tone earlier"),
        ("cs", "Přeji pěkný večer!"),
        ("pl", "Udanego weekendu"),
        ("ru", "Сын будет очень рад"),
        ("de", "Meine Frau wird sich freuen."),
        ("uk", "і вибачте, що я так різко почав спочатку"),
        ("uk", "Гарного вечора!"),
        ("sq", "me falni qe u nxeha pak ne fillim"),
        ("sq", "Dite te mbare!"),
    ],
)
def test_an_apology_for_ones_tone_or_a_kind_word_is_courtesy(language: str, text: str) -> None:
    assert only_courtesy(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("cs", "promin, a kdy to prijde?"),
        ("pl", "przepraszam, ale wolalabym zwrot pieniedzy"),
        ("ru", "извините, а можно курьером?"),
        ("en", "sorry, but earlier I asked for my money back"),
    ],
)
def test_a_question_or_a_wish_is_not_courtesy(language: str, text: str) -> None:
    assert not only_courtesy(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("cs", "Dobře, beru. A ještě jednou promiň, že jsem na začátku vyjela."),
        ("ru", "Хорошо, давайте так. Сын будет очень рад."),
        ("pl", "Dobrze, zgadzam sie. Sorki za ton wczesniej, nerwy mi puscily."),
    ],
)
def test_a_yes_with_an_apology_or_a_kind_word_notes_no_other_request(trained: NLU, language: str, text: str) -> None:
    r = trained.parse(text, fallback_language=language)
    plan = flow.on_buyer_message(offered("replacement", language), r, POLICY, REMEDIES)
    assert plan.actions == ["action_confirm_remedy"]
    assert not plan.slots.get("side_request")


# ---- what went wrong: a lost parcel, a double charge, a coating peeling in use --------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "problem"),
    [
        ("cs", "balík se ztratil někde u dopravce", "lost_in_transit"),
        ("cs", "sledování stojí už deset dní", "lost_in_transit"),
        ("pl", "paczka nie dotarła, status stoi od tygodnia", "lost_in_transit"),
        ("ru", "трекинг молчит с прошлой среды", "lost_in_transit"),
        ("cs", "banka mi strhla dvakrát stejnou částku, strhl dvakrát 25 eur", "charged_twice"),
        ("pl", "z konta pobrali 2 razy po 30 zl", "charged_twice"),
        ("ru", "у меня двойное списание за один заказ", "charged_twice"),
    ],
)
def test_lost_parcels_and_double_charges_in_pl_cs_ru(trained: NLU, language: str, text: str, problem: str) -> None:
    assert problem in trained.parse(text, fallback_language=language).problems


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ru", "эмаль облезла через месяц"),
        ("pl", "powloka zaczela sie luszczyc po dwoch tygodniach"),
        ("cs", "po mesici se zacal odlupovat povrch, odloupl se kus"),
    ],
)
def test_a_coating_peeling_after_use_is_a_defect(language: str, text: str) -> None:
    assert failed_after_use(text, language)


# ---- the wish: the second payment back, some money back ------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "wish"),
    [
        ("cs", "vratte mi prosim tu druhou platbu", "refund"),
        ("pl", "prosze o zwrot nadplaty, reszta gra", "refund"),
        ("ru", "верните лишнее списание, остальное ок", "refund"),
        ("cs", "nechám si to, jen aspoň část peněz", "discount"),
        ("cs", "kdyby šla nějaká částka zpátky, bylo by to fér", "discount"),
    ],
)
def test_the_second_payment_back_and_part_of_the_money(language: str, text: str, wish: str) -> None:
    assert wish in wishes_named(text, language)[0]


# ---- "it's a bot, right? is there a normal person there?" asks who writes --------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("cs", "hele, je to bot, ze? je tam vubec zivy clovek?"),
        ("pl", "to jest bot, co? czy jest tam gdzies normalny czlowiek?"),
        ("ru", "это же бот? там вообще есть живой человек?"),
    ],
)
def test_is_there_a_person_there_asks_who_writes(language: str, text: str) -> None:
    assert asks_if_bot(text, language) and not asks_for_person(text, language)


# ---- a Polish letter settles Polish against Czech (and the other way round) ------------------------------------------


def test_a_letter_only_one_language_has_settles_polish_and_czech() -> None:
    assert detect_languages(["Krzesło ładne, ale ma rysę.", "Židle je hezká, ale má rýhu na opěradle."]) == ["pl", "cs"]


# ---- item words in Russian typed in Latin letters and in Polish ------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "item"),
    [
        ("ru", "ne prishel termometr", "Kids' bath thermometer, duck"),
        ("ru", "нет градусника в коробке", "Kids' bath thermometer, duck"),
        ("pl", "brytfanka przyszla peknieta", "Oval stoneware baking dish 22 cm"),
    ],
)
def test_item_words_name_the_order_line(trained: NLU, language: str, text: str, item: str) -> None:
    items = ("Kids' bath thermometer, duck", "Bath toy storage net", "Oval stoneware baking dish 22 cm")
    r = trained.parse(text, fallback_language=language, items=items)
    assert item in [e.value for e in r.entities if e.entity == "item"]


# ---- "that's enough for me", "agreed" to an offer ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "said"),
    [
        ("cs", "dobře, to mi úplně stačí", "yes"),
        ("cs", "to je férové, díky", "yes"),
        ("cs", "to mi nestačí", None),
        ("ru", "ладно, по рукам", "yes"),
        ("ru", "такой вариант меня устраивает", "yes"),
        ("ru", "такое не сойдёт", "no"),
    ],
)
def test_thats_enough_and_agreed_answer_an_offer(language: str, text: str, said: str | None) -> None:
    from bot.understanding.answers import yes_no

    assert yes_no(text, language) == said


# ---- "I have photos, I can send them here" keeps the wish the letter asked for --------------------------------------


@pytest.mark.parametrize(
    ("language", "letter", "photo"),
    [
        (
            "cs",
            "Dobrý den, stojan na kola přišel ohnutý, jedna noha je zkroucená. Žádám o vrácení peněz, prosím.",
            "Mám dvě fotky stojanu. Můžu je poslat sem.",
        ),
        (
            "pl",
            "Dzień dobry, suszarka na pranie przyszła wygięta, jedna noga krzywa. Proszę o zwrot pieniędzy.",
            "Mam zdjęcia suszarki. Mogę je tu wysłać.",
        ),
    ],
)
def test_a_photo_offered_does_not_replace_the_wish_asked_for(
    trained: NLU, language: str, letter: str, photo: str
) -> None:
    s = flow.State(Stage.CONTACTED, {"language": language}, facts(topic="product", days_since_delivery=3))
    for text in (letter, photo):
        plan = flow.on_buyer_message(s, trained.parse(text, fallback_language=language), POLICY, REMEDIES)
        s = flow.State(plan.stage, {**s.slots, **plan.slots}, s.facts)
    assert s.get("wants") == "refund"


# ---- "the coupon is no use to me", "shall I throw the broken one away or send it back?" ------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [("cs", "kupon je mi k ničemu, radši peníze"), ("ru", "купон мне ни к чему, лучше деньги")],
)
def test_a_coupon_said_to_be_no_use_is_turned_down(language: str, text: str) -> None:
    assert "discount" in declined_wishes(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "dobrze, dzieki. a ta stara lampe mam wyrzucic czy odeslac?"),
        ("cs", "ok, beru. a ten stary mam vyhodit, nebo poslat zpet?"),
    ],
)
def test_throw_away_or_send_back_asks_a_duty_and_wishes_no_return(language: str, text: str) -> None:
    from bot.understanding.answers import asks_what_to_do

    assert asks_what_to_do(text, language) and "return" not in wishes_named(text, language)[0]


# ---- "change it for the right one" (меняйте, поміняйте) accepts the exchange offered ------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [("ru", "ну ладно, поменяйте на синюю"), ("uk", "гаразд, поміняйте на правильний розмір")],
)
def test_change_it_accepts_the_exchange(trained: NLU, language: str, text: str) -> None:
    assert "replacement" in wishes_named(text, language)[0]
    plan = flow.on_buyer_message(
        offered("reship", language), trained.parse(text, fallback_language=language), POLICY, REMEDIES
    )
    assert plan.actions == ["action_confirm_remedy"]


# ---- "ok. but back to my problem..." asks for the offer again; said twice, it is still no yes ----------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("cs", "jasně. ale vraťme se k té mé reklamaci..."),
        ("ru", "ясно. возвращаясь к моему заказу..."),
        ("pl", "ok. wracajac do mojego zamowienia..."),
    ],
)
def test_back_to_my_problem_is_no_yes_even_after_the_offer_was_told_again(
    trained: NLU, language: str, text: str
) -> None:
    from bot.understanding.answers import asks_what_next

    assert asks_what_next(text, language)
    for restated in (False, True):
        state = offered("replacement", language, offer_restated=restated)
        plan = flow.on_buyer_message(state, trained.parse(text, fallback_language=language), POLICY, REMEDIES)
        assert plan.actions != ["action_confirm_remedy"] and not plan.slots.get("accepted_remedy")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "dobrze dziekuje a ta stara mam wyrzucic czy odeslac"),
        ("cs", "dobre dekuju a ten stary mam vyhodit nebo poslat zpet"),
    ],
)
def test_throw_away_or_send_back_dictated_without_a_question_mark_wishes_no_return(language: str, text: str) -> None:
    assert "return" not in wishes_named(text, language)[0]
    assert (
        "return" in wishes_named("prosze odeslac kurierem" if language == "pl" else "chci to poslat zpet", language)[0]
    )
