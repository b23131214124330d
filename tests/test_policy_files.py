"""The YAML reader behind every admin-edited file: same data as PyYAML, lines for every key, and only
PolicyFileError (naming the line and the fix) for text it cannot use, whatever the text."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.platform.yaml_lines import PolicyFileError, load_yaml_with_lines

POLICIES = Path(__file__).resolve().parent.parent / "policies"


@pytest.mark.parametrize("path", sorted(POLICIES.rglob("*.yml")), ids=lambda p: p.name)
def test_the_shipped_files_read_as_pyyaml_reads_them(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data, lines = load_yaml_with_lines(text, path.name)
    assert data == yaml.safe_load(text)
    assert all(line >= 1 for line in lines.values())


def test_lines_point_at_keys_and_items() -> None:
    data, lines = load_yaml_with_lines("a:\n  b: 1\n  c:\n    - x\n    - y\n")
    assert data == {"a": {"b": 1, "c": ["x", "y"]}}
    assert lines[("a", "b")] == 2 and lines[("a", "c", 1)] == 5


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("a: 1\nb: \x01\n", 2, "U+0001 is not allowed"),
        ("a: &x [*x]\n", 1, "alias inside itself"),
        ("a:\n  b: 1\n  b: 2\n", 3, "duplicate key 'b'"),
        ("? [1, 2]\n: 3\n", 1, "plain word or number"),
        ("a: [1, 2\n", 2, "invalid YAML"),
        ("a: !!python/object:os.system x\n", 1, "invalid YAML"),
        ("when: 2026-13-45\n", 1, "invalid YAML"),
    ],
)
def test_broken_text_names_the_line(text: str, line: int, says: str) -> None:
    with pytest.raises(PolicyFileError) as caught:
        load_yaml_with_lines(text, "shop.yml")
    issue = caught.value.issues[0]
    assert issue.file == "shop.yml" and issue.line == line and says in issue.message


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=200)
    | st.lists(st.sampled_from(["a:", " b", "- ", "&x", "*x", "[", "]", "{", "\n", "!!", "? ", ":"])).map("".join)
)
def test_any_text_gives_data_or_a_policy_error(text: str) -> None:
    try:
        load_yaml_with_lines(text)
    except PolicyFileError as exc:
        assert exc.issues and all(i.line >= 1 and i.message for i in exc.issues)
