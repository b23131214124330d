"""Retention (issue 20, review M9): old message texts and finished job payloads are emptied by a durable
daily job, on the virtual clock; reports keep their figures; bad settings name the key and the fix."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Text, cast, func, select

from bot.app.runtime import Runtime
from bot.app.simulate import advance
from bot.platform.clock import VirtualClock
from bot.platform.config import ConfigError, RetentionSettings, Settings, load_settings
from bot.reports.build import build_report, parse_period
from bot.store.models import Job, Message, WebSession
from bot.store.retention import KIND, schedule_retention
from bot.store.web_sessions import LIFETIME, close_session, open_session
from tests.conftest import SHOP, START
from tests.test_reports import play

AS_OF = START + timedelta(days=400)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"retention": RetentionSettings(messages="180d", jobs="30d")})


async def texts(rt: Runtime, case_id: int) -> list[str]:
    async with rt.sessions() as session:
        return list((await session.execute(select(Message.text).where(Message.case_id == case_id))).scalars())


async def kept_payloads(rt: Runtime) -> int:
    """Finished jobs whose payload still holds something."""
    async with rt.sessions() as session:
        query = select(func.count()).where(
            Job.status.in_(("done", "failed", "cancelled")), cast(Job.payload, Text) != "{}", Job.kind != KIND
        )
        return int((await session.execute(query)).scalar_one())


async def pending_retention(rt: Runtime) -> int:
    async with rt.sessions() as session:
        query = select(func.count()).where(Job.kind == KIND, Job.status == "pending")
        return int((await session.execute(query)).scalar_one())


async def test_retention_purges_on_the_virtual_clock(rt: Runtime, clock: VirtualClock) -> None:
    old = await play(rt, clock, "en_constructive_damaged_lamp.yml", "old")
    assert old is not None
    async with rt.sessions() as session, session.begin():  # sign-in sessions: one ended, one ends much later
        await close_session(session, await open_session(session, SHOP, "staff", "Maja", clock.now()), clock.now())
        await open_session(session, SHOP, "reports", "Ola", clock.now() - LIFETIME + timedelta(days=300))
    await schedule_retention(rt.sessions, clock.now())
    await schedule_retention(rt.sessions, clock.now())  # a second server starting the same day adds nothing
    assert await pending_retention(rt) == 1
    assert await kept_payloads(rt) > 0
    assert all(await texts(rt, old))

    # A month on: finished job payloads older than 30 days are emptied; message texts (180 days) stay.
    await advance(rt, clock, clock.now() + timedelta(days=31))
    assert await kept_payloads(rt) == 0
    assert all(await texts(rt, old))
    assert await pending_retention(rt) == 1  # one chain, one next run

    # A newer conversation, then past the 180 days of the first one: its texts go, the newer ones stay.
    newer = await play(rt, clock, "en_stop_mid_conversation.yml", "new")
    assert newer is not None
    await advance(rt, clock, START + timedelta(days=178))  # the old conversation ended at START + 5 days
    before = await report(rt)
    assert all(await texts(rt, old))
    await advance(rt, clock, START + timedelta(days=186))
    assert set(await texts(rt, old)) == {""}
    assert all(await texts(rt, newer))
    assert await pending_retention(rt) == 1
    assert await report(rt) == before  # the same figures, read as of the same moment
    async with rt.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(WebSession))).scalar_one() == 1


async def report(rt: Runtime) -> str:
    async with rt.sessions() as session:
        figures = await build_report(session, SHOP, parse_period("2026-Q4"), None, routes={}, as_of=AS_OF)
    return json.dumps(figures, sort_keys=True, default=str)


async def test_retention_off_keeps_everything(rt: Runtime, clock: VirtualClock) -> None:
    rt.worker.ctx.settings = rt.settings.model_copy(update={"retention": RetentionSettings(messages=None, jobs=None)})
    case = await play(rt, clock, "en_constructive_damaged_lamp.yml", "keep")
    assert case is not None
    await schedule_retention(rt.sessions, clock.now())
    await advance(rt, clock, clock.now() + timedelta(days=400))
    assert all(await texts(rt, case)) and await kept_payloads(rt) > 0


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.yml"
    path.write_text(body)
    return path


@pytest.mark.parametrize(
    ("value", "says"),
    [("6 months", "not a period"), ("12h", "shorter than a day"), ("30m", "shorter than a day"), ("-1d", "not")],
)
def test_bad_retention_names_the_setting_and_the_fix(tmp_path: Path, value: str, says: str) -> None:
    path = write(tmp_path, f"retention:\n  messages: {value}\n")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    text = str(err.value)
    assert f"{path}:2: retention.messages" in text and says in text and "180d" in text


def test_retention_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "retention:\n  messages: off\n")
    assert load_settings(path).retention.messages is None
    monkeypatch.setenv("MEDIATOR_RETENTION__MESSAGES", "26w")
    assert load_settings(path).retention.period("messages") == timedelta(weeks=26)
    monkeypatch.setenv("MEDIATOR_RETENTION__JOBS", "soon")
    with pytest.raises(ConfigError, match=r"MEDIATOR_RETENTION__JOBS: retention\.jobs: 'soon' is not a period"):
        load_settings(path)


@given(days=st.integers(min_value=1, max_value=100_000))
def test_any_whole_number_of_days_is_accepted(days: int) -> None:
    assert RetentionSettings(messages=f"{days}d").period("messages") == timedelta(days=days)


@given(text=st.text(max_size=12))
def test_any_text_is_a_period_or_a_clear_error(text: str) -> None:
    try:
        period = RetentionSettings(jobs=text).period("jobs")
    except ValueError as exc:
        assert "jobs" in str(exc) and ("30d" in str(exc))
    else:
        assert period is None or period >= timedelta(days=1)


async def test_a_server_running_jobs_starts_the_daily_chain(rt: Runtime, clock: VirtualClock) -> None:
    import asyncio

    rt.start_worker()
    try:
        for _ in range(200):
            async with rt.sessions() as session:
                rows = (await session.execute(select(Job.status, Job.run_at).where(Job.kind == KIND))).all()
            if any(status == "done" for status, _ in rows):
                break
            await asyncio.sleep(0.05)
    finally:
        rt._stop.set()
        await rt._task  # type: ignore[misc]
        rt._task = None
    # Today's run happened and scheduled tomorrow's.
    assert sorted(status for status, _ in rows) == ["done", "pending"]
    assert max(at for _, at in rows) == clock.now() + timedelta(days=1)


async def test_a_large_purge_commits_in_batches(rt: Runtime, clock: VirtualClock) -> None:
    """A first purge may cover months of data: it is many short transactions of at most `batch` rows each, not
    one that holds the database (review M9 follow-up); the result is the same as one pass."""
    from sqlalchemy import event

    from bot.store.retention import purge

    case = await play(rt, clock, "en_constructive_damaged_lamp.yml", "batches")
    assert case is not None
    n_texts = len([t for t in await texts(rt, case) if t])
    n_jobs = await kept_payloads(rt)
    assert n_texts > 4 and n_jobs > 4, "the test must have rows to batch"
    commits: list[int] = []
    listener = lambda _conn: commits.append(1)  # noqa: E731
    event.listen(rt.engine.sync_engine, "commit", listener)
    try:
        later = clock.now() + timedelta(days=400)
        emptied = await purge(rt.sessions, SHOP, later, timedelta(days=180), timedelta(days=30), batch=2)
    finally:
        event.remove(rt.engine.sync_engine, "commit", listener)
    assert emptied[0] == n_texts and emptied[1] >= n_jobs, emptied
    assert set(await texts(rt, case)) == {""} and await kept_payloads(rt) == 0
    # Two rows a transaction: at least half as many commits as rows, plus the sign-in sessions' one.
    assert len(commits) >= (n_texts + 1) // 2 + (n_jobs + 1) // 2 + 1, (len(commits), n_texts, n_jobs)
