"""The /staff inbox without Slack (the embedded default): the same handoffs and actions, over JSON."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app.runtime import Runtime
from bot.handoff import staff_actions
from bot.handoff.staff_actions import Staff
from bot.platform.clock import VirtualClock
from bot.store.admin_tokens import create_token
from bot.store.models import Case, Message, SlackThread
from bot.store.shops import ensure_shop
from bot.store.staff_accounts import remove_account
from tests.conftest import KEY, ROOT, SHOP, review

SCENARIOS = ROOT / "tests" / "scenarios"


@pytest.fixture
def client(staff_client: httpx.AsyncClient) -> httpx.AsyncClient:
    """Every request here is a staff member's: signed in with the staff account "Staff"."""
    return staff_client


def scenario_review(name: str) -> dict[str, Any]:
    return yaml.safe_load((SCENARIOS / name).read_text(encoding="utf-8"))["review"]


async def open_case(rt: Runtime, body: dict[str, Any]) -> int:
    [result] = await rt.intake.ingest(SHOP, [body])
    assert result.case_id is not None
    await rt.worker.run_due()
    return result.case_id


async def buyer(rt: Runtime, case_id: int, text: str) -> None:
    await rt.conversation.buyer_message(case_id, text, channel="webchat")
    await rt.worker.run_due()


async def approval_case(rt: Runtime) -> int:
    case_id = await open_case(rt, scenario_review("de_double_charge_approval_needed.yml"))
    for text in (
        "Ja, auf meinem Kontoauszug steht die Abbuchung von 900 Euro zweimal, am 28. Oktober",
        "Ich möchte die doppelte Abbuchung zurück, also mein Geld",
        "Es geht um die ganze Bestellung, das Familienzelt Trollheim 6 und die Schlafsäcke",
    ):
        await buyer(rt, case_id, text)
    return case_id


async def messages(rt: Runtime, case_id: int, role: str) -> list[Message]:
    async with rt.sessions() as session:
        rows = await session.execute(
            select(Message).where(Message.case_id == case_id, Message.role == role).order_by(Message.id)
        )
        return list(rows.scalars())


async def test_the_inbox_lists_handoffs_with_their_card(rt: Runtime, client: httpx.AsyncClient) -> None:
    assert rt.slack is None  # no Slack settings: the inbox is the staff's tool
    case_id = await approval_case(rt)
    await open_case(rt, review("quiet-1"))  # a case the bot handles: not listed
    listed = (await client.get("/staff/api/cases")).json()
    assert [c["case_id"] for c in listed["cases"]] == [case_id]
    card = listed["cases"][0]
    assert card["buyer"] == "Markus B." and card["pending_remedy"]["type"] == "refund_full"
    assert card["team"] == "billing" and card["purpose"] == "handoff"
    async with rt.sessions() as session:  # the card job ran without Slack: the case still has its thread row
        thread = (await session.execute(select(SlackThread).where(SlackThread.case_id == case_id))).scalar_one()
    assert thread.channel_id is None and thread.thread_ts is None


async def test_approve_confirms_the_remedy_the_buyer_asked_for(
    rt: Runtime, client: httpx.AsyncClient, as_staff: Any
) -> None:
    case_id = await approval_case(rt)  # the buyer asked for their money back; a full refund needs approval
    response = await client.post(f"/staff/api/cases/{case_id}/approve", headers=await as_staff("Maja"))
    assert response.status_code == 200, response.text
    assert response.json()["stage"] == "resolving" and "approved refund_full" in response.json()["note"]
    bot = await messages(rt, case_id, "bot")
    assert [m.meta["remedy"]["type"] for m in bot if m.action == "confirm_remedy"] == ["refund_full"]
    assert not [m for m in bot if m.action == "propose_remedy"]  # confirmed, not offered a second time
    again = await client.post(f"/staff/api/cases/{case_id}/approve")
    assert again.status_code == 409 and again.json()["error"] == "not_with_staff"


