"""A fake Slack Web API on loopback, for slack_sdk's AsyncWebClient (`base_url`) and slack-bolt.

It answers the methods Mediator calls (auth.test, chat.postMessage, chat.update, chat.delete,
chat.postEphemeral, users.info, conversations.info, and the photo upload of files_upload_v2:
files.getUploadURLExternal, the POST of the bytes to the upload URL it gives, files.completeUploadExternal;
files.delete), the way Slack does: form or JSON bodies, a bearer token, `{"ok": ...}` answers. Every call is
recorded, so a test asserts on what was posted; an uploaded file keeps its bytes (`files`), so a test checks
the image in the thread is the buyer's. `down = True` makes every call answer HTTP 503, as during a Slack
outage; `fail_next["files.completeUploadExternal"] = n` makes the next n such calls answer an error
(`fail_next["upload"]`: the next n POSTs of a file's bytes answer HTTP 503); `lose_answer[method] = n` makes
the next n such calls do their work and then drop the connection unanswered, as when the client's timeout ends
a call Slack carried out. `hold_upload`, an asyncio.Event, holds every POST of a file's bytes until it is set
(`holding_upload` counts the waiting ones): a test stops the client there, as a process killed mid-upload.
"""

from __future__ import annotations

import itertools
import json
import socket
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER, BOT_ID, TEAM = "UBOTMEDIATOR", "BMEDIATOR", "T0TEST"
USERS = {
    "U0MAJA": {"real_name": "Maja Nowak", "display_name": "Maja"},
    "U0TOM": {"real_name": "Tom Berg", "display_name": ""},
}


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None
    answer: dict[str, Any] | None = None  # what the fake answered (a post's ts), None when it refused


@dataclass
class File:
    """A file uploaded to the fake: its bytes once POSTed, and where it was shared once completed."""

    id: str
    filename: str
    length: int
    alt_txt: str | None = None
    data: bytes | None = None
    title: str | None = None
    channel: str | None = None
    thread_ts: str | None = None
    initial_comment: str | None = None
    deleted: bool = False


