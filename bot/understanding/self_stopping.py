"""Does the buyer say a device switches itself off or stops working? (data/answers/stops_by_itself.yml)

Such words ("schaltet sich nach 5 Sekunden ab", "it keeps cutting out") describe a fault; the classifier read one as a
request to stop contact and the buyer was asked whether to stop (held-out round 11).
"""

from __future__ import annotations

from bot.understanding.answers import mentions


def stops_by_itself(text: str, language: str | None) -> bool:
    """A device that switches itself off, cuts out or stops working, in the buyer's language or English."""
    return mentions("stops_by_itself.yml", text, language)
