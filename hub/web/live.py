"""The live sockets: public ``/api/meetings/{id}/live`` and staff ``/staff/api/meetings/{id}/live``.

Close codes (each with a reason): 4400 malformed ``after``, 4404 unknown meeting, 4401 not
signed in (also when a staff socket's session ends while it is open), 4403 wrong role or
origin, 1009 frame too large (uvicorn), 1013 over the byte budget (resume from your last seq),
1000 "reset" after a ``{"type": "reset"}`` frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from starlette.routing import Match, Router, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from hub.events.schema import Audience
from hub.i18n import N_
from hub.live.fanout import Connection, Viewer
from hub.live.frames import FrameSink, reset_frame
from hub.live.streams import Reset
from hub.live.uvicorn_seam import (
    FLOOD_CODE,
    FLOOD_REASON,
    INBOUND_ALLOWANCE_BYTES,
    DirectSink,
    QueuedSink,
    sink_for,
)
from hub.web import participants, services
from hub.web.guards import Need, Refusal, authorise, origin_allowed
from hub.web.inputs import NUMBER_MAX_DIGITS, BadField, parse_number, query_of, takes
from hub.web.openapi import Operation, documented

logger = logging.getLogger(__name__)


@documented(
    Operation(
        tag=N_("Meetings"),
        summary=N_("A meeting's live stream (WebSocket)"),
        description=N_(
            "JSON text frames: every public event after ?after=, then live ones, each once, in "
            "seq order; heartbeats; a reset frame means reload the snapshot. See docs/api.md."
        ),
        responses={},
    )
)
@takes(query={"after": NUMBER_MAX_DIGITS})
async def public_live(websocket: WebSocket) -> None:
    await _live(websocket, Audience.PUBLIC)


@takes(query={"after": NUMBER_MAX_DIGITS})
async def staff_live(websocket: WebSocket) -> None:
    await _live(websocket, Audience.STAFF)


class PublicLiveFirst:
    """Residents' live sockets go straight to their route, around the middleware and the
    router's search: sessions, language, security headers and error pages are for pages, and a
    public socket uses none of them (no session, untranslated close reasons, no HTTP response),
    while 5,000 joining at once paid for each layer 5,000 times. Everything else takes the full
    stack."""

    def __init__(self, app: ASGIApp, router: Router) -> None:
        self.app = app
        self.router = router
        (self.route,) = [
            r for r in router.routes if isinstance(r, WebSocketRoute) and r.endpoint is public_live
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            match, child_scope = self.route.matches(scope)
            if match is Match.FULL:  # as the router would hand it over
                scope["router"] = self.router
                scope["route"] = self.route
                scope.update(child_scope)
                await self.route.handle(scope, receive, send)
                return
        await self.app(scope, receive, send)


# Close reasons are for developers' consoles, not pages: plain English, untranslated.
CLOSE_REASONS = {
    401: "sign in first",
    403: "your role does not give access to this meeting",
    404: "no such meeting",
}


async def _staff_refusal(websocket: WebSocket, meeting_id: int) -> tuple[int, str] | None:
    """Why a staff socket is refused (close code and reason), or None if it may follow."""
    # Staff sockets carry the session cookie and no CSRF token: the Origin must be ours (CSWSH).
    if not origin_allowed(websocket, required=True):
        return 4403, "cross-origin staff socket refused"
    async with services(websocket).sessionmaker() as session:
        # The staff stream carries the queue (pending text, pseudonyms, reasons): for the
        # council's clerks. Councillors follow the public stream and read the review.
        result = await authorise(websocket, session, meeting_id, Need.DRIVE)
    if isinstance(result, Refusal):
        return 4000 + result.status, CLOSE_REASONS[result.status]
    return None


async def _recheck_staff(websocket: WebSocket, meeting_id: int, sink: FrameSink) -> None:
    """A staff socket lives no longer than its session: signing out (anywhere), a password
    change or a deactivation closes it within a heartbeat, as does a role that no longer fits.
    One read per staff socket per heartbeat; residents' sockets are not checked."""
    every = services(websocket).settings.heartbeat_seconds
    while not sink.closed:
        await asyncio.sleep(every)
        try:
            refusal = await _staff_refusal(websocket, meeting_id)
        except Exception:  # the database away for a moment: ask again at the next heartbeat
            logger.warning("could not re-check a staff socket's session", exc_info=True)
            continue
        if refusal is not None:
            sink.close(*refusal)
            return


async def _live(websocket: WebSocket, audience: Audience) -> None:
    svc = services(websocket)
    meeting_id: int = websocket.path_params["meeting_id"]
    try:
        raw_after = query_of(websocket).get("after")
    except BadField:
        raw_after = ""  # too long to be a seq: refused below
    after = parse_number(raw_after) if raw_after is not None else None
    if raw_after is not None and after is None:
        await websocket.accept()
        await websocket.close(4400, "after must be a non-negative integer")
        return
    if audience is Audience.STAFF:
        await websocket.accept()
        refusal = await _staff_refusal(websocket, meeting_id)
        if refusal is not None:
            await websocket.close(*refusal)
            return
    # The meeting's channel before the 101: when everyone joins at once (the meeting starts),
    # one read of the log opens it for all of them, and each socket is attached as soon as it
    # is answered (a read per socket here once kept sockets answered but unattached for 8-10 s
    # behind 5,000 such reads).
    channel = await svc.streams.channel(meeting_id)
    if audience is Audience.PUBLIC:
        await websocket.accept()
    if channel is None:
        await websocket.close(4404, "no such meeting")
        return
    if after is None:
        after = channel.last_seq  # no position given: live from now

    sink = sink_for(websocket, svc.settings.socket_budget_bytes)
    conn: Connection | None = None
    recheck: asyncio.Task[None] | None = None
    if audience is Audience.STAFF:
        recheck = asyncio.create_task(_recheck_staff(websocket, meeting_id, sink))
    try:
        participant = participants.participant_of(websocket, svc.settings.secret_key)
        viewer = Viewer(audience, participant if audience is Audience.PUBLIC else None)
        result = await svc.streams.attach(meeting_id, sink, viewer, after)
        if isinstance(result, Reset):
            sink.send(reset_frame(result.reason))
            sink.close(1000, "reset")
        elif isinstance(sink, DirectSink) and audience is Audience.PUBLIC:
            # A resident's socket needs nothing more from this coroutine: the protocol keeps
            # it and detaches it when it ends (no task, no coroutines held per idle socket).
            streams, attached = svc.streams, result
            sink.hand_over(lambda: streams.detach(attached))
            return
        else:
            conn = result
        received = 0
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            # Clients send nothing on this socket: what they send is ignored, and a client that
            # keeps sending is closed (under uvicorn, FastSendProtocol does it before parsing).
            received += len(message.get("text") or "") + len(message.get("bytes") or b"")
            if received > INBOUND_ALLOWANCE_BYTES:
                sink.close(FLOOD_CODE, FLOOD_REASON)
                break
    finally:
        if recheck is not None:
            recheck.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await recheck
        if conn is not None:
            svc.streams.detach(conn)
        if isinstance(sink, QueuedSink):
            await sink.aclose()
