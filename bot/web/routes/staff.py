"""The staff inbox at /staff, for deployments without Slack (issue 6): the handoffs, each with the same case
card Slack shows, and the same actions (bot/handoff/staff_actions.py): reply, take over, grant a remedy, approve,
reject, hand back, close, mark troll / black PR.

Who may use it: a person with a staff account of the shop (`mediator staff add SHOP NAME` prints their token;
the demo prints one). The shop's integration API key does not open it (security review L11): the name buyers see
and the events record is the account's, never one typed in. The page sends the token once, to /staff/sign-in,
and from then on holds only an opaque session cookie (bot/web/signin.py: HttpOnly, SameSite=Strict, Secure over
HTTPS; posts only from our own pages; failed sign-ins limited per client); "Sign out" ends the session on the
server, and removing the account (`mediator staff remove`) ends all of its sessions. Scripts send the token in
`Authorization: Bearer` on every request.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from bot.conversation.flow import STAFF
from bot.handoff import staff_actions
from bot.handoff.card import CaseCard, load_card
from bot.handoff.staff_actions import Staff, StaffActionError
from bot.store.models import Case, Message, SlackThread
from bot.store.staff_accounts import Account, account_for_token
from bot.store.web_sessions import LIFETIME, close_session, open_session, signed_in
from bot.web.deps import runtime
from bot.web.errors import ApiError
from bot.web.photos import photo_response
from bot.web.signin import (
    TooManySignIns,
    check_rate,
    clear_session_cookie,
    client_of,
    limiter,
    require_same_origin,
    set_session_cookie,
)

router = APIRouter(tags=["staff"])
PAGE = Path(__file__).resolve().parents[1] / "static" / "staff.html"
# Which request field each refusal is about, so the error names it.
FIELDS = {
    "empty_reply": "text",
    "internal_note": "text",
    "bad_outcome": "outcome",
    "bad_kind": "kind",
    "bad_type": "type",
    "bad_amount": "amount",
    "bad_percent": "percent",
    "bad_item": "item",
    "bad_part": "part",
}
COOKIE = "mediator_staff_session"


@dataclass(frozen=True)
class StaffUser:
    shop_id: str
    staff: Staff


ISSUE_TOKEN = "each person gets their own: `mediator staff add SHOP NAME` prints a staff token"


def _as_staff(account: Account) -> StaffUser:
    return StaffUser(account.shop_id, Staff(account.staff_id, account.name))


async def staff_user(
    request: Request,
    authorization: str | None = Header(None),
    x_api_key: str | None = Header(None, alias="X-Api-Key"),
) -> StaffUser:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        async with runtime(request).sessions() as session:
            account = await account_for_token(session, token.strip())
        if account is None:
            raise ApiError(
                401, "unauthorized", "unknown or removed staff token", field="Authorization", fix=ISSUE_TOKEN
            )
        return _as_staff(account)
    if request.cookies.get(COOKIE):
        rt = runtime(request)
        async with rt.sessions() as session:
            who = await signed_in(session, request.cookies[COOKIE], "staff", rt.clock.now())
        if who is None or who.staff_account_id is None:  # ended, expired, or opened with the shop key before 0012
            raise ApiError(
                401, "unauthorized", "the session has ended", field="Cookie", fix="sign in again with your staff token"
            )
        require_same_origin(request)  # a cookie rides along on a forged cross-site post; a header does not
        return StaffUser(who.shop_id, Staff(f"account:{who.staff_account_id}", who.name))
    if x_api_key:
        raise ApiError(
            401,
            "unauthorized",
            "the shop's API key does not open the staff inbox: buyers would see whatever name was typed",
            field="X-Api-Key",
            fix=f"send `Authorization: Bearer <staff token>`; {ISSUE_TOKEN}",
        )
    raise ApiError(
        401, "unauthorized", "missing staff token", field="Authorization", fix=f"sign in at /staff; {ISSUE_TOKEN}"
    )


class SignInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=400)


@router.post("/staff/sign-in")
async def sign_in(body: SignInIn, request: Request) -> Response:
    """Check the staff token once and open a session: the page keeps only the session cookie."""
    require_same_origin(request)
    rt = runtime(request)
    now = rt.clock.now()
    try:
        check_rate(request, now)
    except TooManySignIns as err:
        err.field = "token"
        return JSONResponse(err.body(), status_code=429, headers={"Retry-After": str(err.retry_after)})
    async with rt.sessions() as session:
        account = await account_for_token(session, body.token.strip())
    if account is None:
        limiter(request).failed(client_of(request), now)
        raise ApiError(401, "unauthorized", "unknown or removed staff token", field="token", fix=ISSUE_TOKEN)
    limiter(request).succeeded(client_of(request))
    async with rt.sessions() as session, session.begin():
        cookie = await open_session(session, account.shop_id, "staff", account.name, now, account.id)
    response = JSONResponse({"staff": account.name})
    set_session_cookie(response, request, COOKIE, cookie, "/staff", int(LIFETIME.total_seconds()))
    return response


@router.post("/staff/sign-out")
async def sign_out(request: Request) -> Response:
    """End this browser's session on the server (the cookie stops working everywhere at once)."""
    require_same_origin(request)
    rt = runtime(request)
    async with rt.sessions() as session, session.begin():
        ended = await close_session(session, request.cookies.get(COOKIE, ""), rt.clock.now())
    response = JSONResponse({"signed_out": ended})
    clear_session_cookie(response, request, COOKIE, "/staff")
    return response


