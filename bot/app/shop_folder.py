"""A new shop's own folder, written from a template (`mediator shop create`): shops/<id>/policies and
shops/<id>/knowledge, copied from the deployment's, with the shop's name put in and the template's Slack
channels taken out. Review M3: a shop created without one spoke as the demo shop, answered from its
documents and posted into its Slack channels.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from bot.platform.config import Settings


def write_shop_folder(settings: Settings, shop_id: str, name: str) -> tuple[Path, list[str] | None]:
    """(the shop's folder, what the operator must fill in), or None for the list when the folder exists
    already (it is never overwritten: it holds the shop's own edits)."""
    folder = settings.shop_dir(shop_id)
    if folder.exists():
        return folder, None
    policies, knowledge = settings.resolve(settings.policies_dir), settings.knowledge_settings().knowledge_dir
    staging = folder.with_name(folder.name + ".partial")
    folder.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(policies, staging / "policies")
    if knowledge.is_dir():
        shutil.copytree(knowledge, staging / "knowledge")
    template_name = _rename(staging / "policies" / "shop.yml", name)
    _without_slack_channels(staging / "policies" / "routing.yml")
    staging.rename(folder)  # all or nothing: a half-written folder is never taken for the shop's own
    base = settings.resolve(Path("."))
    rel = folder.relative_to(base) if folder.is_relative_to(base) else folder
    return folder, [
        f"{rel}/policies/shop.yml: the name buyers read ({name!r}) and the team signature in each language",
        f"{rel}/policies/routing.yml: each team's slack_channel (none yet: handoffs reach /staff only)",
        f"{rel}/policies/remedies.yml: what the bot may grant, and up to how much",
        f"{rel}/knowledge/: your own policies in your words (the template's are {template_name!r}'s); "
        "the bot quotes them",
        f"then: mediator policy validate {rel}/policies",
    ]


def _rename(shop_yml: Path, name: str) -> str:
    """Put `name` where the template's shop name (and its first word, the brand in the signatures) stood."""
    text = shop_yml.read_text(encoding="utf-8")
    old = str((yaml.safe_load(text) or {}).get("name") or "")
    if old:
        text = text.replace(old, name)
        brand = old.split()[0]
        text = re.sub(rf"\b{re.escape(brand)}\b", name, text)
    else:
        text = f"name: {yaml.safe_dump(name, allow_unicode=True).strip()}\n" + text
    shop_yml.write_text(text, encoding="utf-8")
    return old


def _without_slack_channels(routing_yml: Path) -> None:
    if not routing_yml.exists():
        return
    text = routing_yml.read_text(encoding="utf-8")
    text = re.sub(r",\s*slack_channel:\s*(\"[^\"]*\"|'[^']*'|[^,}\n]+)", "", text)  # {name: X, slack_channel: "#c"}
    text = re.sub(r"(?m)^[ \t]+slack_channel:.*\n", "", text)  # block style
    routing_yml.write_text(text, encoding="utf-8")
