"""`mediator policy validate`: every policy file, each problem as `file:line: message`."""

from __future__ import annotations

from pathlib import Path

from bot.mediation_policy import MediationPolicy
from bot.policy_files import PolicyFileError, PolicyIssue, load_model_file


def validate_policies(policies_dir: Path) -> list[PolicyIssue]:
    if not policies_dir.is_dir():
        return [PolicyIssue(str(policies_dir), 1, "no such folder: point at the policies/ directory")]
    issues: list[PolicyIssue] = []
    mediation = policies_dir / "mediation.yml"
    if not mediation.exists():
        issues.append(PolicyIssue(str(mediation), 1, "missing: every shop needs a mediation policy"))
    else:
        try:
            load_model_file(mediation, MediationPolicy)
        except PolicyFileError as exc:
            issues += exc.issues
    remedies = policies_dir / "remedies.yml"
    if remedies.exists():
        from bot.remedies import validate_remedy_file

        issues += validate_remedy_file(remedies)
    return issues
