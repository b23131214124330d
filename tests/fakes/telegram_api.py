"""A fake Telegram Bot API on loopback, for aiogram's real `Bot` (`TelegramAPIServer.from_base(url)`).

Knobs: `blocked` chats answer 403 like a user who blocked the bot; `fail_next` answers that many 500s;
`hold` makes sendMessage wait until `release()` (the crash test kills the app while a send is in
flight). A send is recorded only once its answer has gone out, as Telegram would have delivered it.

Standalone, for the demo (run Mediator with TELEGRAM_POLLING=1 and TELEGRAM_API_BASE at this server):

    .venv/bin/python -m tests.fakes.telegram_api --port 8081 [--token 123:demo]
    curl -s -X POST localhost:8081/_fake/say -d '{"chat_id": 42, "text": "/start TOKEN"}'
    curl -s localhost:8081/_fake/sent
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import time
from typing import Any

from aiohttp import web

from tests.fakes import FakeServer

TOKEN = "123456:TEST-token"


class FakeTelegram(FakeServer):
    def __init__(self, token: str = TOKEN, username: str = "mediator_test_bot"):
        super().__init__()
        self.token, self.username = token, username
        self.sent: list[dict[str, Any]] = []
        self.calls: list[str] = []
        self.answered: list[str] = []
        self.blocked: set[int] = set()
        self.fail_next = 0
        self.hold: asyncio.Event | None = None
        self.holding = 0
        self.updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._new_update: asyncio.Event | None = None
        # Photos buyers "sent": file_id → bytes, served by getFile and the file download; `file_fail_next`
        # answers that many downloads with 502; `declared_size` lets getFile claim a size of its own.
        self.files: dict[str, bytes] = {}
        self.declared_size: dict[str, int] = {}
        self.file_fail_next = 0
        self.downloads = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        app.router.add_post("/_fake/say", self._say)
        app.router.add_get("/_fake/sent", self._sent)
        return app

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [m["text"] for m in self.sent if chat_id is None or m["chat_id"] == chat_id]

    # ── updates the tests post to the webhook (or queue for getUpdates) ─────────────────────────

    def message_update(
        self,
        chat_id: int,
        text: str | None,
        *,
        photo: bool | str = False,
        lang: str = "en",
        caption: str | None = None,
        document: tuple[str, str | None] | None = None,
        video: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict:
        """A message update; `document` is (file_id, mime type) of a file sent "as a file", `video` a video's
        file_id, `extra` any other fields of the message as the Bot API names them (a sticker, a location)."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Buyer", "language_code": lang},
        }
        if text is not None:
            message["text"] = text
        if photo:  # Telegram sends the sizes of one photo, smallest first; `photo` may name the largest's file_id
            largest = photo if isinstance(photo, str) else "ph1"
            message["photo"] = [
                {"file_id": f"{largest}-thumb", "file_unique_id": "u0", "width": 90, "height": 90},
                {"file_id": largest, "file_unique_id": "u1", "width": 1280, "height": 960},
            ]
        if document is not None:
            file_id, mime_type = document
            message["document"] = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_name": file_id}
            if mime_type is not None:
                message["document"]["mime_type"] = mime_type
        if video is not None:
            message["video"] = {
                "file_id": video,
                "file_unique_id": f"u-{video}",
                "width": 640,
                "height": 480,
                "duration": 3,
                "mime_type": "video/mp4",
            }
        if caption is not None:
            message["caption"] = caption
        message.update(extra or {})
        return {"update_id": next(self._update_ids), "message": message}

    def button_update(self, chat_id: int, data: str) -> dict:
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": f"cq{next(self._message_ids)}",
                "from": {"id": chat_id, "is_bot": False, "first_name": "Buyer"},
                "chat_instance": "ci",
                "data": data,
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private"},
                    "text": "question",
                },
            },
        }

    def queue(self, update: dict) -> None:
        self.updates.append(update)
        if self._new_update is not None:
            self._new_update.set()

    async def stop(self) -> None:
        # A getUpdates long poll the stopped poller left open would hold the server's shutdown for its whole
        # timeout (25 s of teardown in each polling test): it is answered now.
        if self._new_update is not None:
            self._new_update.set()
        await super().stop()

    def release(self) -> None:
        if self.hold is not None:
            self.hold.set()

    # ── the Bot API ──────────────────────────────────────────────────────────────────────────────

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        form = dict(await request.post()) if request.can_read_body else {}
        params = {k: _value(v) for k, v in form.items()} | dict(request.query)
        self.calls.append(method)
        if method == "getMe":
            return _ok({"id": 1, "is_bot": True, "first_name": "Mediator", "username": self.username})
        if method in ("deleteWebhook", "setWebhook"):
            return _ok(True)
        if method == "answerCallbackQuery":
            self.answered.append(str(params.get("callback_query_id")))
            return _ok(True)
        if method == "getUpdates":
            return await self._get_updates(params)
        if method == "sendMessage":
            return await self._send_message(request, params)
        if method == "getFile":
            file_id = str(params.get("file_id"))
            if file_id not in self.files:
                return _error(400, "Bad Request: invalid file_id")
            size = self.declared_size.get(file_id, len(self.files[file_id]))
            path = f"photos/{file_id}.jpg"
            return _ok({"file_id": file_id, "file_unique_id": file_id, "file_size": size, "file_path": path})
        return _error(404, f"Not Found: method {method} is not faked")

    async def _send_message(self, request: web.Request, params: dict[str, Any]) -> web.Response:
        if self.fail_next > 0:
            self.fail_next -= 1
            return _error(500, "Internal Server Error")
        try:
            chat_id = int(params["chat_id"])
            text = str(params["text"])
        except (KeyError, ValueError):
            return _error(400, "Bad Request: chat_id and text are required")
        if chat_id in self.blocked:
            return _error(403, "Forbidden: bot was blocked by the user")
        if len(text) > 4096 * 2:  # after HTML escaping; Telegram counts the parsed text
            return _error(400, "Bad Request: message is too long")
        if self.hold is not None and not self.hold.is_set():
            self.holding += 1
            await self.hold.wait()
            if request.transport is None or request.transport.is_closing():
                return _error(500, "client went away")  # never delivered
        message_id = next(self._message_ids)
        self.sent.append(
            {
                "chat_id": chat_id,
                "text": _unescape(text) if params.get("parse_mode") == "HTML" else text,
                "raw": text,
                "parse_mode": params.get("parse_mode"),
                "reply_markup": params.get("reply_markup"),
                "message_id": message_id,
            }
        )
        return _ok(
            {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": text,
            }
        )

    async def _file(self, request: web.Request) -> web.StreamResponse:
        """The file download (https://api.telegram.org/file/bot<token>/<file_path>), sent in chunks."""
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        self.downloads += 1
        if self.file_fail_next > 0:
            self.file_fail_next -= 1
            return _error(502, "Bad Gateway")
        file_id = request.match_info["path"].removeprefix("photos/").removesuffix(".jpg")
        data = self.files.get(file_id)
        if data is None:
            return _error(404, "Not Found")
        response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        await response.prepare(request)
        for start in range(0, len(data), 64 * 1024):
            await response.write(data[start : start + 64 * 1024])
        await response.write_eof()
        return response

    async def _get_updates(self, params: dict[str, Any]) -> web.Response:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 30)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates and timeout:
            self._new_update = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        return _ok(list(self.updates))

    # ── the demo's buyer ─────────────────────────────────────────────────────────────────────────

    async def _say(self, request: web.Request) -> web.Response:
        body = await request.json()
        if "button" in body:
            update = self.button_update(int(body["chat_id"]), str(body["button"]))
        else:
            update = self.message_update(int(body["chat_id"]), str(body["text"]))
        self.queue(update)
        return web.json_response({"queued": update["update_id"]})

    async def _sent(self, request: web.Request) -> web.Response:
        return web.json_response(self.sent)


def _value(v: Any) -> Any:
    if isinstance(v, str) and v[:1] in "{[":
        try:
            return json.loads(v)
        except json.JSONDecodeError:
            return v
    return v


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(code: int, description: str) -> web.Response:
    return web.json_response({"ok": False, "error_code": code, "description": description}, status=code)


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake Telegram Bot API for the Mediator demo.")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=TOKEN)
    args = parser.parse_args()
    fake = FakeTelegram(args.token)

    async def run() -> None:
        await fake.start(args.port)
        print(f"fake Telegram Bot API on {fake.url} (token {args.token}); POST /_fake/say, GET /_fake/sent")
        while True:
            before = len(fake.sent)
            await asyncio.sleep(0.5)
            for m in fake.sent[before:]:
                print(f"bot → chat {m['chat_id']}: {m['text']}" + ("  [Yes] [No]" if m["reply_markup"] else ""))

    asyncio.run(run())


if __name__ == "__main__":
    main()
