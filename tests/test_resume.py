"""Every way a resume can fail has a named answer, and lost broker messages are healed."""

from __future__ import annotations

import json

from hub.actions.meetings import Actor, change_meeting_status, set_current_item
from hub.events import log as event_log
from hub.events.publish import writing
from hub.events.schema import Audience
from tests.conftest import settings_for
from tests.support import RunningServer, Seeded, recv_events, recv_json, run_server, ws_connect

ACTOR = Actor(1, "Clerk")


class LosingBroker:
    """A broker whose messages never arrive (Redis restarting, a network blip)."""

    async def publish(self, channel: str, message: bytes) -> None:
        return None


async def _act(server: RunningServer, fn) -> None:  # type: ignore[no-untyped-def]
    svc = server.services
    async with writing(svc.sessionmaker, svc.broker) as w:
        await fn(w)


async def _act_lost(server: RunningServer, fn) -> None:  # type: ignore[no-untyped-def]
    async with writing(server.services.sessionmaker, LosingBroker()) as w:  # type: ignore[arg-type]
        await fn(w)


async def test_pruned_position_gets_reset(server: RunningServer, seeded: Seeded) -> None:
    mid = seeded.meeting_id
    await _act(server, lambda w: change_meeting_status(w, mid, "open", ACTOR))
    await _act(server, lambda w: set_current_item(w, mid, seeded.item_ids[0], ACTOR))
    async with server.services.sessionmaker() as session:
        await event_log.prune(session, mid, keep_from=3)
        await session.commit()
    async with ws_connect(f"{server.ws_url}/api/meetings/{mid}/live?after=1") as ws:
        frame = await recv_json(ws)
        assert frame == {"type": "reset", "reason": "pruned"}
    # From the first kept position it still resumes.
    async with ws_connect(f"{server.ws_url}/api/meetings/{mid}/live?after=2") as ws:
        frame = await recv_json(ws)
        assert frame["seq"] == 3


async def test_gap_from_lost_message_is_filled_from_the_log(
    server: RunningServer, seeded: Seeded
) -> None:
    mid = seeded.meeting_id
    async with ws_connect(f"{server.ws_url}/api/meetings/{mid}/live?after=0") as ws:
        await _act_lost(server, lambda w: change_meeting_status(w, mid, "open", ACTOR))
        await _act(server, lambda w: set_current_item(w, mid, seeded.item_ids[0], ACTOR))
        got = await recv_events(ws, 2)
        assert [(e["seq"], e["type"]) for e in got] == [
            (1, "meeting.updated"),
            (3, "agenda.item.updated"),
        ]


async def test_lost_last_message_is_healed_by_the_heartbeat(
    sqlite_url: str, sqlite_seeded: Seeded
) -> None:
    mid = sqlite_seeded.meeting_id
    settings = settings_for(sqlite_url, heartbeat_seconds=0.2)
    async with (
        run_server(settings) as server,
        ws_connect(f"{server.ws_url}/api/meetings/{mid}/live?after=0") as ws,
    ):
        await _act_lost(server, lambda w: change_meeting_status(w, mid, "open", ACTOR))
        event = await recv_json(ws, timeout=3)
        assert (event["seq"], event["type"]) == (1, "meeting.updated")
        raw = json.loads(await ws.recv())
        assert raw == {"type": "heartbeat"}


async def test_reconnect_storm_shares_reads_and_loses_nothing(
    server: RunningServer, seeded: Seeded
) -> None:
    """Many sockets resuming from the same seq each get exactly the missed events."""
    mid = seeded.meeting_id
    await _act(server, lambda w: change_meeting_status(w, mid, "open", ACTOR))
    for item in seeded.item_ids[:4]:
        await _act(server, lambda w, item=item: set_current_item(w, mid, item, ACTOR))
    async with server.services.sessionmaker() as session:
        expected = [
            e.seq
            for e in await event_log.replay(
                session, mid, 1, audiences=frozenset({Audience.PUBLIC}), limit=100
            )
        ]
    sockets = [ws_connect(f"{server.ws_url}/api/meetings/{mid}/live?after=1") for _ in range(50)]
    opened = [await s.__aenter__() for s in sockets]
    try:
        for ws in opened:
            got = await recv_events(ws, len(expected))
            assert [e["seq"] for e in got] == expected
    finally:
        for s in sockets:
            await s.__aexit__(None, None, None)
