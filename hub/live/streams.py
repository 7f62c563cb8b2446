"""Every meeting channel of this process; attaching and resuming sockets.

A socket attaches with the last seq it applied (``after``). It is served from the channel's ring
when that reaches back far enough (no await between reading the ring and joining the fan-out,
so nothing can slip between), else from the log, one shared read per distinct position however
many sockets ask at once (a resume storm after a network blip).

Every way a resume can fail has a named answer, sent as ``{"type": "reset", "reason": ...}``
before the socket is closed: ``future`` (after > last seq), ``pruned`` (after is older than the
log keeps), ``behind`` (more than MAX_REPLAY events to catch up: reloading the snapshot is cheaper).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from hub.broker import Broker
from hub.events import log as event_log
from hub.live.channel import HEARTBEAT_S, Entry, MeetingChannel
from hub.live.fanout import COALESCE_S, Connection, Viewer
from hub.live.frames import Frame, FrameSink
from hub.types import SessionFactory

# Beyond this many missed events the client reloads the snapshot instead (one GET is cheaper).
MAX_REPLAY = 5000

Replay = list[Entry]


@dataclass(frozen=True)
class Reset:
    reason: str  # "future", "pruned" or "behind"


class LiveStreams:
    """Every meeting channel of this process; owned by the app's lifespan."""

    def __init__(
        self,
        sessionmaker: SessionFactory,
        broker: Broker,
        heartbeat_s: float = HEARTBEAT_S,
        coalesce_s: float = COALESCE_S,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.broker = broker
        self.heartbeat_s = heartbeat_s
        self.coalesce_s = coalesce_s
        self.channels: dict[int, MeetingChannel] = {}
        self._opening: dict[int, asyncio.Future[MeetingChannel | None]] = {}
        self._reads: dict[tuple[int, int, int], asyncio.Future[Replay | None]] = {}
        self._idle_tasks: set[asyncio.Task[None]] = set()

    async def channel(self, meeting_id: int) -> MeetingChannel | None:
        """The meeting's channel, opened once however many sockets ask at once (the meeting
        starts and everyone joins: one read of the log, not one per socket); None if there is
        no such meeting (nothing is kept for it)."""
        existing = self.channels.get(meeting_id)
        if existing is not None and not existing.closed:
            return existing
        opening = self._opening.get(meeting_id)
        if opening is not None:
            return await asyncio.shield(opening)
        future: asyncio.Future[MeetingChannel | None] = asyncio.get_running_loop().create_future()
        self._opening[meeting_id] = future
        try:
            channel = MeetingChannel(self, meeting_id)
            await channel.open()
            if not channel.exists:
                await channel.close()
                future.set_result(None)
                return None
            self.channels[meeting_id] = channel
            future.set_result(channel)
            return channel
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        finally:
            del self._opening[meeting_id]

    async def attach(
        self, meeting_id: int, sink: FrameSink, viewer: Viewer, after: int
    ) -> Connection | Reset:
        """Send the sink every event after ``after`` its viewer may see, then keep it live."""
        channel = await self.channel(meeting_id)
        if channel is None:  # the log holds nothing of this meeting (any more)
            return Reset("pruned")
        cursor = after
        while True:
            if cursor > channel.last_seq:
                # The client may have seen an event this process has not yet: ask the log.
                async with self.sessionmaker() as session:
                    b = await event_log.bounds(session, meeting_id)
                if b is None or cursor > b.last_seq:
                    return Reset("future")
                await channel.sync_now()
                if cursor > channel.last_seq:
                    return Reset("future")
                continue
            if channel.last_seq - cursor > MAX_REPLAY:
                return Reset("behind")
            frames = channel.frames_after(cursor, viewer)
            if frames is not None:
                # No await between reading the ring and joining the channel: nothing can slip
                # between the replay and the live events.
                sink.send_many(frames)
                conn = Connection(meeting_id, viewer, sink)
                channel.join(conn, cursor)
                return conn
            up_to = channel.ring[0][0] - 1 if channel.ring else channel.last_seq
            older = await self._read_shared(meeting_id, cursor, up_to)
            if older is None:
                return Reset("pruned")
            sink.send_many([frame for _, a, t, frame, _s in older if viewer.sees(a, t)])
            if sink.closed:
                return Reset("behind")
            cursor = up_to

    async def _read_shared(self, meeting_id: int, after: int, up_to: int) -> Replay | None:
        """Events (after, up_to] from the log, one read per distinct range however many
        sockets ask at once (a resume storm after a network blip)."""
        key = (meeting_id, after, up_to)
        pending = self._reads.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._read(meeting_id, after, up_to))
            self._reads[key] = pending
            pending.add_done_callback(lambda _f: self._reads.pop(key, None))
        result = await asyncio.shield(pending)
        return result

    async def _read(self, meeting_id: int, after: int, up_to: int) -> Replay | None:
        async with self.sessionmaker() as session:
            b = await event_log.bounds(session, meeting_id)
            if b is None or after < b.first_seq - 1:
                return None
            events = await event_log.replay(
                session, meeting_id, after, audiences=event_log.ALL, limit=MAX_REPLAY, up_to=up_to
            )
        return [(ev.seq, ev.audience, ev.target, Frame(ev.envelope), ev.subject) for ev in events]

    def detach(self, conn: Connection) -> None:
        if conn.channel is not None:
            conn.channel.remove(conn)
            conn.channel = None

    def close_idle(self, channel: MeetingChannel) -> None:
        if channel.connection_count() == 0 and self.channels.get(channel.meeting_id) is channel:
            del self.channels[channel.meeting_id]
            task = asyncio.create_task(channel.close())
            self._idle_tasks.add(task)
            task.add_done_callback(self._idle_tasks.discard)

    async def close(self) -> None:
        channels = list(self.channels.values())
        self.channels.clear()
        for channel in channels:
            await channel.close()
        for task in list(self._idle_tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
