"""Counter-offers on a money remedy (issue 19.3 and 19.5): an amount the buyer names, and "a bit more?".

A partial refund or a coupon is offered at the most its rule allows. A buyer who names an amount within that is
offered that amount, and told so ("the 8 EUR difference" was offered 9.00, the policy's percentage); above it,
the most, and told why. A buyer who asks for a bit more is raised to the most the rule allows within the bot's
authority, or told in one sentence that this is the most and the offer stays ("¿y si me devolvéis un poco más?"
was asked to rephrase). Pure: the flow applies what these return.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.understanding.answers import amount_role, negated, sums_joined, yes_no

# Money remedies whose amount can be met in between: a full refund is the price, a shipping refund the postage.
ADJUSTABLE = frozenset({"refund_partial", "coupon"})


# A bare number right before a sum, with the words between them ("20 or 30 EUR": the 20 has no currency of its own).
_BARE_BEFORE = re.compile(r"(?<![\w.,])(\d{1,7}(?:[.,]\d{1,2})?)(\D{1,24})$")
# "€20 or 30?": the second sum bare after the first, its currency understood. Only where the message or its
# sentence ends after it: "€20 or 30 days" or "20 EUR or 30%" name no second sum.
_BARE_AFTER = re.compile(r"^(\D{1,24}?)(?<![\w.,])(\d{1,7}(?:[.,]\d{1,2})?)(?=\s*(?:[.!?;,)]|$))")


def _turned_down_here(text: str, start: int) -> bool:
    """Whether a negation stands right before the sum at `start`, in its own clause ("not a 5 euro code")."""
    clause = re.split(r"[.,;:!?\n]", text[:start])[-1]
    return negated(clause, len(clause))


_ECHOED = re.compile(r"^\s*\?+\s*([^.!?\n]*)")


def _questioned_and_refused(text: str, end: int, language: str | None) -> bool:
    """The sum is said back as a question and refused: "6 euro? jo, dua gjithe shumen" (6 euros? no, I want it all)
    quotes the offer to turn it down, and was answered "you asked for 6.00, so I offer it" (held-out round 12, sq)."""
    echoed = _ECHOED.match(text[end:])
    return bool(echoed) and yes_no(echoed.group(1), language) == "no"


def refuses_sum(entities: list[Any], text: str = "", language: str | None = None) -> bool:
    """Is a sum of the message said back as a question and refused ("6 euro? jo ...")? The sum asked earlier, which
    the offer was sized to, is then no longer the buyer's ask."""
    return any(
        getattr(e, "entity", None) == "amount" and _questioned_and_refused(text, int(getattr(e, "end", 0)), language)
        for e in entities
    )


def amount_asked(entities: list[Any], currency: str, text: str = "", language: str | None = None) -> Decimal | None:
    """The amount a message asks for, in the order's currency (see sums_asked): of two it offers as alternatives,
    the lower."""
    sums = sums_asked(entities, currency, text, language)
    return min(sums) if sums else None


def sums_asked(entities: list[Any], currency: str, text: str = "", language: str | None = None) -> tuple[Decimal, ...]:
    """The sums a message asks for, in the order's currency: the sum tied to a wish, not one said as a price
    ("it cost 80 EUR, I want 20 EUR back" asks for 20; "I paid 45 EUR and shipping was 6.99 EUR" for none), nor one
    turned down ("not 20 EUR, 30 EUR" asks for 30). Of several left, the last tied to a wish, else the last (a
    correction comes last). Taking the smallest offered 20 to a buyer who named a 20 EUR fee and asked for 30
    (issue 19). Sums offered as alternatives ("20 or 30 EUR", "20-30 €", "20 € oder 30 €": amounts.yml `either`)
    are one ask of them all, in the order said; the caller takes the lower, never silently the larger (issue 19).
    Empty when it names none in that currency (a sum in another currency is not converted)."""
    found: list[tuple[Decimal, int, int]] = []
    for e in entities:
        if getattr(e, "entity", None) != "amount":
            continue
        number, _, code = str(e.value).partition(" ")
        try:
            value = Decimal(number)
        except InvalidOperation:
            continue
        if code == currency and value > 0:
            found.append((value, int(getattr(e, "start", 0)), int(getattr(e, "end", 0))))
    found.sort(key=lambda f: f[1])
    groups: list[tuple[tuple[Decimal, ...], int, int]] = []  # (the sums, start, end)
    for value, start, end in found:
        if groups and sums_joined(text[groups[-1][2] : start], language):
            values, first, _ = groups[-1]
            groups[-1] = ((*values, value), first, end)
            continue
        since = groups[-1][2] if groups else 0
        bare = _BARE_BEFORE.search(text[since:start])
        if bare and sums_joined(bare.group(2), language):
            other = Decimal(bare.group(1).replace(",", ".")).quantize(Decimal("0.01"))
            if other > 0:
                groups.append(((other, value), since + bare.start(), end))
                continue
        groups.append(((value,), start, end))
    for i, (values, first, end) in enumerate(groups):
        until = groups[i + 1][1] if i + 1 < len(groups) else len(text)
        bare = _BARE_AFTER.match(text[end:until]) if len(values) == 1 else None
        if bare and sums_joined(bare.group(1), language):
            other = Decimal(bare.group(2).replace(",", ".")).quantize(Decimal("0.01"))
            if other > 0:
                groups[i] = ((*values, other), first, end + bare.end())
    # (sums, role, turned down, turned down in its own clause)
    read: list[tuple[tuple[Decimal, ...], str | None, bool, bool]] = []
    for i, (values, start, end) in enumerate(groups):
        since = groups[i - 1][2] if i else 0
        until = groups[i + 1][1] if i + 1 < len(groups) else len(text)
        role = amount_role(text[since:start], text[end:until], language)
        refused = _turned_down_here(text, start) or _questioned_and_refused(text, end, language)
        read.append((values, role, negated(text, start) or refused, refused))
    asks = [r for r in read if r[1] != "price"]
    if len(asks) > 1 and any(not r[2] for r in asks):
        asks = [r for r in asks if not r[2]]
    elif len(asks) == 1 and asks[0][3]:
        # A lone sum turned down in its own clause is no ask: "a proper amount, not a 5 euro voucher" asks for more
        # than 5, and the bot offered exactly 5 ("you named 5.00, so I can offer exactly that"; held-out round 9, en
        # and es). "No, 30 EUR back" answers the offer with its "no" and still asks for 30.
        asks = []
    tied = [r for r in asks if r[1] == "ask"]
    chosen = (tied or asks)[-1:]
    return chosen[0][0] if chosen else ()


