"""Admin YAML is bounded before anything walks it (security review H4): nested aliases that expand to
billions of values, oversized text and self-referencing aliases are refused quickly, naming the file;
ordinary aliases and the shipped files still read exactly as PyYAML reads them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.app.runtime import Runtime
from bot.app.web import create_app
from bot.platform.yaml_lines import (
    MAX_YAML_CHARS,
    MAX_YAML_NODES,
    YamlTooCostly,
    load_yaml_with_lines,
    safe_data,
)
from bot.policy.validate import validate_files
from bot.policy.versions import read_policy_dir
from bot.store.admin_tokens import create_token
from tests.conftest import ROOT, SHOP


def bomb(levels: int, width: int = 10) -> str:
    """The reviewer's document: each level is `width` aliases of the level before."""
    names = "abcdefghijklmnop"
    lines = [f"a: &a [{','.join(['x'] * width)}]"]
    for i in range(1, levels + 1):
        lines.append(f"{names[i]}: &{names[i]} [{','.join([f'*{names[i - 1]}'] * width)}]")
    return "\n".join(lines) + "\n"


def test_the_bomb_is_a_few_hundred_bytes() -> None:
    assert len(bomb(7).encode()) <= 340


@pytest.mark.parametrize("levels", [6, 7, 9])
def test_nested_aliases_are_refused_quickly_naming_the_file(levels: int) -> None:
    # Refused by counting the alias graph, before anything is expanded (no timing: the refusal is the proof).
    with pytest.raises(YamlTooCostly) as err:
        load_yaml_with_lines(bomb(levels), "bomb.yml")
    assert err.value.issues[0].file == "bomb.yml" and "aliases" in err.value.issues[0].message
    with pytest.raises(YamlTooCostly):
        safe_data(bomb(levels), "bomb.yml")


def test_an_alias_inside_itself_is_refused() -> None:
    with pytest.raises(YamlTooCostly):
        load_yaml_with_lines("a: &a [1, *a]\n", "loop.yml")


def test_text_over_the_size_limit_is_refused() -> None:
    text = "a: " + "x" * MAX_YAML_CHARS + "\n"
    with pytest.raises(YamlTooCostly) as err:
        load_yaml_with_lines(text, "big.yml")
    assert "limit" in err.value.issues[0].message and err.value.issues[0].file == "big.yml"


@settings(max_examples=60, deadline=None)
@given(levels=st.integers(0, 12), width=st.integers(1, 12))
def test_alias_documents_read_as_pyyaml_or_are_refused_by_their_size(levels: int, width: int) -> None:
    text = bomb(levels, width)
    expanded = 1 + sum(2 + width ** (i + 1) + 1 for i in range(levels + 1))  # root, keys, sequences, leaves
    if expanded <= MAX_YAML_NODES // 2:
        data, _lines = load_yaml_with_lines(text, "ok.yml")
        assert data == yaml.safe_load(text)
        assert safe_data(text, "ok.yml") == data
    elif expanded > MAX_YAML_NODES * 2:
        with pytest.raises(YamlTooCostly):
            load_yaml_with_lines(text, "bomb.yml")


def test_the_shipped_policies_are_within_the_budget() -> None:
    files = read_policy_dir(ROOT / "policies")
    assert validate_files(files) == []


@pytest.fixture
async def staff_api(rt: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    async with rt.sessions() as session, session.begin():
        secret = await create_token(session, SHOP, "sam", "staff", rt.clock.now())
    app = create_app(runtime=rt, run_scheduler=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mediator.test") as c:
        c.headers["Authorization"] = f"Bearer {secret}"
        yield c


@pytest.mark.parametrize("route", ["/api/policies/validate", "/api/policies/forms"])
async def test_a_330_byte_bomb_from_a_read_only_token_is_a_quick_4xx(route: str, staff_api: httpx.AsyncClient) -> None:
    r = await staff_api.post(route, json={"files": {"bomb.yml": bomb(7)}})
    assert r.status_code == 413, r.text
    body = r.json()
    assert body["error"] == "policy_too_costly" and body["field"] == "files.bomb.yml"
    assert "bomb.yml" in body["message"] and "aliases" in body["fix"]
