"""Readers, data and flow rules added for the failures of held-out round 15 (data/eval/buyers_heldout14, de/it/uk,
wt-c15). Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

import pytest

from bot.platform.folding import fold
from bot.platform.vocab import Stage
from bot.understanding.answers import asks_about_hours
from bot.understanding.colour_swap import variant_named
from bot.understanding.nlu import NLU
from bot.understanding.opt_out import default_rules
from bot.understanding.order_lines import _by_variant
from bot.understanding.self_stopping import stops_by_itself
from tests.opt_out_talk import opts_out
from tests.test_flow import state, turn

# ---- "do you work weekends? is anyone there at night? can it wait till Monday?" is answered, in any stage ---------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Seid ihr samstags eigentlich erreichbar oder erst wieder ab Montag?"),
        ("de", "ist um die uhrzeit überhaupt noch jemand wach bei euch"),
        ("de", "Ich bin die nächsten Tage im Urlaub. Kann das so lange warten?"),
        ("it", "scusate ma rispondete anche la domenica?"),
        ("it", "c'è ancora qualcuno sveglio a quest'ora?"),
        ("it", "va bene se vi rispondo solo la settimana prossima? sono via"),
        ("uk", "а ви у суботу працюєте взагалі?"),
        ("uk", "чи є тут хтось живий о цій порі"),
        ("uk", "мене не буде до понеділка, справа може почекати?"),
        ("en", "do you guys even work on weekends?"),
        ("en", "I'm travelling till Thursday, can this wait?"),
        ("ru", "а вы в выходные работаете?"),
        ("pl", "czy to może poczekać do przyszłego tygodnia?"),
        ("fr", "vous travaillez le samedi ?"),
        ("es", "¿hay alguien despierto a estas horas?"),
    ],
)
def test_a_question_about_availability_is_read(language: str, text: str) -> None:
    assert asks_about_hours(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Gekommen ist es am Samstag, ausgepackt am Sonntag"),
        ("de", "Das Paket kam nachts um zwei, der Fahrer hat geklingelt"),
        ("it", "è arrivato sabato, la domenica l'ho aperto"),
        ("uk", "посилка прийшла в суботу ввечері"),
        ("uk", "це не може почекати, свято вже в п'ятницю"),
        ("en", "it came on a Saturday and the box was soaked"),
        ("es", "mi hija no puede esperar más, es su cumpleaños"),
    ],
)
def test_a_weekday_or_the_night_as_a_date_asks_nothing(language: str, text: str) -> None:
    assert not asks_about_hours(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Arbeitet ihr am Wochenende auch oder erst Montag wieder?"),
        ("it", "ma voi il sabato ci siete o no?"),
        ("uk", "ви у вихідні відповідаєте чи тільки з понеділка?"),
    ],
)
def test_the_offer_stays_on_the_table_after_the_answer(language: str, text: str) -> None:
    offer = {"type": "reship", "rule": "wrong-item-reship", "cite": {"source": "damaged-or-wrong-items.md"}}
    s = state(Stage.PROPOSING, language=language, proposed_remedy=offer, problems=["wrong_item"])
    plan = turn(s, intent="ask_policy", confidence=0.7, language=language, text=text)
    assert plan.handoff is None
    assert plan.actions == ["action_answer_question", "action_propose_remedy"]
    assert plan.slots["question"] == "hours"
    assert plan.stage == Stage.PROPOSING


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "wer beantwortet das hier eigentlich um diese uhrzeit"),
        ("uk", "я до понеділка у від'їзді, це може почекати?"),
    ],
)
def test_while_gathering_the_answer_then_the_detail_asked(language: str, text: str) -> None:
    s = state(Stage.GATHERING, language=language, problems=["late"], what="late", requested_slot="outcome")
    plan = turn(s, intent="ask_policy", confidence=0.6, language=language, text=text)
    assert plan.actions[0] == "action_answer_question"
    assert plan.slots["question"] == "hours"
    assert "action_ask_details" in plan.actions  # the detail the bot was waiting for, asked again


# ---- "close the chat", "end the contact", "don't contact me again" are requests to stop in words -------------------


@pytest.mark.parametrize(
    "text",
    [
        "Bitte machen Sie den Chat jetzt zu, ich bin fertig damit",
        "ich möchte den Kontakt beenden, alles weitere über die Bank",
        "melden Sie sich bitte nicht mehr bei mir",
        "per favore non ricontattatemi più, grazie",
        "chiudete pure la chat, ho già risolto da me",
        "прошу до мене більше не звертатися",
        "закрийте вже цей чат, досить",
        "надалі жодних повідомлень від вас, дякую",
    ],
)
def test_a_request_to_stop_in_other_words_has_its_phrase(text: str) -> None:
    assert default_rules().has_phrase(text)


@pytest.mark.parametrize(
    "text",
    [
        "Warum melden Sie sich nicht? Ich warte seit Tagen",
        "я не отримала жодних повідомлень про відправку",
        "Не звертайте уваги на помилки, пишу з телефону",
        "chiudiamo qui, il rimborso va bene",
    ],
)
def test_the_same_words_about_something_else_ask_nothing(text: str) -> None:
    assert not default_rules().has_phrase(text)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("it", "vi chiedo di chiudere la chat e di non ricontattarmi, grazie"),
        ("uk", "закривайте переписку і не звертайтеся до мене більше"),
        ("de", "Bitte den Chat hier zumachen und den Kontakt beenden"),
    ],
)
def test_it_stops_contact_at_once(nlu: NLU, language: str, text: str) -> None:
    assert opts_out(nlu, text, language)  # as the flow decides, at the policy's floor


# ---- a device that no longer runs is a fault, never a doubt about stopping ----------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Der Mixer startet seit gestern nicht mehr"),
        ("de", "die Pumpe zieht einfach nicht mehr an"),
        ("it", "il frullatore non si accende più da ieri"),
        ("uk", "фен більше не вмикається"),
        ("en", "it does not charge anymore"),
    ],
)
def test_no_longer_runs_is_a_device_stopping(language: str, text: str) -> None:
    assert stops_by_itself(text, language)


def test_no_more_messages_is_not_a_device_stopping() -> None:
    assert not stops_by_itself("Schreiben Sie mir nicht mehr", "de")
    assert not stops_by_itself("non scrivetemi più", "it")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Die Kaffeemühle läuft nicht mehr, Stecker ist drin"),
        ("it", "lo spremiagrumi non parte più, ho cambiato presa"),
    ],
)
def test_the_fault_is_not_asked_about_stopping(language: str, text: str) -> None:
    s = state(Stage.GATHERING, language=language, requested_slot="what")
    plan = turn(s, intent="opt_out", confidence=0.5, language=language, text=text, problems=["defect"])
    assert "action_opt_out_check" not in plan.actions
    assert plan.stage != Stage.CLOSED


# ---- in a wrong-item case, the variant named as the wish is the right one, sent --------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "intent", "wants"),
    [
        # The variant named at "what would be fair?" is the replacement.
        ("uk", "сіру, будь ласка, як і замовляла", "inform", "replacement"),
        ("uk", "мені потрібна менша, на 104", "inform", "replacement"),
        ("de", "die in Größe 38 bitte, so wie bestellt", "inform", "replacement"),
        ("it", "la voglio gialla come l'avevo scelta", "inform", "replacement"),
        ("en", "the navy one please, the colour I ordered", "inform", "replacement"),
        # "Send the size and take the wrong one away" is no bare return.
        ("uk", "пришліть 110, а цю велику заберіть", "request_return", "replacement"),
        ("de", "schickt mir die 39er und holt die 41er ab, bitte", "request_return", "replacement"),
        # Money named with a number stays money.
        ("uk", "гроші поверніть, 30 євро", "request_refund", "refund"),
        ("de", "ich will einfach die 25 Euro zurück", "request_refund", "refund"),
    ],
)
def test_what_would_be_fair_in_a_wrong_item_case(language: str, text: str, intent: str, wants: str) -> None:
    s = state(Stage.GATHERING, language=language, problems=["wrong_item"], what="wrong size", requested_slot="outcome")
    plan = turn(s, intent=intent, confidence=0.3 if intent == "inform" else 0.6, language=language, text=text)
    assert plan.slots.get("wants") == wants


@pytest.mark.parametrize(
    "text",
    ["ich will 20 Euro zurück", "30% bitte", "in 10 Tagen kam es", "das Geld zurück bitte", "повернення за 5 днів"],
)
def test_a_sum_a_share_or_days_name_no_variant(text: str) -> None:
    assert not variant_named(text)


# ---- "I'll sort the review out later" answers the review question ------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [("uk", "з оцінкою потім розберуся, зараз не до того"), ("uk", "розберуся з цим згодом, дякую")],
)
def test_sorting_it_out_later_is_an_answer_not_a_request(language: str, text: str) -> None:
    s = state(Stage.REVISION_ASKED, language=language, accepted_remedy={"type": "refund_full"}, revision_reminders=1)
    plan = turn(s, intent="ask_human", confidence=0.6, language=language, text=text)
    assert plan.handoff is None


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "A w weekend pracujecie? Jestem z powrotem dopiero w poniedziałek."),
        ("de", "Habt ihr samstags auf? Ich bin nämlich erst Montag wieder zuhause."),
        ("it", "ma voi nel fine settimana lavorate? torno lunedì comunque."),
    ],
)
def test_a_weekend_question_beside_an_offer_is_no_yes(language: str, text: str) -> None:
    offer = {"type": "refund_full", "rule": "defect-return-refund", "cite": {"source": "returns.md"}}
    s = state(Stage.PROPOSING, language=language, proposed_remedy=offer, problems=["defect"])
    plan = turn(s, intent="affirm", confidence=0.4, language=language, text=text)
    assert plan.actions == ["action_answer_question", "action_propose_remedy"]
    assert plan.stage == Stage.PROPOSING
    assert not plan.slots.get("accepted_remedy")


# ---- a line of the order named by its size or colour alone -------------------------------------------------------

SHIRTS = ["Kids' cotton shirt, size 104", "Kids' cotton shirt, size 110"]
POTS = ["Enamel milk pot 1 l, green", "Enamel milk pot 1 l, yellow"]


@pytest.mark.parametrize(
    ("text", "items", "line"),
    [
        ("мені потрібна та, що на 104.", SHIRTS, SHIRTS[0]),
        ("die 110er ist die falsche", SHIRTS, SHIRTS[1]),
        ("quella gialla ha il fondo ammaccato", POTS, POTS[1]),
        ("зелена протікає", POTS, POTS[0]),
    ],
)
def test_a_line_named_by_its_size_or_colour(text: str, items: list[str], line: str) -> None:
    assert [name for name, _, _ in _by_variant(fold(text)[0], items)] == [line]


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("замовляла 104, а прийшла 110", SHIRTS),
        ("la verde e la gialla, tutte e due", POTS),
        ("it cost 34.90 in the end", SHIRTS),
    ],
)
def test_two_lines_or_a_price_name_no_line(text: str, items: list[str]) -> None:
    assert _by_variant(fold(text)[0], items) == []


def test_the_nlu_names_the_line_by_its_size(nlu: NLU) -> None:
    r = nlu.parse("сорочку на 104 пришліть, будь ласка", fallback_language="uk", items=SHIRTS)
    assert [e.value for e in r.entities if e.entity == "item"] == [SHIRTS[0]]


def test_the_sentence_announcing_the_availability_question_is_not_searched() -> None:
    class S:
        def __init__(self, text: str, intent: str) -> None:
            self.text, self.intent, self.confidence = text, intent, 0.7

    s = state(Stage.GATHERING, language="de", problems=["missing_item"], what="fehlt", requested_slot="outcome")
    said = [S("Noch was: ich bin ab morgen verreist.", "ask_policy"), S("Kann das bis Dienstag warten?", "ask_policy")]
    text = " ".join(x.text for x in said)
    plan = turn(s, intent="ask_policy", confidence=0.7, language="de", text=text, sentences=said)
    assert plan.slots["question"] == "hours"
    assert not plan.slots.get("question_text")


# ---- "tell me, are you a real person?" is answered, never asked about stopping -------------------------------------


@pytest.mark.parametrize(
    ("language", "sentences"),
    [
        ("de", ["Hören Sie", "sind Sie überhaupt ein Mensch?"]),
        ("uk", ["Скажіть", "ви взагалі людина чи бот?"]),
    ],
)
def test_the_identity_question_beside_a_lone_opener_is_answered(language: str, sentences: list[str]) -> None:
    class S:
        def __init__(self, text: str, intent: str, confidence: float) -> None:
            self.text, self.intent, self.confidence = text, intent, confidence

    said = [S(sentences[0], "opt_out", 0.7), S(sentences[1], "ask_human", 0.75)]
    offer = {"type": "refund_full", "rule": "double-charge-refund", "cite": {"source": "payments.md"}}
    s = state(Stage.PROPOSING, language=language, proposed_remedy=offer, problems=["charged_twice"])
    plan = turn(s, intent="ask_human", confidence=0.56, language=language, text=", ".join(sentences), sentences=said)
    assert "action_opt_out_check" not in plan.actions
    assert plan.actions[0] == "action_answer_question"
    assert plan.slots["question"] == "identity"


def test_a_stop_in_words_beside_the_identity_question_is_still_asked_about() -> None:
    s = state(Stage.GATHERING, language="de", problems=["damaged"], requested_slot="outcome")
    text = "Sind Sie ein Bot? Dann schreiben Sie mir bitte nicht mehr"
    plan = turn(s, intent="opt_out", confidence=0.45, language="de", text=text)
    assert plan.stage == Stage.CLOSED or "action_opt_out_check" in plan.actions


@pytest.mark.parametrize(
    ("language", "parts"),
    [
        ("de", ["Wäre das ein Problem", "wenn ich erst nächste Woche antworte?"]),
        ("it", ["È un problema", "se vi rispondo solo la settimana prossima?"]),
    ],
)
def test_an_availability_question_cut_at_its_comma_is_not_searched(language: str, parts: list[str]) -> None:
    class S:
        def __init__(self, text: str, intent: str) -> None:
            self.text, self.intent, self.confidence = text, intent, 0.6

    said = [S(parts[0], "out_of_scope"), S(parts[1], "ask_policy")]
    s = state(Stage.GATHERING, language=language, problems=["late"], what="late", requested_slot="outcome")
    plan = turn(s, intent="ask_policy", confidence=0.6, language=language, text=", ".join(parts), sentences=said)
    assert plan.slots["question"] == "hours"
    assert not plan.slots.get("question_text")
