"""The shape of a review as review platforms send it, and the checks that guard intake.

Every error names the field (`buyer.phone`) and how to fix it, because the person reading it is an
integrator wiring up a platform, not us. `validate_review` never raises on any JSON input.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.platform.currencies import ISO_4217

DEFAULT_MAX_TEXT = 5000
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/#-]*$")


def _aware(v: datetime) -> datetime:
    # Platforms often send naive timestamps; they mean UTC in every platform API we know of.
    return v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)


AwareDateTime = Annotated[datetime, AfterValidator(_aware)]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("1000000000"), max_digits=14, decimal_places=2)]


# Characters a database refuses in any text column: NUL (PostgreSQL) and lone surrogates (no UTF-8 form, so
# neither database takes them). One in any field once failed the whole batch with a 500 (review M4).
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, v: Any) -> Any:
        if isinstance(v, str) and (bad := _UNSTORABLE.search(v)) is not None:
            raise ValueError(
                f"contains the character U+{ord(bad.group()):04X}, which cannot be stored: remove control characters"
            )
        return v


class Consent(Strict):
    sms: StrictBool = False
    telegram: StrictBool = False
    webchat: StrictBool = False


class BuyerIn(Strict):
    name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=32)
    timezone: str | None = Field(None, max_length=64)
    consent: Consent = Consent()

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v and not _EMAIL.match(v):
            raise ValueError("not an e-mail address: expected name@domain.tld")
        return v.lower() if v else None

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        if not v:
            return None
        try:
            num = phonenumbers.parse(v, None)
        except phonenumbers.NumberParseException:
            raise ValueError("not a phone number: use E.164 with the country code, e.g. +48601234567") from None
        if not phonenumbers.is_valid_number(num):
            raise ValueError("not a valid phone number for its country: use E.164, e.g. +48601234567")
        return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        if not v:
            return None
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown timezone: use an IANA name such as Europe/Warsaw") from None
        return v


class ItemIn(Strict):
    sku: str | None = Field(None, max_length=128)
    name: str = Field(min_length=1, max_length=300)
    qty: StrictInt = Field(1, ge=1, le=100_000)
    price: Money | None = None


class OrderIn(Strict):
    id: str = Field(min_length=1, max_length=128)
    # What the buyer paid in all, as the checkout showed it: items and delivery. A refund is never more than this.
    total: Money | None = None
    # What the buyer paid for delivery, in the order's currency: the base of a shipping refund.
    shipping_cost: Money | None = None
    currency: str | None = None
    ordered_at: AwareDateTime | None = None
    shipped_at: AwareDateTime | None = None
    delivered_at: AwareDateTime | None = None
    items: list[ItemIn] = Field(default_factory=list, max_length=500)

    @field_validator("currency")
    @classmethod
    def _currency(cls, v: str | None) -> str | None:
        if v is None:
            return None
        if v.upper() not in ISO_4217:
            raise ValueError("unknown currency: use an ISO 4217 code such as EUR, PLN or SEK")
        return v.upper()

    @model_validator(mode="after")
    def _chronology(self) -> OrderIn:
        steps = [("ordered_at", self.ordered_at), ("shipped_at", self.shipped_at), ("delivered_at", self.delivered_at)]
        known = [(n, t) for n, t in steps if t is not None]
        for (a, ta), (b, tb) in itertools.pairwise(known):
            if tb < ta:
                raise ValueError(f"{b} is before {a}: check the order's timestamps")
        if self.total is not None and self.currency is None:
            raise ValueError('currency is required when total is given, e.g. "currency": "EUR"')
        return self


class ReviewIn(Strict):
    platform: str = Field(min_length=1, max_length=64, pattern=_ID.pattern)
    external_id: str = Field(min_length=1, max_length=128, pattern=_ID.pattern)
    rating: StrictInt = Field(ge=1, le=5)
    text: str = ""
    created_at: AwareDateTime
    verified_purchase: StrictBool | None = None
    edit_url: str | None = Field(None, max_length=2000, pattern=r"^https?://\S+$")
    buyer: BuyerIn | None = None
    order: OrderIn | None = None

    @field_validator("text")
    @classmethod
    def _text(cls, v: str, info: ValidationInfo) -> str:
        limit = (info.context or {}).get("max_text_chars", DEFAULT_MAX_TEXT)
        if len(v) > limit:
            raise ValueError(f"text is {len(v)} characters; the limit is {limit}: send the review text only")
        if "\x00" in v:
            raise ValueError("text contains a NUL character: strip control characters")
        return v

    @field_validator("created_at")
    @classmethod
    def _not_future(cls, v: datetime, info: ValidationInfo) -> datetime:
        now = (info.context or {}).get("now") or datetime.now(UTC)
        if v > now + timedelta(days=1):
            raise ValueError("created_at is in the future: send the time the review was written, in UTC")
        return v


_FIXES = {
    "missing": "add this field",
    "extra_forbidden": "remove this field or check its spelling",
    "int_type": "send a whole number",
    "bool_type": "send true or false",
    "string_type": "send a string",
    "string_pattern_mismatch": "use letters, digits and - _ . : / # only",
    "datetime_from_date_parsing": "use ISO 8601 UTC, e.g. 2026-10-14T19:22:05Z",
    "datetime_parsing": "use ISO 8601 UTC, e.g. 2026-10-14T19:22:05Z",
    "datetime_type": "use ISO 8601 UTC, e.g. 2026-10-14T19:22:05Z",
    "model_type": "send a JSON object",
    "model_attributes_type": "send a JSON object",
}


def describe_errors(exc: ValidationError) -> list[dict[str, str]]:
    """Pydantic errors as `{"field", "message", "fix"}` with dotted field paths."""
    out = []
    for err in exc.errors(include_url=False):
        field = ".".join(str(p) for p in err["loc"]) or "(body)"
        message = err["msg"].removeprefix("Value error, ")
        fix = _FIXES.get(err["type"], "")
        if err["type"] in {"less_than_equal", "greater_than_equal", "too_long", "too_short"}:
            fix = "see the limit in the message"
        out.append({"field": field, "message": message, "fix": fix})
    return out


def validate_review(
    data: Any, *, max_text_chars: int = DEFAULT_MAX_TEXT, now: datetime | None = None
) -> tuple[ReviewIn | None, list[dict[str, str]]]:
    """Return (review, []) or (None, errors). Never raises, whatever `data` is."""
    if not isinstance(data, dict):
        return None, [{"field": "(body)", "message": "a review must be a JSON object", "fix": "send {...}"}]
    try:
        review = ReviewIn.model_validate(data, context={"max_text_chars": max_text_chars, "now": now})
    except ValidationError as exc:
        return None, describe_errors(exc)
    except (ValueError, TypeError, ArithmeticError, RecursionError) as exc:  # defensive: odd numerics
        return None, [{"field": "(body)", "message": f"unreadable review: {type(exc).__name__}", "fix": ""}]
    return review, []
