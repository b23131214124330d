"""Load admin-edited YAML files so that every error can point at a file and a line.

Admins edit `policies/*.yml` by hand. A pydantic error that says `contact.impulsive.delay` is useless
to them unless it also says *where*; so we keep the line of every mapping key and sequence item while
loading, and translate pydantic's error locations into `file:line: message`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Loc = tuple[str | int, ...]
# libyaml's parser when PyYAML has it (every wheel does): the pure-Python one took ~1 s for all files.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
M = TypeVar("M", bound=BaseModel)
# Admin YAML comes over the API from any admin token, staff (read-only) ones included, so what one document
# may cost is bounded before anything walks it. An alias is a pointer in the parsed graph but a full copy in
# the data: ten levels of ten aliases is 10^10 nodes from 400 bytes (security review H4). The largest shipped
# file (messages/ru.yml, 25 kB) is ~1,500 nodes; a 200,000-character file without aliases stays under 100,000.
MAX_YAML_CHARS = 200_000
MAX_YAML_NODES = 100_000
MAX_YAML_SECONDS = 5.0


@dataclass(frozen=True)
class PolicyIssue:
    """One problem in one admin-edited file."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class PolicyFileError(Exception):
    """Raised when a policy file cannot be used; carries every issue found, not just the first."""

    def __init__(self, issues: list[PolicyIssue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


class YamlTooCostly(PolicyFileError):
    """A document over the size, expansion or time budget: nothing else may read it, so validation stops here."""


def _expanded_size(root: yaml.Node, file: str) -> int:
    """How many nodes the data would have once every alias is copied out, counted without copying.

    Each distinct node is sized once (aliases share node objects), so this is linear in the text."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in on_path:
            line = node.start_mark.line + 1
            raise YamlTooCostly([PolicyIssue(file, line, "an alias inside itself expands forever: remove it")])
        on_path.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total += sum(size(item) for item in node.value)
        on_path.discard(key)
        sizes[key] = total = min(total, MAX_YAML_NODES + 1)
        return total

    try:
        return size(root)
    except RecursionError:
        raise YamlTooCostly([PolicyIssue(file, 1, "nested too deeply to read: flatten the YAML")]) from None


def compose_bounded(text: str, file: str = "<string>") -> yaml.Node | None:
    """The YAML node graph of `text`, refused (YamlTooCostly, naming the file) when the text or the data its
    aliases expand to is over budget. Other YAML errors pass through as yaml.YAMLError."""
    if len(text) > MAX_YAML_CHARS:
        raise YamlTooCostly(
            [PolicyIssue(file, 1, f"{len(text)} characters; the limit is {MAX_YAML_CHARS}: split or shorten it")]
        )
    node = yaml.compose(text, Loader=_LOADER)
    # An alias is written `*name`: text without a `*` cannot expand, and is not walked twice.
    if node is not None and "*" in text and _expanded_size(node, file) > MAX_YAML_NODES:
        raise YamlTooCostly(
            [
                PolicyIssue(
                    file,
                    1,
                    f"its anchors and aliases (&name / *name) expand to over {MAX_YAML_NODES} values: "
                    "write the values out instead of nesting aliases",
                )
            ]
        )
    return node


def safe_data(text: str, file: str = "<string>") -> Any:
    """yaml.safe_load for admin-supplied text, within the budget (YamlTooCostly otherwise)."""
    node = compose_bounded(text, file)
    return None if node is None else yaml.SafeLoader("").construct_document(node)


def _walk(
    node: yaml.Node, loc: Loc, lines: dict[Loc, int], build: yaml.constructor.SafeConstructor, deadline: float
) -> Any:
    """The node's data, noting the line of every key and item on the way (PyYAML's constructor keeps none)."""
    line = node.start_mark.line + 1
    if len(lines) % 1024 == 0 and time.monotonic() > deadline:  # a last resort behind the node budget
        raise YamlTooCostly([PolicyIssue("", line, f"took over {MAX_YAML_SECONDS:g} s to read: simplify the file")])
    if len(loc) > 64:  # no policy nests this deep; an alias that contains itself would nest forever
        raise PolicyFileError([PolicyIssue("", line, "nested over 64 levels deep: is an alias inside itself?")])
    lines[loc] = line
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = build.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise PolicyFileError(
                    [PolicyIssue("", key_node.start_mark.line + 1, "a key must be a plain word or number")]
                )
            if key in out:
                raise PolicyFileError(
                    [PolicyIssue("", key_node.start_mark.line + 1, f"duplicate key {key!r}: keep only one")]
                )
            out[key] = _walk(value_node, (*loc, key), lines, build, deadline)
            # A scalar value sits on its key's line; nested values get their own line via recursion.
            lines[(*loc, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, (*loc, i), lines, build, deadline) for i, item in enumerate(node.value)]
    return build.construct_object(node, deep=True)


def load_yaml_with_lines(text: str, file: str = "<string>") -> tuple[Any, dict[Loc, int]]:
    """Parse YAML text; return the data and a map from key path to 1-based line number.

    Any text gives either data or a PolicyFileError with a line: never another exception."""
    try:
        node = compose_bounded(text, file)
        if node is None:
            return None, {(): 1}
        lines: dict[Loc, int] = {}
        data = _walk(node, (), lines, yaml.SafeLoader(""), time.monotonic() + MAX_YAML_SECONDS)
    except PolicyFileError as exc:
        raise type(exc)([PolicyIssue(file, i.line, i.message) for i in exc.issues]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or str(exc)
        if exc.context_mark is not None and exc.context_mark.line + 1 != line:
            problem += f" ({exc.context} on line {exc.context_mark.line + 1})"
        raise PolicyFileError([PolicyIssue(file, line, f"invalid YAML: {problem}")]) from None
    except yaml.reader.ReaderError as exc:  # a control character or other unreadable input
        line = text.count("\n", 0, exc.position) + 1
        raise PolicyFileError(
            [PolicyIssue(file, line, f"invalid YAML: character U+{exc.character:04X} is not allowed; remove it")]
        ) from None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise PolicyFileError([PolicyIssue(file, 1, f"invalid YAML: {exc}")]) from None
    return data, lines


def line_for(lines: dict[Loc, int], loc: Loc) -> int:
    """The line of the deepest known prefix of `loc` (a missing key points at its parent)."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


def issues_from_validation(exc: ValidationError, lines: dict[Loc, int], file: str) -> list[PolicyIssue]:
    """Turn pydantic errors into `file:line: path: message` issues an admin can act on."""
    issues = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        path = ".".join(str(p) for p in loc) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key: remove it or check its spelling"
        elif err["type"] == "missing":
            msg = "required key is missing: add it"
        issues.append(PolicyIssue(file, line_for(lines, loc), f"{path}: {msg}"))
    return issues


def read_policy_text(path: Path, note: str = "") -> str:
    """A policy file's text; PolicyFileError (line 1) when it cannot be read or is not UTF-8."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise PolicyFileError([PolicyIssue(str(path), 1, f"cannot read file: {reason}{note}")]) from None


def read_policy_file(path: Path, note: str = "") -> tuple[Any, dict[Loc, int]]:
    """A YAML file's data and line map; PolicyFileError (with a line) when it cannot be read or parsed."""
    return load_yaml_with_lines(read_policy_text(path, note), str(path))


# ── schema versions ─────────────────────────────────────────────────────────────────────────────────
# A policy file may say which version of its schema it was written for (`schema_version: 2`); a file that
# does not is version 1. A schema model declares its current version and one upgrade function per older
# one (`SCHEMA_VERSION`, `UPGRADES` as class attributes): a stored policy version written for an older
# schema is upgraded when it is read, so a schema change never breaks (nor silently changes) what a shop
# published.
Upgrade = Callable[[dict[str, Any]], dict[str, Any]]


def upgraded(data: Any, lines: dict[Loc, int], model: type, file: str) -> Any:
    """`data` brought to `model`'s current schema version, without its `schema_version` key."""
    if not isinstance(data, dict):
        return data
    current: int = getattr(model, "SCHEMA_VERSION", 1)
    upgrades: dict[int, Upgrade] = getattr(model, "UPGRADES", {})
    data = dict(data)
    version = data.pop("schema_version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= current:
        newer = isinstance(version, int) and not isinstance(version, bool) and version > current
        raise PolicyFileError(
            [
                PolicyIssue(
                    file,
                    line_for(lines, ("schema_version",)),
                    f"schema_version: {version!r} is newer than this Mediator reads ({current}): upgrade Mediator"
                    if newer
                    else f"schema_version: must be a whole number from 1 to {current}; write {current} "
                    "for a file written today",
                )
            ]
        )
    while version < current:
        data = upgrades[version](data)
        version += 1
    return data


def load_model_file(path: Path, model: type[M]) -> M:
    """Read a YAML file into a pydantic model, raising PolicyFileError with lines on any problem."""
    data, lines = read_policy_file(path)
    return _validated(data, lines, model, str(path))


def load_model_text(text: str, model: type[M], file: str) -> M:
    data, lines = load_yaml_with_lines(text, file)
    return _validated(data, lines, model, file)


def _validated(data: Any, lines: dict[Loc, int], model: type[M], file: str) -> M:
    data = upgraded(data, lines, model, file)
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise PolicyFileError(issues_from_validation(exc, lines, file)) from None