async def test_reply_reaches_the_buyer_and_hand_back_resumes(
    rt: Runtime, client: httpx.AsyncClient, as_staff: Any
) -> None:
    case_id = await open_case(rt, review("inbox-reply"))
    await buyer(rt, case_id, "Hello, yes, the lamp was broken.")  # the buyer is on the web chat
    response = await client.post(f"/staff/api/cases/{case_id}/take-over", headers=await as_staff("Maja"))
    assert response.status_code == 200 and response.json()["stage"] == "awaiting_staff"
    response = await client.post(
        f"/staff/api/cases/{case_id}/reply", json={"text": "Hi Anna, we are on it."}, headers=await as_staff("Maja")
    )
    assert response.status_code == 200, response.text
    await rt.worker.run_due()
    [staff] = await messages(rt, case_id, "staff")
    assert "we are on it" in staff.text and staff.status == "delivered" and staff.id == response.json()["message_id"]
    detail = (await client.get(f"/staff/api/cases/{case_id}")).json()
    assert any("we are on it" in m["text"] for m in detail["conversation"])
    bots = len(await messages(rt, case_id, "bot"))
    await buyer(rt, case_id, "Thanks. The lamp arrived broken on 30 October.")
    assert len(await messages(rt, case_id, "bot")) == bots  # paused while staff have it
    assert (await client.get(f"/staff/api/cases/{case_id}")).json()["owner"] == "Maja"
    response = await client.post(f"/staff/api/cases/{case_id}/hand-back")
    assert response.status_code == 200 and response.json()["stage"] not in ("awaiting_staff", "closed")
    # The bot has it again: nobody owns it, so a later handoff is not shown as taken over by Maja.
    card = (await client.get(f"/staff/api/cases/{case_id}", headers=await as_staff("Maja"))).json()
    assert card["owner"] is None and card["mine"] is False
    bots = len(await messages(rt, case_id, "bot"))
    await buyer(rt, case_id, "I would like a replacement lamp please.")
    assert len(await messages(rt, case_id, "bot")) > bots  # the bot speaks again


async def test_the_engines_hand_back_clears_the_owner(rt: Runtime) -> None:
    """The simulator (bot/app/simulate.py) hands back through the engine, not the staff action: the owner is
    cleared in the engine's hand-back transaction, so that path leaves nobody owning the case either."""
    case_id = await open_case(rt, review("engine-hand-back"))
    await buyer(rt, case_id, "Hello, yes, the lamp was broken.")
    await staff_actions.take_over(rt, case_id, Staff("U0MAJA", "Maja"))
    async with rt.sessions() as session:
        thread = (await session.execute(select(SlackThread).where(SlackThread.case_id == case_id))).scalar_one()
    assert (thread.owner_id, thread.owner_name) == ("U0MAJA", "Maja")
    result = await rt.conversation.hand_back(case_id)
    assert result.stage not in ("awaiting_staff", "handoff", "closed")
    async with rt.sessions() as session:
        thread = (await session.execute(select(SlackThread).where(SlackThread.case_id == case_id))).scalar_one()
    assert (thread.owner_id, thread.owner_name) == (None, None)


async def test_taking_over_tells_the_buyer_who_joined_once(
    rt: Runtime, client: httpx.AsyncClient, as_staff: Any
) -> None:
    case_id = await open_case(rt, review("inbox-joined"))
    await buyer(rt, case_id, "Hello, yes, the lamp was broken.")
    for _ in range(2):  # a second click (or a second tab) must not repeat it
        response = await client.post(f"/staff/api/cases/{case_id}/take-over", headers=await as_staff("Maja"))
        assert response.status_code == 200
        await rt.worker.run_due()
    joined = [m for m in await messages(rt, case_id, "bot") if m.action == "staff_joined"]
    assert len(joined) == 1 and "Maja" in joined[0].text and joined[0].status == "delivered"
    bots = len(await messages(rt, case_id, "bot"))
    await buyer(rt, case_id, "hello? how long will this take?")
    assert len(await messages(rt, case_id, "bot")) == bots  # a person is there: the bot stays out of the way


