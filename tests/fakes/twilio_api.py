"""A fake Twilio REST API on loopback, for twilio's real `Client` (`client.api.base_url = url`).

POST /2010-04-01/Accounts/{sid}/Messages.json with HTTP basic auth, as the client sends it. Knobs:
`opted_out` numbers answer error 21610, `invalid` numbers 21211, `fail_next` answers that many 500s.
Each send is recorded with its StatusCallback, so a test can play the status callback back, signed.

Standalone, for the demo (Mediator with TWILIO_API_BASE at this server and MEDIATOR_PUBLIC_URL at the app):

    .venv/bin/python -m tests.fakes.twilio_api --port 8082 --app http://127.0.0.1:8000 --auth-token secret
    curl -s -X POST localhost:8082/_fake/say -d '{"from": "+48601234567", "text": "hello"}'
    curl -s localhost:8082/_fake/sent
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import time
from typing import Any

import aiohttp
from aiohttp import web
from twilio.request_validator import RequestValidator

from tests.fakes import FakeServer

ACCOUNT_SID, AUTH_TOKEN = "AC" + "0" * 32, "test-auth-token"


class FakeTwilio(FakeServer):
    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN, app_url: str = ""):
        super().__init__()
        self.account_sid, self.auth_token, self.app_url = account_sid, auth_token, app_url
        self.sent: list[dict[str, Any]] = []
        self.opted_out: set[str] = set()
        self.invalid: set[str] = set()
        self.fail_next = 0
        self.received_at: dict[str, float] = {}  # sid → time.perf_counter() at the send, for latency figures
        self._sids = itertools.count(1)
        # MMS media: path → (bytes, Content-Type), served with the account's basic auth like Twilio's;
        # `media_fail_next` answers that many fetches with 503.
        self.media: dict[str, tuple[bytes, str]] = {}
        self.media_fail_next = 0
        self.media_fetches: list[str | None] = []  # the Authorization header of each fetch

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self._create)
        app.router.add_get("/2010-04-01/Accounts/{sid}/Messages/{message}/Media/{media}", self._media)
        app.router.add_post("/_fake/say", self._say)
        app.router.add_get("/_fake/sent", self._sent)
        return app

    def texts(self, to: str | None = None) -> list[str]:
        return [m["Body"] for m in self.sent if to is None or m["To"] == to]

    async def _create(self, request: web.Request) -> web.Response:
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if request.match_info["sid"] != self.account_sid or request.headers.get("Authorization") != expected:
            return _error(401, 20003, "Authenticate")
        form = {k: str(v) for k, v in (await request.post()).items()}
        if self.fail_next > 0:
            self.fail_next -= 1
            return _error(500, 20500, "Internal Server Error")
        to = form.get("To", "")
        if not to or not form.get("Body"):
            return _error(400, 21602, "Message body is required")
        if not (form.get("From") or form.get("MessagingServiceSid")):
            return _error(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required")
        if to in self.opted_out:
            return _error(400, 21610, "Attempt to send to unsubscribed recipient")
        if to in self.invalid:
            return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        sid = f"SM{next(self._sids):032x}"
        record = {"sid": sid, **form}
        self.sent.append(record)
        self.received_at[sid] = time.perf_counter()
        return web.json_response(
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "to": to,
                "from": form.get("From"),
                "messaging_service_sid": form.get("MessagingServiceSid"),
                "body": form["Body"],
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            },
            status=201,
        )

    def add_media(self, data: bytes, content_type: str = "image/jpeg") -> str:
        """Keep a photo as Twilio keeps an MMS's media; returns its MediaUrl."""
        message, media = f"MM{next(self._sids):030x}", f"ME{len(self.media):030x}"
        path = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{message}/Media/{media}"
        self.media[path] = (data, content_type)
        return self.url + path

    async def _media(self, request: web.Request) -> web.StreamResponse:
        self.media_fetches.append(request.headers.get("Authorization"))
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return _error(401, 20003, "Authenticate")
        if self.media_fail_next > 0:
            self.media_fail_next -= 1
            return _error(503, 20503, "Service Unavailable")
        found = self.media.get(request.path)
        if found is None:
            return _error(404, 20404, "The requested resource was not found")
        data, content_type = found
        response = web.StreamResponse(headers={"Content-Type": content_type})
        await response.prepare(request)
        for start in range(0, len(data), 64 * 1024):
            await response.write(data[start : start + 64 * 1024])
        await response.write_eof()
        return response

    # ── what Twilio would post to the app ────────────────────────────────────────────────────────

    def inbound_params(self, sender: str, text: str, sid: str | None = None, **extra: str) -> dict[str, str]:
        return {
            "MessageSid": sid or f"SMin{next(self._sids):028x}",
            "AccountSid": self.account_sid,
            "From": sender,
            "To": "+15005550006",
            "Body": text,
            "NumMedia": "0",
            **extra,
        }

    def signature(self, url: str, params: dict[str, str]) -> str:
        return RequestValidator(self.auth_token).compute_signature(url, params)

    # ── the demo's buyer ─────────────────────────────────────────────────────────────────────────

    async def _say(self, request: web.Request) -> web.Response:
        body = await request.json()
        params = self.inbound_params(str(body["from"]), str(body["text"]))
        url = self.app_url.rstrip("/") + "/webhooks/twilio"
        headers = {"X-Twilio-Signature": self.signature(url, params)}
        async with aiohttp.ClientSession() as session, session.post(url, data=params, headers=headers) as r:
            return web.json_response({"status": r.status, "sid": params["MessageSid"]})

    async def _sent(self, request: web.Request) -> web.Response:
        return web.json_response(self.sent)


def _error(status: int, code: int, message: str) -> web.Response:
    return web.json_response(
        {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status},
        status=status,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake Twilio Messages API for the Mediator demo.")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--app", default="http://127.0.0.1:8000", help="Mediator's MEDIATOR_PUBLIC_URL")
    parser.add_argument("--account-sid", default=ACCOUNT_SID)
    parser.add_argument("--auth-token", default=AUTH_TOKEN)
    args = parser.parse_args()
    fake = FakeTwilio(args.account_sid, args.auth_token, args.app)

    async def run() -> None:
        await fake.start(args.port)
        print(f"fake Twilio API on {fake.url} for account {args.account_sid}; POST /_fake/say, GET /_fake/sent")
        while True:
            before = len(fake.sent)
            await asyncio.sleep(0.5)
            for m in fake.sent[before:]:
                print(f"SMS → {m['To']}: {m['Body']}")

    asyncio.run(run())


if __name__ == "__main__":
    main()
