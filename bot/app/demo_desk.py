"""The demo's staff desk: what a small, well-run support team does with the cases the bot hands it while the
demo replays its past quarter (bot/app/demo_history.py). Its rules are content, in data/demo/history.yml
(`staff_desk`): who answers, how soon, up to what amount they approve, and what they write in each language.

The desk decides from what the case holds, as a person reading the /staff card would, never from the outcome
the replay should reach: an approval within the desk's limit is approved and one above it rejected; any other
handoff gets a short reply in the buyer's language, the remedy the buyer asked for when the team may grant it,
and the case handed back to the bot, which carries on. A remedy in kind is granted as asked; money (a refund, a
partial refund, the shipping cost, a coupon) only as the policy allows it for the case, at the amount the /staff
card shows for it, and within the desk's own limit (`approve_up_to`). A case for which the policy has
no remedy and the desk none to grant stays with staff (it expires, as such cases do).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.app.runtime import Runtime
from bot.conversation.scenario import Step
from bot.platform.vocab import Stage
from bot.store.models import Case, Order, Review

STAFF = (Stage.HANDOFF.value, Stage.AWAITING_STAFF.value)
# What a person grants for a wish the bot could not meet on its own: remedies sent as goods or a pickup, whose
# value the order already says.
GRANTS = {"replacement": "replacement", "part": "send_part", "return": "return_pickup", "apology": "apology_only"}
# Money wishes, with the remedies that meet them, best first. A person weighs an amount, so the desk grants one only
# where the policy allows it for the case (the card's list, its amount computed on the affected item) and within
# its own limit; the demo then shows money remedies granted by staff too (issue 19 item 6).
MONEY_GRANTS = {
    "refund": ("refund_full", "refund_partial"),
    "shipping": ("refund_shipping",),
    "discount": ("coupon", "refund_partial"),
}
# Handoffs the desk leaves alone: suspected trolls and black PR stay with staff and are never contacted.
LEFT_ALONE = ("suspected_troll", "suspected_black_pr")


async def waiting_case(rt: Runtime, case_id: int) -> Case | None:
    """The case if it waits for staff, else None."""
    async with rt.sessions() as session:
        case = await session.get(Case, case_id)
    return case if case is not None and case.stage in STAFF else None


def within_limit(remedy: dict[str, Any], limits: dict[str, Any]) -> bool:
    """Whether the desk may approve the remedy: goods always (the bot asked because of their value, which a
    person may approve); money up to the desk's limit in the remedy's currency (none set: not approved)."""
    if not remedy.get("amount"):
        return True
    limit = limits.get(remedy.get("currency") or "")
    return limit is not None and Decimal(str(remedy["amount"])) <= Decimal(str(limit))


def money_grant(wants: str | None, allowed: list[dict[str, Any]], limits: dict[str, Any]) -> str | None:
    """`TYPE AMOUNT` of the money remedy the desk grants for the wish: the first the policy allows for the case
    (`allowed`, as the /staff card lists them) that meets it, with an amount within the desk's limit; else None."""
    for remedy_type in MONEY_GRANTS.get(wants or "", ()):
        option = next((o for o in allowed if o.get("type") == remedy_type and o.get("amount")), None)
        if option is not None and within_limit(option, limits):
            return f"{remedy_type} {option['amount']}"
    return None


def desk_steps(
    case: Case, desk: dict[str, Any], replied: bool, allowed: list[dict[str, Any]] | None = None
) -> list[Step]:
    """What the desk does for a case that waits for it, as scenario steps ([] when it leaves the case).
    `replied`: the desk has written to this buyer before. `allowed`: the remedies the policy allows for the case,
    as the /staff card lists them (with their amounts), for a money grant."""
    details, name = case.details or {}, desk["name"]
    pending = details.get("pending_remedy")
    if pending:
        decision = "/approve" if within_limit(pending, desk.get("approve_up_to", {})) else "/reject"
        return [Step(staff=decision, name=name)]
    reason = details.get("handoff_reason") or case.handoff_reason
    if reason in LEFT_ALONE or details.get("opted_out"):
        return []
    accepted = details.get("accepted_remedy") or {}
    grant = None
    if reason == "remedy_failed" and accepted.get("type") in GRANTS.values():
        grant = accepted["type"]  # sent once more
    elif details.get("wants") in GRANTS and not accepted:
        grant = GRANTS[details["wants"]]
    elif not accepted:
        grant = money_grant(details.get("wants"), allowed or [], desk.get("approve_up_to", {}))
        if grant is not None and details.get("item"):
            grant += f" {details['item']}"  # a partial refund names the item it is for
    if reason == "no_acceptable_remedy" and grant is None:
        return []  # handed back, the bot would only find nothing again: the case stays with staff
    replies = desk.get("replies", {}).get(case.language) or {}
    steps = []
    if not replied:
        text = replies.get(reason) or replies.get("default")
        if not text:
            return []  # no words in this language: a person would not write in another one
        steps.append(Step(staff=text.format(name=name), name=name))
        if reason == "buyer_asked" and not details.get("wants"):
            return steps  # they asked for a person: the person asks what would help, and reads the answer
    if grant is not None:
        steps.append(Step(staff=f"/grant {grant}", name=name))
    steps.append(Step(staff="/handback", name=name))
    return steps


async def item_answer(rt: Runtime, case_id: int) -> str | None:
    """What the buyer says when the bot asks which item it is about: the name of the order's line their review
    speaks of (the most words in common, else the first line), as they read it on their order. None when the bot
    is not asking for the item. A buyer knows what they bought; a fixed script cannot know when it is asked."""
    async with rt.sessions() as session:
        case = await session.get(Case, case_id)
        if case is None or (case.details or {}).get("requested_slot") != "item" or case.order_id is None:
            return None
        order, review = await session.get(Order, case.order_id), await session.get(Review, case.review_id)
    names = [str(line.get("name") or "") for line in (order.items if order else []) if line.get("name")]
    if not names:
        return None
    said = {w for w in (review.text if review else "").lower().split() if len(w) > 3}
    return max(names, key=lambda n: len(said & {w for w in n.lower().split() if len(w) > 3}))


async def bot_still_to_ask(rt: Runtime, case_id: int) -> bool:
    """Whether the bot has yet to ask the question a buyer's later line answers: the follow-up ("did it all
    arrive?") while the remedy is on its way, or the review question after the buyer said all is well. A buyer
    who comes back after days answers what the bot asked; a script's `wait` cannot know the timers."""
    async with rt.sessions() as session:
        case = await session.get(Case, case_id)
    if case is None:
        return False
    resolved = bool((case.details or {}).get("resolved"))
    return case.stage == Stage.RESOLVING.value or (case.stage == Stage.FOLLOW_UP.value and resolved)
