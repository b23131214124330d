"""What went wrong, read from the meaning of a buyer's message in every language (issue 18.2, 18.3, 18.5): the
phrase lookup first, the problem classifier (bot/understanding/problems.py) where it finds nothing; a problem the
buyer denies is none; an item the buyer says is fine is not the affected item. Found by bench/buyers.py: the late
boots, the wrong-size jacket and the dead kettle were each asked "what happened?" again."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.conversation import flow
from bot.platform.vocab import Stage
from bot.understanding.answers import said_fine
from bot.understanding.nlu import NLU
from tests.test_flow import POLICY, REMEDIES, Msg, state, turn

DATA = Path(__file__).resolve().parents[1] / "data"
SKILLET, MUGS = "Cast iron skillet 28 cm", "Enamel mug set, 4 pcs"


# No word of the lookup in any of these: the meaning carries the problem. Written for these tests, not copied from
# data/eval/ or data/problems.yml.
@pytest.mark.parametrize(
    ("language", "text", "problem"),
    [
        ("en", "The boots themselves are fine. It's that they turned up 2 weeks after I ordered", "late"),
        ("en", "I ordered a L and the label says M", "wrong_item"),
        ("de", "Er heizt das Wasser nicht mehr, nur die Lampe leuchtet", "defect"),
        ("pl", "buty dotarly dopiero po dwoch tygodniach od zamowienia", "late"),
        ("sv", "jag beställde L men lappen säger M", "wrong_item"),
        ("ru", "ботинки приехали только через две недели после заказа", "late"),
        ("uk", "замовляв розмір L, а на бирці написано M", "wrong_item"),
        ("sq", "kepucet erdhen vetem dy jave pasi i porosita", "late"),
        ("fr", "les chaussures sont arrivees deux semaines apres ma commande", "late"),
        ("es", "las botas llegaron dos semanas despues de hacer el pedido", "late"),
        ("it", "gli scarponi li ho ricevuti due settimane dopo averli ordinati", "late"),
        ("cs", "boty jsem mel mit za tri dny a prisly za dva tydny", "late"),
        # Held-out personas round 3: a slow leak, a device sounding for nothing, and a charge above the checkout
        # total were read as damage or as nothing at all.
        ("ru", "лодка к утру наполовину сдулась, хотя я её не прокалывал", "defect"),
        ("uk", "детектор газу весь час пищить, хоча все гаразд", "defect"),
        ("en", "the checkout said 60 euros but my bank shows 68 taken", "hidden_cost"),
        ("sq", "ne faqe kishte 60 euro, por me morren 68 nga llogaria", "hidden_cost"),
        # Held-out personas round 4: Latin-letter Ukrainian and Russian lateness, and "went without it" told of a
        # parcel that came late, were read as nothing or as a missing item.
        ("uk", "kurtka pryishla cherez dva tyzhni pislia zamovlennia", "late"),
        ("ru", "zakaz prishel tolko cherez tri nedeli posle oplaty", "late"),
        ("pl", "urodziny minely bez prezentu, paczka doszla trzy tygodnie po zamowieniu", "late"),
    ],
)
def test_a_problem_is_read_from_the_meaning(nlu: NLU, language: str, text: str, problem: str) -> None:
    assert nlu.entities(text, language)[1] == []  # the lookup alone finds nothing: main read no problem here
    assert nlu.parse(text, fallback_language=language).problems == [problem]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "yes please, go ahead"),
        ("en", "thanks, that's really kind"),
        ("en", "how long does a refund usually take?"),
        ("en", "ok thanks. so what happens now?"),
        ("pl", "tak, poproszę"),
        ("de", "Danke, das ist nett"),
        ("ru", "да, спасибо"),
        ("sv", "tack så mycket!"),
        ("fr", "merci beaucoup"),
        ("es", "vale, gracias"),
        ("cs", "dekuji, to je vse"),
    ],
)
def test_no_problem_is_read_into_a_message_about_none(nlu: NLU, language: str, text: str) -> None:
    assert nlu.parse(text, fallback_language=language).problems == []


# "Twice" in a sentence about something else is no double charge (held-out personas round 4: "the courier put the
# delivery off two times" was read as one); a double charge told with money still is.
@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "dzwonilam dwa razy na infolinie i nic"),
        ("ru", "я два раза писал в поддержку, никто не ответил"),
        ("sq", "e kam pyetur dy here korrierin dhe asgje"),
        ("cs", "volala jsem vam dvakrat"),
    ],
)
def test_twice_about_something_else_is_no_double_charge(nlu: NLU, language: str, text: str) -> None:
    assert "charged_twice" not in nlu.parse(text, fallback_language=language).problems


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "pobrali mi pieniadze dwa razy za jedno zamowienie"),
        ("ru", "с карты сняли деньги два раза"),
        ("sq", "me kane marre parate dy here"),
        ("cs", "platba probehla dvakrat"),
    ],
)
def test_a_double_charge_told_with_money_is_one(nlu: NLU, language: str, text: str) -> None:
    assert nlu.parse(text, fallback_language=language).problems == ["charged_twice"]


@pytest.mark.parametrize(
    ("content", "refused"),
    [
        ("charged_twise:\n  - paid\n", r"problem_evidence.yml: charged_twise: give a problem of .* word starts"),
        ("charged_twice: []\n", r"problem_evidence.yml: charged_twice: give a problem of .* non-empty list"),
        ("charged_twice: paid\n", r"problem_evidence.yml: charged_twice: give a problem of .* list of word starts"),
        ("charged_twice:\n  - paid\n  - ''\n", r"problem_evidence.yml: charged_twice: '' is no word start; write"),
        ("charged_twice:\n  - {paid: 1}\n", r"problem_evidence.yml: charged_twice: \{'paid': 1\} is no word start"),
        ("- charged_twice\n", r"problem_evidence.yml: write one entry per problem"),
        ("charged_twice: [paid\n", r"problem_evidence.yml: line 2: not valid YAML .*; fix that line"),
    ],
    ids=["unknown-problem", "empty-list", "not-a-list", "empty-stem", "not-a-word", "not-a-mapping", "bad-yaml"],
)
def test_a_malformed_problem_evidence_file_names_the_entry_and_the_fix(
    tmp_path: Path, content: str, refused: str
) -> None:
    """data/problem_evidence.yml is admin content: a mistake in it stops the start with the file, the entry and
    the fix, never a traceback or a filter that silently lets everything through (an empty start begins every
    word)."""
    from bot.understanding.problems import _evidence

    path = tmp_path / "problem_evidence.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=refused):
        _evidence(path)


def test_a_problem_needs_its_words_only_where_data_problem_evidence_lists_some() -> None:
    from bot.understanding.problems import has_evidence

    assert not has_evidence("charged_twice", "kurier przyjechal dwa razy")
    assert not has_evidence("charged_twice", "w kartonie byly dwa razy te same sruby")  # "karton" is no card
    assert has_evidence("charged_twice", "Zapłaciłam dwa razy")
    assert has_evidence("charged_twice", "two transactions of 40 € on my statement")
    assert has_evidence("late", "it came two weeks after")  # late needs no listed word


# An item that came without a part ("bez", "pa") is a missing item, in Cyrillic, Latin letters and without diacritics.
@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("uk", "прийшов стіл без гвинтів"),
        ("uk", "stil pryishov bez hvyntiv, ne mozhu zibraty"),
        ("pl", "szafka przyszla bez zawiasow"),
        ("cs", "regal prisel bez polic"),
    ],
)
def test_an_item_that_came_without_a_part_misses_it(nlu: NLU, language: str, text: str) -> None:
    assert nlu.parse(text, fallback_language=language).problems == ["missing_item"]


def test_a_problem_the_buyer_denies_is_none(nlu: NLU) -> None:
    assert nlu.parse("It wasn't late, it came BROKEN", fallback_language="en").problems == ["damaged"]
    assert nlu.parse("it was not delayed at all, it arrived broken", fallback_language="en").problems == ["damaged"]
    # A "no" that answers the bot is no denial of what follows.
    assert nlu.parse("no, it's broken", fallback_language="en").problems == ["damaged"]


def test_the_review_names_its_problem_by_meaning(nlu: NLU) -> None:
    # The first message spoke of "the problem with your order" for this review (bench/buyers.py, en-boots-late).
    review = "Boots took nearly two weeks to arrive when the site said 3 days. Missed my hiking weekend because of it."
    assert nlu.problems(review, "en") == ["late"]


@pytest.mark.parametrize(
    ("text", "item", "fine"),
    [
        ("la poele en fonte a le bord ebreche. les tasses sont ok", "tasses", True),
        ("la poele en fonte a le bord ebreche. les tasses sont ok", "poele", False),
        ("The hat was perfect.", "hat", True),
        ("die Tassen sind in Ordnung, die Pfanne nicht", "Tassen", True),
        ("die Tassen sind nicht in Ordnung", "Tassen", False),
        ("kubki są ok, patelnia pęknięta", "kubki", True),
        ("чашки целые, а сковородка треснула", "чашки", True),
        ("the mug was fine but the skillet is chipped", "skillet", False),
        ("the lamp is not ok at all", "lamp", False),
    ],
)
def test_an_item_said_to_be_fine(text: str, item: str, fine: bool) -> None:
    assert said_fine(text, text.index(item) + len(item)) is fine


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "bonjour, la poele en fonte a le bord ebreche, c'etait comme ca dans le colis. les tasses sont ok"),
        ("de", "Die Pfanne hat einen Sprung im Boden, die Tassen sind ok"),
        ("pl", "patelnia ma pęknięte dno, kubki są ok"),
        ("en", "the skillet has a chipped rim, the mugs were perfect"),
    ],
)
def test_the_item_the_buyer_says_is_fine_is_not_the_affected_one(nlu: NLU, language: str, text: str) -> None:
    parsed = nlu.parse(text, fallback_language=language, items=(SKILLET, MUGS))
    assert {e.value for e in parsed.entities if e.entity == "item"} == {SKILLET, MUGS}  # both are named
    s = state(Stage.GATHERING, language=language, requested_slot="what")
    assert flow.on_buyer_message(s, parsed, POLICY, REMEDIES).slots["item"] == SKILLET


def test_a_no_that_names_the_offer_declines_it() -> None:
    # "Nein, keinen Rabatt ...": the discount named inside a refusal was read as asking for it, and the partial
    # refund the buyer refused was confirmed (bench/buyers.py, de-wasserkocher-defekt).
    s = state(Stage.PROPOSING, language="de", proposed_remedy={"type": "refund_partial"}, problems=["defect"])
    text = "Nein, keinen Rabatt und keinen neuen. Ich will den vollen Betrag zurück."
    plan = turn(s, intent="request_discount", confidence=0.5, language="de", text=text)
    assert plan.actions != ["action_confirm_remedy"] and "accepted_remedy" not in plan.slots


def test_a_known_problem_is_not_asked_for_again() -> None:
    # With the problem read, "what happened?" is not asked: the flow goes on to the next detail.
    s = state(Stage.GATHERING, requested_slot="what", item="Waterproof hiking boots")
    text = "It's that they turned up 2 weeks after I ordered"
    plan = turn(s, intent="describe_problem", text=text, problems=["late"])
    assert plan.slots["problems"] == ["late"] and plan.slots.get("requested_slot") != "what"


def test_msg_stand_in_reads_like_a_parse() -> None:
    # The flow tests above use tests.test_flow.Msg: it must carry what flow.Parsed reads.
    assert {"text", "intent", "problems", "entities"} <= set(Msg.__dataclass_fields__)


@pytest.mark.parametrize(
    ("language", "text", "problem"),
    [
        ("fr", "Les bottes ont mis deux semaines au lieu de 3 jours.", "late"),
        ("en", "Boots took two weeks instead of 3 days", "late"),
        ("de", "ich habe eine blaue statt einer grünen bekommen", "wrong_item"),
        ("it", "mi e arrivata la M invece della L", "wrong_item"),
    ],
)
def test_instead_of_is_read_by_what_it_replaces(nlu: NLU, language: str, text: str, problem: str) -> None:
    # "instead of" was a wrong-item phrase of the lookup: a delivery that took two weeks instead of three days was
    # answered as a wrong item (bench/buyers.py, fr-chaussures-retard, it-scarponi-ritardo).
    assert nlu.parse(text, fallback_language=language).problems == [problem]


def test_a_review_names_a_problem_only_when_the_model_is_sure(nlu: NLU) -> None:
    # Read at the buyer-message threshold, this review opened with "the damaged Gas camping stove" (a part was
    # missing): a wrong problem in the first message is worse than "the problem with your order".
    review = "Stove arrived without the pot support so it's useless. Rest of the box seems complete."
    assert nlu.problems(review, "en") in ([], ["missing_item"])


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "one leg of the stool came bent"),
        ("cs", "rám přišel celý ohnutý"),
        ("pl", "stelaż był pogięty po transporcie"),
        ("ru", "каркас пришёл погнутый"),
        ("uk", "рама приїхала погнута"),
        ("sq", "mbajtesja erdhi e perkulur"),
    ],
)
def test_something_bent_on_arrival_is_damaged(nlu: NLU, language: str, text: str) -> None:
    # "Ohnutá" (bent) was read as a missing item and offered a reshipment (held-out personas round 3).
    assert nlu.parse(text, fallback_language=language).problems == ["damaged"]


# "Twice" is no double charge by itself: a buyer looks in the box twice, or asks twice. Written for these tests.
@pytest.mark.parametrize(
    ("language", "text", "problem"),
    [
        ("sv", "Jag har letat två gånger i lådan men fästena saknas", "missing_item"),
        ("de", "Hab zweimal im Karton nachgesehen, die Füße fehlen", "missing_item"),
        ("sv", "ni har debiterat mig två gånger för samma beställning", "charged_twice"),
        ("de", "Sie haben mir zweimal 35 Euro abgebucht", "charged_twice"),
    ],
)
def test_twice_alone_is_not_a_double_charge(nlu: NLU, language: str, text: str, problem: str) -> None:
    assert nlu.parse(text, fallback_language=language).problems == [problem]


@pytest.mark.parametrize(
    ("language", "text", "problem"),
    [
        # Russian and Ukrainian typed in Latin letters name the same problems as in Cyrillic (issue 18, held-out
        # personas: "shchitka ne zaryadzhuyetsya" went unread, and the buyer was handed to staff).
        ("uk", "dobryi den, shchitka ne zaryadzhuyetsya, indykator blymaye", "defect"),
        ("ru", "posylka prishla, chaynik razbit", "damaged"),
        ("ru", "chaynik ne rabotaet s pervogo dnya", "defect"),
        # ...and only there: Polish "brak" (missing) is Russian "брак" (a defect) in Latin letters.
        ("pl", "brak instrukcji w paczce", "missing_item"),
        # A mat or a mattress that loses air, a device that will not charge: a defect in every language.
        ("it", "il materassino si sgonfia durante la notte", "defect"),
        ("en", "the air bed goes flat overnight", "defect"),
        ("de", "die Luftmatratze verliert Luft", "defect"),
        ("uk", "щітка не заряджається", "defect"),
        ("es", "el cepillo no carga", "defect"),
    ],
)
def test_problems_typed_in_latin_letters_and_common_faults(nlu: NLU, language: str, text: str, problem: str) -> None:
    assert problem in nlu.parse(text, fallback_language=language).problems
