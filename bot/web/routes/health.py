"""Health and the landing page."""

from __future__ import annotations

import html
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import text

from bot.web.deps import runtime

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="200 when the database answers")
async def healthz(request: Request) -> JSONResponse:
    try:
        async with runtime(request).sessions() as session:
            await session.execute(text("SELECT 1"))
    except Exception as exc:
        return JSONResponse({"status": "unhealthy", "database": type(exc).__name__}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


# A plain file, filled by replace(): str.format on a page full of CSS braces was a 500 (KeyError 'font').
LANDING = (Path(__file__).resolve().parents[1] / "static" / "landing.html").read_text(encoding="utf-8")


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def landing(request: Request) -> str:
    return LANDING.replace("__BASE__", html.escape(runtime(request).settings.public_url))
