"""`mediator policy validate` and the admin API's dry run: every policy file, each problem as
`file:line: message`, with the PLAYBOOK guard rails (bot/policy/guardrails.py) on top of each file's schema."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml
from pydantic import BaseModel

from bot.platform.yaml_lines import (
    PolicyFileError,
    PolicyIssue,
    YamlTooCostly,
    load_model_file,
    load_yaml_with_lines,
    read_policy_file,
)
from bot.policy import guardrails
from bot.policy.channels import ChannelsPolicy
from bot.policy.conversation import ConversationPolicy, Routing
from bot.policy.mediation import MediationPolicy
from bot.policy.messages import validate_messages
from bot.policy.remedies import cite_issues, validate_remedy_file
from bot.policy.shop import ShopPolicy
from bot.policy.versions import FILE_NAME, MAX_FILE_CHARS

SCHEMAS: dict[str, type[BaseModel]] = {
    "mediation.yml": MediationPolicy,
    "conversation.yml": ConversationPolicy,
    "routing.yml": Routing,
    "shop.yml": ShopPolicy,
    "channels.yml": ChannelsPolicy,  # issue 5: keywords, channel order, channel texts
}
# Files with their own validators (semantic checks beyond the schema). Other features register theirs here.
VALIDATORS: dict[str, Callable[[Path], list[PolicyIssue]]] = {"remedies.yml": validate_remedy_file}
REQUIRED = [*SCHEMAS, *VALIDATORS, "guardrails.yml", "messages/en.yml"]


def validate_policies(policies_dir: Path, knowledge_dir: Path | None = None) -> list[PolicyIssue]:
    """Every problem in a policies folder; with `knowledge_dir`, also cites that quote no section there
    (skipped when that folder does not exist: a deployment may index its documents from elsewhere)."""
    if not policies_dir.is_dir():
        return [PolicyIssue(str(policies_dir), 1, "no such folder: point at the policies/ directory")]
    issues = [i for path in sorted(policies_dir.rglob("*.yml")) if (i := _unreadable(path))]
    if issues:
        return issues  # the YAML reader would stop at these before any check could run
    for name in [*SCHEMAS, *VALIDATORS]:
        path = policies_dir / name
        if not path.exists():
            issues.append(PolicyIssue(str(path), 1, "missing: every shop needs this policy file"))
        elif name in VALIDATORS:
            issues += VALIDATORS[name](path)
        else:
            try:
                load_model_file(path, SCHEMAS[name])
            except PolicyFileError as exc:
                issues += exc.issues
    issues += validate_messages(policies_dir / "messages", policies_dir / "guardrails.yml")
    # Files without a schema here (added by other features) must at least be valid YAML.
    for path in sorted(policies_dir.glob("*.yml")):
        if path.name not in SCHEMAS and path.name not in VALIDATORS and path.name != "guardrails.yml":
            try:
                read_policy_file(path)
            except PolicyFileError as exc:
                issues += exc.issues
    issues += guardrails.check_folder(policies_dir)
    if knowledge_dir is not None and knowledge_dir.is_dir() and not issues:
        issues += cite_issues(policies_dir / "remedies.yml", knowledge_dir)
    return _unique(issues)


def validate_files(files: dict[str, str], knowledge_dir: Path | None = None) -> list[PolicyIssue]:
    """Validate a complete draft (file name → text) as it would be published; [] when it may be."""
    from bot.policy.bundle import materialized, relative_issues

    issues = []
    for name, content in sorted(files.items()):
        if not FILE_NAME.match(name):
            issues.append(PolicyIssue(name, 1, "not a policy file name: use name.yml or messages/<lang>.yml"))
        elif not isinstance(content, str):
            issues.append(PolicyIssue(name, 1, "the file's content must be text"))
        elif len(content) > MAX_FILE_CHARS:
            issues.append(PolicyIssue(name, 1, f"{len(content)} characters; the limit is {MAX_FILE_CHARS}"))
    for name in REQUIRED:
        if name not in files:
            issues.append(PolicyIssue(name, 1, "missing: every shop needs this policy file"))
    if issues:
        return issues
    with materialized(files) as root:
        return relative_issues(validate_policies(root, knowledge_dir), root)


def _unreadable(path: Path) -> PolicyIssue | None:
    """A character YAML refuses to read (a control character pasted in, say), with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return PolicyIssue(str(path), 1, "cannot read the file as UTF-8 text: save it as UTF-8")
    found = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if found is not None:
        line = text.count("\n", 0, found.start()) + 1
        return PolicyIssue(
            str(path), line, f"character U+{ord(found.group()[0]):04X} is not allowed in YAML: remove it"
        )
    try:
        load_yaml_with_lines(text, str(path))
    except YamlTooCostly as exc:  # nothing else may read it: the walk of every later check would blow up
        return exc.issues[0]
    except PolicyFileError:
        return None  # the file's own validator reports it, with its line
    except yaml.YAMLError as exc:  # YAML the line-keeping loader cannot take apart, e.g. an empty anchor
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or "cannot be read"
        return PolicyIssue(str(path), mark.line + 1 if mark else 1, f"invalid YAML: {problem}")
    return None


def _unique(issues: list[PolicyIssue]) -> list[PolicyIssue]:
    seen, out = set(), []
    for issue in issues:
        if issue not in seen:
            seen.add(issue)
            out.append(issue)
    return out
