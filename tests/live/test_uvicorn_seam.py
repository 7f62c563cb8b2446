"""Contract test for the uvicorn seam (hub/live/uvicorn_seam.py), pinned with uvicorn in
pyproject.toml.

If a uvicorn upgrade renames what FastSendProtocol relies on, these fail before residents do.
"""

from __future__ import annotations

import asyncio
import inspect

import pytest
from websockets.frames import Frame as WsFrame
from websockets.frames import Opcode
from websockets.streams import StreamReader

from hub.live.frames import encode_text_frame
from hub.live.uvicorn_seam import DirectFrames, FastSendProtocol
from tests.conftest import settings_for
from tests.support import (
    RunningServer,
    Seeded,
    raw_exchange,
    recv_json,
    run_server,
    sign_in,
    ws_connect,
)


def test_uvicorn_protocol_has_what_we_use() -> None:
    source = inspect.getsource(FastSendProtocol.__mro__[1])
    for attribute in (
        "self.transport",
        "self.conn",
        "self.queue",
        "self.close_sent",
        "self.handshake_complete",
        "self.read_paused",
        "self.close_timer",
        "self.loop",
        "self.scope",
        '"extensions"',
        # The hand-over (DirectFrames.hand_over) and FastSendProtocol's own run_asgi.
        "self.request",
        "self.response",
        "self.frames",
        "self.disconnected",
        "self.logger",
        "self.send_500_response()",
        "await self.app(self.scope, self.receive, self.send)",
    ):
        assert attribute in source, f"uvicorn no longer has {attribute}"
    for method in ("handle_connect", "data_received", "send_receive_event_to_app", "run_asgi"):
        assert f"def {method}" in source, f"uvicorn no longer has {method}"
    # FastSendProtocol quiets per-socket lines through websockets' own logger attribute.
    assert "self.logger" in inspect.getsource(FastSendProtocol.__mro__[1].__init__)


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 200_000])
def test_encoded_frames_parse_as_websocket_text(size: int) -> None:
    payload = ("é" * (size // 2) + "x" * (size % 2)).encode()
    reader = StreamReader()
    reader.feed_data(encode_text_frame(payload))
    reader.feed_eof()
    parser = WsFrame.parse(reader.read_exact, mask=False, max_size=None, extensions=None)
    try:
        next(parser)
        raise AssertionError("parser wanted more data")
    except StopIteration as done:
        frame = done.value
    assert frame.opcode is Opcode.TEXT and frame.fin and frame.data == payload


async def test_live_socket_gets_the_direct_extension(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    """Under `council-hub serve`'s protocol, sockets use non-awaiting direct writes."""
    streams = sqlite_server.services.streams
    async with ws_connect(
        f"{sqlite_server.ws_url}/api/meetings/{sqlite_seeded.meeting_id}/live?after=0"
    ):
        for _ in range(100):
            channel = streams.channels.get(sqlite_seeded.meeting_id)
            if channel and channel.fanout.public:
                break
            await asyncio.sleep(0.01)
        (conn,) = streams.channels[sqlite_seeded.meeting_id].fanout.public
        assert type(conn.sink).__name__ == "DirectSink"
        assert isinstance(conn.sink._frames, DirectFrames)  # noqa: SLF001


async def test_stock_uvicorn_protocol_falls_back_to_queued_sink(
    sqlite_url: str, sqlite_seeded: Seeded
) -> None:
    """Under another server (here: uvicorn's own protocol) the stream still works, queued."""
    async with run_server(settings_for(sqlite_url), ws="websockets-sansio") as server:
        clerk = await sign_in(server.base_url, sqlite_seeded.users["clerk"])
        mid = sqlite_seeded.meeting_id
        async with ws_connect(f"{server.ws_url}/api/meetings/{mid}/live?after=0") as ws:
            await clerk.post(f"/staff/meetings/{mid}/status", {"action": "open"})
            event = await recv_json(ws)
            assert event["seq"] == 1 and event["type"] == "meeting.updated"
            (conn,) = server.services.streams.channels[mid].fanout.public
            assert type(conn.sink).__name__ == "QueuedSink"
        await clerk.http.aclose()


@pytest.mark.parametrize(
    ("head", "status"),
    [
        ("GET /api/meetings/1/live?zz=" + "x" * 9000 + " HTTP/1.1\r\n", b"414"),
        ("GET /api/meetings/1/live HTTP/1.1\r\nX-Long: " + "x" * 9000 + "\r\n", b"431"),
    ],
)
async def test_a_handshake_websockets_refuses_is_answered(
    sqlite_server: RunningServer, head: str, status: bytes
) -> None:
    """A request line or header past websockets' 8 KiB limit (but inside h11's 16 KiB head):
    websockets queues a 414 or 431 that uvicorn's protocol never writes, so the client waited
    for its own timeout. FastSendProtocol writes it and closes."""
    upgrade = (
        "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    answer = await raw_exchange(sqlite_server, (head + upgrade).encode(), timeout=2)
    assert answer.startswith(b"HTTP/1.1 " + status), answer[:200]
