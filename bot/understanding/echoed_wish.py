"""An offer echoed back as a question and then refused: "kupon? abych u vas znova nakupoval? ne. chci penize",
"a coupon?? no, my money back", "купон? нет, верните деньги".

The buyer repeats the offer's word with a question mark (disbelief, not a request) and says no or names another
wish later in the message. The wish readers (answers._read_wishes) found the coupon named and nothing turning it
down in its own clause (the "?" ends the clause), so the flow took the answer for a buyer naming the offer, which
accepts it: the coupon was confirmed to a buyer who had just refused it (held-out round 11, cs).

A wish echoed as a question with nothing refusing it afterwards ("kupon? a na ile?", a coupon? for how much?) is
left alone: it asks about the offer."""

from __future__ import annotations

import re

# The echo: the wish's words, at most two more words ("seriously", "vážně", "серьёзно"), then a question mark...
_ECHO_TAIL = re.compile(r"(\s*[\w'-]+){0,2}\s*\?")
# ...said at the start of a sentence or clause, after at most two words ("a coupon?", "what, a coupon??"): "czy moge
# dostac zwrot? albo kupon" asks for the refund, and is no echo of an offer.
_ECHO_HEAD = re.compile(r"(^|[.,;:!?]|\s[-–]\s)(\s*[\w'-]+){0,2}\s*$")


def echoed_then_refused(
    said: str, refusals: list[re.Pattern[str]], named: list[tuple[int, int, str]]
) -> set[tuple[int, str]]:
    """(start, wish) of each wish echoed as a question ("kupon?") when, after its question mark, the message says
    no (a `refused_after` marker of data/answers/wishes.yml: "ne.", "nie chcę", "нет") or names another wish."""
    refused: set[tuple[int, str]] = set()
    for start, end, wish in named:
        tail = _ECHO_TAIL.match(said, end)
        if tail is None or not _ECHO_HEAD.search(said, 0, start):
            continue
        rest = tail.end()
        other_wish = any(s >= rest and w != wish for s, _e, w in named)
        says_no = any(p.search(said, rest) for p in refusals)
        if other_wish or says_no:
            refused.add((start, wish))
    return refused
