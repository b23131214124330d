#!/usr/bin/env python3
"""Check data/demo/reviews.jsonl: shape, ids, dates, money, phones, counts.

.venv/bin/python data/demo/validate.py      # needs `phonenumbers` for the phone check
"""

from __future__ import annotations

import collections
import json
import re
import sys
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers

HERE = Path(__file__).resolve().parent
LO, HI = "2026-08-01T00:00:00Z", "2026-11-20T23:59:59Z"
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
MONEY = re.compile(r"^\d+\.\d\d$")
CURRENCIES = {"EUR", "PLN", "SEK", "GBP", "CZK", "UAH"}
TOP = {"platform", "external_id", "rating", "text", "created_at", "verified_purchase", "edit_url", "buyer", "order"}
BUYER = {"name", "email", "phone", "timezone", "consent"}
ORDER = {"id", "total", "shipping_cost", "currency", "ordered_at", "shipped_at", "delivered_at", "items"}
# language of each review is not a field of the intake shape; we infer it from the buyer's e-mail domain
# and script, which the generator keeps consistent (Cyrillic: .com.ua -> uk, else ru).
DOMAIN_LANG = {
    "example.co.uk": "en",
    "example.ie": "en",
    "example.pl": "pl",
    "example.se": "sv",
    "example.de": "de",
    "example.at": "de",
    "example.lv": "ru",
    "example.ee": "ru",
    "example.al": "sq",
    "example.com": "sq",
    "example.com.ua": "uk",
    "example.cz": "cs",
    "example.fr": "fr",
}


def main() -> int:
    errors: list[str] = []
    ext_ids, order_ids = set(), set()
    by_lang, by_rating = collections.Counter(), collections.Counter()
    no_order = no_phone = undelivered = 0
    lines = (HERE / "reviews.jsonl").read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines, 1):

        def err(msg, n=n):
            errors.append(f"line {n}: {msg}")

        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            err(f"bad JSON: {e}")
            continue
        if set(r) != TOP:
            err(f"top-level keys {sorted(set(r) ^ TOP)}")
            continue
        if r["platform"] != "demo-reviews":
            err("platform")
        if not re.fullmatch(r"dr-\d{6}", r["external_id"]) or r["external_id"] in ext_ids:
            err(f"external_id {r['external_id']}")
        ext_ids.add(r["external_id"])
        if r["edit_url"] != f"https://reviews.example/demo/reviews/{r['external_id']}/edit":
            err("edit_url")
        if r["rating"] not in (1, 2, 3, 4, 5):
            err("rating")
        by_rating[r["rating"]] += 1
        if not r["text"].strip():
            err("empty text")
        if not TS.match(r["created_at"]) or not LO <= r["created_at"] <= HI:
            err("created_at")
        b = r["buyer"]
        if set(b) != BUYER or set(b["consent"]) != {"sms", "telegram", "webchat"}:
            err("buyer keys")
            continue
        ZoneInfo(b["timezone"])
        domain = b["email"].split("@", 1)[1]
        if not domain.startswith("example."):
            err("email domain")
        lang = DOMAIN_LANG[domain]
        if lang == "sq" and re.search("[а-яё]", r["text"], re.I):
            lang = "ru"
        by_lang[lang] += 1
        if b["phone"] is None:
            no_phone += 1
            if b["consent"]["sms"]:
                err("sms consent without phone")
        else:
            num = phonenumbers.parse(b["phone"], None)
            if (
                not phonenumbers.is_valid_number(num)
                or phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164) != b["phone"]
            ):
                err(f"phone {b['phone']}")
            if phonenumbers.number_type(num) not in (
                phonenumbers.PhoneNumberType.MOBILE,
                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
            ):
                err(f"phone not mobile {b['phone']}")
        o = r["order"]
        if o is None:
            no_order += 1
            if r["verified_purchase"]:
                err("verified purchase without order")
            continue
        if not r["verified_purchase"]:
            err("order but not verified")
        if set(o) != ORDER:
            err("order keys")
            continue
        if o["id"] in order_ids:
            err(f"duplicate order {o['id']}")
        order_ids.add(o["id"])
        if o["currency"] not in CURRENCIES or not MONEY.match(o["total"]):
            err("currency/total")
        stamps = (
            [o["ordered_at"], o["shipped_at"]] + ([o["delivered_at"]] if o["delivered_at"] else []) + [r["created_at"]]
        )
        if any(not TS.match(s) for s in stamps) or stamps != sorted(stamps) or stamps[0] < LO:
            err(f"timestamps out of order {stamps}")
        if o["delivered_at"] is None:
            undelivered += 1
        subtotal = Decimal(0)
        for it in o["items"]:
            if set(it) != {"sku", "name", "qty", "price"} or not MONEY.match(it["price"]) or it["qty"] < 1:
                err(f"item {it}")
                continue
            subtotal += Decimal(it["price"]) * it["qty"]
        if not o["items"] or Decimal(o["total"]) < subtotal:
            err("total below items")
        elif not MONEY.match(o["shipping_cost"]) or Decimal(o["total"]) != subtotal + Decimal(o["shipping_cost"]):
            err("shipping_cost is not the total less the items")
    low = sum(by_rating[k] for k in (1, 2, 3))
    print(
        f"lines={len(lines)} orders={len(order_ids)} no_order={no_order} no_phone={no_phone} undelivered={undelivered}"
    )
    print("per language:", dict(sorted(by_lang.items(), key=lambda kv: -kv[1])))
    print("per rating:", dict(sorted(by_rating.items())), f"low(1-3)={low} ({100 * low / len(lines):.0f}%)")
    for lang in ("pl", "sv", "ru", "sq", "en", "de"):
        if by_lang[lang] < 25:
            errors.append(f"only {by_lang[lang]} reviews in {lang}")
    if len(lines) < 220 or len(order_ids) < 200:
        errors.append("too few reviews/orders")
    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"{len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
