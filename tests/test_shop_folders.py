"""Each shop its own name, policies, knowledge and Slack channels (issue 20, review M3): `mediator shop create`
writes shops/<id>/ from a template and says what to fill in; the new shop's bot introduces itself with its
own name, answers from its own knowledge collection and posts into no Slack channel of another shop."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from actions.services import build_services
from bot.app.cli.main import app as cli
from bot.app.runtime import build_runtime
from bot.platform.clock import VirtualClock
from bot.platform.config import Settings, ShopSettings, get_settings
from bot.policy.bundle import active_bundle
from bot.store.models import Message
from bot.store.shops import ensure_shop
from tests.conftest import KEY, ROOT, SHOP, START, review


@pytest.fixture
def deployment(tmp_path: Path, database_url: str, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.yml"
    path.write_text(
        f"database_url: {database_url}\ndata_dir: {cache_dir}\npolicies_dir: {ROOT / 'policies'}\n"
        f"knowledge: {{knowledge_dir: {ROOT / 'knowledge'}}}\nshops:\n  {SHOP}: {{name: Test shop}}\n"
    )
    monkeypatch.setenv("MEDIATOR_CONFIG", str(path))
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def _first_shop(deployment: Path) -> None:
    """The deployment's first shop is the deployment: it keeps policies/ and knowledge/ as they are."""
    result = CliRunner().invoke(cli, ["shop", "create", SHOP])
    assert result.exit_code == 0 and "first shop" in result.output, result.output
    assert not (deployment.parent / "shops").exists()


def test_shop_create_writes_the_shops_own_folder_and_says_what_to_fill_in(deployment: Path) -> None:
    _first_shop(deployment)
    result = CliRunner().invoke(cli, ["shop", "create", "acme", "--name", "Acme Kitchen"])
    assert result.exit_code == 0, result.output
    folder = deployment.parent / "shops" / "acme"
    shop = yaml.safe_load((folder / "policies" / "shop.yml").read_text(encoding="utf-8"))
    assert shop["name"] == "Acme Kitchen"
    assert "Nordlys" not in (folder / "policies" / "shop.yml").read_text(encoding="utf-8")
    routing = yaml.safe_load((folder / "policies" / "routing.yml").read_text(encoding="utf-8"))
    assert all(team.get("slack_channel") is None for team in routing["teams"].values()), routing
    assert (folder / "knowledge" / "en").is_dir()
    for said in ("shop.yml", "routing.yml", "slack_channel", "remedies.yml", "knowledge/", "policy validate"):
        assert said in result.output, said
    # The shop's own edits are never overwritten: a second create (a key rotation) keeps the folder.
    (folder / "policies" / "shop.yml").write_text(
        (folder / "policies" / "shop.yml").read_text(encoding="utf-8").replace("Acme Kitchen", "Acme & Co"),
        encoding="utf-8",
    )
    again = CliRunner().invoke(cli, ["shop", "create", "acme"])
    assert again.exit_code == 0 and "kept" in again.output, again.output
    assert "Acme & Co" in (folder / "policies" / "shop.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ['Acme "Best"', "Acme\\Kitchen", "x" * 121])
def test_a_shop_name_that_would_break_its_files_is_refused_by_name(deployment: Path, name: str) -> None:
    _first_shop(deployment)
    result = CliRunner().invoke(cli, ["shop", "create", "acme", "--name", name])
    assert result.exit_code != 0 and "--name" in result.output, result.output
    assert not (deployment.parent / "shops" / "acme").exists()


async def test_two_shops_in_one_deployment_speak_each_as_itself(deployment: Path) -> None:
    await asyncio.to_thread(_first_shop, deployment)
    created = await asyncio.to_thread(CliRunner().invoke, cli, ["shop", "create", "acme", "--name", "Acme Kitchen"])
    assert created.exit_code == 0, created.output
    settings = get_settings().model_copy(update={"shops": {SHOP: ShopSettings(name="Test shop")}})
    rt = await build_runtime(settings, VirtualClock(START), migrate=False)
    try:
        async with rt.sessions() as session, session.begin():
            await ensure_shop(session, SHOP, "Test shop", KEY, START)
        await rt.seed_policies()
        async with rt.sessions() as session:
            assert (await active_bundle(session, "acme")).shop.name == "Acme Kitchen"
            assert (await active_bundle(session, SHOP)).shop.name == "Nordlys Home & Outdoor"
            acme_routing = (await active_bundle(session, "acme")).routing
            demo_routing = (await active_bundle(session, SHOP)).routing
        assert all(t.slack_channel is None for t in acme_routing.teams.values())
        assert any(t.slack_channel for t in demo_routing.teams.values())

        first = {}
        for shop in ("acme", SHOP):
            [result] = await rt.intake.ingest(shop, [review(f"{shop}-1")])
            assert result.case_id is not None, result
            await rt.worker.run_due()
            async with rt.sessions() as session:
                first[shop] = (
                    (
                        await session.execute(
                            select(Message.text).where(Message.case_id == result.case_id, Message.role == "bot")
                        )
                    )
                    .scalars()
                    .first()
                )
        assert "Acme Kitchen" in first["acme"] and "Nordlys" not in first["acme"], first["acme"]
        assert "Nordlys" in first[SHOP], first[SHOP]
    finally:
        await rt.close()


def test_each_shop_answers_from_its_own_knowledge_collection(deployment: Path) -> None:
    _first_shop(deployment)
    assert CliRunner().invoke(cli, ["shop", "create", "acme", "--name", "Acme Kitchen"]).exit_code == 0
    settings: Settings = get_settings()
    services = build_services(settings)
    acme, demo = services.for_shop("acme").knowledge, services.for_shop(SHOP).knowledge
    assert acme is not demo and demo is services.knowledge
    assert acme._settings.knowledge_dir == deployment.parent / "shops" / "acme" / "knowledge"
    assert acme._settings.shop_id == "acme" and demo._settings.shop_id != "acme"  # separate Chroma collections
    assert services.for_shop("acme").knowledge is acme  # opened once per shop
