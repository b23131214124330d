"""Reports: /api/reports (JSON or CSV) and the dashboard at /admin/reports (issue 8).

Who may see a shop's report is decided in ONE place, `report_viewer`: an admin token of either role
(bot/store/admin_tokens.py, `Authorization: Bearer …`), a dashboard session, or, for /api/reports only, the
shop's API key (`X-Api-Key`, as for /api/cases: an integration may fetch its figures). The dashboard is for
people: it opens only to an admin's own token (`dashboard=True`), and refuses the API key by name.
The dashboard has no JavaScript: its sign-in form checks the token once and keeps only an opaque session id
in an HttpOnly cookie (bot/web/signin.py: Secure over HTTPS, same-origin posts, failed sign-ins limited);
"Sign out" ends the session on the server.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.reports.build import SLICES, ReportInputError, parse_period, parse_slice, shop_report
from bot.reports.render import render_csv, render_html
from bot.store.admin_tokens import TOKEN_PREFIX, Admin, admin_for_token
from bot.store.web_sessions import LIFETIME, close_session, open_session, signed_in
from bot.web import pages
from bot.web.auth import not_an_admin_token
from bot.web.deps import runtime
from bot.web.deps import shop_id as shop_for_api_key
from bot.web.errors import ApiError
from bot.web.signin import (
    TooManySignIns,
    check_rate,
    clear_session_cookie,
    client_of,
    limiter,
    require_same_origin,
    set_session_cookie,
)

router = APIRouter(tags=["reports"])
COOKIE = "mediator_report_session"
OLD_COOKIE = "mediator_report_key"  # held the raw key before sessions (review L5): cleared on sign-in and out


async def _who(request: Request, secret: str) -> Admin:
    """The admin behind a token: the dashboard's sign-in takes nothing else."""
    if not secret.startswith(TOKEN_PREFIX):
        raise not_an_admin_token("key")
    return await _admin(request, secret, "key")


async def _admin(request: Request, secret: str, field: str) -> Admin:
    async with runtime(request).sessions() as session:
        admin = await admin_for_token(session, secret)
    if admin is None:
        raise ApiError(
            401,
            "unauthorized",
            "unknown or revoked admin token",
            field=field,
            fix="check the token; `mediator admin token create` issues a new one",
        )
    return admin


async def _shop_for_secret(request: Request, secret: str) -> str:
    """The shop behind an admin token (admin or staff role: both may read reports) or a shop API key."""
    if secret.startswith(TOKEN_PREFIX):
        return (await _admin(request, secret, "Authorization")).shop_id
    return await shop_for_api_key(request, secret or None)


async def report_viewer(
    request: Request,
    x_api_key: str | None = Header(None, alias="X-Api-Key"),
    authorization: str | None = Header(None),
    dashboard: bool = False,
) -> str:
    """The shop whose reports the caller may see (the one place that decides it)."""
    scheme, _, token = (authorization or "").partition(" ")
    secret = token.strip() if scheme.lower() == "bearer" else ""
    if dashboard and (x_api_key if not secret else not secret.startswith(TOKEN_PREFIX)):
        raise not_an_admin_token("Authorization" if secret else "X-Api-Key")
    if not (secret or x_api_key) and request.cookies.get(COOKIE):
        rt = runtime(request)
        async with rt.sessions() as session:
            who = await signed_in(session, request.cookies[COOKIE], "reports", rt.clock.now())
        if who is not None:
            return who.shop_id
        raise ApiError(
            401, "unauthorized", "the session has ended", field="Cookie", fix="sign in again at /admin/reports"
        )
    return await _shop_for_secret(request, secret or x_api_key or "")


def _input_error(err: ReportInputError) -> ApiError:
    return ApiError(422, f"invalid_{err.field}", err.message, field=err.field, fix=err.fix)


def _parse(period: str | None, slice_name: str | None, fmt: str, formats: tuple[str, ...]) -> tuple[Any, Any]:
    if fmt not in formats:
        raise ApiError(
            422, "invalid_format", f"unknown format {fmt!r}", field="format", fix=f"use {' or '.join(formats)}"
        )
    try:
        return parse_period(period), parse_slice(slice_name)
    except ReportInputError as err:
        raise _input_error(err) from err


