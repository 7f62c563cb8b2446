"""Bursts go out as few frames, in seq order, nothing twice, nothing lost."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hub.actions._locks import Actor
from hub.actions.agenda import set_current_item
from hub.actions.meetings import change_meeting_status
from hub.events import log as event_log
from hub.events.publish import writing
from hub.events.schema import Audience
from tests.conftest import settings_for
from tests.support import RunningServer, Seeded, run_server, ws_connect

ACTOR = Actor(1, "Clerk")


async def _frames(ws: Any, until_seq: int, timeout: float = 5) -> list[list[dict[str, Any]]]:
    frames: list[list[dict[str, Any]]] = []
    last = 0
    while last < until_seq:
        raw = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        events = [e for e in (raw if isinstance(raw, list) else [raw]) if "seq" in e]
        if events:
            frames.append(events)
            last = events[-1]["seq"]
    return frames


async def _public_seqs(server: RunningServer, mid: int, after: int) -> list[int]:
    async with server.services.sessionmaker() as session:
        logged = await event_log.replay(
            session, mid, after, audiences=frozenset({Audience.PUBLIC}), limit=1000
        )
    return [e.seq for e in logged]


async def test_burst_is_coalesced_in_order(sqlite_url: str, sqlite_seeded: Seeded) -> None:
    mid = sqlite_seeded.meeting_id
    async with run_server(settings_for(sqlite_url, coalesce_ms=300)) as server:
        svc = server.services
        async with writing(svc.sessionmaker, svc.broker) as w:
            await change_meeting_status(w, mid, "open", ACTOR)
        async with ws_connect(f"{server.ws_url}/api/meetings/{mid}/live?after=1") as ws:
            # A burst: 12 actions, each committed and published on its own.
            for i in range(12):
                item = sqlite_seeded.item_ids[i % 3]
                async with writing(svc.sessionmaker, svc.broker) as w:
                    await set_current_item(w, mid, item, ACTOR)
            expected = await _public_seqs(server, mid, 1)
            # Someone joins mid-burst from the middle: they get exactly what follows.
            middle = expected[len(expected) // 2]
            async with ws_connect(
                f"{server.ws_url}/api/meetings/{mid}/live?after={middle}"
            ) as late:
                frames = await _frames(ws, expected[-1])
                late_frames = await _frames(late, expected[-1])
    seqs = [e["seq"] for f in frames for e in f]
    assert seqs == expected
    assert len(frames) < len(expected) / 2, f"{len(frames)} frames for {len(expected)} events"
    assert [e["seq"] for f in late_frames for e in f] == [s for s in expected if s > middle]
