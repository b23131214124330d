"""Readers and flow rules added for the failures of held-out round 12 (data/eval/buyers_heldout11, uk/sq, wt-d12).
Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

import pytest

from bot.conversation.haggle import refuses_sum, sums_asked
from bot.platform.vocab import Stage
from bot.understanding.answers import asks_what_next, revision_answer
from bot.understanding.colour_swap import colour_swapped
from bot.understanding.nlu import NLU, Entity
from bot.understanding.opt_out import default_rules, is_clear_opt_out
from tests.test_flow import state, turn

# ---- "don't write at night, mornings are fine" limits the hours; it asks for no silence ----------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "добре, хай так. лише не пишіть мені після опівночі, зранку можна"),
        ("uk", "ввечері мене не турбуйте, я на зміні, а вдень пишіть"),
        ("sq", "dakord. vetem mos me dergoni mesazhe naten, diten po"),
        ("sq", "mos me shqetesoni ne mbremje, ne mengjes jam e lire"),
        ("ru", "только ночью не пишите, утром нормально"),
        ("en", "fine. just don't text me after midnight, daytime is ok"),
    ],
)
def test_a_request_about_hours_is_no_opt_out_and_not_asked_about(language: str, text: str) -> None:
    rules = default_rules()
    assert rules.limits_hours(text)
    assert not is_clear_opt_out(text, "opt_out", 0.75, 0.3)
    s = state(Stage.GATHERING, language=language, requested_slot="when", problems=["damaged"])
    plan = turn(s, intent="opt_out", confidence=0.75, text=text, language=language)
    assert plan.stage != Stage.CLOSED
    assert "action_opt_out_confirm" not in plan.actions and "action_opt_out_check" not in plan.actions


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "не пишіть мені ні вночі, ні вдень, взагалі ніколи"),
        ("uk", "не пишіть мені більше, навіть увечері"),
        ("sq", "mos me shkruani kurre, as naten as diten"),
        ("en", "don't text me ever again, not even at night"),
    ],
)
def test_every_hour_or_any_more_still_stops(language: str, text: str) -> None:
    assert not default_rules().limits_hours(text)
    assert is_clear_opt_out(text, "opt_out", 0.75, 0.3)


# ---- a chip knocked off, a heater that went off, more than the checkout said ----------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "problem"),
    [
        ("uk", "у тарілки відбитий шматочок краю", "damaged"),
        ("uk", "глечик прийшов зі щербиною на носику", "damaged"),
        ("ru", "на блюдце скол по краю", "damaged"),
        ("sq", "radiatori u fik dhe s'ka me drite", "defect"),
        ("sq", "llamba ndaloi fare pas dy mbremjesh", "defect"),
        ("sq", "ne banke paguam me shume se ne arke, 4 euro", "hidden_cost"),
        ("uk", "з картки зняли більше ніж було в кошику", "hidden_cost"),
    ],
)
def test_problem_words_found(trained: NLU, language: str, text: str, problem: str) -> None:
    assert problem in trained.parse(text, fallback_language=language).problems


# ---- another colour than ordered ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "дали жовту. я замовляла червону"),
        ("uk", "обрав сірий, а приїхав коричневий"),
        ("sq", "erdhi kafe, une porosita gri"),
        ("sq", "zgjodha te kuqe. me erdhen roze"),
        ("en", "ordered the green one, a yellow one came"),
    ],
)
def test_two_colours_with_ordering_and_arriving_are_a_wrong_item(trained: NLU, language: str, text: str) -> None:
    assert colour_swapped(text)
    assert "wrong_item" in trained.parse(text, fallback_language=language).problems


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "замовила сині й зелені, прийшли обидві"),  # both colours ordered
        ("uk", "замовляла білу, прийшла біла, все гарно"),  # one colour
        ("sq", "porosita blu dhe gri, erdhen te dyja"),
        ("sq", "kjo e zeza me pelqen me shume se e bardha"),  # no ordering, no arriving
    ],
)
def test_colours_that_tell_no_swap(language: str, text: str) -> None:
    assert not colour_swapped(text)


# ---- "back to my question" asks for the offer again ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "ок, дякую. повернімося до мого замовлення"),
        ("uk", "зрозуміло, давайте повернемося до справи"),
        ("sq", "mire. le te kthehemi te ceshtja ime"),
        ("ru", "ладно, возвращаемся к моему заказу"),
    ],
)
def test_back_to_my_question_asks_what_next(language: str, text: str) -> None:
    assert asks_what_next(text, language)


# ---- "I'll think about it" to the review question ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [("sq", "hmm, do e mendoj pak"), ("sq", "do ta shoh me vone, tani jam ne pune"), ("uk", "подумаю ще, не зараз")],
)
def test_thinking_about_the_review_is_later(language: str, text: str) -> None:
    assert revision_answer(text, language) == "later"


# ---- the offer's sum said back as a question and refused is no ask -------------------------------------------------


def _sum(text: str, said: str, value: str) -> Entity:
    start = text.index(said)
    return Entity("amount", value, start, start + len(said))


@pytest.mark.parametrize(
    ("language", "text", "said", "value"),
    [
        ("sq", "5 euro? jo, kjo s'mjafton, dua gjithe parate", "5 euro", "5.00 EUR"),
        ("uk", "7,50 євро? ні, я хочу повернення повністю", "7,50 євро", "7.50 EUR"),
        ("en", "4 EUR? no, the whole price please", "4 EUR", "4.00 EUR"),
    ],
)
def test_a_sum_questioned_and_refused_is_no_ask(language: str, text: str, said: str, value: str) -> None:
    assert sums_asked([_sum(text, said, value)], "EUR", text, language) == ()


@pytest.mark.parametrize(
    ("language", "text", "said", "value"),
    [
        ("sq", "5 euro? po, ne rregull", "5 euro", "5.00 EUR"),
        ("uk", "дайте 12 євро назад", "12 євро", "12.00 EUR"),
    ],
)
def test_a_sum_questioned_and_taken_or_asked_stays_an_ask(language: str, text: str, said: str, value: str) -> None:
    assert sums_asked([_sum(text, said, value)], "EUR", text, language) != ()


@pytest.mark.parametrize(
    ("language", "text", "said", "value"),
    [
        ("sq", "3 euro? jo faleminderit, me pak nuk pranoj", "3 euro", "3.00 EUR"),
        ("uk", "9 євро? ні, так не піде", "9 євро", "9.00 EUR"),
    ],
)
def test_a_refused_sum_is_told(language: str, text: str, said: str, value: str) -> None:
    assert refuses_sum([_sum(text, said, value)], text, language)
    assert not refuses_sum([_sum("9 євро, так", "9 євро", "9.00 EUR")], "9 євро, так", language)
