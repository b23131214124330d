"""The plain pages a person may land on: sign-in forms and errors (issue 21.6). One template,
static/page.html, gives them the look of the landing page and the staff inbox, on a desktop and a phone.

An error a browser asked for (a page address, `Accept: text/html`) comes back as such a page; an API call
still gets the JSON error that names the field and the fix (bot/web/errors.py).
"""

from __future__ import annotations

from functools import cache
from html import escape
from pathlib import Path
from string import Template

from starlette.requests import Request
from starlette.responses import HTMLResponse

TEMPLATE = Path(__file__).resolve().parent / "static" / "page.html"
# Addresses whose callers are programs: their errors stay JSON whatever they accept.
API_PREFIXES = ("/api/", "/staff/api/", "/webhooks/", "/openapi.json")


@cache
def _template() -> Template:
    return Template(TEMPLATE.read_text(encoding="utf-8"))


def page(title: str, body_html: str, status: int = 200, heading: str | None = None) -> HTMLResponse:
    """A styled page; `body_html` is trusted markup (callers escape what came from outside)."""
    html = _template().substitute(title=escape(title), heading=escape(heading or title), body=body_html)
    return HTMLResponse(html, status_code=status)


def wants_page(request: Request) -> bool:
    """Whether the caller is a browser opening a page, not a program calling the API."""
    path = request.url.path
    if path.startswith(API_PREFIXES) or (path.startswith("/chat/") and path.count("/") > 2):
        return False
    return "text/html" in request.headers.get("accept", "")


def not_found(request: Request) -> HTMLResponse:
    return page(
        "Page not found",
        f"<p role='alert'>There is no page at <code>{escape(request.url.path)}</code>.</p>"
        "<p class='hint'>Check the address, or start from one of the pages below.</p>",
        404,
    )


def server_error() -> HTMLResponse:
    return page(
        "Something went wrong",
        "<p role='alert'>Something went wrong on our side. It has been logged.</p>"
        "<p class='hint'>Try again in a moment. If it keeps happening, tell the person who runs Mediator "
        "the time it happened.</p>",
        500,
    )


def http_error(request: Request, status: int, detail: str) -> HTMLResponse:
    if status == 404:
        return not_found(request)
    return page("Cannot open this page", f"<p role='alert'>{escape(detail)} (HTTP {status}).</p>", status)
