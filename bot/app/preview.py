"""Preview a draft policy: run a scenario (data/scenarios/*.yml) or a conversation typed on the spot
through the real engine, once under the published policy and once under the draft, and return both
transcripts so the admin page can show them side by side.

Each run gets its own throwaway SQLite database (copied from a migrated template) whose only policy
version is the one being previewed, so it exercises exactly the code a live turn runs. The live
runtime's NLU and knowledge base are lent to the run: loading them again would cost seconds and memory.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from actions.services import use_services
from bot.app.runtime import Runtime, build_runtime
from bot.app.simulate import DEFAULT_START, Scenario, Step, _step, transcript
from bot.platform.clock import VirtualClock
from bot.platform.config import ShopSettings
from bot.policy.bundle import materialized, set_default_folder
from bot.store.db import async_url
from bot.store.migrate import upgrade
from bot.store.shops import ensure_shop

MAX_TYPED_MESSAGES = 30
_template: list[Path] = []
_one_at_a_time = asyncio.Lock()  # previews are CPU work; queue them rather than starve live turns


class Typed(BaseModel):
    """A conversation typed on the admin page: the review, then the buyer's messages in order."""

    model_config = ConfigDict(extra="forbid")
    review: str = Field("The parcel arrived a week late and nobody answered my emails.", min_length=1, max_length=4000)
    rating: int = Field(2, ge=1, le=3)
    messages: list[str] = Field(min_length=1, max_length=MAX_TYPED_MESSAGES)
    order_total: str = Field("120.00", pattern=r"^\d{1,7}(\.\d{1,2})?$")
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")


def typed_scenario(typed: Typed) -> Scenario:
    return Scenario(
        review={
            "platform": "preview",
            "external_id": "preview-1",
            "rating": typed.rating,
            "text": typed.review,
            "created_at": "2026-11-02T09:00:00Z",
            "verified_purchase": True,
            "edit_url": "https://reviews.example/preview/edit",
            "buyer": {
                "name": "Preview Buyer",
                "email": "preview@example.com",
                "timezone": "Europe/London",
                "consent": {"webchat": True},
            },
            "order": {
                "id": "PREVIEW-1",
                "total": typed.order_total,
                "currency": typed.currency,
                "ordered_at": "2026-10-20T10:00:00Z",
                "shipped_at": "2026-10-21T10:00:00Z",
                "delivered_at": "2026-10-30T12:00:00Z",
                "items": [{"sku": "PREVIEW", "name": "order", "qty": 1, "price": typed.order_total}],
            },
        },
        steps=[Step(buyer=m) for m in typed.messages],
        start=DEFAULT_START,
    )


def scenario_dirs(rt: Runtime) -> list[Path]:
    return [rt.base_dir / "data" / "scenarios", Path(__file__).resolve().parents[2] / "data" / "scenarios"]


def list_scenarios(rt: Runtime) -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    for folder in scenario_dirs(rt):
        for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
            if path.stem not in seen:
                try:
                    description = str((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("description", ""))
                except yaml.YAMLError:
                    description = "(does not parse)"
                seen[path.stem] = {"name": path.stem, "description": " ".join(description.split())}
    return list(seen.values())


def load_named_scenario(rt: Runtime, name: str) -> Scenario:
    """A scenario by name; LookupError or ValueError with a message for the admin."""
    if not name.replace("_", "").replace("-", "").isalnum():
        raise LookupError(f"no scenario {name!r}")
    for folder in scenario_dirs(rt):
        path = folder / f"{name}.yml"
        if path.is_file():
            try:
                return Scenario.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
            except (yaml.YAMLError, ValidationError) as exc:
                raise ValueError(f"scenario {name} does not load: {exc}") from None
    raise LookupError(f"no scenario {name!r}")


async def _database() -> str:
    if not _template:
        path = Path(tempfile.mkdtemp(prefix="mediator-preview-")) / "template.db"
        await upgrade(async_url(f"sqlite:///{path}"))
        _template.append(path)
    copy = Path(tempfile.mkdtemp(prefix="mediator-preview-")) / "preview.db"
    await asyncio.to_thread(shutil.copy, _template[0], copy)
    return f"sqlite:///{copy}"


async def run_under(live: Runtime, scenario: Scenario, files: dict[str, str]) -> dict[str, Any]:
    """One scenario under one set of policy files, on a virtual clock and a throwaway database."""
    url = await _database()
    with materialized(files) as root:
        # A preview never reaches a buyer: no Telegram, SMS or Slack, whatever the deployment has configured.
        offline = {
            "channels": live.settings.channels.model_copy(
                update={
                    "telegram_bot_token": None,
                    "telegram_polling": False,
                    "twilio_account_sid": None,
                    "twilio_auth_token": None,
                }
            ),
            "slack": live.settings.slack.model_copy(update={"bot_token": None}),
        }
        settings = live.settings.model_copy(
            update={
                "database_url": url,
                "policies_dir": root,
                "shops": {scenario.shop: ShopSettings(name="Preview")},
                **offline,
            }
        )
        clock = VirtualClock(scenario.start)
        rt = await build_runtime(settings, clock, migrate=False)
        try:
            rt.conversation._nlu = live.conversation.nlu
            rt.conversation.services.knowledge = live.conversation.services.knowledge
            async with rt.sessions() as session, session.begin():
                await ensure_shop(session, scenario.shop, "Preview", "preview-key", clock.now())
            await rt.seed_policies()
            [result] = await rt.intake.ingest(scenario.shop, [scenario.review])
            if result.status == "error":
                raise ValueError("review: " + "; ".join(f"{e['field']}: {e['message']}" for e in result.errors))
            if result.case_id is None:
                return {"case_id": None, "outcome": None, "stage": None, "turns": [], "triage": result.triage}
            await rt.worker.run_due()
            for step in scenario.steps:
                await _step(rt, clock, result.case_id, step)
            return await transcript(rt, result.case_id)
        finally:
            await rt.close()
            # Building the preview engine installed its own services and default folder: put the live ones back.
            use_services(live.conversation.services)
            set_default_folder(live.settings.resolve(live.settings.policies_dir))
            await asyncio.to_thread(shutil.rmtree, Path(url.removeprefix("sqlite:///")).parent, True)


async def preview(live: Runtime, scenario: Scenario, active: dict[str, str], draft: dict[str, str]) -> dict[str, Any]:
    async with _one_at_a_time:
        return {"active": await run_under(live, scenario, active), "draft": await run_under(live, scenario, draft)}
