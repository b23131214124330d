"""No process globals (issue 17, item 7): two runtimes in one process (a live server and a policy preview)
each see their own policy folder and services, at the same moment."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from actions.services import Services, get_services, use_services
from bot.policy.bundle import active_bundle
from bot.policy.conversation import load_routing
from bot.policy.messages import load_catalog
from bot.policy.shop import load_shop_policy
from bot.store.db import make_engine, make_sessionmaker
from tests.conftest import is_postgres

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(is_postgres(), reason="the fallback folder does not depend on the database")


def _folder(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(ROOT / "policies", folder)
    shop = folder / "shop.yml"
    shop.write_text(shop.read_text(encoding="utf-8").replace("Nordlys Home & Outdoor", name), encoding="utf-8")
    return folder


async def test_each_runtimes_sessions_fall_back_to_their_own_policy_folder(tmp_path: Path) -> None:
    live, draft = _folder(tmp_path, "Live Shop"), _folder(tmp_path, "Draft Shop")
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        live_sessions = make_sessionmaker(engine, policies_dir=live)
        draft_sessions = make_sessionmaker(engine, policies_dir=draft)
        # No table is read: head=None says "nothing published", so the fallback folder decides.
        async with live_sessions() as a, draft_sessions() as b:
            assert (await active_bundle(a, "s", None)).shop.name == "Live Shop"
            assert (await active_bundle(b, "s", None)).shop.name == "Draft Shop"
        async with make_sessionmaker(engine)() as c:
            with pytest.raises(LookupError, match="no published policy"):
                await active_bundle(c, "s", None)
    finally:
        await engine.dispose()


async def test_services_lent_to_one_turn_are_not_seen_by_another(tmp_path: Path) -> None:
    def services(folder: Path) -> Services:
        return Services(
            catalog=load_catalog(folder / "messages"),
            shop=load_shop_policy(folder / "shop.yml"),
            routing=load_routing(folder / "routing.yml"),
            knowledge=None,
        )

    live, draft = services(_folder(tmp_path, "Live Shop")), services(_folder(tmp_path, "Draft Shop"))
    both_set = asyncio.Barrier(2)

    async def turn(mine: Services) -> str:
        use_services(mine)
        await both_set.wait()  # the other turn has lent its own services meanwhile
        return get_services().shop.name

    assert await asyncio.gather(turn(live), turn(draft)) == ["Live Shop", "Draft Shop"]
