"""A second line of the order with a problem of its own, offered a remedy once the first is agreed (issue 18.2).

"Un des six ramequins est cassé, et le chalumeau n'était pas dans le carton": two lines of one order, each with
its own problem. The flow agrees one remedy per case, for the item the talk settled on, and the other line was
never offered anything (held-out round 13: es bowls + chopsticks, pl board + salt cellar, fr ramekins + blowtorch;
the buyer was told "all set" with half the order still broken). Once the first remedy is agreed, the other line is
offered what the policy gives for its own problem, in the same turn; a yes adds it to the agreed remedy as its
add-on (the shape remedies.yml `combine` extras already have), so the confirmation, the staff card, the reports and
the follow-up carry both, and nothing is sent or refunded twice.

Offered only when the buyer named two lines of the order AND told two item problems of different kinds: a wrong
item named first and corrected ("die Gugelhupfform... na, die Handschuhe") names two lines but one problem, and a
line said to be fine, kept or "not" the one is never counted (flow.absorb). Only one second line: a third waits
for the team (the card shows every line the buyer named).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.platform.vocab import GOODS_PROBLEMS


def lines_named(before: Iterable[str] | None, now: Iterable[str], ordered: Mapping[str, Any]) -> list[str]:
    """The order's lines the buyer has named so far, first named first, each once."""
    return list(dict.fromkeys(v for v in [*(before or []), *now] if v in ordered))


def other_line(named: Iterable[str], agreed_item: str | None, ordered: Mapping[str, Any]) -> str | None:
    """The first line named that the agreed remedy is not for; None without one (or without the agreed item)."""
    if not agreed_item:
        return None
    return next((n for n in named if n != agreed_item and n in ordered), None)


def other_problems(problems: Iterable[str], delivered: bool | None = None) -> list[str]:
    """The item problems told, when the buyer told two of different kinds; else []. All of them: which problem is
    whose is not known. The first remedy's rule answers the problem the policy ranks first, not the first line's
    (round 13 replayed: a mister missing and a planter chipped, the mister was offered the damage rule's replacement,
    and the planter, offered only what the other problem leaves, "the missing item"), and the buyer may move the first
    remedy to the other line at the yes ("ok, send the blowtorch"). The policy's first option for all of them sends
    or refunds the line, which fits either. In a parcel that was delivered, a "lost" line is a missing one: "le
    chalumeau n'était pas dans le carton" read as lost_in_transit (round 13), while the rest of the order had come."""
    told = ["missing_item" if p == "lost_in_transit" and delivered else p for p in problems]
    told = [p for p in dict.fromkeys(told) if p in GOODS_PROBLEMS]
    return told if len(told) >= 2 else []


def extra_for_line(remedy: Mapping[str, Any] | None) -> str | None:
    """The other line an agreed remedy's add-on is for, if it is one (an extra for the trouble names no line)."""
    add_on = (remedy or {}).get("add_on") or {}
    return add_on.get("item")
