"""Does the buyer say yes to the offer and take it back in the same message? (wishes.yml `changed_mind`)

"Ok go ahead. Actually no, wait, can I have the money instead?" holds a yes, and the yes was confirmed; what follows the
words that take it back is the buyer's answer (held-out round 13: "oui allez-y ... ah non en fait je préférerais
l'argent" booked the partial refund it turned away from). The words are those that mark a change of mind between two
wishes ("a new one. or no, the money"), data/answers/wishes.yml `changed_mind`.
"""

from __future__ import annotations

from bot.platform.folding import normalise
from bot.understanding.answers import (
    negation_words,
    own_then_english,
    read_as,
    states_preference,
    wish_patterns,
    wishes_in,
    yes_no,
)


def taken_back(text: str, language: str | None) -> str | None:
    """The part of the message after the words that take back a yes said before them (normalised), or None when the
    message takes nothing back (no such words, no yes before them, or nothing after them that turns away)."""
    said = normalise(text)
    for lang in own_then_english(language):
        read = read_as(said, lang)
        # The first such words after the yes: "ja passt. ach nee, doch lieber das Geld" takes it back at "ach nee".
        found = sorted(
            (
                m
                for p in wish_patterns().get(lang, {}).get("changed_mind", [])
                for m in p.finditer(read)
                if m.start() > 0
            ),
            key=lambda m: m.start(),
        )
        for words in found:
            rest = read[words.end() :].strip(" ,.;:!-")
            # Only words or a rest that turn away say so: a no, a wish or a preference ("wait, actually, can I get the
            # money instead?"). "ok. wait, actually, when does the courier come?" pauses for a question; its yes stands.
            # Words that hold a no themselves ("actually no", "ah non", "ach nee") turn away whatever follows.
            said_no = yes_no(rest, lang) == "no" or any(
                w in negation_words() or yes_no(w, lang) == "no" for w in words.group(0).split()
            )
            turns = said_no or wishes_in(rest, lang)[0] or states_preference(rest, lang)
            if turns and yes_no(read[: words.start()], lang) == "yes":
                return rest
    return None