def _refused(exc: StaffActionError) -> ApiError:
    return ApiError(exc.status, exc.error, exc.message, field=FIELDS.get(exc.error, "case_id"), fix=exc.fix)


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4000)


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: str


class GrantIn(BaseModel):
    """A remedy a person grants: a type of the shop policy's, an amount in the order's currency (or a percentage
    for a partial refund or a discount code), and the order's item it is for."""

    model_config = ConfigDict(extra="forbid")
    type: str = Field(min_length=1, max_length=40)
    amount: Annotated[str, Field(max_length=20)] | float | None = None
    percent: Annotated[str, Field(max_length=10)] | float | None = None
    item: str | None = Field(None, max_length=300)
    part: str | None = Field(None, max_length=120)  # send_part: the part sent on its own, named


class FlagIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str


@router.get("/staff", response_class=HTMLResponse, include_in_schema=False)
async def staff_page() -> HTMLResponse:
    return HTMLResponse(PAGE.read_text(encoding="utf-8"))


@router.get("/staff/api/cases")
async def list_handoffs(
    request: Request, who: StaffUser = Depends(staff_user), closed: bool = Query(False)
) -> dict[str, Any]:
    """The cases waiting for staff (and, with closed=true, those staff touched that are closed), oldest first."""
    rt = runtime(request)
    now = rt.clock.now()
    async with rt.sessions() as session:
        stages = [str(s) for s in STAFF] + (["closed"] if closed else [])
        query = (
            select(Case.id)
            .outerjoin(SlackThread, SlackThread.case_id == Case.id)
            .where(Case.shop_id == who.shop_id, Case.stage.in_(stages))
            .order_by(Case.opened_at, Case.id)
            .limit(200)
        )
        if closed:
            query = query.where((Case.stage != "closed") | SlackThread.id.is_not(None))
        # Read before the cases: the page streams events after this id, so nothing falls between the two.
        cursor = await latest_message_id(session, who.shop_id)
        ids = list((await session.execute(query)).scalars())
        cards = [await load_card(session, case_id, now, conversation_turns=0) for case_id in ids]
    return {"cases": [c.as_dict() for c in cards if c is not None], "staff": who.staff.name, "cursor": cursor}


async def latest_message_id(session: Any, shop: str) -> int:
    """The newest message id of the shop: where a page's event stream starts."""
    return int((await session.execute(select(func.max(Message.id)).where(Message.shop_id == shop))).scalar() or 0)


