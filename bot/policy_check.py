"""`mediator policy validate`: every policy file, each problem as `file:line: message`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from bot.conversation_policy import ConversationPolicy, Routing
from bot.mediation_policy import MediationPolicy
from bot.nlg import validate_messages
from bot.policy_files import PolicyFileError, PolicyIssue, load_model_file
from bot.remedies import validate_remedy_file
from bot.shop_policy import ShopPolicy

SCHEMAS: dict[str, type[BaseModel]] = {
    "mediation.yml": MediationPolicy,
    "conversation.yml": ConversationPolicy,
    "routing.yml": Routing,
    "shop.yml": ShopPolicy,
}
# Files with their own validators (semantic checks beyond the schema).
VALIDATORS: dict[str, Callable[[Path], list[PolicyIssue]]] = {"remedies.yml": validate_remedy_file}


def validate_policies(policies_dir: Path) -> list[PolicyIssue]:
    if not policies_dir.is_dir():
        return [PolicyIssue(str(policies_dir), 1, "no such folder: point at the policies/ directory")]
    issues: list[PolicyIssue] = []
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
    return issues