@dataclass
class FakeSlack:
    token: str = "xoxb-test-token"
    calls: list[Call] = field(default_factory=list)
    down: bool = False
    channels: dict[str, str] = field(default_factory=dict)  # "#cs-logistics" → "C…"
    base_url: str = ""
    _ts: Any = field(default_factory=lambda: itertools.count(1))
    _file_ids: Any = field(default_factory=lambda: itertools.count(1))
    files: dict[str, File] = field(default_factory=dict)  # file id → the upload
    fail_next: dict[str, int] = field(default_factory=dict)  # method → how many calls answer `internal_error`
    lose_answer: dict[str, int] = field(default_factory=dict)  # method → how many calls drop their answer
    hold_upload: Any = None
    holding_upload: int = 0
    _runner: web.AppRunner | None = None
    # users.info waits until `hold` is set (the crash test kills the app while a staff reply is being handled)
    hold: Any = None
    holding: int = 0

    # ── what tests read ──────────────────────────────────────────────────────────────────────────

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def posts(self, *, thread_ts: str | None = None, top_level: bool = False) -> list[Call]:
        out = self.called("chat.postMessage")
        if thread_ts is not None:
            out = [c for c in out if c.args.get("thread_ts") == thread_ts]
        if top_level:
            out = [c for c in out if not c.args.get("thread_ts")]
        return out

    def shared(self, *, thread_ts: str | None = None) -> list[File]:
        """Files shared (completed and not deleted), in upload order; in one thread when `thread_ts` is given."""
        out = [f for f in self.files.values() if f.channel and not f.deleted]
        return [f for f in out if thread_ts is None or f.thread_ts == thread_ts]

    def channel_id(self, name: str) -> str:
        if name.startswith("C"):
            return name
        return self.channels.setdefault(name, "C" + name.strip("#").replace("-", "").upper()[:10])

    # ── the server ───────────────────────────────────────────────────────────────────────────────

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._endpoint)
        app.router.add_post("/upload/{file_id}", self._upload)  # the upload URL files.getUploadURLExternal gives
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.base_url = f"http://127.0.0.1:{port}/api/"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _endpoint(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            args.update({k: v for k, v in (await request.post()).items()})
        for key in ("blocks", "attachments"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else args.pop("token", None)
        self.calls.append(Call(method, args, token))
        if self.down:
            return web.Response(status=503, text="upstream unavailable")
        if token != self.token:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if method == "users.info" and self.hold is not None and not self.hold.is_set():
            self.holding += 1
            await self.hold.wait()
        if self.fail_next.get(method):
            self.fail_next[method] -= 1
            return web.json_response({"ok": False, "error": "internal_error"})
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        answer = handler(args)
        self.calls[-1].answer = answer
        if self.lose_answer.get(method):  # done, but the client never hears of it
            self.lose_answer[method] -= 1
            assert request.transport is not None
            request.transport.close()
            raise ConnectionResetError("the answer was lost on its way")
        return web.json_response(answer)

    async def _upload(self, request: web.Request) -> web.Response:
        """Step 2 of files_upload_v2: the bytes, POSTed as the body to the URL step 1 gave (no token: the URL
        is the credential, as on files.slack.com)."""
        data = await request.read()
        self.calls.append(Call("upload", {"file_id": request.match_info["file_id"], "bytes": len(data)}, None))
        if self.hold_upload is not None and not self.hold_upload.is_set():
            self.holding_upload += 1
            await self.hold_upload.wait()
        if self.down or self.fail_next.get("upload"):
            self.fail_next["upload"] = max(0, self.fail_next.get("upload", 0) - 1)
            return web.Response(status=503, text="upstream unavailable")
        upload = self.files.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404, text="no such upload")
        upload.data = data
        return web.Response(text="OK - " + str(len(data)))

    def _files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("filename") or not str(args.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._file_ids):08d}"
        self.files[file_id] = File(file_id, args["filename"], int(args["length"]), args.get("alt_txt"))
        upload_url = self.base_url.removesuffix("api/") + f"upload/{file_id}"
        return {"ok": True, "upload_url": upload_url, "file_id": file_id}

    def _files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        items = json.loads(args.get("files") or "[]")
        uploads = [self.files.get(item.get("id", "")) for item in items]
        if not items or any(u is None or u.data is None for u in uploads):
            return {"ok": False, "error": "file_not_found"}  # never uploaded: Slack refuses to complete it
        if any(u.data is not None and len(u.data) != u.length for u in uploads if u):
            return {"ok": False, "error": "file_upload_size_mismatch"}
        channel = self.channel_id(args["channel_id"]) if args.get("channel_id") else None
        answered = []
        for item, upload in zip(items, uploads, strict=True):
            assert upload is not None
            upload.title, upload.channel = item.get("title"), channel
            upload.thread_ts, upload.initial_comment = args.get("thread_ts"), args.get("initial_comment")
            answered.append({"id": upload.id, "title": upload.title, "name": upload.filename})
        return {"ok": True, "files": answered}

    def _files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        """A completed file, with where it is shared (`shares`, `channels`); an upload never completed is not
        a file yet (file_not_found)."""
        upload = self.files.get(args.get("file", ""))
        if upload is None or upload.deleted or upload.channel is None:
            return {"ok": False, "error": "file_not_found"}
        share = {"ts": self._next_ts(), "thread_ts": upload.thread_ts} if upload.thread_ts else {"ts": self._next_ts()}
        shares = {"public": {upload.channel: [share]}}
        file = {"id": upload.id, "name": upload.filename, "title": upload.title, "shares": shares}
        return {"ok": True, "file": {**file, "channels": [upload.channel]}}

    def _files_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        upload = self.files.get(args.get("file", ""))
        if upload is None or upload.deleted:
            return {"ok": False, "error": "file_not_found"}
        upload.deleted = True
        return {"ok": True}

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://test.slack.invalid/",
            "team": "Test",
            "user": "mediator",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
        }

    def _next_ts(self) -> str:
        return f"1763900000.{next(self._ts):06d}"

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not (args.get("text") or args.get("blocks")):
            return {"ok": False, "error": "no_text"}
        channel = self.channel_id(args["channel"])
        ts = self._next_ts()
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "message": {"text": args.get("text"), "ts": ts, "bot_id": BOT_ID, "user": BOT_USER},
        }

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": args.get("channel"), "ts": args["ts"], "text": args.get("text")}

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("ts") or not args.get("channel"):
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": args["channel"], "ts": args["ts"]}

    def _chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = USERS.get(args.get("user", ""))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {
            "ok": True,
            "user": {
                "id": args["user"],
                "name": user["real_name"].lower(),
                "real_name": user["real_name"],
                "profile": dict(user),
            },
        }

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": {"id": args.get("channel"), "is_member": True}}
