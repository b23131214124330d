"""Readers and data added for the failures of held-out round 13 (data/eval/buyers_heldout12, uk/sq, wt-d13).
Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import yaml

from bot.conversation import flow
from bot.platform.vocab import Stage
from bot.policy import guardrails
from bot.understanding.answers import asks_if_review_tied, asks_what_next, wishes_in, yes_no
from bot.understanding.nlu import NLU
from tests.test_flow import POLICY, REMEDIES, ROOT, Msg, facts, state, turn

# ---- "do I have to delete my review to get this?" is answered, never an opt-out ----------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "скажіть чесно, мені доведеться прибрати відгук, щоб ви повернули кошти?"),
        ("uk", "то це хабар, щоб я поміняла оцінку? я нічого міняти не буду"),
        ("uk", "а ви мені заміну за гарні зірочки даєте?"),
        ("sq", "duhet ta heq vleresimin qe te me dergoni te renë?"),
        ("sq", "mos eshte kjo ryshfet qe te ndryshoj komentin?"),
        ("ru", "мне что, снести отзыв, чтобы вы прислали новую?"),
        ("en", "wait, do I need to take down my review before you refund me?"),
        ("en", "so is the voucher in exchange for better stars?"),
        ("de", "Muss ich dafür etwa meine Bewertung zurückziehen?"),
        ("pl", "czy mam zmienić opinię, żeby dostać ten zwrot?"),
        # forms the other helpers' sets showed (a13, b13, c13), written fresh
        ("en", "is this your way of getting me to raise my rating?"),
        ("fr", "c'est un moyen de me faire effacer mon commentaire ?"),
        ("es", "¿es una manera de hacerme borrar la reseña?"),
        ("it", "è un modo per comprarsi la mia valutazione?"),
        ("sv", "är det ett sätt att köpa bort mitt betyg?"),
        ("cs", "mám tu recenzi smazat, abyste mi to poslali?"),
        ("ru", "вы хотите, чтобы я поменял оценку?"),
    ],
)
def test_a_question_tying_the_remedy_to_the_review_is_read(language: str, text: str) -> None:
    assert asks_if_review_tied(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "відгук я ще подумаю, чи міняти"),
        ("uk", "коли прийде нова лампа?"),
        ("sq", "komenti im mbetet ashtu si eshte"),
        ("sq", "kur vjen porosia e re?"),
        ("en", "I wrote the review in a hurry, sorry for the tone"),
        ("de", "Wann kommt das Geld zurück?"),
    ],
)
def test_other_talk_of_the_review_asks_no_such_thing(language: str, text: str) -> None:
    assert not asks_if_review_tied(text, language)


_LID = {
    "type": "send_part",
    "part": "lid",
    "cite": {"source": "damaged-or-wrong-items.md", "heading": "Missing parts or items"},
}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "стривайте, це ви мені деталь за гарний відгук пропонуєте? я його не чіпатиму"),
        ("sq", "prit pak, kjo eshte per yjet apo? une komentin nuk e ndryshoj"),
        ("en", "hold on, is this a bribe? I'm not touching what I wrote"),
    ],
)
def test_the_review_question_at_an_offer_is_answered_and_the_offer_asked_again(language: str, text: str) -> None:
    """Read as a possible opt-out, the buyer was asked whether to stop, then handed to staff (round 13, uk)."""
    s = state(Stage.PROPOSING, language=language, proposed_remedy=_LID, problems=["damaged"], wants="part")
    plan = turn(s, language=language, intent="opt_out", confidence=0.55, text=text)
    assert plan.actions == ["action_answer_question", "action_propose_remedy"]
    assert plan.slots["question"] == "review"
    assert plan.slots["offer_plain"] is True
    assert plan.stage == Stage.PROPOSING
    assert "opt_out_check" not in plan.actions and plan.outcome is None


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "мені що, треба видалити відгук, щоб отримати гроші?"),
        ("sq", "a me duhet me e fshi komentin qe me i marre paret?"),
    ],
)
def test_the_review_question_while_gathering_is_answered_then_the_detail_asked(language: str, text: str) -> None:
    s = state(Stage.GATHERING, language=language, requested_slot="evidence", problems=["damaged"], asked=["evidence"])
    plan = turn(s, language=language, intent="ask_policy", confidence=0.6, text=text)
    assert plan.actions[0] == "action_answer_question"
    assert plan.slots["question"] == "review"
    assert "action_opt_out_check" not in plan.actions


def test_a_clear_request_to_stop_beside_the_review_still_stops() -> None:
    text = "is this a bribe for my review? stop writing to me, unsubscribe"
    s = state(Stage.PROPOSING, language="en", proposed_remedy=_LID, problems=["damaged"], wants="part")
    plan = turn(s, language="en", intent="opt_out", confidence=0.9, text=text)
    assert plan.actions == ["action_opt_out_confirm"]


def test_the_review_answer_never_talks_of_the_review() -> None:
    """Only the revision ask may use the review's words (policies/guardrails.yml), so the answer says "what you wrote
    about us" instead; `mediator policy validate` refuses it otherwise. Every language carries it."""
    rails = yaml.safe_load((ROOT / "policies" / "guardrails.yml").read_text(encoding="utf-8"))["languages"]
    for path in sorted((ROOT / "policies" / "messages").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts = data["messages"]["answer_question"]["review"]
        assert texts, path.name
        words = re.compile(rails[path.stem]["review_words"], re.IGNORECASE)
        assert not any(words.search(t) for t in texts), path.name


# ---- a plain yes first answers the offer, whatever the classifier makes of the rest --------------------------------


_SHIPPING = {"type": "refund_shipping", "amount": "4.90", "cite": {"source": "shipping.md", "heading": "Late delivery"}}


def _answer_to_shipping_offer(language: str, text: str) -> flow.Plan:
    """The plan for `text` said to a pending shipping refund, read by the classifier as a policy question."""
    s = flow.State(
        Stage.PROPOSING,
        {"language": language, "proposed_remedy": _SHIPPING, "problems": ["late"], "wants": "shipping"},
        facts(topic="delivery", order_value=Decimal("39.00")),
    )
    msg = Msg(text=text, intent="ask_policy", confidence=0.7, language=language)
    return flow.on_buyer_message(s, msg, POLICY, REMEDIES)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("sq", "po, ajo qe e the e fundit, pagesen e postes"),
        ("uk", "так, оте останнє, що ви написали, з доставкою"),
        ("en", "yes, that last thing you mentioned, the postage"),
    ],
)
def test_a_yes_first_read_as_a_question_accepts_the_offer(language: str, text: str) -> None:
    plan = _answer_to_shipping_offer(language, text)
    assert plan.actions[0] == "action_confirm_remedy"
    assert plan.slots["accepted_remedy"]["type"] == "refund_shipping"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("sq", "jo, ate te fundit nuk e dua"),
        ("uk", "ні, оте останнє мені не треба"),
    ],
)
def test_a_no_first_accepts_nothing(language: str, text: str) -> None:
    plan = _answer_to_shipping_offer(language, text)
    assert "action_confirm_remedy" not in plan.actions


