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

from bot.app.runtime import Runtime, build_runtime
from bot.app.simulate import _step, transcript
from bot.conversation.scenario import Scenario
from bot.platform.clock import VirtualClock
from bot.platform.config import ShopSettings
from bot.policy.bundle import materialized
from bot.store.db import async_url
from bot.store.migrate import upgrade
from bot.store.shops import ensure_shop

_template: list[Path] = []
_one_at_a_time = asyncio.Lock()  # previews are CPU work; queue them rather than starve live turns


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
            await asyncio.to_thread(shutil.rmtree, Path(url.removeprefix("sqlite:///")).parent, True)


async def preview(live: Runtime, scenario: Scenario, active: dict[str, str], draft: dict[str, str]) -> dict[str, Any]:
    async with _one_at_a_time:
        return {"active": await run_under(live, scenario, active), "draft": await run_under(live, scenario, draft)}
