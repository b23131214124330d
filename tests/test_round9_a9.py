"""Readers and flow rules added for the failures of held-out round 9 (data/eval/buyers_heldout8, en/de/fr/es, wt-a9).
Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.answer_question import ActionAnswerQuestion
from actions.ask_details import SUB, ActionAskDetails
from bot.conversation.flow import wishes_named
from bot.conversation.haggle import amount_asked
from bot.platform.vocab import Stage
from bot.understanding.answers import asks_if_bot, asks_what_next, part_named, said_fine, yes_no
from bot.understanding.language import detect_language
from bot.understanding.nlu import NLU, load_nlu
from bot.understanding.sentences import Sentence
from tests.test_flow import state, turn
from tests.test_nlu import DATA


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> NLU:
    return load_nlu(tmp_path_factory.mktemp("models"), DATA)


# ---- "are you a bot?" said with an employee, "who am I talking to?", "is this a bot?" -------------------------------


@pytest.mark.parametrize(
    ("language", "text", "asks"),
    [
        ("de", "Schreibt mir hier eine Mitarbeiterin oder ein Computer?", True),
        ("de", "mit wem chatte ich gerade eigentlich?", True),
        ("de", "Sind Sie eine echte Kundenberaterin?", True),
        ("es", "oye, ¿este chat es un bot?", True),
        ("es", "¿a quién le escribo ahora mismo?", True),
        ("es", "¿eres un empleado o un programa?", True),
        ("fr", "je discute avec qui, au juste ?", True),
        ("fr", "vous êtes un vrai conseiller ou un programme ?", True),
        ("en", "who's this? a real agent or some program?", True),
        ("en", "are you an actual employee?", True),
        # ...not a word about the one writing
        ("en", "who is this courier you sent, he left it in the rain", False),
        ("en", "the agent on the phone was rude or maybe just tired", False),
        ("es", "esto es un robot aspirador que no aspira nada", False),
        ("de", "mit wem soll ich das Paket zurückschicken?", False),
        ("fr", "a qui dois-je renvoyer le colis ?", False),
    ],
)
def test_who_is_writing_said_in_more_ways(language: str, text: str, asks: bool) -> None:
    assert asks_if_bot(text, language) is asks


@pytest.mark.parametrize(
    ("language", "text"),
    [("de", "Ist das hier ein Mitarbeiter oder ein Programm?"), ("es", "¿con quién estoy hablando?")],
)
def test_asking_who_writes_is_answered_and_not_handed_to_staff(language: str, text: str) -> None:
    """The classifier reads "a person or a program?" as a request for a person: the question is answered (rule 2),
    the case stays with the bot."""
    s = state(Stage.GATHERING, language=language, requested_slot="outcome", problems=["support_rude"])
    plan = turn(s, intent="ask_human", confidence=0.7, text=text, language=language)
    assert plan.handoff is None
    assert plan.actions[0] == "action_answer_question" and plan.slots["question"] == "identity"


def test_a_policy_question_beside_are_you_a_bot_is_kept_for_the_answer() -> None:
    """ "are you a bot? how long does the money take" gets the truth and the answer, in one action, not one of them."""
    first, second = "wait, are you a bot?", "how long does the money take to come back"
    text = f"{first} {second}"
    parts = (
        Sentence(first, 0, len(first), "ask_human", 0.6),
        Sentence(second, len(first) + 1, len(text), "ask_policy", 0.47),
    )
    offer = {"type": "refund_full", "amount": "42.00"}
    s = state(Stage.PROPOSING, proposed_remedy=offer, problems=["charged_twice"], wants="refund")
    plan = turn(s, intent="ask_human", confidence=0.6, text=text, sentences=parts)
    assert plan.handoff is None
    assert plan.slots["question"] == "identity" and plan.slots["question_text"] == second
    assert plan.actions.count("action_answer_question") == 1


def test_a_bare_are_you_a_bot_searches_nothing() -> None:
    text = "are you a bot?"
    s = state(Stage.PROPOSING, proposed_remedy={"type": "refund_full", "amount": "10.00"}, problems=["late"])
    plan = turn(
        s, intent="ask_human", confidence=0.6, text=text, sentences=(Sentence(text, 0, len(text), "ask_policy", 0.6),)
    )
    assert plan.slots["question"] == "identity" and plan.slots["question_text"] is None


class _Tracker:
    def __init__(self, **slots: Any) -> None:
        self.slots = slots
        self.latest_message = {"text": slots.pop("_text", "")}

    def get_slot(self, name: str) -> Any:
        return self.slots.get(name)


class _Catalog:
    def render(self, key: str, language: str, variables: dict[str, Any], sub: str | None = None, seed: int = 0) -> str:
        return f"{key}.{sub}:{variables.get('policy_quote') or ''}"

    def has(self, *key: str) -> bool:
        return key[0] == "ask_details"


async def test_the_truth_comes_first_then_the_other_question_is_answered() -> None:
    async def find(question: str, k: int, language: str, about: object) -> list[Any]:
        return [SimpleNamespace(text="Refunds reach a card in 3-5 business days.", source="payments.md", language="en")]

    services = SimpleNamespace(
        knowledge=SimpleNamespace(find=find), shop=SimpleNamespace(default_language="en"), catalog=_Catalog()
    )
    action = ActionAnswerQuestion()
    tracker = _Tracker(question="identity", question_text="how long for the money", language="en")
    extra = await action.prepare(tracker, services)  # type: ignore[arg-type]
    assert extra["aside"] == "identity" and "3-5 business days" in extra["policy_quote"]
    dispatcher = CollectingDispatcher()
    action.say(dispatcher, tracker, services, extra, sub=action.sub(tracker, extra))  # type: ignore[arg-type]
    texts = [m["text"] for m in dispatcher.messages]
    assert (
        len(texts) == 2
        and texts[0].startswith("answer_question.identity")
        and texts[1].startswith("answer_question.found")
    )
    alone = await action.prepare(_Tracker(question="identity", language="en"), services)  # type: ignore[arg-type]
    assert alone == {"policy_quote": None, "policy_source": None, "aside": "identity"}


# ---- "ok, but only if you collect the old one" -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "ok, aber nur wenn ihr das alte Gerät abholen lasst"),
        ("en", "ok, as long as you pick it up, I'm not carrying it to the post office"),
    ],
)
def test_a_yes_on_the_condition_that_the_old_one_is_collected_accepts_the_replacement(language: str, text: str) -> None:
    offer = {"type": "replacement", "cite": {"source": "warranty.md", "heading": "Legal guarantee"}}
    s = state(Stage.PROPOSING, language=language, proposed_remedy=offer, problems=["defect"], wants="replacement")
    plan = turn(s, intent="affirm", confidence=0.6, text=text, language=language)
    assert plan.slots.get("accepted_remedy", {}).get("type") == "replacement"


def test_a_yes_that_would_rather_send_it_back_is_no_yes_to_the_replacement() -> None:
    offer = {"type": "replacement"}
    s = state(Stage.PROPOSING, proposed_remedy=offer, problems=["defect"], wants="replacement")
    plan = turn(s, intent="affirm", confidence=0.6, text="ok, but I'd rather just send it back", language="en")
    assert "accepted_remedy" not in plan.slots


# ---- a short review's language from its words ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Cafetera bonita pero la tapa vino suelta.", "es"),
        ("Cafetera bonita pero la tapa vino suelta", "es"),
        ("Caffettiera bella ma il coperchio era rotto", "it"),
        ("Hübsche Kanne, aber der Deckel war lose", "de"),
    ],
)
def test_a_short_text_whose_words_are_clearly_one_language(text: str, language: str) -> None:
    assert detect_language(text) == language


# ---- the item asked again names the order's items; kinds of product -------------------------------------------------


async def test_the_item_asked_again_names_the_order_items() -> None:
    services = SimpleNamespace(catalog=_Catalog())
    action = ActionAskDetails()
    again = _Tracker(requested_slot="item", slot_misses=1, order_items="Tart tin 28 cm, Beech rolling pin 45 cm")
    assert (await action.prepare(again, services))[SUB] == "item_not_ordered"  # type: ignore[arg-type]
    first = _Tracker(requested_slot="item", slot_misses=0, order_items="Tart tin 28 cm, Beech rolling pin 45 cm")
    assert await action.prepare(first, services) == {}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("il manque le rouleau à pâtisserie", ["Beech rolling pin 45 cm"]),
        ("das Nudelholz war nicht im Paket", ["Beech rolling pin 45 cm"]),
        ("falta el rodillo de amasar", ["Beech rolling pin 45 cm"]),
        ("la tortiera è arrivata ammaccata", ["Enamel pie dishes, set of 2"]),
    ],
)
def test_rolling_pins_and_pie_dishes_in_the_buyers_words(trained: NLU, text: str, expected: list[str]) -> None:
    items = ["Enamel pie dishes, set of 2", "Beech rolling pin 45 cm"]
    found = [e.value for e in trained.parse(text, items=items).entities if e.entity == "item"]
    assert found == expected


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("please send another teapot, the cups can stay as they are", "cups"),
        ("schickt mir einen neuen Deckel, die Tassen können bleiben", "Tassen"),
        ("renvoyez la théière, les tasses peuvent rester", "tasses"),
    ],
)
def test_an_item_left_as_it_is_is_not_the_affected_one(text: str, item: str) -> None:
    assert said_fine(text, text.index(item) + len(item))


# ---- sums the buyer already got, or turns down, are no ask ----------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "asked"),
    [
        ("en", "you lot already sent me a 4 euro code, it changes nothing", None),
        ("en", "something decent, not a 3 euro gesture", None),
        ("en", "No, 30 EUR back please", Decimal("30.00")),
        ("en", "they refunded me 5 EUR but I want 15 EUR back", Decimal("15.00")),
        ("de", "ich habe bereits 6 Euro erhalten, das reicht nicht", None),
        ("fr", "on m'a deja donne 7 euros, c'est ridicule", None),
        ("es", "me disteis 4 euros y sigue goteando", None),
        ("es", "quiero 12 euros, no 4", Decimal("12.00")),
    ],
)
def test_sums_already_got_or_turned_down_are_no_ask(
    trained: NLU, language: str, text: str, asked: Decimal | None
) -> None:
    entities = trained.parse(text).entities
    assert amount_asked(entities, "EUR", text, language) == asked


@pytest.mark.parametrize(
    "text",
    [
        "Ich hätte gern den vollen Kaufpreis erstattet.",
        "Erstatten Sie mir bitte den Betrag, eine neue Lieferung nicht.",
    ],
)
def test_german_refund_said_with_erstatten(text: str) -> None:
    assert wishes_named(text, "de")[0][:1] == ["refund"]


def test_round_9_set_exists_and_stays_out_of_training() -> None:
    """The set these fixes came from is evaluation data (data/eval/README.md): present, never in training files."""
    assert (Path(__file__).resolve().parents[1] / "data" / "eval" / "buyers_heldout8" / "README-a9.md").is_file()


# ---- letters, parts said with a count, wrong items and leaks ---------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "said"),
    [
        ("en", "That is acceptable, I accept.\n\nBest regards,\nP. Lowe", "yes"),
        ("de", "In Ordnung, so machen wir es.\nMit freundlichen Grüßen\nH. Brandt", "yes"),
        ("de", "Nein, das möchte ich nicht.\nViele Grüße, Anke", "no"),
        ("fr", "Parfait, allez-y.\nCordialement,\nM. Roux", "yes"),
    ],
)
def test_a_letters_sign_off_does_not_hide_the_answer(language: str, text: str, said: str) -> None:
    assert yes_no(text, language) == said


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("bitte nur die 3 Haken nachschicken, das Regal behalte ich", "3 Haken"),
        ("einfach die fehlenden Beine nachsenden", "Beine"),
    ],
)
def test_german_only_the_parts_sent_again_with_a_count(text: str, part: str) -> None:
    assert wishes_named(text, "de")[0] == ["part"]
    assert part_named(text, "de") == part


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("in der Packung der Lampe lag ein Wasserkocher", "wrong_item"),
        ("statt dem Mixer kam ein Föhn", "wrong_item"),
        ("la batidora pierde agua por abajo", "defect"),
        ("los vasos no venían en el paquete", "missing_item"),
    ],
)
def test_wrong_items_leaks_and_plural_missing_read(trained: NLU, text: str, problem: str) -> None:
    assert problem in trained.parse(text).problems


@pytest.mark.parametrize(
    ("language", "text", "part"),
    [
        ("fr", "envoyez-moi seulement les 3 pieds svp", "3 pieds"),
        ("es", "mandadme solo las 2 asas, lo demás está bien", "2 asas"),
    ],
)
def test_a_counted_unknown_part_is_named_with_its_noun(language: str, text: str, part: str) -> None:
    assert part_named(text, language) == part


@pytest.mark.parametrize(
    ("language", "text"),
    [("fr", "bon, on fait quoi maintenant ?"), ("es", "vale, ¿y ahora qué hacemos?")],
)
def test_so_what_do_we_do_now_asks_for_the_offer_again(language: str, text: str) -> None:
    assert asks_what_next(text, language)
