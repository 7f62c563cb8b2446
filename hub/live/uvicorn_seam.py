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

A public socket is then *handed over* (``DirectSink.hand_over``): the app's ASGI call returns
and the protocol alone keeps the connection, calling the app back (on the next loop turn) when
it is gone. An idle resident then costs no task, no suspended coroutine per middleware layer,
no receive queue and no handshake request/response objects (issue 14: 28.8 KiB per idle socket
before).

Under another ASGI server the extension is absent and ``QueuedSink`` is used: one writer task per
connection (never per event) draining a bounded queue, with the same byte budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections import deque
from collections.abc import Callable
from typing import Any

from starlette.websockets import WebSocket
from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from hub.live.frames import Frame, FrameSink

EXTENSION = "council_hub.frames"
# A child of uvicorn's: its errors still reach uvicorn's handlers (hub/logs.py sets its level).
PROTOCOL_LOGGER = "uvicorn.error.live"
OVER_BUDGET_CODE = 1013  # "try again later": the client resumes from its last seq
OVER_BUDGET_REASON = "too far behind; resume from your last seq"
# A socket closed for being over budget gets this long to take its close frame, then is aborted.
ABORT_AFTER_S = 5.0
KERNEL_SEND_BUFFER = 128 * 1024
REPLAY_WRITE_BYTES = 64 * 1024
# What a client may send on a live socket. The hub's sockets take no messages: a page sends
# only pongs (a few bytes every 20 s) and its close frame. A client sending more than this in
# one window is closed with 1008 and no longer read: one socket sending a million tiny frames
# (or pings) in 10 s took /healthz from 45 ms to 3-9 s before (security issue, 9e582ab).
INBOUND_ALLOWANCE_BYTES = 16 * 1024
INBOUND_WINDOW_S = 10.0
FLOOD_CODE = 1008  # policy violation
FLOOD_REASON = "this socket takes no messages"


class _HandedOver:
    """Stands in for the protocol's ASGI receive queue once the app has handed the socket over:
    nobody reads messages any more; the disconnect that every way of ending puts here (the
    peer's close or loss, an over-budget or flood close, a server shutdown) becomes one call of
    ``on_gone``, on the next loop turn, so it never runs inside a fan-out loop."""

    __slots__ = ("_loop", "_on_gone")

    def __init__(self, loop: asyncio.AbstractEventLoop, on_gone: Callable[[], None]) -> None:
        self._loop = loop
        self._on_gone: Callable[[], None] | None = on_gone

    def put_nowait(self, message: dict[str, Any]) -> None:
        if message["type"] == "websocket.disconnect" and self._on_gone is not None:
            on_gone, self._on_gone = self._on_gone, None
            self._loop.call_soon(on_gone)

    def empty(self) -> bool:
        return True


class DirectFrames:
    """The capability FastSendProtocol hands the app for one accepted connection."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: FastSendProtocol) -> None:
        self._protocol = protocol

    def hand_over(self, on_gone: Callable[[], None]) -> None:
        """From now on the protocol alone keeps the connection; the app's ASGI call may return.
        ``on_gone`` is called once when the connection ends (at once if it already has)."""
        p = self._protocol
        queue = p.queue
        gone = p.disconnected
        while isinstance(queue, asyncio.Queue) and not queue.empty():
            message = queue.get_nowait()  # unread: a disconnect, or messages nobody wants
            gone = gone or message["type"] == "websocket.disconnect"
        p.queue = _HandedOver(p.loop, on_gone)  # type: ignore[assignment]
        p.handed_over = True
        if gone:
            p.queue.put_nowait({"type": "websocket.disconnect", "code": 1006})
        elif p.read_paused and not p.close_sent:
            p.read_paused = False  # paused for a message nobody will read
            p.transport.resume_reading()
        # What only the handshake and the ASGI call needed (headers, scope, state copy).
        p.scope = p.request = p.response = None  # type: ignore[assignment]

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
    handed_over = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per-socket lines (uvicorn's "[accepted]", websockets' "connection open") through a
        # logger of their own, quiet unless the access log is on (hub/logs.py): at INFO they
        # cost ~10% of a join's CPU, a record built for every socket.
        self.logger = self.conn.logger = logging.getLogger(PROTOCOL_LOGGER)

    _received = 0  # message bytes received after the hand-over

    async def run_asgi(self) -> None:
        # uvicorn's own, except that an app which handed the socket over (DirectFrames.
        # hand_over) returns without the transport being closed.
        try:
            result = await self.app(self.scope, self.receive, self.send)
        except ClientDisconnected:
            pass
        except BaseException:
            self.logger.exception("Exception in ASGI application\n")
            self.send_500_response()
        else:
            if not self.handshake_complete:
                self.logger.error("ASGI callable returned without completing handshake.")
                self.send_500_response()
            elif result is not None:
                self.logger.error("ASGI callable should return None, but returned '%s'.", result)
            elif self.handed_over:
                return
        if self.close_timer is None:
            self.transport.close()

    def send_receive_event_to_app(self) -> None:
        if not self.handed_over:
            super().send_receive_event_to_app()
            return
        # Nobody reads messages now: drop them, and close a client that keeps sending (as the
        # route does for a socket it still reads).
        self._received += sum(len(f) for f in self.frames)
        self.frames = []
        if self._received > INBOUND_ALLOWANCE_BYTES:
            self._refuse_flood()

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

    def send_many(self, frames: list[Frame]) -> None:
        # A resume's replay as one write (one send() call, not one per frame).
        if not frames or self._closed:
            return
        p = self._protocol
        transport = p.transport
        if p.close_sent or transport.is_closing():
            self._closed = True
            return
        # In writes of up to REPLAY_WRITE_BYTES, the budget checked after each: a long replay
        # never buffers much past the budget before the socket is closed.
        batch: list[bytes] = []
        size = 0
        last = len(frames) - 1
        for i, frame in enumerate(frames):
            batch.append(frame.wire)
            size += len(frame.wire)
            if size >= REPLAY_WRITE_BYTES or i == last:
                transport.write(b"".join(batch))
                if transport.get_write_buffer_size() > self._budget:
                    self.close(OVER_BUDGET_CODE, OVER_BUDGET_REASON)
                    return
                batch, size = [], 0

    def hand_over(self, on_gone: Callable[[], None]) -> None:
        self._frames.hand_over(on_gone)

    def close(self, code: int, reason: str) -> None:
        # The disconnect this queues ends the route's receive loop (or, once handed over,
        # calls back on the next loop turn), which detaches the connection: a sink never
        # mutates the channel's sets during fan-out.
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

    def send_many(self, frames: list[Frame]) -> None:
        for frame in frames:
            self.send(frame)

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
