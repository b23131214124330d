"""Read reviews from JSON Lines or CSV files into intake-shaped dicts.

CSV headers use dots for nesting (`buyer.email`, `order.total`, `buyer.consent.sms`); `order.items` holds
a JSON array. Cells are converted to the types intake expects, and anything unconvertible is passed on
as-is so that intake reports it with the field name.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_BOOL = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
_BOOLEAN_FIELDS = {"verified_purchase", "buyer.consent.sms", "buyer.consent.telegram", "buyer.consent.webchat"}


class ImportFileError(Exception):
    pass


class UnreadableLine(str):
    """A line that could not be parsed; its text says why. Intake never sees it."""


def read_records(path: Path) -> Iterator[tuple[int, Any]]:
    """Yield (line number, record). A line that is not JSON yields an UnreadableLine saying why."""
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson", ".json"}:
        yield from _jsonl(path)
    elif suffix == ".csv":
        yield from _csv(path)
    else:
        raise ImportFileError(f"{path}: unknown file type {suffix!r}; use .jsonl or .csv")


def _jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield n, json.loads(line)
                except json.JSONDecodeError as exc:
                    yield n, UnreadableLine(f"not JSON ({exc.msg} at column {exc.colno})")


def _csv(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        for n, row in enumerate(reader, 2):
            extra = row.pop(None, None)  # DictReader files cells beyond the header under the key None
            if extra:
                columns = len(reader.fieldnames or [])
                yield (
                    n,
                    UnreadableLine(
                        f"{columns + len(extra)} cells but the header has {columns} columns; quote cells holding commas"
                    ),
                )
                continue
            yield n, _nest({k.strip(): v for k, v in row.items() if k and v not in (None, "")})


def _nest(flat: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, raw in flat.items():
        value: Any = raw
        if key == "rating":
            value = int(raw) if raw.strip().lstrip("-").isdigit() else raw
        elif key in _BOOLEAN_FIELDS:
            value = _BOOL.get(raw.strip().lower(), raw)
        elif key == "order.items":
            try:
                value = json.loads(raw)
            except json.JSONDecodeError:
                value = raw
        node = out
        *parents, leaf = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return out
