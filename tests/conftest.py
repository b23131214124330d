"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when
MEDIATOR_TEST_DATABASE_URL names one (CI runs it both ways)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, make_url, text

from bot.app.runtime import Runtime, build_runtime
from bot.app.web import create_app
from bot.platform.clock import VirtualClock
from bot.platform.config import Settings, ShopSettings, get_settings
from bot.platform.knowledge_config import KnowledgeSettings, PersistentStoreSettings
from bot.store.db import async_url, sync_url
from bot.store.migrate import upgrade_sync
from bot.store.shops import ensure_shop
from bot.understanding.nlu import NLU, load_nlu

ROOT = Path(__file__).resolve().parent.parent
# pytest-xdist runs the suite in two worker processes (scripts/test: `-n`); None when it runs in one.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def _worker_database(url: str) -> str:
    """The PostgreSQL database this process tests on: the one named, or under xdist a database of its own beside it
    (test_gw0, test_gw1), created if missing. Two workers on one database truncate each other's rows between tests."""
    if not WORKER or not url.startswith("postgres"):
        return url
    base = make_url(url)
    name = f"{base.database}_{WORKER}"
    server = create_engine(sync_url(async_url(url)), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).scalar() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


TEST_DB = _worker_database(os.environ.get("MEDIATOR_TEST_DATABASE_URL", "sqlite"))
if WORKER:
    # Each worker indexes the knowledge into a Chroma directory of its own: chromadb keeps a persistent
    # collection's vector index in the process that wrote it, and two processes writing one directory is
    # unsupported. A config file that names its own store path keeps it.
    KnowledgeSettings.model_fields["store"].default = PersistentStoreSettings(path=Path(f"var/chroma-{WORKER}"))
    KnowledgeSettings.model_rebuild(force=True)
    Settings.model_fields["knowledge"].default = KnowledgeSettings()
    Settings.model_rebuild(force=True)
SHOP, KEY = "demo", "test-key"
# A Monday at 11:00 in Warsaw: outside quiet hours, so contact plans are not deferred by accident.
START = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)

# Tests must not pick up a developer's deployment settings.
for name in list(os.environ):
    if name == "DATABASE_URL" or (name.startswith("MEDIATOR_") and name != "MEDIATOR_TEST_DATABASE_URL"):
        del os.environ[name]


def is_postgres() -> bool:
    return TEST_DB.startswith("postgres")


