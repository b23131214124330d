""" "How long does that take?" asked at or after an offer, with no word of what: the remedy under way says whether it
asks when the money comes back or when the goods leave (data/answers/offer_terms.yml `how_long`). Sentences written
fresh for the test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from actions.answer_question import sentence_at
from bot.platform.vocab import Stage
from bot.understanding.offer_terms import _question, term_asked, term_slot
from tests.test_flow import state, turn


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "ok deal. how long will that take roughly?"),
        ("de", "passt. wie lange dauert das ungefähr?"),
        ("fr", "d'accord, ça prend combien de temps ?"),
        ("es", "vale, ¿y cuánto tarda eso?"),
        ("it", "va bene, quanto ci vuole?"),
        ("sv", "okej, hur lång tid tar det?"),
        ("pl", "ok, a jak długo to potrwa?"),
        ("cs", "dobře, jak dlouho to bude trvat?"),
        ("ru", "хорошо, а сколько это займет?"),
        ("uk", "добре, а скільки це займе?"),
        ("sq", "mire, sa kohe zgjat?"),
    ],
)
def test_how_long_asks_for_the_money_after_a_refund_and_the_parcel_after_a_replacement(
    language: str, text: str
) -> None:
    money = term_asked(text, language, "refund_partial")
    goods = term_asked(text, language, "replacement")
    assert money is not None and money.kind == "money_when"
    assert goods is not None and goods.kind == "ship_when"


@pytest.mark.parametrize(("language", "text"), [("en", "how long does it take?"), ("de", "wie lange dauert das?")])
def test_how_long_with_no_remedy_under_way_or_a_coupon_is_left_to_the_search(language: str, text: str) -> None:
    assert term_asked(text, language) is None
    assert term_slot(text, language, "coupon") is None


def test_a_question_that_names_what_it_asks_keeps_its_own_kind_whatever_the_remedy() -> None:
    found = term_asked("how long until the money is back on my card?", "en", "replacement")
    assert found is not None and found.kind == "money_when"


LANGUAGES = ["en", "de", "fr", "es", "it", "sv", "pl", "cs", "ru", "uk", "sq"]
ROOT = Path(__file__).resolve().parents[1]


def _section(language: str, anchor: str) -> list[str]:
    """The sentences of one section of the demo shop's damaged-or-wrong-items page (its bullet lines one each)."""
    text = (ROOT / "knowledge" / language / "damaged-or-wrong-items.md").read_text(encoding="utf-8")
    parts = re.split(r"^## ", text, flags=re.M)
    [body] = [p for p in parts[1:] if anchor in p.splitlines()[0] or (language == "en" and anchor in _slug(p))]
    body = re.sub(r"<!--.*?-->", "", body.split("\n", 1)[1], flags=re.S)
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", body) if s.strip()]


def _slug(part: str) -> str:
    return re.sub(r"\W+", "-", part.splitlines()[0].strip().lower())


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("anchor", ["parcel-arrived-damaged", "wrong-item-received", "missing-parts-or-items"])
def test_who_pays_for_sending_the_remedy_is_answered_by_a_sentence_of_its_section(language: str, anchor: str) -> None:
    """'Do I pay postage for the missing part?' is quoted the sentence of the remedy's section that says it is free, in
    every language the demo shop writes (fr was quoted the late-delivery passage, round 12)."""
    spec = _question("send_cost", language)
    found = sentence_at(_section(language, anchor), spec.sentence)
    assert found is not None, (language, anchor)


@pytest.mark.parametrize(
    ("language", "text", "kind"),
    [
        ("fr", "et je dois payer quelque chose pour l'envoi de la pièce ?", "send_cost"),
        ("en", "will it cost me anything to get the missing screws?", "send_cost"),
        ("de", "muss ich den Versand für das Ersatzteil bezahlen?", "send_cost"),
        ("pl", "czy za wysyłkę tej brakującej części muszę płacić?", "send_cost"),
        ("en", "do I need to pay for the return label?", "send_back"),
        ("ru", "а мне на почту её нести или курьер заберет?", "send_back"),
        ("pl", "musze to sam zaniesc na poczte?", "send_back"),
        ("cs", "stihne to prijit jeste pred vanoci?", "ship_when"),
        ("uk", "встигне до свят?", "ship_when"),
    ],
)
def test_who_pays_the_sending_and_the_way_back_are_told_apart(language: str, text: str, kind: str) -> None:
    found = term_asked(text, language, "send_part")
    assert found is not None and found.kind == kind


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "y las rotas tengo que devolverlas o que"),
        ("it", "devo rispedire quella rotta?"),
        ("en", "do I have to return the broken one first"),
        ("sv", "vad gör jag med den trasiga lampan?"),
    ],
)
def test_asking_whether_to_send_it_back_is_a_question_about_the_offer_not_a_return_wish(
    language: str, text: str
) -> None:
    """The way back named in a question is no counter-wish to a replacement on the table (round 12, es): the question
    is answered and the offer stays open."""
    cite = {"source": "damaged-or-wrong-items.md", "heading": "Parcel arrived damaged"}
    offer = {"type": "replacement", "cite": cite}
    s = state(Stage.PROPOSING, language=language, proposed_remedy=offer, problems=["damaged"], wants="replacement")
    plan = turn(s, intent="ask_policy", confidence=0.6, text=text, language=language)
    assert plan.actions == ["action_answer_question"] and plan.stage == Stage.PROPOSING
    assert (plan.slots["question_term"] or {}).get("kind") == "send_back"
