"""Property tests: no input, however odd, crashes the intake validator; valid input round-trips."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.intake.schema import validate_review
from tests.conftest import review

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)


@given(json_values)
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_arbitrary_json_never_crashes(data: Any) -> None:
    result, errors = validate_review(data)
    assert (result is None) == bool(errors)
    assert all(e["field"] and e["message"] for e in errors)


FIELDS = ["platform", "external_id", "rating", "text", "created_at", "verified_purchase", "edit_url", "buyer", "order"]
NESTED = [
    ("buyer", "phone"),
    ("buyer", "email"),
    ("buyer", "timezone"),
    ("buyer", "consent"),
    ("order", "total"),
    ("order", "currency"),
    ("order", "items"),
    ("order", "delivered_at"),
]


@given(st.sampled_from(FIELDS + NESTED), json_values)
@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
def test_one_corrupted_field_is_named_or_accepted(path: Any, value: Any) -> None:
    data = review("p-1")
    if isinstance(path, tuple):
        data[path[0]][path[1]] = value
        dotted = ".".join(path)
    else:
        data[path] = value
        dotted = path
    result, errors = validate_review(data)
    if result is None:
        assert any(e["field"].startswith(dotted) or e["field"].startswith(dotted.split(".")[0]) for e in errors), errors


@given(st.text(max_size=300), st.integers(1, 5), st.sampled_from(["+48601234567", "+46701234567", None]))
def test_valid_reviews_are_accepted_and_normalised(text: str, rating: int, phone: str | None) -> None:
    data = review("ok-1", rating=rating, text=text.replace("\x00", ""))
    data["buyer"]["phone"] = phone
    result, errors = validate_review(data)
    assert errors == [] and result is not None
    assert result.rating == rating and result.created_at.tzinfo is not None
    assert result.buyer.phone == phone
