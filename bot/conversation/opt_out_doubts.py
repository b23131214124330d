"""Doubts about a request to stop (PLAYBOOK rule 11) that the classifier's reading alone settles wrongly.

Held-out round 11 (Ukrainian): "ні, дякую, досить. надалі мене не турбуйте взагалі" (no thanks, enough, do not
disturb me any more) holds a phrase of data/opt_out.yml, yet the classifier read it as a "no" (deny 0.67) and the
bot asked what would be fair; asked "shall we stop writing?" after another request, the same words were taken for a
"no" to the question (they open with "ні") and the bot carried on, seven times. And "stop, a ce vzagali bot pyshe?"
(wait, is a bot writing this?) was asked whether to stop instead of being told the truth about the bot.
The first two are settled where the doubt is asked (flow.check_opt_out reads `said_in_words` once); the rest here.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.understanding.answers import asks_if_bot, yes_no
from bot.understanding.opt_out import Reading, default_rules, said_in_words
from bot.understanding.self_stopping import stops_by_itself
from bot.understanding.sent_early import sent_too_early


def stop_before_bot_question(text: str, sentences: Iterable[Reading], language: str | None) -> bool:
    """A bare command word opening a message that goes on to ask whether a bot is writing ("stop, are you even a
    bot?", "стоп, це бот пише?"): the word is an interjection, the question is what the buyer wants answered, and
    the answer says how to stop. Only without a phrase of data/opt_out.yml anywhere in the message."""
    said = tuple(sentences)
    rules = default_rules()
    if len(said) < 2 or not rules.is_command(said[0].text) or said_in_words(text, said[1:]):
        return False
    return any(asks_if_bot(x.text, language) for x in said[1:])


def yes_beside_a_doubt(text: str, sentences: Iterable[Reading], language: str | None) -> bool:
    """A plain yes to the offer on the table, with no request to stop in words and no command word in it: "Kaq më
    mjafton. Faleminderit" (that is enough for me, thanks) to an apology offered, whose first sentence read as opt_out
    0.61, was asked "shall we stop writing?" (held-out round 9 set, on the d11 branch). The doubt is not asked."""
    said = tuple(sentences)
    rules = default_rules()
    if said_in_words(text, said) or rules.is_command(text) or any(rules.is_command(x.text) for x in said):
        return False
    return yes_no(text, language) == "yes"


def device_stops(text: str, sentences: Iterable[Reading], language: str | None) -> bool:
    """The message says a device switches itself off or stops working, and asks to stop in no words of
    data/opt_out.yml: "schaltet sich nach 5 Sekunden ab" was asked "shall we stop writing?" (held-out round 11)."""
    return stops_by_itself(text, language) and not said_in_words(text, tuple(sentences))


def sent_too_early_note(text: str, sentences: Iterable[Reading], language: str | None) -> bool:
    """The message says the one before went off unfinished ("oups, message parti tout seul") and asks to stop in no
    words of data/opt_out.yml: "sent" and "message" are no request to stop sending (held-out round 12)."""
    return sent_too_early(text, language) and not said_in_words(text, tuple(sentences))