# ---- "and my order, what now?" after an answer asks for the offer again --------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "зрозуміла. а з посилкою моєю що?"),
        ("uk", "гаразд. і що ви можете запропонувати?"),
        ("sq", "mire. e tash qka ofroni?"),
        ("sq", "ok, po me ankesen time cka bohet?"),
    ],
)
def test_what_now_said_new_ways_asks_for_the_offer_again(language: str, text: str) -> None:
    assert asks_what_next(text, language)


@pytest.mark.parametrize(("language", "text"), [("uk", "з посилкою все гаразд"), ("sq", "tash jam ne pune")])
def test_a_statement_is_no_what_now(language: str, text: str) -> None:
    assert not asks_what_next(text, language)


# ---- money and new ones asked for in colloquial words ------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "wish"),
    [
        ("sq", "ma kthe paret e mia, kaq", "refund"),
        ("sq", "veq paret per ato dy qe u thyen", "refund"),
        ("sq", "po du dy te reja, te njejtat", "replacement"),
        ("uk", "та верніть мені ці гроші і все", "refund"),
        ("uk", "верніть кошти на картку", "refund"),
    ],
)
def test_colloquial_wishes_are_read(language: str, text: str, wish: str) -> None:
    assert wish in wishes_in(text, language)[0]


@pytest.mark.parametrize(
    ("language", "text"),
    [("sq", "i mora paret dje, faleminderit"), ("sq", "paret u kthyen ne llogari"), ("uk", "гроші вже прийшли")],
)
def test_money_that_came_back_asks_for_nothing(language: str, text: str) -> None:
    assert "refund" not in wishes_in(text, language)[0]


# ---- a scratch is damage, lights that no longer come on are a defect (uk, ru, sq) ---------------------------------


@pytest.mark.parametrize(
    ("language", "text", "problem"),
    [
        ("uk", "на кришці глибока подряпина, видно здалеку", "damaged"),
        ("uk", "бік весь подряпаний", "damaged"),
        ("ru", "пришла поцарапанная со всех сторон", "damaged"),
        ("sq", "ka nje gervishtje te gjate anash", "damaged"),
        ("sq", "llamba u thye ne rruge", "damaged"),
        ("sq", "dritat nuk ndizen fare qe nga dje", "defect"),
        ("sq", "pas dy ditesh u fiken te gjitha", "defect"),
        ("uk", "гірлянда вже не світяться половина", "defect"),
        ("ru", "лампочки перестали гореть через неделю", "defect"),
    ],
)
def test_scratches_and_dark_lights_name_the_problem(nlu: NLU, language: str, text: str, problem: str) -> None:
    assert problem in nlu.parse(text, fallback_language=language).problems


