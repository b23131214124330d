"""Health and the landing page."""

from __future__ import annotations

from html import escape

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


LANDING = """<!doctype html><html lang="en"><meta charset="utf-8"><title>Mediator</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem}
code,pre{background:#f3f3f3;padding:.1rem .3rem;border-radius:4px}pre{padding:.8rem;overflow:auto}</style>
<h1>Mediator is running</h1>
<p>Low-rated reviews become mediation cases; the bot calms the buyer, gathers facts, proposes a remedy the
shop's policy allows, and only at the end asks neutrally about the review.</p>
<ul><li><a href="/docs">API reference (OpenAPI)</a></li><li><a href="/healthz">Health</a></li></ul>
<p>Post a review (demo shop key <code>demo-key</code>):</p>
<pre>curl -s -X POST {base}/api/reviews -H 'X-Api-Key: demo-key' -H 'Content-Type: application/json' \\
  -d '{"platform":"demo-reviews","external_id":"try-1","rating":2,
       "text":"The parcel arrived a week late and the box was crushed.","created_at":"2026-11-20T10:00:00Z"}'
curl -s {base}/api/cases/CASE_ID -H 'X-Api-Key: demo-key'</pre>
</html>"""


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def landing(request: Request) -> str:
    return LANDING.replace("{base}", escape(runtime(request).settings.public_url))  # not format(): the CSS has braces
