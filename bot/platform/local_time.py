"""Clock times and days as a buyer's language writes them ("9:00", "poniedziałek, 9 listopada 2026"), from Babel's
CLDR data, so a message never carries another language's date format."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date, format_time

from bot.platform.currencies import locale_for


def clock_time(at: datetime, language: str | None) -> str:
    """The time of day, short: "09:00" in German, "9:00 AM" in English."""
    return format_time(at, format="short", tzinfo=at.tzinfo, locale=locale_for(language))


def day_and_date(at: datetime, language: str | None) -> str:
    """A weekday with its date, standing alone: "Monday, November 9, 2026", "poniedziałek, 9 listopada 2026"."""
    return format_date(at.date(), format="full", locale=locale_for(language))
