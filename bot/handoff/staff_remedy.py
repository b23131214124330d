"""A remedy granted by a person (issue 19): what the grant form offers, and the record a grant becomes.

Staff choose a type from the shop policy's remedy types, an amount in the order's currency (or a percentage
for a partial refund or a discount code), and the item from the order's lines. They may grant above the bot's
authority (that is what a person is for); the record says so (`above_bot_authority`) and names who granted it
(`granted_by`). The record has the shape of a remedy the buyer accepted from the bot (flow.option_slot), so the
reports read bot and staff remedies from the same place: the case's `accepted_remedy`.

Bad input gets a `GrantRefused` naming the field and the fix, never a wrong amount: an unknown type, an amount on
a remedy in kind, a money remedy without one, a refund above what the order cost, an item not in the order.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.conversation.context import CaseContext, line_values
from bot.policy.remedies import MONEY_REMEDIES, PERCENT_REMEDIES, REMEDY_TYPES, RemedyPolicy

CENT = Decimal("0.01")
REFUNDS = frozenset({"refund_full", "refund_partial"})  # money back for goods: never more than they cost


class GrantRefused(Exception):
    def __init__(self, field: str, message: str, fix: str):
        super().__init__(f"{field}: {message}; {fix}")
        self.field, self.message, self.fix = field, message, fix


def order_items(ctx: CaseContext) -> list[str]:
    """The order's item names, each once, in the order's own order."""
    names: list[str] = []
    for line in (ctx.order.items or []) if ctx.order is not None else []:
        name = str(line.get("name") or line.get("sku") or "").strip()
        if name and name not in names:
            names.append(name)
    return names


def grant_form(ctx: CaseContext, policy: RemedyPolicy) -> dict[str, Any]:
    """What the /staff grant form shows: the policy's types, which take money, the order's currency and items,
    and the bot's authority (grants above it are allowed, and recorded as above it)."""
    currency = (ctx.order.currency if ctx.order is not None else None) or policy.currency
    return {
        "types": list(REMEDY_TYPES),
        "money_types": sorted(MONEY_REMEDIES),
        "percent_types": sorted(PERCENT_REMEDIES),
        "currency": currency,
        "items": order_items(ctx),
        "authority": {
            "max_amount": str(_in_currency(policy.bot_authority.max_amount, policy, currency) or ""),
            "max_percent": str(policy.bot_authority.max_percent),
            "currency": currency if _in_currency(Decimal(1), policy, currency) is not None else policy.currency,
        },
    }


def _in_currency(amount: Decimal, policy: RemedyPolicy, currency: str) -> Decimal | None:
    """A policy amount in another currency (policy.rates: units of it per one policy unit); None without a rate."""
    if currency == policy.currency:
        return amount.quantize(CENT)
    rate = policy.rates.get(currency)
    return (amount * rate).quantize(CENT) if rate is not None else None


_MAX_DIGITS = 9  # digits before the point of the largest amount or percentage a grant may name


