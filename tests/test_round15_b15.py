"""Readers and data added for the failures of held-out round 15 (data/eval/buyers_heldout14, pl/fr/sv, wt-b15).
Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.platform.folding import fold
from bot.platform.vocab import Stage
from bot.understanding.answers import (
    asks_how_to_send_photo,
    asks_if_bot,
    asks_whole_price,
    follow_up_answer,
    photo_given,
    puts_off,
)
from bot.understanding.nlu import NLU
from bot.understanding.opt_out import said_in_words
from bot.understanding.risk_things import names_a_thing
from tests.test_flow import state, turn

# ---- a risk word inside a thing's name ("straż pożarna", "fire pit", "пожарная машинка") is no danger ----------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "wóz straży pożarnej dla wnuka dotarł po świętach, czekaliśmy dwa tygodnie"),
        ("pl", "zamówiłam autko pożarne z drabiną, a przyszła sama drabina"),
        ("ru", "игрушечная пожарная машинка пришла с отломанной лестницей"),
        ("ru", "заказали сыну пожарную станцию, доставка шла три недели"),
        ("en", "the fire pit arrived with a dent in the bowl"),
        ("en", "the smoked glass shade came in pieces"),
        ("en", "my smoker box was missing its lid"),
    ],
)
def test_a_things_name_is_no_safety_risk(trained: NLU, language: str, text: str) -> None:
    assert trained.parse(text, fallback_language=language).risks == []


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "ładowarka zaczęła dymić i był mały pożar na biurku"),
        ("pl", "w kuchni wybuchł pożar przez ten czajnik"),
        ("ru", "обогреватель вызвал пожар в комнате"),
        ("en", "the fire pit tipped over and caught fire on the decking"),
        ("en", "the toaster caught fire the first time I used it"),
    ],
)
def test_a_real_danger_beside_or_without_a_name_still_counts(trained: NLU, language: str, text: str) -> None:
    assert "safety" in trained.parse(text, fallback_language=language).risks


def test_the_name_must_cover_the_risk_phrase() -> None:
    folded = fold("a fire pit and a fire in the garden")[0]
    first = folded.index("fire")
    second = folded.index("fire", first + 1)
    assert names_a_thing(folded, first, first + 4)
    assert not names_a_thing(folded, second, second + 4)


# ---- "is it a program answering at this hour, or a real person?" asks who writes; it is no request for a person ------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "c'est un programme qui tourne la nuit ou une vraie personne derrière ?"),
        ("fr", "est-ce une machine qui me lit le soir, ou bien quelqu'un de chez vous ?"),
        ("pl", "bot mi tu odpowiada w nocy czy człowiek?"),
        ("pl", "to jakiś program pisze o tej porze, czy osoba z obsługi?"),
        ("sv", "svarar en robot mitt i natten eller sitter det nån där på riktigt?"),
        ("sv", "är det ett program som skriver eller en människa?"),
    ],
)
def test_program_or_person_at_night_is_answered_and_the_chat_goes_on(language: str, text: str) -> None:
    assert asks_if_bot(text, language)
    s = state(Stage.GATHERING, language=language, requested_slot="outcome", problems=["late"])
    plan = turn(s, intent="ask_human", confidence=0.8, text=text, language=language)
    assert plan.actions[0] == "action_answer_question" and plan.stage == Stage.GATHERING
    assert plan.slots.get("question") == "identity"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "mon robot pâtissier tourne mal, ou quelqu'un peut m'aider ?"),
        ("pl", "robot kuchenny nie działa, czy ktoś mi pomoże?"),
        ("sv", "robotdammsugaren är trasig, eller kan någon hjälpa?"),
    ],
)
def test_a_robot_the_shop_sells_is_no_question_about_who_writes(language: str, text: str) -> None:
    assert not asks_if_bot(text, language)


# ---- "25% is a joke after all these years, I want all of it" refuses the partial refund; its share asks nothing ------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "25% to kpina po tylu latach zakupow u was. chce calosc"),
        ("pl", "dwadzieścia procent? śmiech na sali, zwróćcie całą kwotę"),
        ("sv", "30 procent är ett skämt efter alla år jag handlat, jag vill ha hela beloppet"),
        ("sv", "tjugo procent? nej, ge mig allt tillbaka"),
        ("fr", "30 % c'est une plaisanterie vu tout ce que j'achète chez vous, je veux la totalité"),
        ("fr", "vingt pour cent ? remboursez-moi tout, c'est tout ce que je demande"),
    ],
)
def test_the_whole_price_asked_refuses_the_partial_refund(language: str, text: str) -> None:
    assert asks_whole_price(text, language)
    s = state(
        Stage.PROPOSING,
        language=language,
        what="cracked",
        item="lamp",
        wants="refund",
        problems=["damaged"],
        proposed_remedy={"type": "refund_partial", "amount": "30.00"},
    )
    for intent in ("request_discount", "affirm"):
        plan = turn(s, intent=intent, confidence=0.5, language=language, text=text)
        assert "action_confirm_remedy" not in plan.actions and "accepted_remedy" not in plan.slots


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "może być ta część zwrotu, dzięki"),
        ("sv", "okej, en del av pengarna tillbaka funkar"),
        ("fr", "d'accord pour le remboursement partiel"),
        ("fr", "je veux tout de suite savoir quand ça arrive"),
    ],
)
def test_a_share_accepted_or_tout_de_suite_is_no_whole_price(language: str, text: str) -> None:
    assert not asks_whole_price(text, language)


# ---- "how do I attach a photo here?" offers the photo: "send it here", not a policy passage; nothing is given yet ----


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("sv", "hur laddar jag upp en bild här i chatten?"),
        ("sv", "var skickar man fotot? jag har ett på lådan"),
        ("pl", "jak tu dodać zdjęcie? nie widzę żadnej opcji"),
        ("pl", "gdzie mam podesłać fotkę pęknięcia?"),
        ("fr", "comment je joins une photo dans ce chat ?"),
        ("fr", "où est-ce que je mets la photo du carton ?"),
        ("en", "how do I upload a picture in here?"),
    ],
)
def test_how_to_send_a_photo_asks_to_send_it_and_gives_nothing_yet(language: str, text: str) -> None:
    assert asks_how_to_send_photo(text, language)
    assert not photo_given(text, language)
    s = state(Stage.GATHERING, language=language, requested_slot="evidence", asked=["evidence"], problems=["damaged"])
    plan = turn(s, intent="ask_policy", confidence=0.6, text=text, language=language)
    assert plan.actions[0] == "action_acknowledge" and plan.slots.get("photo_offered")
    assert "action_answer_question" not in plan.actions


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("sv", "bilden ligger i min recension sedan i måndags"),
        ("pl", "zdjęcie jest już w mojej opinii"),
        ("fr", "la photo est déjà dans mon avis"),
    ],
)
def test_a_photo_given_elsewhere_is_still_given(language: str, text: str) -> None:
    assert not asks_how_to_send_photo(text, language)
    assert photo_given(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "¿puedo pasaros las fotos por aquí mismo?"),
        ("sq", "a mund t'jua dergoj foton ketu?"),
        ("sv", "går det att skicka en bild här i chatten?"),
        ("pl", "mogę tu wrzucić zdjęcie?"),
        ("ru", "а снимок, сделанный до починки, сгодится или нужен свежий?"),
    ],
)
def test_a_photo_question_while_an_offer_waits_is_answered_and_the_offer_asked_again(language: str, text: str) -> None:
    # Read as an unsure answer (an ask_policy reading is answered before the offer is weighed: by_stage).
    s = state(Stage.PROPOSING, language=language, proposed_remedy={"type": "replacement"}, problems=["damaged"])
    plan = turn(s, intent="deny", confidence=0.4, text=text, language=language)
    assert plan.actions == ["action_acknowledge", "action_propose_remedy"] and plan.slots["photo_offered"]
    assert "accepted_remedy" not in plan.slots and plan.slots["evidence"] == "yes"


# ---- "only 5 of the 10 plates" is a missing item; a snapped-off hook, a handle come loose are damage -----------------


@pytest.mark.parametrize(
    ("language", "text", "problem"),
    [
        ("pl", "przyszło tylko 5 z 10 talerzy, reszty nie ma", "missing_item"),
        ("sv", "i kartongen låg bara fyra av tolv koppar", "missing_item"),
        ("fr", "il n'y avait que deux des six assiettes dans le colis", "missing_item"),
        ("de", "im Paket waren nur drei von sechs Tellern", "missing_item"),
        ("sv", "det fattades två hyllplan i paketet", "missing_item"),
        ("pl", "jedna noga była ułamana przy samym blacie", "damaged"),
        ("pl", "na dnie miski widać pęknięcie, cieknie", "damaged"),
        ("sv", "det handlar bara om förseningen", "late"),
        ("pl", "uchwyt szuflady oderwany, leżał luzem w kartonie", "damaged"),
        ("sv", "handtaget hade släppt från locket när jag öppnade lådan", "damaged"),
    ],
)
def test_a_short_count_is_missing_and_a_part_broken_off_is_damage(
    trained: NLU, language: str, text: str, problem: str
) -> None:
    assert problem in trained.parse(text, fallback_language=language).problems


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "zamówiłam 2 z 3 kolorów, ale to nic"),
        ("sv", "jag har släppt det nu, det är lugnt"),
    ],
)
def test_no_count_short_of_a_whole_and_letting_go_are_no_problem(trained: NLU, language: str, text: str) -> None:
    assert "missing_item" not in trained.parse(text, fallback_language=language).problems
    assert "damaged" not in trained.parse(text, fallback_language=language).problems


# ---- "stop soliciting me in any way", "no further contact", "don't get in touch again": requests to stop, said whole -


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "je vous demande de ne plus me solliciter pour cette commande, merci"),
        ("fr", "ne me relancez plus, j'ai tourné la page"),
        ("pl", "proszę o brak dalszego kontaktu w tej sprawie"),
        ("sv", "hör inte av er mer, jag har gett upp"),
    ],
)
def test_a_request_to_stop_said_whole_counts(trained: NLU, language: str, text: str) -> None:
    assert said_in_words(text)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "le robot a cessé de fonctionner, il ne tourne plus"),
        ("pl", "brak kontaktu z kurierem od tygodnia"),
        ("sv", "jag hör av mig när paketet har kommit"),
    ],
)
def test_look_alikes_are_no_request_to_stop(trained: NLU, language: str, text: str) -> None:
    assert not said_in_words(text)


# ---- "4,95 reçus, merci", "fick 4,95 tillbaka" answer the follow-up: the remedy worked -------------------------------


@pytest.mark.parametrize(
    ("language", "text", "answer"),
    [
        ("fr", "les 12,40 reçus hier, merci bien", "worked"),
        ("fr", "8 € bien remboursés sur ma carte", "worked"),
        ("sv", "fick 12,40 tillbaka igår, tack", "worked"),
        ("sv", "har fått pengarna nu", "worked"),
        ("sv", "har inte fått pengarna än", "waiting"),
        ("fr", "rien reçu pour l'instant", "waiting"),
        ("sv", "fick tillbaka bara hälften", "failed"),
    ],
)
def test_the_sum_received_answers_the_follow_up(language: str, text: str, answer: str) -> None:
    assert follow_up_answer(text, language) == answer


@pytest.mark.parametrize(
    ("language", "text"), [("sv", "fick inget tillbaka"), ("sv", "jag fick aldrig tillbaka något")]
)
def test_nothing_got_back_is_no_success(language: str, text: str) -> None:
    assert follow_up_answer(text, language) != "worked"


# ---- "I'm away till Monday, can it wait?" puts the talk off; the day named is the wait's end, no date of the case ----


@dataclass
class _Dated:
    entity: str
    value: str
    start: int
    end: int


def _day(text: str, word: str) -> _Dated:
    start = text.index(word)
    return _Dated("date", "2026-12-07", start, start + len(word))


@pytest.mark.parametrize(
    ("language", "text", "day"),
    [
        ("sv", "jag är på resa fram till måndag, kan det vänta tills jag är hemma igen?", "måndag"),
        ("pl", "wracam dopiero w poniedziałek, może to poczekać?", "poniedziałek"),
        ("fr", "je suis en vacances jusqu'à mardi, ça peut attendre ?", "mardi"),
        ("en", "I'm travelling until Sunday, can this wait?", "Sunday"),
    ],
)
def test_away_till_a_day_puts_the_talk_off_and_the_offer_stays(language: str, text: str, day: str) -> None:
    assert puts_off(text, language)
    s = state(Stage.PROPOSING, language=language, proposed_remedy={"type": "refund_shipping"}, problems=["late"])
    plan = turn(s, intent="ask_policy", confidence=0.5, text=text, language=language, entities=[_day(text, day)])
    assert plan.actions == ["action_acknowledge"] and plan.slots.get("later")
    assert plan.stage == Stage.PROPOSING and "accepted_remedy" not in plan.slots


@pytest.mark.parametrize(
    ("language", "text", "day"),
    [
        ("sv", "paketet kom först i måndags, jag är bortrest nu men kan det vänta?", "måndags"),
        ("pl", "przyszło w piątek, a ja wyjeżdżam, może poczekać?", "piątek"),
    ],
)
def test_a_delivery_date_beside_the_put_off_is_still_a_fact(language: str, text: str, day: str) -> None:
    s = state(Stage.GATHERING, language=language, requested_slot="when", problems=["late"])
    plan = turn(s, intent="describe_problem", confidence=0.6, text=text, language=language, entities=[_day(text, day)])
    assert plan.reason != "put_off"


# ---- a dispute already open at the bank or PayPal: the double-charge section says what becomes of it (all languages)


@pytest.mark.parametrize("language", ["en", "pl", "sv", "fr", "de", "es", "it", "cs", "ru", "uk", "sq"])
def test_the_double_charge_section_tells_a_buyer_with_an_open_dispute(language: str) -> None:
    text = (Path(__file__).resolve().parents[1] / "knowledge" / language / "payments.md").read_text(encoding="utf-8")
    section = re.split(r"\n## ", text.split("{#charged-twice}" if language != "en" else "## Charged twice", 1)[1])[0]
    questions, _, body = section.partition("-->")
    assert questions.count("\n- ") >= 5  # the question of a buyer with an open dispute is listed, and leads here
    assert "PayPal" in body and body.count("\n\n") >= 2  # the answer is a paragraph of its own


# ---- the known problem told again to an offer (after a put-off) gets the offer again, once, not "please rephrase" ----


@pytest.mark.parametrize(
    ("language", "text", "problems"),
    [
        ("sv", "det var bara leveranstiden, själva lampan är hel", ["late"]),
        ("pl", "chodzi tylko o opóźnienie, sam stolik jest w porządku", ["late"]),
        ("fr", "c'est juste l'éclat sur le bord, le reste va bien", ["damaged"]),
    ],
)
def test_the_known_problem_told_again_restates_the_offer_once(language: str, text: str, problems: list[str]) -> None:
    s = state(Stage.PROPOSING, language=language, proposed_remedy={"type": "refund_shipping"}, problems=problems)
    plan = turn(s, intent="describe_problem", confidence=0.6, text=text, language=language, problems=problems)
    assert plan.actions == ["action_propose_remedy"] and plan.reason == "offer_restated"
    assert "accepted_remedy" not in plan.slots
    again = turn(
        state(Stage.PROPOSING, **{**s.slots, **plan.slots}),
        intent="describe_problem",
        confidence=0.6,
        text=text,
        language=language,
        problems=problems,
    )
    assert again.reason != "offer_restated"


def test_a_new_problem_told_to_an_offer_is_not_the_offer_restated() -> None:
    s = state(Stage.PROPOSING, language="sv", proposed_remedy={"type": "refund_shipping"}, problems=["late"])
    plan = turn(s, intent="describe_problem", text="och locket är sprucket också", language="sv", problems=["damaged"])
    assert plan.reason != "offer_restated"
