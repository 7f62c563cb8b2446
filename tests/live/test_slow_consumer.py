"""One resident who stops reading must not hold up anyone else, and is cut off at its budget."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket

from hub.events import wire
from hub.events.log import LoggedEvent
from hub.events.schema import Audience
from hub.events.wire import channel_name
from tests.conftest import settings_for
from tests.support import Seeded, recv_json, run_server, ws_connect

BUDGET = 512 * 1024
FRAME_BYTES = 16 * 1024
FRAMES = 400  # 6.4 MB: far past the budget plus every kernel buffer on the way


async def _stuck_client(port: int, path: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A WebSocket client that completes the handshake and then never reads again."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    reader, writer = await asyncio.open_connection(sock=sock)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    status = await reader.readuntil(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 101"), status
    return reader, writer


def _event(meeting_id: int, seq: int) -> bytes:
    envelope = json.dumps(
        {
            "seq": seq,
            "type": "agenda.item.updated",
            "at": "2026-11-22T19:00:00.000Z",
            "data": {"padding": "x" * FRAME_BYTES},
        }
    )
    return wire.encode_one(LoggedEvent(meeting_id, seq, Audience.PUBLIC, envelope))


async def test_stuck_reader_is_closed_and_others_get_everything(
    sqlite_url: str, sqlite_seeded: Seeded
) -> None:
    # A short coalescing window: each frame carries a few events, as in a busy meeting.
    settings = settings_for(sqlite_url, socket_budget_bytes=BUDGET, coalesce_ms=20)
    mid = sqlite_seeded.meeting_id
    async with run_server(settings) as server:
        port = int(server.base_url.rsplit(":", 1)[1])
        path = f"/api/meetings/{mid}/live?after=0"
        _reader, stuck = await _stuck_client(port, path)
        async with ws_connect(f"{server.ws_url}{path}", max_size=None) as reader_ws:
            streams = server.services.streams
            for _ in range(200):
                channel = streams.channels.get(mid)
                if channel is not None and len(channel.fanout.public) == 2:
                    break
                await asyncio.sleep(0.01)
            else:
                raise AssertionError("both sockets should be attached")
            # News from "another process", straight onto the broker: the real fan-out path.
            broker = server.services.broker
            received: list[int] = []

            async def read_all() -> None:
                while len(received) < FRAMES:
                    received.append((await recv_json(reader_ws, timeout=10))["seq"])

            reading = asyncio.create_task(read_all())
            for seq in range(1, FRAMES + 1):
                await broker.publish(channel_name(mid), _event(mid, seq))
                if seq % 5 == 0:
                    await asyncio.sleep(
                        0.002
                    )  # let the fan-out and the reader run, as real traffic would
            await asyncio.wait_for(reading, 30)
            assert received == list(range(1, FRAMES + 1))
            # The stuck socket was cut off at its budget and detached from the meeting.
            for _ in range(300):
                if len(channel.fanout.public) == 1:
                    break
                await asyncio.sleep(0.01)
            assert len(channel.fanout.public) == 1
        stuck.close()
