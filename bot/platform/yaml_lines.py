"""Load admin-edited YAML files so that every error can point at a file and a line.

Admins edit `policies/*.yml` by hand. A pydantic error that says `contact.impulsive.delay` is useless
to them unless it also says *where*; so we keep the line of every mapping key and sequence item while
loading, and translate pydantic's error locations into `file:line: message`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Loc = tuple[str | int, ...]
# libyaml's parser when PyYAML has it (every wheel does): the pure-Python one took ~1 s for all files.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
M = TypeVar("M", bound=BaseModel)


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


def _walk(node: yaml.Node, loc: Loc, lines: dict[Loc, int], build: yaml.constructor.SafeConstructor) -> Any:
    """The node's data, noting the line of every key and item on the way (PyYAML's constructor keeps none)."""
    line = node.start_mark.line + 1
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
            out[key] = _walk(value_node, (*loc, key), lines, build)
            # A scalar value sits on its key's line; nested values get their own line via recursion.
            lines[(*loc, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, (*loc, i), lines, build) for i, item in enumerate(node.value)]
    return build.construct_object(node, deep=True)


def load_yaml_with_lines(text: str, file: str = "<string>") -> tuple[Any, dict[Loc, int]]:
    """Parse YAML text; return the data and a map from key path to 1-based line number.

    Any text gives either data or a PolicyFileError with a line: never another exception."""
    try:
        node = yaml.compose(text, Loader=_LOADER)
        if node is None:
            return None, {(): 1}
        lines: dict[Loc, int] = {}
        data = _walk(node, (), lines, yaml.SafeLoader(""))
    except PolicyFileError as exc:
        raise PolicyFileError([PolicyIssue(file, i.line, i.message) for i in exc.issues]) from None
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


def read_policy_file(path: Path, note: str = "") -> tuple[Any, dict[Loc, int]]:
    """A YAML file's data and line map; PolicyFileError (with a line) when it cannot be read or parsed."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise PolicyFileError([PolicyIssue(str(path), 1, f"cannot read file: {reason}{note}")]) from None
    return load_yaml_with_lines(text, str(path))


def load_model_file(path: Path, model: type[M]) -> M:
    """Read a YAML file into a pydantic model, raising PolicyFileError with lines on any problem."""
    data, lines = read_policy_file(path)
    return _validated(data, lines, model, str(path))


def load_model_text(text: str, model: type[M], file: str) -> M:
    data, lines = load_yaml_with_lines(text, file)
    return _validated(data, lines, model, file)


def _validated(data: Any, lines: dict[Loc, int], model: type[M], file: str) -> M:
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise PolicyFileError(issues_from_validation(exc, lines, file)) from None