async def test_take_over_close_and_flag(rt: Runtime, client: httpx.AsyncClient, as_staff: Any) -> None:
    case_id = await open_case(rt, review("inbox-take"))
    response = await client.post(f"/staff/api/cases/{case_id}/take-over", headers=await as_staff("Tom"))
    assert response.status_code == 200 and response.json()["case"]["owner"] == "Tom"
    assert response.json()["stage"] == "awaiting_staff"
    response = await client.post(f"/staff/api/cases/{case_id}/close", json={"outcome": "resolved_kept"})
    assert response.status_code == 200 and response.json()["case"]["outcome"] == "resolved_kept"
    troll = await open_case(rt, scenario_review("de_black_pr_awaiting_staff.yml"))
    listed = (await client.get("/staff/api/cases")).json()["cases"]
    assert [(c["case_id"], c["purpose"]) for c in listed] == [(troll, "flagging")]
    response = await client.post(f"/staff/api/cases/{troll}/flag", json={"kind": "black_pr"})
    assert response.status_code == 200
    async with rt.sessions() as session:
        case = await session.get(Case, troll)
        assert case is not None and (case.outcome, case.kind) == ("not_contacted", "black_pr")


async def test_bad_input_names_the_field(rt: Runtime, client: httpx.AsyncClient) -> None:
    case_id = await approval_case(rt)
    checks = [
        ("/staff/api/cases/999999/take-over", None, 404, "case_id"),
        (f"/staff/api/cases/{case_id}/close", {"outcome": "happy"}, 422, "outcome"),
        (f"/staff/api/cases/{case_id}/flag", {"kind": "spam"}, 422, "kind"),
        (f"/staff/api/cases/{case_id}/reply", {"text": "// only for colleagues"}, 422, "text"),
        (f"/staff/api/cases/{case_id}/reply", {"text": "   "}, 422, "text"),
    ]
    for path, body, status, field in checks:
        response = await client.post(path, json=body)
        assert response.status_code == status, (path, response.text)
        data = response.json()
        assert data.get("field") == field or data["errors"][0]["field"] == field, data
    assert (await client.post(f"/staff/api/cases/{case_id}/close", json={"outcome": "unresolved"})).status_code == 200
    closed = await client.post(f"/staff/api/cases/{case_id}/reply", json={"text": "Hallo"})
    assert closed.status_code == 409 and closed.json()["error"] == "case_closed"
    anonymous = await client.get("/staff/api/cases", headers={"X-Api-Key": "", "Authorization": ""})
    assert anonymous.status_code == 401 and anonymous.json()["field"] == "Authorization"


async def test_other_shops_cases_are_invisible(rt: Runtime, client: httpx.AsyncClient, as_staff: Any) -> None:
    case_id = await approval_case(rt)
    async with rt.sessions() as session, session.begin():
        await ensure_shop(session, "other", "Other shop", "other-key", rt.clock.now())
    other = await as_staff("Ola", "other")  # a person of the other shop, signed in with their own token
    assert (await client.get("/staff/api/cases", headers=other)).json()["cases"] == []
    assert (await client.get(f"/staff/api/cases/{case_id}", headers=other)).status_code == 404
    assert (await client.post(f"/staff/api/cases/{case_id}/approve", headers=other)).status_code == 404
    assert (await client.post(f"/staff/api/cases/{case_id}/take-over", headers=other)).status_code == 404
    async with rt.sessions() as session:
        case = await session.get(Case, case_id)
        assert case is not None and case.stage == "awaiting_staff"  # untouched


