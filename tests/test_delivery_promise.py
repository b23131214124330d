"""Late days are counted from where the shop's promise starts (policies/conversation.yml
facts.delivery_promise_counted_from): from shipping by default, from the order for a shop that promises a
delivery time from checkout."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from bot.conversation.context import CaseContext, remedy_facts
from bot.policy.conversation import ConversationPolicy, load_conversation_policy

ROOT = Path(__file__).resolve().parent.parent
# Ordered on a Monday, shipped the next Monday (the warehouse held it a week), delivered that Wednesday.
ORDERED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SHIPPED = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)
DELIVERED = datetime(2026, 11, 11, 15, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 12, 10, 0, tzinfo=UTC)


def _policy(counted_from: str | None) -> ConversationPolicy:
    policy = load_conversation_policy(ROOT / "policies" / "conversation.yml")
    facts = policy.facts.model_dump()
    if counted_from is not None:
        facts["delivery_promise_counted_from"] = counted_from
    return policy.model_copy(update={"facts": type(policy.facts).model_validate(facts)})


def _ctx(shipped: datetime | None = SHIPPED, delivered: datetime | None = DELIVERED) -> CaseContext:
    order = SimpleNamespace(
        ordered_at=ORDERED,
        shipped_at=shipped,
        delivered_at=delivered,
        total=Decimal("40.00"),
        currency="EUR",
        items=[{"name": "Kettle", "price": "40.00"}],
        shipping_cost=Decimal("4.95"),
    )
    case = SimpleNamespace(topic="delivery")
    return CaseContext(case=case, review=None, buyer=None, order=order)  # type: ignore[arg-type]


def _late_days(counted_from: str | None, **order: datetime | None) -> int | None:
    return dict(remedy_facts(_ctx(**order), _policy(counted_from), NOW).details).get("late_days")


def test_the_shipped_file_counts_from_shipping() -> None:
    assert _policy(None).facts.delivery_promise_counted_from == "shipping"
    # Two business days on the road against a promise of three: on time for the carrier.
    assert _late_days(None) == 0


def test_counted_from_the_order_a_week_in_the_warehouse_is_late() -> None:
    # Seven business days from the Monday order to the Wednesday after next, three promised: four late.
    assert _late_days("order") == 4


def test_counted_from_the_order_a_parcel_never_shipped_is_late_too() -> None:
    assert _late_days("order", shipped=None, delivered=None) == 5
    assert _late_days("shipping", shipped=None, delivered=None) is None


@pytest.mark.parametrize("value", ["checkout", "", "Shipping", 3])
def test_an_unknown_start_names_the_field(value: object) -> None:
    with pytest.raises(ValidationError) as error:
        type(_policy(None).facts).model_validate({"delivery_promise_counted_from": value})
    assert "delivery_promise_counted_from" in str(error.value)
