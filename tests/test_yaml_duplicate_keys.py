"""No YAML file the project ships holds a key twice in one mapping. PyYAML keeps the last one silently: two
merged branches each added a "yes" list for German and a "no" and a "yes" list for Czech to
data/answers/yes_no.yml, and the first of each (the Czech "no tak ne" refusal among them) was never read. Admin
policy files already refuse duplicates with a line number (bot/platform/yaml_lines.py); this covers the rest."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from tests.conftest import ROOT


def _tracked_yaml() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "*.yml", "*.yaml"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    return out or sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("**/*.yml") if ".venv" not in p.parts)


def duplicate_keys(text: str) -> list[str]:
    """'line N: key' for each key that a mapping of the document holds twice."""
    found: list[str] = []
    stack = [n for n in yaml.compose_all(text, Loader=yaml.SafeLoader) if n is not None]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        found.append(f"line {key.start_mark.line + 1}: {key.value}")
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return found


def test_the_check_finds_a_duplicate() -> None:
    assert duplicate_keys("en:\n  no: [a]\n  yes: [b]\n  no: [c]\n") == ["line 4: no"]
    assert duplicate_keys("- {a: 1, b: 2}\n- {a: 1, a: 2}\n") == ["line 2: a"]
    assert duplicate_keys("en:\n  no: [a]\npl:\n  no: [a]\n") == []


@pytest.mark.parametrize("path", _tracked_yaml())
def test_no_key_twice(path: str) -> None:
    assert duplicate_keys((ROOT / path).read_text(encoding="utf-8")) == [], f"{path}: keep one of each key"
