"""The browser-facing security headers every HTML page sends, in one place (security review L10).

/admin had a strict policy and the other pages (/, /staff, /admin/reports, /chat/<token>) had none, while
/staff keeps the shop key in sessionStorage and /chat carries a bearer token in its URL. The pages that
still carry their script and style inline are allowed exactly those blocks, by hash, never 'unsafe-inline':
an injected <script> would not match.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "default-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'"
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # /chat/<token> must not leak its token to any site a link in the page leads to.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_SCRIPT = re.compile(r"<script(?:\s[^>]*)?>(.*?)</script>", re.S | re.I)
_STYLE = re.compile(r"<style(?:\s[^>]*)?>(.*?)</style>", re.S | re.I)
_STYLE_ATTR = re.compile(r"""\sstyle=(?:"([^"]*)"|'([^']*)')""", re.I)


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


# ReDoc (styled-components) writes its styles into the page at run time, which no hash can name; the page
# shows nothing but our own OpenAPI schema, so it alone may carry inline styles (never inline scripts).
INLINE_STYLES_PATHS = frozenset({"/redoc"})


def csp_for(page: str, inline_styles: bool = False) -> str:
    """CSP for one page: the shared policy plus the hashes of the page's own inline blocks."""
    scripts = sorted({_hash(m) for m in _SCRIPT.findall(page) if m.strip()})
    styles = sorted({_hash(m) for m in _STYLE.findall(page) if m.strip()})
    attrs = sorted({_hash(html.unescape(a or b)) for a, b in _STYLE_ATTR.findall(page)})
    script_src = " ".join(["'self'", *scripts])
    style_src = " ".join(["'self'", *styles, *(["'unsafe-hashes'", *attrs] if attrs else [])])
    if inline_styles:
        style_src = "'self' 'unsafe-inline'"
    # blob: images are the chat's preview of a photo the buyer chose, read from their own device (never a
    # remote address): the page shows it before it is sent.
    return (
        f"default-src 'self'; img-src 'self' blob:; style-src {style_src}; script-src {script_src}; "
        "frame-ancestors 'none'"
    )


class SecurityHeaders:
    """Pure ASGI: HTML responses (small pages) are held until complete so their hashes can be taken."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def wrapped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if content_type.startswith(b"text/html"):
                    start = message
                    return
                await send(message)
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            page = body.decode("utf-8", "replace")
            csp = csp_for(page, inline_styles=scope.get("path") in INLINE_STYLES_PATHS)
            headers = {**HEADERS, "Content-Security-Policy": csp}
            names = {k.lower().encode() for k in headers}
            kept = [(k, v) for k, v in start.get("headers", []) if k.lower() not in names]
            start["headers"] = kept + [(k.lower().encode(), v.encode()) for k, v in headers.items()]
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, wrapped)