def _decimal(value: Any, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise GrantRefused(field, f"{field} {value!r} is not a number", "write it like 25.50") from None
    if not number.is_finite() or number <= 0:
        raise GrantRefused(field, f"{field} must be more than 0", "write a positive number, like 25.50")
    if number.adjusted() >= _MAX_DIGITS:
        # "1E100" is a number, but rounding it to cents overflows the decimal context (hypothesis found it): refused
        # with the field named, like any other wrong amount, rather than failing the grant with an error page.
        raise GrantRefused(field, f"{field} {value} is too large", "write the amount itself, like 25.50")
    if number != number.quantize(CENT):
        raise GrantRefused(field, f"{field} {value} has more than two decimals", "round it to cents")
    return number.quantize(CENT)  # "900" is recorded as 900.00, as the bot's amounts are


def grant_record(
    ctx: CaseContext,
    policy: RemedyPolicy,
    staff_name: str,
    remedy_type: str,
    amount: Any = None,
    percent: Any = None,
    item: str | None = None,
    part: str | None = None,
) -> dict[str, Any]:
    """The accepted-remedy record for a staff grant, or `GrantRefused` saying which field is wrong and how."""
    if remedy_type not in REMEDY_TYPES:
        raise GrantRefused(
            "type", f"remedy type {remedy_type!r} is not known", f"use one of: {', '.join(REMEDY_TYPES)}"
        )
    money, pct = _decimal(amount, "amount"), _decimal(percent, "percent")
    order = ctx.order
    currency = (order.currency if order is not None else None) or policy.currency
    items = order_items(ctx)
    item = " ".join((item or "").split()) or None
    if item is not None and items and item not in items:
        raise GrantRefused("item", f"{item!r} is not in the order", f"choose one of: {', '.join(items)}")
    if item is None and len(items) == 1:
        item = items[0]
    if item is None and len(items) > 1 and remedy_type in ("replacement", "refund_partial"):
        raise GrantRefused("item", "the order has several items", f"say which one: {', '.join(items)}")
    # A part sent on its own names the part (the buyer is told which, the record keeps it); no other type has one.
    part = " ".join((part or "").split())[:120] or None
    if remedy_type == "send_part" and part is None:
        raise GrantRefused("part", "send_part needs the part's name", "name the part, like 'glass lid'")
    if remedy_type != "send_part" and part is not None:
        raise GrantRefused("part", f"{remedy_type} sends no part on its own", "leave part empty, or grant send_part")
    if remedy_type not in MONEY_REMEDIES and (money is not None or pct is not None):
        raise GrantRefused("amount", f"{remedy_type} is not paid in money", "leave amount and percent empty")
    if pct is not None and remedy_type not in PERCENT_REMEDIES:
        raise GrantRefused("percent", f"{remedy_type} is granted as an amount", "give an amount instead")
    if pct is not None and money is not None:
        raise GrantRefused("percent", "both an amount and a percentage were given", "give one of them")
    if pct is not None and pct > 100:
        raise GrantRefused("percent", "a percentage above 100", "give at most 100")
    item_value = dict(line_values(order.items or [])).get(item or "") if order is not None else None
    if pct is not None and remedy_type == "refund_partial":
        base = item_value if item_value is not None else (order.total if order is not None else None)
        if base is None:
            raise GrantRefused("percent", "the order has no prices to take a percentage of", "give an amount")
        money, pct = (base * pct / 100).quantize(CENT), pct
    if remedy_type in MONEY_REMEDIES and money is None and pct is None:
        raise GrantRefused("amount", f"{remedy_type} needs an amount in {currency}", "give the amount, like 25.50")
    if money is not None and remedy_type in REFUNDS and order is not None and order.total is not None:
        most = order.total  # what the buyer paid in all, delivery included (intake/schema.py OrderIn.total)
        if money > most:
            raise GrantRefused(
                "amount", f"{money} {currency} is more than the order cost ({most} {currency})", "check the amount"
            )
    shipping = order.shipping_cost if order is not None else None
    if money is not None and remedy_type == "refund_shipping" and shipping and money > shipping:
        raise GrantRefused(
            "amount", f"{money} {currency} is more than the shipping cost ({shipping} {currency})", "check the amount"
        )
    limit = _in_currency(policy.bot_authority.max_amount, policy, currency)
    above = bool(
        (money is not None and limit is not None and money > limit)
        or (pct is not None and pct > policy.bot_authority.max_percent)
    )
    kind = policy.remedies.kind(remedy_type)
    return {
        "type": remedy_type,
        "amount": str(money) if money is not None else None,
        "currency": currency,
        "percent": str(pct) if pct is not None else None,
        "item": item,
        **({"part": part} if part else {}),
        "rule_id": "staff",
        "cite": {"source": kind.cite.source, "heading": kind.cite.heading} if kind.cite is not None else None,
        "starts_complaint": kind.starts_complaint,
        "needs_approval": False,
        "granted_by": staff_name,
        "above_bot_authority": above,
        # Without a rate the bot's limit cannot be read in this currency: say so rather than guess.
        "authority_unknown": money is not None and limit is None,
    }


PART_MARK = re.compile(r"(?:^|\s)part:\s*", re.IGNORECASE)


def parse_grant(text: str) -> tuple[str, str | None, str | None, str | None, str | None]:
    """`TYPE [AMOUNT | PERCENT%] [item name] [part: part name]` as typed in Slack or a scenario's `/grant` →
    (type, amount, percent, item, part); `grant_record` judges the values. `refund_partial 20.50 Table lamp` →
    ("refund_partial", "20.50", None, "Table lamp", None); `coupon 10%` → ("coupon", None, "10", None, None);
    `send_part Table lamp part: glass shade` → ("send_part", None, None, "Table lamp", "glass shade")."""
    # An item's name may have several words, so the part's name is marked off: everything after `part:`.
    head_text, *marked = PART_MARK.split(text or "", maxsplit=1)
    part = marked[0] if marked else ""
    words = head_text.split()
    if not words:
        raise GrantRefused("type", "no remedy type given", f"start with one of: {', '.join(REMEDY_TYPES)}")
    remedy_type, rest = words[0].lower(), words[1:]
    amount = percent = None
    if rest and rest[0].rstrip("%").replace(",", ".").replace(".", "", 1).isdigit():
        head = rest.pop(0)
        if head.endswith("%"):
            percent = head.rstrip("%")
        else:
            amount = head
    return remedy_type, amount, percent, " ".join(rest) or None, " ".join(part.split()) or None
