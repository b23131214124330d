"""Questions about the terms of the remedy under way, and a yes that carries one (held-out round 11,
data/eval/buyers_heldout10). Every sentence here is written fresh for the test, none taken from data/eval/."""

from __future__ import annotations

import pytest

from actions.answer_question import sentence_at
from bot.conversation.offer_questions import question_beside_yes, says_yes_then_asks
from bot.platform.vocab import Stage
from bot.understanding.offer_terms import term_asked, term_slot
from bot.understanding.sentences import Sentence
from tests.test_flow import state, turn


@pytest.mark.parametrize(
    ("language", "text", "kind"),
    [
        ("en", "and how many days before the money is back on my visa?", "money_when"),
        ("de", "wie lange dauert es bis das Geld wieder da ist?", "money_when"),
        ("pl", "po ilu dniach bedzie ten zwrot na koncie?", "money_when"),
        ("ru", "через сколько дней вернут деньги?", "money_when"),
        ("uk", "koly groshi povernut?", "money_when"),
        ("en", "do I have to post the cracked one back to you?", "send_back"),
        ("fr", "qui paie le retour du colis abîmé ?", "send_back"),
        ("sv", "kan jag behålla den spruckna?", "send_back"),
        ("cs", "kdo plati postovne za vraceni?", "send_back"),
        ("sq", "a duhet ta dergoj mbrapsht ate te thyer?", "send_back"),
        ("es", "¿y cuándo me mandáis la nueva?", "ship_when"),
        ("it", "quando spedite quella nuova?", "ship_when"),
        ("de", "bis wann wird der Ersatz verschickt?", "ship_when"),
        ("en", "does the voucher also work on sale items?", "coupon_use"),
        ("pl", "czy ten kupon dziala na przecenione?", "coupon_use"),
        ("it", "la rimando indietro io o mandate voi qualcuno?", "send_back"),
    ],
)
def test_the_kind_of_term_question_is_read(language: str, text: str, kind: str) -> None:
    found = term_asked(text, language)
    assert found is not None and found.kind == kind


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "the handle snapped off the first time I used it"),
        ("de", "der Deckel war schon beim Auspacken kaputt"),
        ("ru", "пришла с трещиной, очень обидно"),
        ("sq", "erdhi e thyer ne kuti"),
    ],
)
def test_a_description_asks_no_term(language: str, text: str) -> None:
    assert term_asked(text, language) is None


def test_the_answering_sentence_is_found_in_the_section_or_not_at_all() -> None:
    ship = term_slot("when will you send the new one?", "en")
    assert ship is not None and ship["kind"] == "ship_when" and not ship["source"]  # the remedy's own section
    section = ["If the box was crushed, refuse it.", "A replacement ships within 2 business days.", "Pickup is free."]
    assert sentence_at(section, ship["sentence"]) == 1
    assert sentence_at(["We open an investigation with the carrier."], ship["sentence"]) is None


def _parse(text: str, *parts: str, intent: str = "ask_policy") -> dict[str, object]:
    at, cut = 0, []
    for p in parts:
        start = text.index(p, at)
        cut.append(Sentence(p, start, start + len(p), "affirm" if p is parts[0] else "ask_policy", 0.8))
        at = start + len(p)
    return {"intent": intent, "confidence": 0.8, "text": text, "sentences": tuple(cut)}


@pytest.mark.parametrize(
    ("language", "yes", "question"),
    [
        ("en", "Fine, go ahead.", "When will the new one leave the warehouse?"),
        ("pl", "Dobrze, zgoda.", "A kiedy wyslecie ten nowy?"),
        ("it", "Va bene, procedete.", "Quando parte quella nuova?"),
    ],
)
def test_a_yes_with_a_question_is_taken_and_the_question_answered(language: str, yes: str, question: str) -> None:
    text = f"{yes} {question}"
    cite = {"source": "damaged-or-wrong-items.md", "heading": "Parcel arrived damaged"}
    offer = {"type": "replacement", "cite": cite}
    s = state(Stage.PROPOSING, language=language, proposed_remedy=offer, problems=["damaged"], wants="replacement")
    msg = _parse(text, yes, question)
    assert says_yes_then_asks(type("M", (), msg)(), language)
    plan = turn(s, language=language, **msg)
    assert plan.actions == ["action_confirm_remedy", "action_answer_question"]
    assert plan.slots["question_text"] == question
    assert (plan.slots["question_term"] or {}).get("kind") == "ship_when"
    assert not plan.slots.get("side_request")


def test_a_request_beside_a_yes_is_still_a_request() -> None:
    """ "could the courier ring the bell?" asks the team for something: noted, not looked up in the documents."""
    text = "Yes please. Could the courier ring the bell this time?"
    msg = _parse(text, "Yes please.", "Could the courier ring the bell this time?", intent="affirm")
    assert question_beside_yes(type("M", (), msg)(), "en") is None


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("sv", "okej tack. och när syns pengarna på kontot?"),
        ("de", "danke. muss ich die kaputte Vase zurueckschicken?"),
        ("ru", "спасибо. а когда отправите новую?"),
    ],
)
def test_a_term_question_after_the_agreement_is_answered(language: str, text: str) -> None:
    """Acknowledged as a thanks while the remedy was carried out, the buyer's next question went to staff as "not
    understood" (round 11). It is answered, and counts as understood."""
    agreed = {
        "type": "replacement",
        "cite": {"source": "damaged-or-wrong-items.md", "heading": "Parcel arrived damaged"},
    }
    s = state(Stage.RESOLVING, language=language, accepted_remedy=agreed, not_understood=1)
    plan = turn(s, intent="thank", confidence=0.3, text=text, language=language)
    assert plan.actions == ["action_answer_question"] and plan.stage == Stage.RESOLVING
    assert plan.slots["question_term"] and plan.slots["not_understood"] == 0


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        (r"^\W*(na gut)\W*$", "Na gut.", True),
        (r"^\W*(not now)\W*$", "not now!!", True),
        (r"\bżółw\S*", "ZOLWIK", True),
        (r"\D+\d", "abc", False),
    ],
)
def test_a_pattern_is_folded_with_its_escapes_kept(pattern: str, text: str, matches: bool) -> None:
    """Folded whole, "\\W" became "\\w" and every such pattern in data/answers/ read the opposite (round 11)."""
    import re

    from bot.platform.folding import fold_pattern, normalise

    assert bool(re.search(fold_pattern(pattern), normalise(text))) is matches


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Na gut. Geht das auf PayPal zurück? Damit habe ich bezahlt."),
        ("de", "Na gut, machen Sie. Kommt das Geld aufs Konto?"),
        ("pl", "Niech bedzie. A kiedy pieniadze wroca na karte?"),
    ],
)
def test_a_yes_before_a_term_question_counts_when_the_nlu_kept_no_sentences(language: str, text: str) -> None:
    """The NLU keeps a message's sentences only when they read differently: the yes was looked for in nothing."""
    msg = type("M", (), {"text": text, "sentences": ()})()
    assert says_yes_then_asks(msg, language)


@pytest.mark.parametrize(
    ("text", "said"),
    [("dobra, biore.", "yes"), ("no to wezme", "yes"), ("nie biore", "no"), ("dobra, pytanie zanim sie zgodze", None)],
)
def test_a_polish_i_will_take_it_is_a_yes(text: str, said: str | None) -> None:
    """ "dobra, biorę" (fine, I'll take it) before a question about the refund: the yes was lost (round 11)."""
    from bot.understanding.answers import yes_no

    assert yes_no(text, "pl") == said
