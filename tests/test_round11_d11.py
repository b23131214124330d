"""Readers and flow rules added for the failures of held-out round 11 (data/eval/buyers_heldout10, uk/sq, wt-d11).
Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

import pytest

from bot.conversation.opt_out_doubts import stop_before_bot_question
from bot.platform.vocab import Stage
from bot.understanding.answers import asks_what_next, revision_answer, wishes_in
from bot.understanding.nlu import NLU
from bot.understanding.opt_out import said_in_words
from bot.understanding.request_words import asks_in_words
from bot.understanding.sentences import Sentence
from tests.test_flow import state, turn


def split(text: str, *readings: tuple[str, str, float]) -> tuple[Sentence, ...]:
    """The sentences of `text` as the NLU would read them one by one: (sentence, intent, confidence)."""
    out, at = [], 0
    for part, intent, confidence in readings:
        start = text.index(part, at)
        out.append(Sentence(part, start, start + len(part), intent, confidence))
        at = start + len(part)
    return tuple(out)


# ---- a request to stop in so many words, read by the classifier as something else ---------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "ні, дякую. більше мене не турбуйте, ні в чаті, ні листами"),
        ("uk", "викресліть мене з усіх ваших списків, будь ласка"),
        ("sq", "jo faleminderit. mos me shqetesoni me, as ketu as ne email"),
        ("sq", "harrojeni numrin tim, ju lutem"),
    ],
)
def test_a_stop_said_in_words_is_asked_about_whatever_the_classifier_read(language: str, text: str) -> None:
    assert said_in_words(text, ())
    s = state(Stage.GATHERING, language=language, requested_slot="evidence", problems=["wrong_item"])
    plan = turn(s, intent="deny", confidence=0.6, text=text, language=language)
    assert plan.actions == ["action_opt_out_check"]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "ні, дякую, годі вже. надалі мене не турбуйте"),
        ("sq", "jo, mjaft. mos me shqetesoni me"),
    ],
)
def test_the_stop_said_again_answers_the_check_with_a_yes_even_after_no_thanks(language: str, text: str) -> None:
    assert said_in_words(text, ())
    s = state(Stage.GATHERING, language=language, requested_slot="outcome", opt_out_check="ask")
    plan = turn(s, intent="deny", confidence=0.7, text=text, language=language)
    assert plan.actions == ["action_opt_out_confirm"] and plan.stage == Stage.CLOSED


@pytest.mark.parametrize(
    ("language", "text"),
    [("uk", "ні, продовжуйте, будь ласка"), ("sq", "jo, vazhdoni")],
)
def test_a_plain_no_to_the_check_still_carries_on(language: str, text: str) -> None:
    s = state(Stage.GATHERING, language=language, requested_slot="outcome", opt_out_check="ask")
    plan = turn(s, intent="deny", confidence=0.8, text=text, language=language)
    assert plan.stage != Stage.CLOSED and "action_opt_out_confirm" not in plan.actions


@pytest.mark.parametrize(
    ("language", "text", "first"),
    [
        ("uk", "stop, tut vzagali bot vidpovidaie chy zhyva liudyna?", "stop"),
        ("uk", "стоп, це бот пише чи людина?", "стоп"),
        ("sq", "ndalo, me shkruan njeri apo bot?", "ndalo"),
    ],
)
def test_stop_before_a_bot_question_answers_the_question(language: str, text: str, first: str) -> None:
    rest = text[len(first) + 2 :]
    sentences = split(text, (first, "opt_out", 0.9), (rest, "ask_human", 0.6))
    assert stop_before_bot_question(text, sentences, language)
    s = state(Stage.FOLLOW_UP, language=language)
    plan = turn(s, intent="ask_human", confidence=0.45, text=text, language=language, sentences=sentences)
    assert "action_opt_out_check" not in plan.actions and plan.actions[0] == "action_answer_question"


def test_stop_with_a_bot_question_and_a_request_to_stop_is_no_interjection() -> None:
    text = "стоп. ви бот? не пишіть мені більше"
    sentences = split(text, ("стоп.", "opt_out", 0.9), ("ви бот?", "ask_human", 0.6), ("не пишіть", "opt_out", 0.7))
    assert not stop_before_bot_question(text, sentences, "uk")


# ---- the wish that closes a formal letter --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "last", "wish"),
    [
        (
            "uk",
            "Доброго дня. Замовлення 40112 прийшло 1 грудня, сковорідка ціла, а кришка розбита. "
            "Прошу надіслати нову кришку.",
            "Прошу надіслати нову кришку.",
            "part",
        ),
        (
            "sq",
            "Te nderuar, porosia 8812 erdhi me 30 nentor. Shuma u terhoq dy here nga karta. "
            "Pagesa e teperte duhet kthyer.",
            "Pagesa e teperte duhet kthyer.",
            "refund",
        ),
    ],
)
def test_the_wish_closing_a_letter_is_taken_not_asked_again(language: str, text: str, last: str, wish: str) -> None:
    assert asks_in_words(last, language)
    head = text[: text.index(last)].rstrip()
    sentences = split(text, (head, "describe_problem", 0.7), (last, "describe_problem", 0.2))
    s = state(language=language)
    plan = turn(s, intent="describe_problem", confidence=0.75, text=text, language=language, sentences=sentences)
    assert plan.slots.get("wants") == wish


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "Кришка прийшла розбита, будь ласка, подивіться фото."),
        ("sq", "Kapaku erdhi i thyer, ju lutem shikoni foton."),
    ],
)
def test_a_request_word_without_a_wish_asks_for_nothing(language: str, text: str) -> None:
    assert not wishes_in(text, language)[0]


# ---- the thing named in a multi-item order, in the buyer's language ------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "items", "meant"),
    [
        (
            "uk",
            "не було фартушка для малої",
            ("Kids' paint set, 12 colours", "Kitchen apron, linen"),
            "Kitchen apron, linen",
        ),
        ("pl", "brakowało fartucha", ("Kitchen apron, linen", "Oven gloves, pair"), "Kitchen apron, linen"),
        (
            "sq",
            "abazhuri erdhi i plasaritur",
            ("Glass lamp shade 20 cm", "Ceiling hook, brass"),
            "Glass lamp shade 20 cm",
        ),
        (
            "de",
            "der Lampenschirm hat einen Sprung",
            ("Glass lamp shade 20 cm", "Ceiling hook, brass"),
            "Glass lamp shade 20 cm",
        ),
    ],
)
def test_an_apron_and_a_shade_are_named_in_any_language(
    trained: NLU, language: str, text: str, items: tuple[str, ...], meant: str
) -> None:
    found = [
        e.value for e in trained.parse(text, fallback_language=language, items=items).entities if e.entity == "item"
    ]
    assert found == [meant]


# ---- one line of a multi-item order missing, a parcel lost, a crack ------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "problem"),
    [
        ("uk", "в посилці одного нема, забули покласти мабуть", "missing_item"),
        ("ru", "одну вещь не доложили в коробку", "missing_item"),
        ("sq", "pakoja ka humbur rruges, s'ka levizur prej 10 ditesh", "lost_in_transit"),
        ("sq", "dergesa ka ngecur diku, asnje levizje", "lost_in_transit"),
        ("uk", "глечик приїхав, а на ньому тріщину видно одразу", "damaged"),
        ("sq", "vazoja erdhi e plasaritur ne fund", "damaged"),
    ],
)
def test_a_missing_line_and_a_lost_parcel_are_read(trained: NLU, language: str, text: str, problem: str) -> None:
    assert problem in trained.parse(text, fallback_language=language).problems


# ---- "maybe I'll change it when I have time" answers the review question ---------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "може й оновлю відгук, коли буде час"),
        ("uk", "може колись допишу, як час з'явиться"),
        ("sq", "ndoshta e perditesoj kur te gjej kohe"),
        ("sq", "kur te kem kohe e shoh"),
    ],
)
def test_maybe_later_when_i_have_time_is_a_later(language: str, text: str) -> None:
    assert revision_answer(text, language) == "later"


# ---- "so what about the payment?" after an answered question ---------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "ок, ясно. а що ж із поверненням коштів?"),
        ("uk", "добре. то що з тією заміною?"),
        ("uk", "ok, a shcho z povernenniam?"),
        ("sq", "mire. po me rimbursimin si behet?"),
        ("sq", "ok. dhe me pagesen cfare ndodh?"),
    ],
)
def test_what_about_the_money_asks_for_the_offer_again(language: str, text: str) -> None:
    assert asks_what_next(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [("uk", "що з доставкою було не так, я не знаю"), ("sq", "me paret ishte gjithcka ne rregull")],
)
def test_a_statement_about_the_money_asks_nothing(language: str, text: str) -> None:
    assert not asks_what_next(text, language)


@pytest.mark.parametrize(
    ("language", "text", "last"),
    [
        (
            "uk",
            "Вітаю, за замовлення зняли гроші двічі. Прошу повернути друге списання.",
            "Прошу повернути друге списання.",
        ),
        ("sq", "Miredita, karta u tarifua dy here. Shuma e dyte duhet kthyer.", "Shuma e dyte duhet kthyer."),
    ],
)
def test_a_wish_asked_without_a_question_mark_is_no_question(language: str, text: str, last: str) -> None:
    """Read as ask_policy (0.7) it was answered with the double-charge passage before the refund was offered."""
    head = text[: text.index(last)].rstrip()
    sentences = split(text, (head, "describe_problem", 0.7), (last, "ask_policy", 0.75))
    s = state(language=language)
    plan = turn(s, intent="describe_problem", confidence=0.6, text=text, language=language, sentences=sentences)
    assert "action_answer_question" not in plan.actions and plan.slots.get("wants") == "refund"


# ---- "that is enough for me" to an offer: a yes, not a doubt about stopping ------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "first"),
    [
        ("sq", "Kaq me mjafton. Faleminderit shume.", "Kaq me mjafton."),
        ("uk", "Мені цього достатньо. Дякую.", "Мені цього достатньо."),
    ],
)
def test_enough_for_me_accepts_the_offer(language: str, text: str, first: str) -> None:
    sentences = split(text, (first, "opt_out", 0.62), (text[len(first) + 1 :], "thank", 0.8))
    offer = {"type": "apology_only", "rule_id": "rude-support-apology"}
    s = state(Stage.PROPOSING, language=language, proposed_remedy=offer, problems=["support_rude"], wants="apology")
    plan = turn(s, intent="thank", confidence=0.7, text=text, language=language, sentences=sentences)
    assert "action_opt_out_check" not in plan.actions


def test_ok_then_stop_at_an_offer_is_still_asked_about() -> None:
    text = "ok. STOP"
    sentences = split(text, ("ok.", "affirm", 0.8), ("STOP", "opt_out", 0.95))
    s = state(Stage.PROPOSING, language="en", proposed_remedy={"type": "coupon"}, problems=["late"], wants="discount")
    plan = turn(s, intent="opt_out", confidence=0.5, text=text, language="en", sentences=sentences)
    assert plan.actions[0] in ("action_opt_out_check", "action_opt_out_confirm")


# ---- a device that switches itself off is a fault, not a request to stop (a11's note) --------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "der Mixer geht nach ein paar Sekunden einfach aus und riecht verbrannt"),
        ("en", "the heater keeps cutting out after a minute"),
        ("uk", "обігрівач сам вимикається через хвилину"),
        ("sq", "ngrohesi fiket vete pas nje minute"),
    ],
)
def test_a_device_switching_itself_off_raises_no_stop_doubt(language: str, text: str) -> None:
    s = state(Stage.GATHERING, language=language, requested_slot="what", problems=["defect"])
    for confidence in (0.45, 0.7):
        plan = turn(s, intent="opt_out", confidence=confidence, text=text, language=language)
        assert plan.actions[0] not in ("action_opt_out_check", "action_opt_out_confirm")


def test_a_device_switching_off_beside_a_request_to_stop_still_stops() -> None:
    text = "it keeps switching itself off. and stop writing to me"
    s = state(Stage.GATHERING, language="en", requested_slot="what", problems=["defect"])
    plan = turn(s, intent="opt_out", confidence=0.8, text=text, language="en")
    assert plan.actions == ["action_opt_out_confirm"]


# ---- request words of other languages (b11's note): the letter's closing wish ---------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "wish"),
    [
        ("es", "Les ruego que me manden una nueva.", "replacement"),
        ("it", "Chiedo gentilmente il rimborso del prezzo.", "refund"),
        ("sv", "Jag begär återbetalning av hela summan.", "refund"),
    ],
)
def test_request_words_of_es_it_sv(language: str, text: str, wish: str) -> None:
    assert asks_in_words(text, language) and wish in wishes_in(text, language)[0]
