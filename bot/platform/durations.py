"""Durations as admins write them in policies: `30m`, `4h`, `2d`, `1d12h`."""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+)\s*([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """Parse `4h`, `2d`, `1d12h`, `90m`; raise ValueError naming the accepted forms otherwise."""
    cleaned = str(text).strip().lower()
    parts = _PART.findall(cleaned)
    if not cleaned or _PART.sub("", cleaned).strip():
        raise ValueError(f"{text!r} is not a duration: write it like 30m, 4h, 2d or 1d12h")
    return sum((timedelta(**{_UNITS[unit]: int(n)}) for n, unit in parts), timedelta())


def format_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            out.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(out) or "0s"
