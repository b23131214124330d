"""The "what happened" line of a staff card: the case as the bot understood it, in the staff's words.

Built only from what the conversation gathered into the case's slots (the problems, the item, when, the photos,
what the buyer wants, what was offered, declined or agreed), never from the buyer's text: the `what` slot glues
every describing message together, venting and greetings included ("…torn. Disappointing. Hi. Yes, the shade
is torn…", issue 21 item 2), which a support agent cannot read in ten seconds. The buyer's own words stay in the
conversation, each message on its own.

The phrases are the staff inbox's language. The inbox is English today, so English is the only set and the
fallback for any other language asked for: a staff card never turns into the buyer's language.
"""

from __future__ import annotations

from typing import Any

from bot.platform.currencies import format_money

PHRASES: dict[str, dict[str, Any]] = {
    "en": {
        "problems": {
            "late": "arrived late",
            "wrong_item": "wrong item sent",
            "defect": "faulty",
            "damaged": "arrived damaged",
            "missing_item": "something missing from the parcel",
            "lost_in_transit": "parcel lost in transit",
            "charged_twice": "charged twice",
            "hidden_cost": "unexpected extra cost",
            "support_rude": "unhappy with customer support",
        },
        "remedies": {
            "replacement": "a replacement",
            "reship": "sending it again",
            "send_part": "sending the part on its own",
            "refund_full": "a full refund",
            "refund_partial": "a partial refund",
            "refund_shipping": "the shipping cost back",
            "coupon": "a discount code",
            "return_pickup": "a free return pickup",
            "apology_only": "an apology",
        },
        "wants": {
            "shipping": "the shipping cost back",
            "refund": "a refund",
            "part": "only the missing or broken part",
            "replacement": "a replacement",
            "discount": "a discount",
            "return": "to return it",
            "apology": "an apology",
        },
        "unknown_problem": "Problem not identified by the bot (read the buyer's messages)",
        "item": "{problem}: {item}",
        "part": "part: {part}",
        "when": "on {when}",
        "photos": {1: "1 photo sent", "n": "{n} photos sent"},
        "evidence_yes": "has photos, none sent yet",
        "evidence_no": "no photo",
        "wants_key": "Wants {wants}",
        "wants_own": "Asked for something in their own words (see the conversation)",
        "wants_unknown": "Has not said what they want",
        "payment_dispute": "Mentions a payment dispute (PayPal, bank or card): refund once, through it or by us",
        "offered": "Offered {remedy}",
        "declined": "declined {remedies}",
        "agreed": "Agreed: {remedy}",
        "pending": "Waiting for approval: {remedy}",
        "and": " and ",
    }
}


def phrases(language: str | None) -> dict[str, Any]:
    return PHRASES.get((language or "en").split("-")[0].lower(), PHRASES["en"])


def _remedy(p: dict[str, Any], remedy: Any, language: str) -> str:
    """A remedy in words, with its sum as staff read money ("a partial refund (€35.70)") or its percentage."""
    kind = remedy.get("type") if isinstance(remedy, dict) else remedy
    words = p["remedies"].get(str(kind), str(kind).replace("_", " "))
    if isinstance(remedy, dict) and remedy.get("amount"):
        words += f" ({format_money(remedy['amount'], remedy.get('currency'), language)})"
    elif isinstance(remedy, dict) and remedy.get("percent"):
        words += f" ({remedy['percent']}%)"
    return words


def _joined(p: dict[str, Any], words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + p["and"] + words[-1]


def what_happened(details: dict[str, Any], order_items: list[str] | None = None, language: str = "en") -> str:
    """One line of sentences, from the slots alone: "Arrived damaged: Floor lamp, on 2026-12-02, 2 photos sent.
    Wants a replacement. Offered a partial refund (€35.70), declined a discount code." Order items are the order's
    own names (the item when the order holds only one and the buyer named none)."""
    p = phrases(language)
    language = next(k for k, v in PHRASES.items() if v is p)  # money as the phrases' language writes it
    problems = [p["problems"].get(k, str(k).replace("_", " ")) for k in details.get("problems") or [] if k != "none"]
    facts: list[str] = []
    if problems:
        problem = _joined(p, problems)
        item = details.get("item") or (order_items[0] if order_items and len(order_items) == 1 else None)
        facts.append(p["item"].format(problem=problem, item=item) if item else problem)
        facts[0] = facts[0][:1].upper() + facts[0][1:]
    else:
        facts.append(p["unknown_problem"])
    if details.get("part"):
        facts.append(p["part"].format(part=details["part"]))
    if details.get("when"):
        facts.append(p["when"].format(when=details["when"]))
    photos = int(details.get("photos") or 0)
    if photos:
        facts.append(p["photos"][1] if photos == 1 else p["photos"]["n"].format(n=photos))
    elif details.get("evidence") in ("yes", "no"):
        facts.append(p["evidence_yes"] if details["evidence"] == "yes" else p["evidence_no"])
    sentences = [", ".join(facts)]
    wants = details.get("wants")
    if wants:
        sentences.append(p["wants_key"].format(wants=p["wants"].get(wants, str(wants).replace("_", " "))))
    elif details.get("outcome_text"):
        sentences.append(p["wants_own"])
    else:
        sentences.append(p["wants_unknown"])
    tried: list[str] = []
    agreed, pending, offered = (
        details.get("accepted_remedy"),
        details.get("pending_remedy"),
        details.get("proposed_remedy"),
    )
    if agreed:
        tried.append(p["agreed"].format(remedy=_remedy(p, agreed, language)))
    elif pending:
        tried.append(p["pending"].format(remedy=_remedy(p, pending, language)))
    elif offered and offered.get("type") not in (details.get("declined") or []):  # a declined offer is said once
        tried.append(p["offered"].format(remedy=_remedy(p, offered, language)))
    declined = [_remedy(p, d, language) for d in details.get("declined") or []]
    if declined:
        said = p["declined"].format(remedies=_joined(p, declined))
        tried.append(said if tried else said[:1].upper() + said[1:])
    if tried:
        sentences.append(", ".join(tried))
    if details.get("payment_dispute"):
        sentences.append(p["payment_dispute"])
    return ". ".join(s.rstrip(".") for s in sentences) + "."