async def test_the_name_buyers_see_is_the_accounts(rt: Runtime, client: httpx.AsyncClient, as_staff: Any) -> None:
    """Security review L11: the shop's integration key no longer opens /staff, a typed name changes nothing,
    and an admin token (for policies) is not a staff account."""
    case_id = await open_case(rt, review("inbox-named"))
    await buyer(rt, case_id, "Hello, yes, the lamp was broken.")
    key_only = {"Authorization": "", "X-Api-Key": KEY, "X-Staff-Name": "The CEO"}
    refused = await client.post(f"/staff/api/cases/{case_id}/take-over", headers=key_only)
    assert refused.status_code == 401 and refused.json()["field"] == "X-Api-Key"
    assert "mediator staff add" in refused.json()["fix"]
    async with rt.sessions() as session, session.begin():
        admin = await create_token(session, SHOP, "Ola", "admin", rt.clock.now())
    as_admin = await client.get("/staff/api/cases", headers={"Authorization": f"Bearer {admin}"})
    assert as_admin.status_code == 401 and as_admin.json()["field"] == "Authorization"
    maja = {**(await as_staff("Maja")), "X-Staff-Name": "The CEO"}
    response = await client.post(f"/staff/api/cases/{case_id}/take-over", headers=maja)
    assert response.status_code == 200 and response.json()["case"]["owner"] == "Maja"
    await rt.worker.run_due()
    [joined] = [m for m in await messages(rt, case_id, "bot") if m.action == "staff_joined"]
    assert "Maja" in joined.text and "CEO" not in joined.text
    async with rt.sessions() as session:
        thread = (await session.execute(select(SlackThread).where(SlackThread.case_id == case_id))).scalar_one()
    assert thread.owner_id.startswith("account:") and thread.owner_name == "Maja"
    bad = await client.get("/staff/api/cases", headers={"Authorization": "Bearer mst_nope"})
    assert bad.status_code == 401 and bad.json()["field"] == "Authorization"


async def test_a_removed_account_is_locked_out(rt: Runtime, client: httpx.AsyncClient, as_staff: Any) -> None:
    maja = await as_staff("Maja")
    assert (await client.get("/staff/api/cases", headers=maja)).status_code == 200
    async with rt.sessions() as session, session.begin():
        await remove_account(session, SHOP, "maja", rt.clock.now())  # names match whatever their case
    gone = await client.get("/staff/api/cases", headers=maja)
    assert gone.status_code == 401 and "removed" in gone.json()["message"]


async def test_the_page_is_served(client: httpx.AsyncClient) -> None:
    page = await client.get("/staff")
    assert page.status_code == 200 and "staff inbox" in page.text and "/staff/api" in page.text


async def test_staff_reminder_without_slack_is_recorded(
    rt: Runtime, client: httpx.AsyncClient, clock: VirtualClock
) -> None:
    case_id = await approval_case(rt)
    clock.advance(timedelta(hours=2))
    await rt.worker.run_due()
    async with rt.sessions() as session:
        from bot.store.models import Event

        kinds = [e.type for e in (await session.execute(select(Event).where(Event.case_id == case_id))).scalars()]
    assert "staff_reminder" in kinds


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    action=st.sampled_from(["reply", "close", "flag", "take-over", "approve", "hand-back"]),
    body=st.one_of(
        st.none(),
        st.dictionaries(
            st.sampled_from(["text", "outcome", "kind", "x"]),
            st.one_of(st.text(max_size=50), st.integers(), st.none()),
            max_size=3,
        ),
    ),
    case_id=st.integers(min_value=-5, max_value=10**12),
)
async def test_any_request_gets_a_clear_answer(client: httpx.AsyncClient, action: str, body: Any, case_id: int) -> None:
    response = await client.post(f"/staff/api/cases/{case_id}/{action}", json=body)
    assert response.status_code in (200, 404, 409, 422), response.text
    if response.status_code != 200:
        data = response.json()
        assert data.get("field") or data.get("errors")


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("Jonas Wagner", "Jonas W."),
        ("Anna Maria von Berg", "Anna B."),
        ("Дмитрий Орлов", "Дмитрий О."),
        ("Jonas", "Jonas"),
        ("", "the buyer"),
        (None, "the buyer"),
    ],
)
def test_a_card_names_the_buyer_by_first_name_and_initial(name: str | None, label: str) -> None:
    """A first name alone ("Case 109 · Jonas") read as the colleague Jonas's case: the initial marks the buyer."""
    from bot.handoff.card import buyer_label

    assert buyer_label(name) == label
