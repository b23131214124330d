"""The admin pages at /admin (issue 7): one plain page (bot/web/static/admin/, no build step) that talks to
/api/policies with the admin's token. Login checks the token and records it in the audit log."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse

from bot.store import audit
from bot.store.admin_tokens import Admin
from bot.web.auth import current_admin
from bot.web.deps import runtime
from bot.web.errors import ApiError
from bot.web.security_headers import HEADERS as SECURITY_HEADERS

router = APIRouter(include_in_schema=False)
PAGES = Path(__file__).resolve().parents[1] / "static" / "admin"
ASSETS = {"admin.js": "text/javascript", "admin.css": "text/css"}
# The page loads nothing from elsewhere; say so to the browser too (the same headers as every page).
HEADERS = SECURITY_HEADERS


@router.get("/admin", response_class=HTMLResponse)
async def admin_page() -> HTMLResponse:
    return HTMLResponse((PAGES / "index.html").read_text(encoding="utf-8"), headers=HEADERS)


@router.get("/admin/static/{name}")
async def asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise ApiError(404, "not_found", f"no admin asset {name!r}")
    return FileResponse(PAGES / name, media_type=ASSETS[name], headers=HEADERS)


@router.post("/admin/login")
async def login(request: Request, admin: Admin = Depends(current_admin)) -> dict[str, str]:
    rt = runtime(request)
    async with rt.sessions() as session, session.begin():
        audit.record(session, admin.shop_id, admin.name, admin.role, "login", rt.clock.now())
    return {"name": admin.name, "role": admin.role.value, "shop": admin.shop_id}