BROWSER_FIXTURES = {"page", "browser"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL run, keep only the tests that reach a database.

    A test reaches one through the `migrated` fixture (every runtime, client and config fixture sits on it).
    The rest (models, guard rails, retrieval, parsing) ran a minute earlier on SQLite and would do exactly
    the same again; running them twice made CI take 52 minutes.

    The browser tests (a `page` or `browser` in Chromium) reach a database too, but what they check is the
    page: its layout, its scripts, its forms. The routes and queries behind those pages run on PostgreSQL in
    their own HTTP-level tests, so a second Chromium pass would test the same pages again for minutes."""
    if not is_postgres():
        return
    kept, dropped = [], []
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        (kept if "migrated" in names and not names & BROWSER_FIXTURES else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    # Trained models are cached by data hash; sharing the cache across runs keeps the suite fast.
    path = ROOT / "var" / "test-cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def nlu(cache_dir: Path) -> NLU:
    """The NLU trained from data/ (cached on disk by the data's hash), shared by every test that reads real text."""
    return load_nlu(cache_dir, ROOT / "data")


@pytest.fixture(scope="session")
def trained(nlu: NLU) -> NLU:
    """The same NLU, under the name the held-out round tests use."""
    return nlu


def reset_postgres(url: str) -> None:
    engine = create_engine(sync_url(async_url(url)))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database: a template file on SQLite, the real server on PostgreSQL."""
    if is_postgres():
        reset_postgres(TEST_DB)
        upgrade_sync(async_url(TEST_DB))
        return TEST_DB
    template = tmp_path_factory.mktemp("template") / "template.db"
    upgrade_sync(async_url(f"sqlite:///{template}"))
    return str(template)


@pytest.fixture
def database_url(migrated: str, tmp_path: Path) -> str:
    if is_postgres():
        engine = create_engine(sync_url(async_url(migrated)))
        with engine.begin() as conn:
            tables = [
                r[0]
                for r in conn.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'")
                )
            ]
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return migrated
    path = tmp_path / "mediator.db"
    shutil.copy(migrated, path)
    return f"sqlite:///{path}"


@pytest.fixture
def settings(database_url: str, cache_dir: Path) -> Settings:
    get_settings.cache_clear()
    return Settings(
        database_url=database_url,
        data_dir=cache_dir,
        policies_dir=ROOT / "policies",
        shops={SHOP: ShopSettings(name="Test shop")},
        config_file=ROOT / "config.yml",
    )


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(START)


async def open_runtime(settings: Settings, clock: VirtualClock) -> Runtime:
    rt = await build_runtime(settings, clock, migrate=False)
    async with rt.sessions() as session, session.begin():
        await ensure_shop(session, SHOP, "Test shop", KEY, clock.now())
    await rt.seed_policies()
    return rt


@pytest.fixture
async def rt(settings: Settings, clock: VirtualClock) -> AsyncIterator[Runtime]:
    runtime = await open_runtime(settings, clock)
    yield runtime
    await runtime.close()


@pytest.fixture
async def tg() -> AsyncIterator[Any]:
    """The fake Telegram Bot API on loopback (tests/fakes/telegram_api.py), for every module that needs it."""
    from tests.fakes.telegram_api import FakeTelegram

    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def fake_slack() -> AsyncIterator[Any]:
    """The fake Slack Web API on loopback (tests/fakes/slack_api.py)."""
    from tests.fakes.slack_api import FakeSlack

    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def tw() -> AsyncIterator[Any]:
    """The fake Twilio REST API on loopback (tests/fakes/twilio_api.py)."""
    from tests.fakes.twilio_api import FakeTwilio

    fake = FakeTwilio()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def client(rt: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime=rt, run_scheduler=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mediator.test", headers={"X-Api-Key": KEY}) as c:
        yield c


async def staff_token(rt: Runtime, name: str = "Maja", shop: str = SHOP) -> str:
    """A staff account's sign-in token, as `mediator staff add SHOP NAME` prints it."""
    from bot.store.staff_accounts import add_account

    async with rt.sessions() as session, session.begin():
        return await add_account(session, shop, name, rt.clock.now())


async def admin_token(rt: Runtime, name: str = "Ada", shop: str = SHOP, role: str = "admin") -> str:
    """An admin's own token, as `mediator admin token create` prints it: what signs in to /admin and
    /admin/reports (the shop's API key does not)."""
    from bot.store.admin_tokens import create_token

    async with rt.sessions() as session, session.begin():
        return await create_token(session, shop, name, role, rt.clock.now())


@pytest.fixture
def as_staff(rt: Runtime) -> Any:
    """`await as_staff("Maja")`: the Authorization header of Maja's staff account (created on first use)."""
    tokens: dict[tuple[str, str], str] = {}

    async def headers(name: str = "Maja", shop: str = SHOP) -> dict[str, str]:
        if (shop, name) not in tokens:
            tokens[shop, name] = await staff_token(rt, name, shop)
        return {"Authorization": f"Bearer {tokens[shop, name]}"}

    return headers


@pytest.fixture
async def staff_client(rt: Runtime, as_staff: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in to /staff as the staff account "Staff" (and holding the shop key for /api)."""
    app = create_app(runtime=rt, run_scheduler=False)
    headers = {"X-Api-Key": KEY, **(await as_staff("Staff"))}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://mediator.test", headers=headers
    ) as c:
        yield c


def review(external_id: str = "r-1", rating: int = 2, text: str | None = None, **extra: object) -> dict:
    """A valid review in the intake shape; tests override what they care about."""
    body = {
        "platform": "demo-reviews",
        "external_id": external_id,
        "rating": rating,
        "text": text or "The parcel arrived eight days late and the lamp inside was broken. Order NL-1001.",
        "created_at": "2026-11-01T18:00:00Z",
        "verified_purchase": True,
        "edit_url": f"https://reviews.example/demo/reviews/{external_id}/edit",
        "buyer": {
            "name": "Anna Kowalska",
            "email": f"{external_id}@example.pl",
            "phone": "+48601234567",
            "timezone": "Europe/Warsaw",
            "consent": {"sms": True, "telegram": False, "webchat": True},
        },
        "order": {
            "id": f"NL-{external_id}",
            "total": "129.90",
            "currency": "PLN",
            "ordered_at": "2026-10-20T10:00:00Z",
            "shipped_at": "2026-10-21T10:00:00Z",
            "delivered_at": "2026-10-30T10:00:00Z",
            "items": [{"sku": "LMP-01", "name": "Table lamp Fjord", "qty": 1, "price": "119.90"}],
        },
    }
    body.update(extra)
    return body


@pytest.fixture
def config(tmp_path: Path, database_url: str, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A config file for the `mediator` command on the test database, selected by MEDIATOR_CONFIG."""
    path = tmp_path / "config.yml"
    path.write_text(
        f"database_url: {database_url}\ndata_dir: {cache_dir}\npolicies_dir: {ROOT / 'policies'}\n"
        "shops:\n  demo: {name: Demo}\n"
    )
    monkeypatch.setenv("MEDIATOR_CONFIG", str(path))
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


# ── browser tests (tests/browser.py skips a module that imports it when Chromium is missing) ──────────


@pytest.fixture
async def base_url(rt: Runtime) -> AsyncIterator[str]:
    """The app on a loopback port, served by uvicorn (timers run only when a test says so)."""
    from tests.browser import serve

    async with serve(create_app(runtime=rt, run_scheduler=False)) as url:
        yield url


@pytest.fixture
async def page(base_url: str) -> AsyncIterator[Any]:
    """A desktop-sized Chromium tab that refuses every request leaving loopback."""
    from tests.browser import chromium, guarded_page

    async with (
        chromium() as browser,
        guarded_page(browser, viewport={"width": 1280, "height": 900}, locale="en-GB") as tab,
    ):
        yield tab
