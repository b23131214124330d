"""How many SMS segments a text costs, counted the way carriers do, and splitting to a segment budget.

A text that fits the GSM-7 alphabet (3GPP TS 23.038 basic set, plus the extension table whose characters
cost two septets: an escape and the character) goes as GSM-7: 160 septets in one segment, 153 per
segment once it needs more (7 septets go to the concatenation header). Any other character forces UCS-2
for the whole message: 70 UTF-16 code units alone, 67 per segment otherwise. Carriers never split an
escape pair or a surrogate pair across segments, so we pack segment by segment instead of dividing.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("\f^{}\\[~]|€")


@dataclass(frozen=True)
class Segments:
    encoding: str  # "GSM-7" | "UCS-2"
    count: int
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)


# Typography that would force the whole SMS into UCS-2 (70 characters a segment instead of 160) has a
# plain GSM-7 twin; Twilio's "smart encoding" makes the same swaps.
_PLAIN = str.maketrans(
    {
        "\u2014": "-",
        "\u2013": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2026": "...",
        "\u00a0": " ",
        "\u2022": "-",
        "\u00ab": '"',
        "\u00bb": '"',
    }
)


def plain(text: str) -> str:
    return text.translate(_PLAIN)


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _cost(ch: str, gsm: bool) -> int:
    if gsm:
        return 2 if ch in GSM7_EXTENSION else 1
    return 2 if ord(ch) > 0xFFFF else 1  # a surrogate pair


def count_segments(text: str) -> Segments:
    gsm = is_gsm7(text)
    single, multi = (160, 153) if gsm else (70, 67)
    costs = [_cost(ch, gsm) for ch in text]
    units = sum(costs)
    encoding = "GSM-7" if gsm else "UCS-2"
    if units <= single:
        return Segments(encoding, 1 if text else 0, units)
    count, used = 1, 0
    for c in costs:
        if used + c > multi:  # this character would straddle the boundary: it starts the next segment
            count, used = count + 1, 0
        used += c
    return Segments(encoding, count, units)


def split_to_budget(text: str, max_segments: int) -> list[str]:
    """Split `text` into SMS that each cost at most `max_segments` segments, breaking at spaces where
    possible. Each part is encoded on its own, so a GSM-7 part next to a UCS-2 one stays cheap."""
    text = plain(text).strip()
    if count_segments(text).count <= max_segments:
        return [text] if text else []
    parts: list[str] = []
    rest = text
    while rest:
        if count_segments(rest).count <= max_segments:
            parts.append(rest)
            break
        # The longest prefix that fits, found by binary search on its character length.
        lo, hi = 1, len(rest)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if count_segments(rest[:mid]).count <= max_segments:
                lo = mid
            else:
                hi = mid - 1
        cut = lo
        space = rest.rfind(" ", 0, cut + 1)
        if space > cut // 2:
            cut = space
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [p for p in parts if p]
