"""A yes that carries a question about the offer's terms: "in Ordnung, machen Sie. Wann wird der neue verschickt?".

Held-out round 11 (all 11 languages): such a yes was lost (the question answered, the offer proposed again, and after
two rounds the case went to staff), or kept with the question passed on as "your other request" and never answered.
The yes is taken and the question answered after the confirmation (actions/answer_question.py quotes the section
that answers it: bot/understanding/offer_terms.py).
"""

from __future__ import annotations

from typing import Any

from bot.understanding.answers import asks_for_information, asks_offer_amount, yes_no
from bot.understanding.offer_terms import term_asked
from bot.understanding.sentences import sentences_of


def _parts(m: Any) -> list[str]:
    """The message's sentences as the NLU read them (bot.understanding.nlu.ParseResult), else as split here (the NLU
    keeps them only when they read differently: "Na gut. Geht das auf PayPal zurück?" came whole), else the message."""
    return [x.text for x in getattr(m, "sentences", ())] or sentences_of(m.text) or [m.text]


def asks_terms(text: str, language: str | None) -> bool:
    """A sentence that asks about the terms of the remedy (data/answers/offer_terms.yml), or asks how, when or how
    long with a question mark: information wanted, not a request for the team."""
    return term_asked(text, language) is not None or asks_for_information(text, language)


def question_beside_yes(m: Any, language: str | None) -> str | None:
    """The sentence of an accepting message that asks about the offer's terms ("alright, go ahead. will that show
    on paypal?"), else None. A message of one sentence counts when it names a term ("perfecto, y la nueva cuándo
    sale?"): its yes is read by the usual readers, its question by this one. A question asked first and a yes after it
    is question_then_yes's."""
    parts = _parts(m)
    if len(parts) == 1:
        return parts[0] if term_asked(parts[0], language) is not None else None
    return next((p for p in parts[1:] if asks_terms(p, language)), None)


def only_amount(text: str, language: str | None) -> bool:
    """The question asks only the sum on the table ("how much would that be?"), which the confirmation names."""
    return asks_offer_amount(text, language) and term_asked(text, language) is None


def question_then_yes(m: Any, language: str | None) -> str | None:
    """The question of a message that asks about the offer and then says yes to it, the yes last and nothing against
    it ("how much is that in euro? fine, go ahead", "must I post it back first? ok, I'll take it"): its question
    sentences, from the first that asks. None for any other message. Held-out round 14 (de, cs, uk; es, ru): the
    question was answered and the yes lost; the buyer's next "so what about my order?" got a clarify or a handoff.
    Two readers of this were written in that round, one by sentences and one by the last question mark; this is both:
    the mark is the cut when the sentence splitter kept the message whole ("¿y eso cuánto sale? bueno, venga")."""
    parts = _parts(m)
    asking = [i for i, p in enumerate(parts) if "?" in p]
    if len(parts) > 1 and asking and asking[-1] < len(parts) - 1:
        questions, tail = parts[: asking[-1] + 1], " ".join(parts[asking[-1] + 1 :])
    elif "?" in m.text:
        cut = m.text.rindex("?") + 1
        questions, tail = [m.text[:cut].strip()], m.text[cut:].strip(" .,!;:-\n")
    else:
        return None
    asked = " ".join(questions)
    if not tail or not asked.strip(" ?¿") or yes_no(tail, language) != "yes" or yes_no(asked, language) == "no":
        return None
    while len(questions) > 1 and "?" not in questions[0] and yes_no(questions[0], language) == "yes":
        questions = questions[1:]  # "Wunderbar, danke. Geht das auf meine Karte? Dann ja.": the thanks asks nothing
    return " ".join(questions)


def says_yes_then_asks(m: Any, language: str | None) -> bool:
    """A message of several sentences whose sentences before its question say yes and nothing against it ("Zgoda.
    A wróci na kartę?"): the offer is accepted, whatever the classifier made of the whole."""
    parts = _parts(m)
    asked = question_beside_yes(m, language)
    if len(parts) < 2 or asked is None:
        return False
    before = parts[: parts.index(asked)]
    return bool(before) and yes_no(" ".join(before), language) == "yes"
