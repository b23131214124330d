"""Server-sent events for the /staff inbox: new buyer messages and changes to the list of handoffs, so the
page updates without a reload.

Each open stream polls the database about once a second for its shop. That is deliberate: with two or more
workers a message may be written by any of them, and a process-local pub/sub would only tell the streams
that happen to live in the same process. The polls are two indexed range reads per shop per second.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from bot.conversation.flow import STAFF
from bot.store.models import Case, Message
from bot.web.deps import runtime
from bot.web.routes.staff import StaffUser, latest_message_id, staff_user

router = APIRouter(tags=["staff"])
POLL_SECONDS = 1.0
HEARTBEAT_SECONDS = 15.0
# A stream ends after this long and the page reconnects with its cursor: no connection lives forever
# behind proxies that cut idle or old ones, and a worker restart loses nothing.
STREAM_SECONDS = 600.0
# Ids are handed out before commit, so on PostgreSQL a message can become visible after one with a higher
# id. Every poll looks this many ids back and skips those already sent, so a late commit is not missed.
LOOK_BACK = 200
STAFF_STAGES = sorted(str(s) for s in STAFF)


def _event(name: str, data: dict[str, Any], event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def _poll(request: Request, shop: str, after: int) -> tuple[list[Any], list[tuple[int, str, str]]]:
    async with runtime(request).reads() as session:
        messages = (
            await session.execute(
                select(Message.id, Message.case_id, Message.role, Case.stage)
                .join(Case, Case.id == Message.case_id)
                .where(Message.shop_id == shop, Message.id > after)
                .order_by(Message.id)
                .limit(500)
            )
        ).all()
        cases = (
            await session.execute(
                select(Case.id, Case.stage, Case.updated_at)
                .where(Case.shop_id == shop, Case.stage.in_(STAFF_STAGES))
                .order_by(Case.id)
            )
        ).all()
    return list(messages), [(c.id, c.stage, c.updated_at.isoformat()) for c in cases]


async def stream(request: Request, shop: str, cursor: int) -> AsyncIterator[str]:
    floor = cursor  # the page has seen everything up to here
    sent: set[int] = set()
    fingerprint: list[tuple[int, str, str]] | None = None
    started = last_write = time.monotonic()
    yield "retry: 2000\n\n"
    while time.monotonic() - started < STREAM_SECONDS and not await request.is_disconnected():
        messages, cases = await _poll(request, shop, max(0, cursor - LOOK_BACK))
        for m in messages:
            if m.id <= floor or m.id in sent:
                continue
            sent.add(m.id)
            cursor = max(cursor, m.id)
            if m.stage in STAFF_STAGES:  # the inbox shows handoffs only
                yield _event("message", {"case_id": m.case_id, "message_id": m.id, "role": m.role}, cursor)
                last_write = time.monotonic()
        sent = {i for i in sent if i > cursor - LOOK_BACK}
        if cases != fingerprint:
            if fingerprint is not None:
                yield _event("cases", {"case_ids": [c[0] for c in cases]})
                last_write = time.monotonic()
            fingerprint = cases
        if time.monotonic() - last_write > HEARTBEAT_SECONDS:
            yield ": still here\n\n"
            last_write = time.monotonic()
        await asyncio.sleep(POLL_SECONDS)


@router.get(
    "/staff/api/events",
    summary="Server-sent events: `message` for each new message on the shop's cases, `cases` when the handoffs change",
    response_class=StreamingResponse,
)
async def events(
    request: Request,
    who: StaffUser = Depends(staff_user),
    after: int | None = Query(None, ge=0, description="the last message id the page has seen; default: now"),
    last_event_id: str | None = Header(None, alias="Last-Event-ID"),
) -> StreamingResponse:
    cursor = after
    if cursor is None and last_event_id and last_event_id.isdigit():
        cursor = int(last_event_id)
    if cursor is None:
        async with runtime(request).reads() as session:
            cursor = await latest_message_id(session, who.shop_id)
    return StreamingResponse(
        stream(request, who.shop_id, cursor),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