# ---- a line of a two-line order named by its kind in the buyer's words ----------------------------------------------


@pytest.mark.parametrize(
    ("language", "items", "text", "line"),
    [
        ("uk", ["Willow picnic basket", "Cotton napkins, set of 4"], "кошик прийшов з поламаною ручкою", 0),
        ("pl", ["Willow picnic basket", "Cotton napkins, set of 4"], "koszyk ma urwane ucho", 0),
        ("uk", ["Silicone spatula", "Bench dough scraper"], "а скребка в коробці не знайшов", 1),
        ("de", ["Silicone spatula", "Bench dough scraper"], "der Teigschaber fehlt", 1),
        ("sq", ["Glass cheese cloche", "Marble serving board"], "kupola kishte nje plasaritje", 0),
        ("sv", ["Glass cheese cloche", "Marble serving board"], "glaskupan var sprucken", 0),
        ("sq", ["Ceramic cake plate", "Cake decorating turntable"], "tavolina rrotulluese nuk erdhi", 1),
        ("de", ["Ceramic cake plate", "Cake decorating turntable"], "der Drehteller fehlt im Paket", 1),
    ],
)
def test_a_line_named_by_its_kind_is_found(nlu: NLU, language: str, items: list[str], text: str, line: int) -> None:
    found = [e.value for e in nlu.parse(text, fallback_language=language, items=items).entities if e.entity == "item"]
    assert found == [items[line]]


# ---- the message naming a corrected remedy passes the send path with every remedy --------------------------------


@pytest.mark.parametrize("language", ["pl", "cs", "uk", "sq", "en", "de"])
def test_the_corrected_remedy_message_passes_the_guard_rails_with_every_remedy(language: str) -> None:
    """pl said "poprzedni wpis" (the previous entry): "wpis" is a review word to the guard rails, and with a
    replacement, a reship, a partial refund or a pickup filled in, the send path refused the message (round 13)."""
    data = yaml.safe_load((ROOT / "policies" / "messages" / f"{language}.yml").read_text(encoding="utf-8"))
    refused = [
        (template, remedy)
        for template in data["messages"]["remedy_item_changed"]
        for remedy in data["remedy_names"].values()
        if guardrails.check_outgoing(template.replace("{item}", "Anna").replace("{remedy}", remedy), language)
    ]
    assert refused == []


# ---- part of the price, the item kept, said to a full refund is a partial refund ----------------------------------


def _answer_to_full_refund(language: str, text: str) -> flow.Plan:
    """The plan for `text`, read as a yes, said to a pending full refund of a damaged bowl."""
    full = {
        "type": "refund_full",
        "amount": "34.00",
        "cite": {"source": "damaged-or-wrong-items.md", "heading": "Parcel arrived damaged"},
    }
    s = flow.State(
        Stage.PROPOSING,
        {"language": language, "proposed_remedy": full, "problems": ["damaged"], "wants": "refund", "item": "Bowl"},
        facts(topic="product", order_value=Decimal("34.00"), days_since_delivery=2),
    )
    msg = Msg(text=text, intent="affirm", confidence=0.8, language=language)
    return flow.on_buyer_message(s, msg, POLICY, REMEDIES)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "ну добре, тільки частину коштів, а річ лишаю собі"),
        ("en", "fine, just part of the money back and I keep the bowl"),
        ("pl", "dobrze, ale częściowy zwrot, miskę zostawiam"),
    ],
)
def test_part_of_the_price_said_to_a_full_refund_gets_the_partial_refund(language: str, text: str) -> None:
    plan = _answer_to_full_refund(language, text)
    assert "action_confirm_remedy" not in plan.actions
    assert plan.slots["proposed_remedy"]["type"] == "refund_partial"


@pytest.mark.parametrize(("language", "text"), [("uk", "так, повне повернення, дякую"), ("en", "yes, the full refund")])
def test_a_yes_to_the_full_refund_is_still_a_yes(language: str, text: str) -> None:
    assert _answer_to_full_refund(language, text).actions[0] == "action_confirm_remedy"


# ---- a yes after a filler, or closing the sentence that names the option ------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "said"),
    [
        ("uk", "ну гаразд, хай так", "yes"),
        ("uk", "той, що з поверненням частини, давайте.", "yes"),
        ("uk", "ну не знаю", None),
        ("ru", "ну ладно, пусть так", "yes"),
        ("ru", "вариант с частью денег, договорились.", "yes"),
        ("ru", "ну нет, давайте без этого", "no"),
    ],
)
def test_a_yes_after_a_filler_or_at_the_end_is_read(language: str, text: str, said: str | None) -> None:
    assert yes_no(text, language) == said
