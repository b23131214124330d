"""One vocabulary (issue 17, item 6): the lists the schemas, catalogues and models use come from
bot/platform/vocab.py, and a catalogue that lacks a name for one of its members fails validation by name."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from bot.intake import triage_model
from bot.platform.vocab import ADDRESSED_CHANNELS, Channel, Kind, Problem, RemedyType, Topic, Wish, names
from bot.policy import remedies
from bot.policy.messages import PROBLEM_TYPES, REMEDY_TYPES, validate_messages
from bot.understanding.answers import WISHES
from channels.base import CHANNELS

ROOT = Path(__file__).resolve().parent.parent


def test_every_list_is_the_vocabulary() -> None:
    assert remedies.REMEDY_TYPES == REMEDY_TYPES == names(RemedyType)
    assert remedies.TOPICS == triage_model.TOPICS == names(Topic)
    assert names(Kind) == triage_model.KINDS
    assert remedies.WANTS == WISHES == names(Wish)
    assert names(Problem) == PROBLEM_TYPES
    assert names(Channel) == CHANNELS
    assert set(ADDRESSED_CHANNELS) < set(CHANNELS)


def test_every_catalogue_names_every_remedy_type_and_problem() -> None:
    for path in sorted((ROOT / "policies" / "messages").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert set(data["remedy_names"]) == set(names(RemedyType)), path.name
        assert set(data["problem_names"]) == set(names(Problem)), path.name


def test_a_catalogue_without_a_remedy_types_name_is_refused_by_name(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    sv = policies / "messages" / "sv.yml"
    data = yaml.safe_load(sv.read_text(encoding="utf-8"))
    del data["remedy_names"]["refund_shipping"]
    sv.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    issues = validate_messages(policies / "messages")
    assert any("remedy_names.refund_shipping" in i.message and i.file.endswith("sv.yml") for i in issues), issues


def test_a_remedy_rule_naming_an_unknown_type_lists_the_vocabulary() -> None:
    from pydantic import TypeAdapter, ValidationError

    try:
        TypeAdapter(remedies.RemedyType).validate_python("gift_card")
    except ValidationError as e:
        assert all(n in str(e) for n in names(RemedyType))
    else:
        raise AssertionError("an unknown remedy type was accepted")


def test_architecture_names_every_label_reason_and_vocabulary_member() -> None:
    """docs/ARCHITECTURE.md's "Names beyond DESIGN.md" is where a newcomer finds the names DESIGN.md lacks: a
    new action label, handoff reason, problem, wish, remedy type or stage must be written down there too."""
    import importlib
    import pkgutil

    import actions
    from actions.base import MediatorAction
    from bot.handoff.card import REASONS

    for module in pkgutil.iter_modules(actions.__path__):
        importlib.import_module(f"actions.{module.name}")
    doc = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = doc.split("### Names beyond DESIGN.md", 1)[1].split("\n## ", 1)[0]
    labels = {cls().label for cls in _subclasses(MediatorAction)}
    assert len(labels) >= 20, labels
    wanted = labels | set(REASONS) | set(names(Problem)) | set(names(Wish)) | set(names(RemedyType)) | {"opened"}
    missing = sorted(name for name in wanted if f"`{name}`" not in section)
    assert not missing, f"docs/ARCHITECTURE.md, Names beyond DESIGN.md, lacks: {missing}"


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)] if "label" in sub.__dict__ else _subclasses(sub)
    return found
