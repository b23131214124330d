"""Slow and greedy clients are cut off (security review L4): the app under uvicorn with the protocol
`mediator serve` uses, on loopback, driven by raw sockets that send the way slowloris does. Bounds are
shortened so the test runs in seconds; the defaults are 10 s for a head, 60 s for a body."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator

import pytest
import uvicorn
import websockets

from bot.app.runtime import Runtime
from bot.app.web import create_app
from bot.platform.config import ServerSettings
from bot.web.slow_clients import bounded_protocol
from tests.conftest import KEY, review


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# A free port per process: two test workers (pytest-xdist) each serve this module's app at once, and a fixed
# 8741 made the second fail with "Address already in use".
PORT = _free_port()
HEAD, BODY, PER_CLIENT = 0.6, 1.2, 4


@pytest.fixture
async def server(rt: Runtime) -> AsyncIterator[str]:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", PORT))
    config = uvicorn.Config(
        create_app(runtime=rt, run_scheduler=False),
        log_level="warning",
        lifespan="off",
        http=bounded_protocol(HEAD, BODY, PER_CLIENT),
        forwarded_allow_ips="10.255.255.1",  # loopback is a client here, not a trusted proxy
    )
    srv = uvicorn.Server(config)
    task = asyncio.create_task(srv.serve(sockets=[sock]))
    while not srv.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    yield f"127.0.0.1:{PORT}"
    srv.should_exit = True
    srv.force_exit = True  # do not wait on connections a failing bound left open
    await task
    sock.close()


async def open_conn() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", PORT)


async def closed_within(reader: asyncio.StreamReader, seconds: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and how long that took; fails if the
    connection is still open after `seconds`."""
    start, got = time.monotonic(), b""
    while True:
        chunk = await asyncio.wait_for(reader.read(4096), timeout=max(0.01, seconds - (time.monotonic() - start)))
        if not chunk:
            return got, time.monotonic() - start
        got += chunk


async def healthz() -> bytes:
    reader, writer = await open_conn()
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    got, _ = await closed_within(reader, 5)
    writer.close()
    return got


async def test_a_head_sent_a_little_at_a_time_is_cut_off_with_a_408(server: str) -> None:
    reader, writer = await open_conn()
    for part in (b"GET /healthz HTTP/1.1\r\n", b"Host: t\r\n", b"X-A: 1\r\n", b"X-B: 2\r\n"):
        writer.write(part)
        await asyncio.sleep(0.2)  # slowloris: a header line now and then, never the blank line
    got, took = await closed_within(reader, HEAD + 2)
    assert got.startswith(b"HTTP/1.1 408"), got
    assert took < HEAD + 1
    assert b"200 OK" in await healthz(), "the server kept serving others"
    writer.close()


async def test_a_connection_that_never_speaks_is_closed(server: str) -> None:
    reader, writer = await open_conn()
    got, took = await closed_within(reader, HEAD + 2)
    assert got.startswith(b"HTTP/1.1 408") and took >= HEAD * 0.8
    writer.close()


async def test_a_body_trickled_past_its_deadline_is_cut_off(server: str) -> None:
    reader, writer = await open_conn()
    head = f"POST /api/reviews HTTP/1.1\r\nHost: t\r\nX-Api-Key: {KEY}\r\nContent-Type: application/json\r\n"
    writer.write((head + "Content-Length: 5000\r\n\r\n").encode())

    async def trickle() -> None:  # a byte every 0.1 s: the 5000 bytes would take over eight minutes
        try:
            while True:
                writer.write(b"[")
                await writer.drain()
                await asyncio.sleep(0.1)
        except ConnectionError:
            return

    task = asyncio.create_task(trickle())
    try:
        _got, took = await closed_within(reader, BODY + 2)
    finally:
        task.cancel()
    assert BODY * 0.8 <= took < BODY + 1, took
    writer.close()
    assert b"200 OK" in await healthz()


async def test_honest_requests_in_parts_and_kept_alive_pass(server: str) -> None:
    reader, writer = await open_conn()
    body = json.dumps(review("slow-honest")).encode()
    head = f"POST /api/reviews HTTP/1.1\r\nHost: t\r\nX-Api-Key: {KEY}\r\nContent-Type: application/json\r\n"
    writer.write(head.encode())
    await asyncio.sleep(HEAD / 3)
    writer.write(f"Content-Length: {len(body)}\r\n\r\n".encode())
    for i in range(0, len(body), len(body) // 3 + 1):  # the body in three parts, well within its deadline
        await asyncio.sleep(BODY / 6)
        writer.write(body[i : i + len(body) // 3 + 1])
    status = await asyncio.wait_for(reader.readline(), 5)
    assert status.startswith(b"HTTP/1.1 201"), status
    # The same connection, kept alive past the head deadline of the first request, serves a second one.
    await asyncio.sleep(HEAD * 1.5)
    await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
    while True:  # the first answer's body (JSON, no newline) runs into the second answer's status line
        line = await asyncio.wait_for(reader.readline(), 5)
        if b"HTTP/1.1" in line:
            assert b"HTTP/1.1 200" in line, line
            break
    writer.close()


async def test_one_address_holds_a_bounded_number_of_connections(server: str) -> None:
    held = [await open_conn() for _ in range(PER_CLIENT)]
    reader, _writer = await open_conn()
    got, took = await closed_within(reader, 1)
    assert got == b"" and took < 0.5, "the connection over the bound closed at once, unanswered"
    for r, w in held:
        assert not r.at_eof()
        w.close()
    await asyncio.sleep(0.2)
    assert b"200 OK" in await healthz(), "closed connections free their places"


async def test_a_chat_socket_outlives_the_head_deadline(server: str, rt: Runtime) -> None:
    [result] = await rt.intake.ingest("demo", [review("slow-ws")])
    from channels.webchat import chat_link

    async with rt.sessions() as session:
        from bot.store.models import Case

        case = await session.get(Case, result.case_id)
    token = chat_link(rt, case)["token"]
    async with websockets.connect(f"ws://{server}/chat/{token}/ws") as ws:
        await asyncio.sleep(HEAD * 2.5)
        await ws.send(json.dumps({"text": "Hello, the lamp arrived broken"}))
        answer = json.loads(await asyncio.wait_for(ws.recv(), 30))
    assert answer["type"] == "replies", answer


def test_the_defaults_are_the_documented_ones() -> None:
    s = ServerSettings()
    assert (s.head_timeout, s.body_timeout, s.connections_per_client) == (10.0, 60.0, 64)
