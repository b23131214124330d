"""Report charts as inline SVG, drawn by this module: no JavaScript, no CDN, nothing fetched.

Each function takes plain numbers and returns one `<svg>` element sized by its viewBox, so it scales to
the page and prints crisply. Every chart carries a <title> and its numbers as text, so it reads without
colour too (and in print).
"""

from __future__ import annotations

from html import escape
from typing import Any

# Colour per outcome: green for resolved, ambers for neither, greys for never-engaged, red for failures.
OUTCOME_COLOURS = {
    "resolved_revised": "#1b7f3b",
    "resolved_kept": "#6fbf73",
    "unresolved": "#c62828",
    "no_response": "#f0a030",
    "opted_out": "#8e6bbf",
    "expired": "#e57368",
    "not_contacted": "#9e9e9e",
    "open": "#4f81bd",
}
BAR = "#4f81bd"
FONT = 'font-family="system-ui, sans-serif"'


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart" {FONT} font-size="12"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def _empty(width: int, height: int, title: str) -> str:
    return _svg(
        width,
        height,
        title,
        [f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#666">no cases</text>'],
    )


def stacked_bars(title: str, columns: list[tuple[str, dict[str, int]]], colours: dict[str, str]) -> str:
    """Vertical stacked bars, one per column (e.g. week), segments per series in `colours` order."""
    width, height, left, bottom, top = 640, 260, 36, 40, 12
    peak = max((sum(c.values()) for _, c in columns), default=0)
    if not columns or peak == 0:
        return _empty(width, height, title)
    plot_h = height - bottom - top
    step = (width - left - 8) / len(columns)
    bar_w = max(4.0, step * 0.7)
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 4}" y2="{top + plot_h}" stroke="#888"/>']
    for tick in (0, peak // 2, peak):
        y = top + plot_h - plot_h * tick / peak
        body.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#444">{tick}</text>')
    for i, (label, counts) in enumerate(columns):
        x = left + i * step + (step - bar_w) / 2
        y = top + plot_h
        for series, colour in colours.items():
            n = counts.get(series, 0)
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(label)}: {escape(series)} {n}</title></rect>"
            )
        total = sum(counts.values())
        if total:
            body.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" fill="#222">{total}</text>'
            )
        body.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" fill="#444" '
            f'font-size="10">{escape(label)}</text>'
        )
    return _svg(width, height, title, body) + legend(colours, [k for k in colours if any(c.get(k) for _, c in columns)])


def legend(colours: dict[str, str], shown: list[str]) -> str:
    items = "".join(
        f'<span class="key"><span class="swatch" style="background:{colours[k]}"></span>{escape(k.replace("_", " "))}'
        "</span>"
        for k in shown
    )
    return f'<div class="legend">{items}</div>'


def horizontal_bars(title: str, rows: list[tuple[str, float, str]], *, max_value: float | None = None) -> str:
    """One bar per row: (label, value, text shown at the bar's end)."""
    width, row_h, left = 640, 26, 150
    if not rows:
        return _empty(width, 80, title)
    peak = max_value or max((v for _, v, _ in rows), default=0) or 1
    height = row_h * len(rows) + 8
    body = []
    for i, (label, value, shown) in enumerate(rows):
        y = 4 + i * row_h
        w = (width - left - 120) * (value / peak) if peak else 0
        body.append(f'<text x="{left - 6}" y="{y + 16}" text-anchor="end" fill="#222">{escape(label)}</text>')
        body.append(f'<rect x="{left}" y="{y + 4}" width="{max(w, 0):.1f}" height="{row_h - 8}" fill="{BAR}"/>')
        body.append(f'<text x="{left + w + 6:.1f}" y="{y + 16}" fill="#222">{escape(shown)}</text>')
    return _svg(width, height, title, body)


def histogram(title: str, buckets: list[tuple[str, int]]) -> str:
    """Adjacent vertical bars for a distribution over ordered buckets."""
    width, height, bottom, top = 640, 220, 36, 18
    peak = max((n for _, n in buckets), default=0)
    if peak == 0:
        return _empty(width, height, title)
    plot_h = height - bottom - top
    step = (width - 16) / len(buckets)
    body = [f'<line x1="8" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" stroke="#888"/>']
    for i, (label, n) in enumerate(buckets):
        h = plot_h * n / peak
        x = 8 + i * step
        body.append(
            f'<rect x="{x + 2:.1f}" y="{top + plot_h - h:.1f}" width="{step - 4:.1f}" height="{h:.1f}" fill="{BAR}"/>'
        )
        body.append(
            f'<text x="{x + step / 2:.1f}" y="{top + plot_h - h - 4:.1f}" text-anchor="middle" fill="#222">{n}</text>'
        )
        body.append(
            f'<text x="{x + step / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" fill="#444">'
            f"{escape(label)}</text>"
        )
    return _svg(width, height, title, body)


def rate_bars(title: str, rows: list[dict[str, Any]], label_key: str) -> str:
    """Rates 0..1 as bars against a full-width track; rows without a denominator say so."""
    shown = []
    for row in rows:
        if row["value"] is None:
            shown.append((row[label_key], 0.0, "no resolved cases"))
        else:
            shown.append(
                (row[label_key], row["value"], f"{row['value'] * 100:.0f}% ({row['numerator']}/{row['denominator']})")
            )
    return horizontal_bars(title, shown, max_value=1.0)
