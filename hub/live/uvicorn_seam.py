"""Writing live frames without awaiting: the uvicorn protocol seam and the fallback.

Why: under uvicorn >= 0.52 an ASGI ``send`` waits while the socket's buffer is full, so a plain
``await ws.send_text`` loop stalls every resident behind one who stops reading; a task or queue
per socket costs 2-3x the CPU per delivery (issue 3 measurements). ``FastSendProtocol`` is
uvicorn's own sans-I/O WebSocket protocol plus one capability, published to the app in
``scope["extensions"]["council_hub.frames"]``: write a pre-encoded frame to the transport now,
and see how many bytes are waiting. Every socket of an event gets the same frame bytes, encoded
once. uvicorn is pinned in pyproject.toml; tests/live/test_uvicorn_seam.py is the contract test
for the attributes used here.

``sink_for`` picks the sink for an accepted socket.

Under another ASGI server the extension is absent and ``QueuedSink`` is used: one writer task per
connection (never per event) draining a bounded queue, with the same byte budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections import deque
from collections.abc import Callable
from typing import Any

from starlette.websockets import WebSocket
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from hub.live.frames import Frame, FrameSink

EXTENSION = "council_hub.frames"
OVER_BUDGET_CODE = 1013  # "try again later": the client resumes from its last seq
OVER_BUDGET_REASON = "too far behind; resume from your last seq"
# A socket closed for being over budget gets this long to take its close frame, then is aborted.
ABORT_AFTER_S = 5.0
KERNEL_SEND_BUFFER = 128 * 1024
# What a client may send on a live socket. The hub's sockets take no messages: a page sends
# only pongs (a few bytes every 20 s) and its close frame. A client sending more than this in
# one window is closed with 1008 and no longer read: one socket sending a million tiny frames
# (or pings) in 10 s took /healthz from 45 ms to 3-9 s before (security issue, 9e582ab).
INBOUND_ALLOWANCE_BYTES = 16 * 1024
INBOUND_WINDOW_S = 10.0
FLOOD_CODE = 1008  # policy violation
FLOOD_REASON = "this socket takes no messages"


class DirectFrames:
    """The capability FastSendProtocol hands the app for one accepted connection."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: FastSendProtocol) -> None:
        self._protocol = protocol

    def close(self, code: int, reason: str) -> None:
        """Send a close frame and let the app's receive() see the disconnect; abort the
        transport later if the peer never reads it (it is not reading: that is why)."""
        p = self._protocol
        if p.close_sent or p.transport.is_closing():
            return
        p.queue.put_nowait({"type": "websocket.disconnect", "code": code, "reason": reason})
        p.conn.send_close(code, reason)
        p.transport.write(b"".join(p.conn.data_to_send()))
        p.close_sent = True
        if p.read_paused:
            p.read_paused = False
            p.transport.resume_reading()
        p.close_timer = p.loop.call_later(ABORT_AFTER_S, p.transport.abort)


class FastSendProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O WebSocket protocol, exposing DirectFrames to the app, and closing a
    client that floods it."""

    _inbound = 0
    _window_start = float("-inf")

    def data_received(self, data: bytes) -> None:
        if not self.handshake_complete:
            super().data_received(data)
            # websockets refuses a handshake whose request line or a header is past its 8 KiB
            # limit by queueing a 414 or 431, which uvicorn never writes: the client would wait
            # for its own timeout, and the connection with it. Write the refusal and close.
            if not self.handshake_complete and self.conn.handshake_exc is not None:
                self.transport.write(b"".join(self.conn.data_to_send()))
                self.transport.close()
            return
        now = self.loop.time()
        if now - self._window_start > INBOUND_WINDOW_S:
            self._window_start, self._inbound = now, 0
        room = INBOUND_ALLOWANCE_BYTES - self._inbound
        self._inbound += len(data)
        if self._inbound <= INBOUND_ALLOWANCE_BYTES:
            super().data_received(data)
            return
        if room > 0:
            # Up to the allowance as usual: a frame over the size limit still gets uvicorn's
            # own 1009 (its header is in this part); nothing past the allowance is parsed.
            super().data_received(data[:room])
        self._refuse_flood()

    def _refuse_flood(self) -> None:
        """Close with 1008 and stop reading: what the client sends next is never parsed."""
        if self.transport.is_closing():
            return
        if not self.close_sent:
            self.queue.put_nowait(
                {"type": "websocket.disconnect", "code": FLOOD_CODE, "reason": FLOOD_REASON}
            )
            self.conn.send_close(FLOOD_CODE, FLOOD_REASON)
            self.transport.write(b"".join(self.conn.data_to_send()))
            self.close_sent = True
        self.transport.pause_reading()
        self.transport.close()

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is None:  # the handshake was refused
            return
        scope["extensions"][EXTENSION] = DirectFrames(self)
        # Cap the kernel's send buffer: autotuned, it grows to 4 MiB (tcp_wmem) on a socket that
        # has been reading, so a phone that stalls could pin ~5 MiB instead of its 1 MiB budget
        # (bench/RESULTS.md). 128 KiB still covers 650 KB/s at a 200 ms mobile round trip.
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, KERNEL_SEND_BUFFER)


class DirectSink:
    """Writes each frame to the transport at once; over budget, closes with 1013."""

    __slots__ = ("_frames", "_protocol", "_budget", "_closed")

    def __init__(self, frames: DirectFrames, budget: int) -> None:
        self._frames = frames
        self._protocol = frames._protocol
        self._budget = budget
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def send(self, frame: Frame) -> None:
        # The hot path of every fan-out, once per socket per frame: the protocol's checks and
        # the write inline (the handshake is complete: a sink exists only after the accept).
        if self._closed:
            return
        p = self._protocol
        transport = p.transport
        if p.close_sent or transport.is_closing():
            self._closed = True
            return
        transport.write(frame.wire)
        if transport.get_write_buffer_size() > self._budget:
            self.close(OVER_BUDGET_CODE, OVER_BUDGET_REASON)

    def close(self, code: int, reason: str) -> None:
        # The disconnect this queues ends the route's receive loop, which detaches the
        # connection: a sink never mutates the channel's sets during fan-out.
        if not self._closed:
            self._closed = True
            self._frames.close(code, reason)


class QueuedSink:
    """Fallback for ASGI servers without the extension: one writer task per connection."""

    def __init__(
        self,
        send: Callable[[dict[str, Any]], Any],
        budget: int,
    ) -> None:
        self._send = send
        self._budget = budget
        self._queue: deque[Frame] = deque()
        self._queued_bytes = 0
        self._wakeup = asyncio.Event()
        self._closed = False
        self._close_with: tuple[int, str] | None = None
        self._task = asyncio.create_task(self._drain(), name="queued-sink")

    @property
    def closed(self) -> bool:
        return self._closed

    def send(self, frame: Frame) -> None:
        if self._closed:
            return
        self._queue.append(frame)
        self._queued_bytes += len(frame.wire)
        if self._queued_bytes > self._budget:
            self.close(OVER_BUDGET_CODE, OVER_BUDGET_REASON)
            return
        self._wakeup.set()

    def close(self, code: int, reason: str) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.clear()
        self._close_with = (code, reason)
        self._wakeup.set()

    async def _drain(self) -> None:
        try:
            while True:
                await self._wakeup.wait()
                self._wakeup.clear()
                while self._queue:
                    frame = self._queue.popleft()
                    self._queued_bytes -= len(frame.wire)
                    await self._send({"type": "websocket.send", "text": frame.text})
                if self._close_with is not None:
                    code, reason = self._close_with
                    await self._send({"type": "websocket.close", "code": code, "reason": reason})
                    return
        except Exception:  # the peer went away: nothing more to write
            self._closed = True

    async def aclose(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


def sink_for(websocket: WebSocket, budget: int) -> FrameSink:
    """The direct sink under FastSendProtocol, else the queued fallback."""
    frames = websocket.scope.get("extensions", {}).get(EXTENSION)
    if isinstance(frames, DirectFrames):
        return DirectSink(frames, budget)
    return QueuedSink(websocket.send, budget)
