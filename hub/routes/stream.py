"""The live sockets: public ``/api/meetings/{id}/live`` and staff ``/staff/api/meetings/{id}/live``.

Close codes (each with a reason): 4400 malformed ``after``, 4404 unknown meeting, 4401 not
signed in, 4403 wrong role or origin, 1009 frame too large (uvicorn), 1013 over the byte budget
(resume from your last seq), 1000 "reset" after a ``{"type": "reset"}`` frame.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from hub.auth import current_staff
from hub.events import log as event_log
from hub.events.schema import Audience
from hub.events.stream import Connection, Reset, Viewer, reset_frame
from hub.models import Meeting
from hub.participants import participant_of
from hub.routes import parse_seq, services
from hub.serving import EXTENSION, DirectFrames, DirectSink, FrameSink, QueuedSink


async def public_live(websocket: WebSocket) -> None:
    await _live(websocket, Audience.PUBLIC)


async def staff_live(websocket: WebSocket) -> None:
    await _live(websocket, Audience.STAFF)


def same_origin(websocket: WebSocket, trusted: tuple[str, ...]) -> bool:
    """Staff sockets carry the session cookie: refuse other sites' pages (CSWSH)."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return False
    if origin in trusted:
        return True
    return urlsplit(origin).netloc == websocket.headers.get("host")


async def _live(websocket: WebSocket, audience: Audience) -> None:
    svc = services(websocket)
    meeting_id: int = websocket.path_params["meeting_id"]
    raw_after = websocket.query_params.get("after")
    after = parse_seq(raw_after) if raw_after is not None else None
    await websocket.accept()
    if raw_after is not None and after is None:
        await websocket.close(4400, "after must be a non-negative integer")
        return
    if audience is Audience.STAFF:
        refusal = await _staff_refusal(websocket, meeting_id)
        if refusal is not None:
            await websocket.close(*refusal)
            return
    channel = svc.streams.channels.get(meeting_id)
    if channel is not None and not channel.closed:
        # This process already follows the meeting, so it exists: no database read per
        # socket (a resume storm of 5,000 sockets spent half its CPU on this read).
        last_seq = channel.last_seq
    else:
        async with svc.sessionmaker() as session:
            bounds = await event_log.bounds(session, meeting_id)
        if bounds is None:
            await websocket.close(4404, "no such meeting")
            return
        last_seq = bounds.last_seq
    if after is None:
        after = last_seq  # no position given: live from now

    sink = _sink_for(websocket, svc.settings.socket_budget_bytes)
    conn: Connection | None = None
    try:
        participant = participant_of(websocket, svc.settings.secret_key)
        viewer = Viewer(audience, participant if audience is Audience.PUBLIC else None)
        result = await svc.streams.attach(meeting_id, sink, viewer, after)
        if isinstance(result, Reset):
            sink.send(reset_frame(result.reason))
            sink.close(1000, "reset")
        else:
            conn = result
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            # Clients send nothing on this socket; anything they do send is ignored.
    finally:
        if conn is not None:
            svc.streams.detach(conn)
        if isinstance(sink, QueuedSink):
            await sink.aclose()


async def _staff_refusal(websocket: WebSocket, meeting_id: int) -> tuple[int, str] | None:
    """Why a staff socket is refused (close code and reason), or None if it may follow."""
    svc = services(websocket)
    if not same_origin(websocket, svc.settings.trusted_origins):
        return 4403, "cross-origin staff socket refused"
    async with svc.sessionmaker() as session:
        staff = await current_staff(websocket, session)
        if staff is None:
            return 4401, "sign in first"
        council_id = await _council_of(session, meeting_id)
    if council_id is None:
        return 4404, "no such meeting"
    if not staff.can_review(council_id):
        return 4403, "your role does not give access to this meeting"
    return None


async def _council_of(session: AsyncSession, meeting_id: int) -> int | None:
    result = await session.execute(select(Meeting.council_id).where(Meeting.id == meeting_id))
    return result.scalar_one_or_none()


def _sink_for(websocket: WebSocket, budget: int) -> FrameSink:
    frames = websocket.scope.get("extensions", {}).get(EXTENSION)
    if isinstance(frames, DirectFrames):
        return DirectSink(frames, budget)
    return QueuedSink(websocket.send, budget)


routes = [
    WebSocketRoute("/api/meetings/{meeting_id:id}/live", public_live),
    WebSocketRoute("/staff/api/meetings/{meeting_id:id}/live", staff_live),
]