def note(kind: str, offer: dict[str, Any], amount: Decimal | str | None = None) -> dict[str, Any]:
    """The sentence said before the offer (why_not in the message files), with the money it names."""
    return {
        "kind": kind,
        "remedy": offer.get("type", ""),
        "amount": str(amount if amount is not None else offer.get("amount") or ""),
        "currency": offer.get("currency"),
    }


def sized(offer: dict[str, Any], asked: Decimal | None) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The offer at the amount the buyer named, and the note said before it: the named amount within the most the
    rule allows (`asked`), or the most when they named more (`cap`). Unchanged, with no note, for an offer whose
    amount is fixed or unknown, or when no amount was named."""
    if asked is None or offer.get("type") not in ADJUSTABLE or not offer.get("amount"):
        return offer, None
    most = Decimal(offer["amount"])
    if asked > most:
        return offer, note("cap", offer, most)
    percent = offer.get("percent")
    if percent and most:
        # The percent says the same share of the value at stake as the amount does (reports read both).
        percent = str((Decimal(percent) * asked / most).quantize(Decimal("0.01")))
    smaller = {**offer, "amount": str(asked.quantize(Decimal("0.01"))), "percent": percent}
    return smaller, note("asked", smaller)


def counter(
    proposed: dict[str, Any], most: dict[str, Any] | None, asked: Decimal | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The answer to a counter-offer on `proposed`: `most` is the same remedy at the most the bot may give on its
    own (None when that needs a person's approval). A named amount is met within the most; "a bit more" is
    raised to the most, or told that this is the most, with the offer kept."""
    top = most or proposed
    if asked is not None:
        offer, said = sized(top, asked)
        return offer, said or note("most", offer)
    if Decimal(top.get("amount") or 0) > Decimal(proposed.get("amount") or 0):
        return top, note("raised", top)
    return proposed, note("most", proposed)


# A sum with two decimals and no currency ("4,95 mehr", "Abbuchung: 54,80"): in a message about a charge it is money.
# "24.11" or "3.12" may be a date (day.month), so a dotted pair that could be one is left out.
_BARE_SUM = re.compile(r"(?<![\w.,/:-])(\d{1,5})([.,])(\d{2})(?![\w/:-]|[.,]\d)")


def _bare_sums(text: str) -> set[Decimal]:
    found: set[Decimal] = set()
    for m in _BARE_SUM.finditer(text):
        whole, mark, cents = m.groups()
        if mark == "." and 1 <= int(whole) <= 31 and 1 <= int(cents) <= 12:
            continue
        found.add(Decimal(f"{whole}.{cents}"))
    return found


def overcharge_named(entities: list[Any], currency: str, text: str, order_value: Decimal | None) -> Decimal | None:
    """The overcharge a buyer states while telling of a hidden cost, which the policy refunds ("we refund the
    difference"): the difference of the two sums named (what checkout said and what was taken), a sum above the
    order's total less that total, or a lone smaller sum ("4,95 more than at checkout"). A 4.95 overcharge was
    offered the rule's cap of 8.98 (held-out round 11, de). None when the sums tell no difference plainly."""
    sums = {
        Decimal(str(e.value).partition(" ")[0])
        for e in entities
        if getattr(e, "entity", None) == "amount" and str(e.value).partition(" ")[2] == currency
    } | _bare_sums(text)
    sums = {value for value in sums if value > 0}
    if len(sums) == 2:
        low, high = sorted(sums)
        return high - low if high - low < low else None
    if len(sums) != 1 or not order_value:
        return None
    (named,) = sums
    if named > order_value:
        return named - order_value if named - order_value < order_value else None
    return named if named < order_value else None