@router.get("/staff/api/cases/{case_id}")
async def show_case(case_id: int, request: Request, who: StaffUser = Depends(staff_user)) -> dict[str, Any]:
    rt = runtime(request)
    async with rt.sessions() as session:
        case = await session.get(Case, case_id)
        if case is None or case.shop_id != who.shop_id:
            raise ApiError(404, "unknown_case", f"there is no case {case_id}", field="case_id", fix="check the id")
        card = await load_card(session, case_id, rt.clock.now(), conversation_turns=200)
    assert card is not None
    return seen_by(card, who)


def seen_by(card: CaseCard, who: StaffUser) -> dict[str, Any]:
    """The card as this person reads it: `mine` when they are the one who took the case over (by account id, as
    two colleagues may share a first name), so the page shows "You have taken over" instead of the button."""
    return {**card.as_dict(), "mine": bool(card.owner_id) and card.owner_id == who.staff.id}


async def _act(request: Request, case_id: int, who: StaffUser, action: str, **kwargs: Any) -> dict[str, Any]:
    rt = runtime(request)
    fn = getattr(staff_actions, action)
    try:
        done = await fn(rt, case_id, who.staff, shop_id=who.shop_id, **kwargs)
    except StaffActionError as exc:
        raise _refused(exc) from None
    if rt.slack is not None:  # keep a Slack card in step when both are in use
        await rt.slack.refresh_card(case_id)
    async with rt.sessions() as session:
        card = await load_card(session, case_id, rt.clock.now(), conversation_turns=200)
    return {
        "ok": True,
        "note": done.note,
        "stage": done.stage,
        "message_id": done.message_id,
        "case": seen_by(card, who) if card else None,
    }


@router.get("/staff/api/photos/{photo_id}")
async def show_photo(photo_id: int, request: Request, who: StaffUser = Depends(staff_user)) -> Response:
    """A buyer's photo, full size, for staff of the shop whose case it is (the card shows it as a thumbnail)."""
    return await photo_response(runtime(request), who.shop_id, None, photo_id)


@router.post("/staff/api/cases/{case_id}/reply")
async def reply(case_id: int, body: ReplyIn, request: Request, who: StaffUser = Depends(staff_user)) -> dict[str, Any]:
    return await _act(request, case_id, who, "reply", text=body.text)


@router.post("/staff/api/cases/{case_id}/take-over")
async def take_over(case_id: int, request: Request, who: StaffUser = Depends(staff_user)) -> dict[str, Any]:
    return await _act(request, case_id, who, "take_over")


@router.post("/staff/api/cases/{case_id}/hand-back")
async def hand_back(case_id: int, request: Request, who: StaffUser = Depends(staff_user)) -> dict[str, Any]:
    return await _act(request, case_id, who, "hand_back")


@router.post("/staff/api/cases/{case_id}/approve")
async def approve(case_id: int, request: Request, who: StaffUser = Depends(staff_user)) -> dict[str, Any]:
    return await _act(request, case_id, who, "hand_back", approved=True)


@router.post("/staff/api/cases/{case_id}/reject")
async def reject(case_id: int, request: Request, who: StaffUser = Depends(staff_user)) -> dict[str, Any]:
    return await _act(request, case_id, who, "hand_back", approved=False)


@router.post("/staff/api/cases/{case_id}/close")
async def close(case_id: int, body: CloseIn, request: Request, who: StaffUser = Depends(staff_user)) -> dict[str, Any]:
    return await _act(request, case_id, who, "close", outcome=body.outcome)


@router.post("/staff/api/cases/{case_id}/grant")
async def grant(case_id: int, body: GrantIn, request: Request, who: StaffUser = Depends(staff_user)) -> dict[str, Any]:
    return await _act(
        request,
        case_id,
        who,
        "grant",
        remedy_type=body.type,
        amount=body.amount,
        percent=body.percent,
        item=body.item,
        part=body.part,
    )


@router.post("/staff/api/cases/{case_id}/flag")
async def flag(case_id: int, body: FlagIn, request: Request, who: StaffUser = Depends(staff_user)) -> dict[str, Any]:
    return await _act(request, case_id, who, "flag", kind=body.kind)
