"""Every HTML page sends the security headers /admin sends (security review L10): a CSP without
'unsafe-inline' that admits exactly the page's own inline blocks by hash, nosniff, no framing, no referrer
(the chat page's URL carries its token)."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest

from bot.app.runtime import Runtime
from tests.conftest import review

SHARED = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def inline_hashes(page: str) -> set[str]:
    blocks = re.findall(r"<(script|style)[^>]*>(.*?)</\1>", page, re.S)
    return {
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for _tag, body in blocks
        if body.strip()
    }


async def pages(client: httpx.AsyncClient, rt: Runtime) -> dict[str, httpx.Response]:
    case_id = (await client.post("/api/reviews", json=review("headers-1"))).json()["case_id"]
    token = (await client.post(f"/api/cases/{case_id}/chat-link")).json()["token"]
    plain = httpx.AsyncClient(transport=client._transport, base_url=client.base_url)  # no key: the pages' shells
    out = {}
    for path in ("/", "/staff", "/admin", "/admin/reports", f"/chat/{token}", "/chat/not.valid"):
        out[path] = await plain.get(path)
    out["/admin/reports (signed in)"] = await client.get("/admin/reports")
    return out


async def test_every_html_page_sends_the_shared_headers(client: httpx.AsyncClient, rt: Runtime) -> None:
    for path, r in (await pages(client, rt)).items():
        assert r.status_code < 500, (path, r.status_code)
        assert r.headers["content-type"].startswith("text/html"), path
        for name, value in SHARED.items():
            assert r.headers.get(name) == value, (path, name, r.headers.get(name))
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, (path, csp)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, (path, csp)
        script_src = re.search(r"script-src ([^;]*)", csp).group(1)
        for h in inline_hashes(r.text):
            assert h in csp, (path, h)
        # Nothing but 'self' and this page's own hashes: an injected script would not run.
        assert set(script_src.split()) - {"'self'"} <= inline_hashes(r.text), (path, script_src)


async def test_the_landing_page_renders(client: httpx.AsyncClient) -> None:
    r = await client.get("/")
    assert r.status_code == 200 and "Mediator is running" in r.text and '{"platform":"demo-reviews"' in r.text


@pytest.mark.parametrize("path", ["/admin", "/staff"])
async def test_admin_and_staff_send_identical_policies(client: httpx.AsyncClient, path: str) -> None:
    admin = (await client.get("/admin")).headers
    r = await client.get(path)
    for name in SHARED:
        assert r.headers[name] == admin[name]
