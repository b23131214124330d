"""A payment dispute the buyer mentions (PayPal, the bank, the card) is kept with the case and said back beside the
refund: the shop refunds once, through the dispute or by itself (knowledge payments.md). Round 15: "PayPal dispute
already open" was never acknowledged, and a refund was agreed beside it with nothing to stop it being paid twice.
Words that name a dispute only beside a payment party ("spor", "спор", "litige") need one; a complaint to the shop
("reklamacja", "претензия", "réclamation") paid by card is no dispute."""

from __future__ import annotations

import pytest

from bot.handoff.summary import what_happened
from bot.understanding.answers import mentions_payment_dispute


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "fyi my bank already has a chargeback going for this"),
        ("en", "I disputed the payment with PayPal on Friday"),
        ("pl", "zalozylam spor w paypal bo nikt nie odpisywal"),
        ("de", "hab bei paypal nen Konflikt aufgemacht"),
        ("fr", "ma banque a lancé une rétrofacturation"),
        ("es", "puse una disputa en paypal hace dos dias"),
        ("it", "ho aperto una controversia con paypal"),
        ("sv", "jag har bestridit betalningen hos banken"),
        ("cs", "uz jsem otevrel spor pres paypal"),
        ("ru", "я уже открыл диспут в пейпал"),
        ("ru", "uzhe otkryla spor v paypal"),  # typed without a Cyrillic keyboard
        ("uk", "я вже оскаржила платіж у банку"),
        ("sq", "kam hapur kontestim ne paypal"),
    ],
)
def test_a_payment_dispute_is_recognised(language: str, text: str) -> None:
    assert mentions_payment_dispute(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "I paid by card and the handle is cracked"),
        ("en", "can you refund it to my card please"),
        ("pl", "placilam karta, skladam reklamacje"),
        ("de", "mit Karte bezahlt, ich möchte das reklamieren"),
        ("fr", "payé par carte, je fais une réclamation"),
        ("ru", "оплатила картой, пишу претензию"),
        ("ru", "спортивная бутылка, платила картой"),
        ("it", "mi fate lo storno sulla carta?"),
        ("cs", "platil jsem kartou, podavam reklamaci"),
        ("uk", "платила карткою, претензія до якості"),
    ],
)
def test_a_complaint_paid_by_card_is_no_dispute(language: str, text: str) -> None:
    assert not mentions_payment_dispute(text, language)


def test_the_staff_summary_says_it() -> None:
    details = {"problems": ["charged_twice"], "wants": "refund_full", "payment_dispute": True}
    assert "payment dispute" in what_happened(details, ["Kettle"])
    assert "payment dispute" not in what_happened({**details, "payment_dispute": None}, ["Kettle"])