def _csv(report: dict[str, Any]) -> Response:
    suffix = f"-{report['slice']}" if report["slice"] else ""
    name = f"mediator-report-{report['shop_id']}-{report['period']['label']}{suffix}"
    return Response(
        render_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get("/api/reports")
async def api_report(
    request: Request,
    period: str = Query(..., description="a month like 2026-10 or a quarter like 2026-Q4"),
    slice: str | None = Query(None, description=f"one of {', '.join(SLICES)}"),
    format: str = Query("json", description="json or csv"),
    shop: str = Depends(report_viewer),
) -> Any:
    """The shop's mediation report for a period, optionally sliced; `format=csv` downloads it."""
    parsed_period, parsed_slice = _parse(period, slice, format, ("json", "csv"))
    report = await shop_report(runtime(request), shop, parsed_period, parsed_slice)
    return _csv(report) if format == "csv" else report


# ── the dashboard ───────────────────────────────────────────────────────────────────────────────


def _controls(period: str, slice_name: str | None) -> str:
    options = "".join(
        f"<option value='{s}'{' selected' if s == (slice_name or '') else ''}>{s or 'no slice'}</option>"
        for s in ("", *SLICES)
    )
    query = {"period": period, "format": "csv", **({"slice": slice_name} if slice_name else {})}
    return (
        "<form class='filters' method='get' action='/admin/reports'>"
        f"<label>Period <input name='period' value='{escape(period)}' placeholder='2026-Q4' size='9' "
        "pattern='\\d{4}-(\\d{2}|[Qq][1-4])' title='a month like 2026-10 or a quarter like 2026-Q4'></label>"
        f"<label>Slice <select name='slice'>{options}</select></label>"
        "<button type='submit'>Show</button>"
        f"<a class='noprint' href='/api/reports?{escape(urlencode(query))}' download>Export CSV</a>"
        "</form>"
    )


def _page_error(status: int, message: str, body: str = "") -> HTMLResponse:
    return pages.page("Reports", f"<p role='alert'>{escape(message)}</p>{body}", status, heading="Mediation reports")


SIGN_IN = (
    "<form method='post' action='/admin/reports/sign-in'><label>Your admin token "
    "<input name='key' type='password' autocomplete='off' required></label>"
    "<button type='submit'>Sign in</button></form>"
    "<p class='hint'>Each admin has their own token, from <code>mediator admin token create --name YOU</code>; "
    "the demo prints the demo admin's. The shop's API key is for integrations and does not sign in here.</p>"
)


SIGN_OUT = (
    "<form class='noprint' method='post' action='/admin/reports/sign-out'>"
    "<button type='submit'>Sign out</button></form>"
)


@router.get("/admin/reports", response_class=HTMLResponse)
async def dashboard(
    request: Request,
    period: str | None = Query(None),
    slice: str | None = Query(None),
    x_api_key: str | None = Header(None, alias="X-Api-Key"),
    authorization: str | None = Header(None),
) -> HTMLResponse:
    try:
        shop = await report_viewer(request, x_api_key, authorization, dashboard=True)
    except ApiError as err:
        return _page_error(401, f"Sign in to see reports: {err.message}; {err.fix}.", SIGN_IN)
    rt = runtime(request)
    if not period:
        now = rt.clock.now()
        period = f"{now.year}-Q{(now.month - 1) // 3 + 1}"
    try:
        parsed_period, parsed_slice = parse_period(period), parse_slice(slice)
    except ReportInputError as err:
        return _page_error(422, str(err), _controls(period, None))
    report = await shop_report(rt, shop, parsed_period, parsed_slice)
    controls = _controls(parsed_period.label, parsed_slice) + (SIGN_OUT if request.cookies.get(COOKIE) else "")
    html = render_html(report, controls=controls, title="Mediation reports")
    return HTMLResponse(html)


@router.post("/admin/reports/sign-in")
async def sign_in(request: Request) -> Response:
    rt = runtime(request)
    now = rt.clock.now()
    try:
        require_same_origin(request)
        check_rate(request, now)
    except TooManySignIns as err:
        page = _page_error(429, f"{err.message}; {err.fix}.", SIGN_IN)
        page.headers["Retry-After"] = str(err.retry_after)
        return page
    except ApiError as err:
        return _page_error(err.status, f"{err.message}; {err.fix}.")
    # A urlencoded form parsed by hand: python-multipart (FastAPI's Form) is not a dependency.
    fields = parse_qs((await request.body())[:4096].decode("utf-8", "replace"))
    key = (fields.get("key") or [""])[0].strip()
    try:
        admin = await _who(request, key)
    except ApiError as err:
        limiter(request).failed(client_of(request), now)
        return _page_error(401, f"{err.message}; {err.fix}.", SIGN_IN)
    limiter(request).succeeded(client_of(request))
    async with rt.sessions() as session, session.begin():
        token = await open_session(session, admin.shop_id, "reports", admin.name, now, admin_token_id=admin.token_id)
    response = RedirectResponse("/admin/reports", status_code=303)
    # Path /: the dashboard's CSV export is /api/reports.
    set_session_cookie(response, request, COOKIE, token, "/", int(LIFETIME.total_seconds()))
    clear_session_cookie(response, request, OLD_COOKIE, "/")
    return response


@router.post("/admin/reports/sign-out")
async def sign_out(request: Request) -> Response:
    try:
        require_same_origin(request)
    except ApiError as err:
        return _page_error(err.status, f"{err.message}; {err.fix}.")
    rt = runtime(request)
    async with rt.sessions() as session, session.begin():
        await close_session(session, request.cookies.get(COOKIE, ""), rt.clock.now())
    response = RedirectResponse("/admin/reports", status_code=303)
    clear_session_cookie(response, request, COOKIE, "/")
    clear_session_cookie(response, request, OLD_COOKIE, "/")
    return response
