"""The admin page's forms for common edits: read values out of the policy files, and write changed values
back into the YAML text in place, so the admin's comments, order and layout survive a form edit.

A value is addressed by file and key path, e.g. ("remedies.yml", ["rules", 12, "limit", "percent"]). Only
the scalar's own characters are replaced; a missing key is added to its mapping, and None removes it.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from bot.platform.yaml_lines import PolicyFileError, compose_bounded, safe_data
from bot.policy.remedies import MONEY_REMEDIES as MONEY

LIMIT_KEYS = ("amount", "percent", "max_amount", "max_percent")


class Edit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file: str = Field(min_length=1, max_length=200)
    path: list[str | int] = Field(min_length=1, max_length=12)
    value: str | int | float | None


class FormError(ValueError):
    pass


def form_values(files: dict[str, str]) -> dict[str, Any]:
    """What the forms show, read from a (draft) set of files; a section is empty if its file does not parse."""

    def load(name: str) -> Any:
        try:
            return safe_data(files.get(name, ""), name) or {}
        except (yaml.YAMLError, PolicyFileError):  # over the YAML budget too: the dry run names the file
            return {}

    remedies, mediation, shop = load("remedies.yml"), load("mediation.yml"), load("shop.yml")
    rules = []
    for i, rule in enumerate(remedies.get("rules") or []):
        if isinstance(rule, dict) and rule.get("remedy") in MONEY:
            limit = rule.get("limit") if isinstance(rule.get("limit"), dict) else {}
            rules.append(
                {
                    "index": i,
                    "id": rule.get("id"),
                    "remedy": rule.get("remedy"),
                    "limit": {k: limit.get(k) for k in LIMIT_KEYS},
                }
            )
    contact = mediation.get("contact") or {}
    quiet = mediation.get("quiet_hours") or {}
    messages = {}
    for name in sorted(files):
        if name.startswith("messages/"):
            data = load(name)
            messages[name.removeprefix("messages/").removesuffix(".yml")] = {
                ".".join(map(str, loc)): text for loc, text in _leaves(data, ()) if loc and loc[0] != "language"
            }
    return {
        "authority": dict(remedies.get("bot_authority") or {}),
        "rules": rules,
        "contact": {kind: dict(rule) for kind, rule in contact.items() if isinstance(rule, dict)},
        "quiet_hours": {"start": _clock(quiet.get("start")), "end": _clock(quiet.get("end"))},
        "team_signature": dict(shop.get("team_signature") or {}),
        "messages": messages,
    }


def _clock(v: Any) -> Any:
    return f"{v // 60:02d}:{v % 60:02d}" if isinstance(v, int) else v  # YAML 1.1 reads 21:00 as base-60


def _leaves(node: Any, loc: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], str]]:
    if isinstance(node, str):
        return [(loc, node)]
    if isinstance(node, dict):
        return [leaf for k, v in node.items() for leaf in _leaves(v, (*loc, k))]
    if isinstance(node, list):
        return [leaf for i, v in enumerate(node) for leaf in _leaves(v, (*loc, i))]
    return []


def render(value: str | int | float) -> str:
    """A YAML scalar for `value`: numbers plain, text double-quoted (JSON's escapes are valid YAML)."""
    if isinstance(value, bool):
        raise FormError("true/false values are not edited through the forms")
    if isinstance(value, int | float):
        return repr(value)
    # Always quoted, so "5" stays text; characters YAML would read as line breaks or refuses are escaped.
    return "".join(_escape(ch) for ch in json.dumps(value, ensure_ascii=False))


def _escape(ch: str) -> str:
    if ch.isprintable() or ch in '\\"':
        return ch
    return f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"


def apply_edits(files: dict[str, str], edits: list[Edit]) -> dict[str, str]:
    out = dict(files)
    for edit in edits:
        if edit.file not in out:
            raise FormError(f"{edit.file}: no such file in the draft")
        out[edit.file] = set_value(out[edit.file], edit.path, edit.value, edit.file)
    return out


def set_value(text: str, path: list[str | int], value: str | int | float | None, file: str = "") -> str:
    try:
        node = compose_bounded(text, file)
    except yaml.YAMLError:
        raise FormError(f"{file}: fix the YAML in the editor before using the forms") from None
    except PolicyFileError as exc:
        raise FormError(str(exc)) from None
    where = ".".join(map(str, path))
    for i, key in enumerate(path[:-1]):
        node = _child(node, key)
        if node is None:
            raise FormError(f"{file}: {'.'.join(map(str, path[: i + 1]))} does not exist")
    last = path[-1]
    if isinstance(node, yaml.SequenceNode) and isinstance(last, int) and 0 <= last < len(node.value):
        target = node.value[last]
        if value is None:
            raise FormError(f"{file}: {where}: list items are removed in the editor")
        return _replace(text, target, value, file, where)
    if not isinstance(node, yaml.MappingNode):
        raise FormError(f"{file}: {where}: its parent is not a mapping")
    for key_node, value_node in node.value:
        if key_node.value == str(last):
            if value is None:
                return _remove(text, node, key_node, value_node)
            return _replace(text, value_node, value, file, where)
    if value is None:
        return text
    return _insert(text, node, str(last), render(value))


def _child(node: Any, key: str | int) -> Any:
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if k.value == str(key)), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return node.value[key]
    return None


def _replace(text: str, node: Any, value: str | int | float, file: str, where: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise FormError(f"{file}: {where} is not a single value")
    return text[: node.start_mark.index] + render(value) + text[node.end_mark.index :]


def _insert(text: str, mapping: Any, key: str, rendered: str) -> str:
    if mapping.flow_style:
        end = mapping.end_mark.index - 1  # just before the closing brace
        sep = ", " if mapping.value else ""
        return text[:end].rstrip() + f"{sep}{key}: {rendered}" + text[end:]
    last_value = mapping.value[-1][1]
    column = mapping.value[0][0].start_mark.column
    line_end = text.find("\n", last_value.end_mark.index - 1)
    line_end = len(text) if line_end == -1 else line_end
    return text[:line_end] + "\n" + " " * column + f"{key}: {rendered}" + text[line_end:]


def _remove(text: str, mapping: Any, key_node: Any, value_node: Any) -> str:
    start, end = key_node.start_mark.index, value_node.end_mark.index
    if mapping.flow_style:
        before = text[:start].rstrip()
        if before.endswith(","):
            return before[:-1] + text[end:]
        after = text[end:].lstrip()
        return text[:start] + (after[1:].lstrip() if after.startswith(",") else after)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return text[:line_start] + (text[line_end + 1 :] if line_end != -1 else "")
