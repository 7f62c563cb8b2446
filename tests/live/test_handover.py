"""Residents' sockets joining at once, and kept by the protocol once attached (issue 14).

A public socket is attached before (or as) it is answered 101, with one read of the log for
everyone joining a meeting nobody followed yet; once attached it is handed over to
FastSendProtocol (no ASGI task per idle socket) and detached however it ends.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from hub.events import log as event_log
from hub.events import wire
from hub.events.log import LoggedEvent
from hub.events.schema import Audience
from hub.live import uvicorn_seam
from hub.live.uvicorn_seam import FastSendProtocol
from tests.support import RunningServer, Seeded, recv_json, ws_connect

JOINERS = 60


def _protocols(server: RunningServer) -> list[FastSendProtocol]:
    return [c for c in server.server.server_state.connections if isinstance(c, FastSendProtocol)]


async def _until(check: Any, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out waiting")


async def test_a_join_storm_reads_the_log_once_and_every_101_means_attached(
    sqlite_server: RunningServer, sqlite_seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = 0
    bounds = event_log.bounds

    async def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal reads
        reads += 1
        return await bounds(*args, **kwargs)

    monkeypatch.setattr(event_log, "bounds", counted)
    mid = sqlite_seeded.meeting_id
    streams = sqlite_server.services.streams
    assert mid not in streams.channels  # nobody follows the meeting yet
    url = f"{sqlite_server.ws_url}/api/meetings/{mid}/live"
    sockets = await asyncio.gather(*(ws_connect(url) for _ in range(JOINERS)))
    try:
        # No sleep: each handshake was answered after its socket was attached.
        assert len(streams.channels[mid].fanout.public) == JOINERS
        assert reads == 1  # the channel's opening, shared by all of them
        # And no ASGI task is left running for them.
        assert not sqlite_server.server.server_state.tasks
        assert sum(p.handed_over for p in _protocols(sqlite_server)) == JOINERS
        await sqlite_server.services.broker.publish(
            wire.channel_name(mid),
            wire.encode_one(
                LoggedEvent(
                    mid,
                    streams.channels[mid].last_seq + 1,
                    Audience.PUBLIC,
                    json.dumps({"seq": streams.channels[mid].last_seq + 1, "type": "x"}),
                )
            ),
        )
        got = await asyncio.gather(*(recv_json(ws) for ws in sockets))
        assert {g["type"] for g in got} == {"x"}
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets))
    await _until(lambda: not streams.channels[mid].fanout.public)


async def test_an_unknown_meeting_is_refused_and_nothing_is_kept(
    sqlite_server: RunningServer,
) -> None:
    async with ws_connect(f"{sqlite_server.ws_url}/api/meetings/987654/live") as ws:
        await asyncio.wait_for(ws.wait_closed(), 5)
    assert ws.close_code == 4404
    assert 987654 not in sqlite_server.services.streams.channels


async def test_a_handed_over_socket_is_detached_when_it_is_aborted(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    mid = sqlite_seeded.meeting_id
    streams = sqlite_server.services.streams
    ws = await ws_connect(f"{sqlite_server.ws_url}/api/meetings/{mid}/live?after=0")
    await _until(lambda: mid in streams.channels and len(streams.channels[mid].fanout.public))
    ws.transport.abort()  # no close handshake: a phone losing its network
    await _until(lambda: not streams.channels[mid].fanout.public)


async def test_messages_to_a_handed_over_socket_are_dropped_and_a_sender_is_closed(
    sqlite_server: RunningServer, sqlite_seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every read its own window: only the count of messages over the socket's life can stop it.
    monkeypatch.setattr(uvicorn_seam, "INBOUND_WINDOW_S", 0.0)
    mid = sqlite_seeded.meeting_id
    streams = sqlite_server.services.streams
    async with ws_connect(f"{sqlite_server.ws_url}/api/meetings/{mid}/live") as ws:
        await _until(lambda: mid in streams.channels and len(streams.channels[mid].fanout.public))
        chunk = "x" * 1024
        for _ in range(8):  # 8 KiB: ignored, and the socket stays attached and read
            await ws.send(chunk)
        await asyncio.sleep(0.1)
        assert len(streams.channels[mid].fanout.public) == 1
        for _ in range(10):  # past 16 KiB in all
            await ws.send(chunk)
        await asyncio.wait_for(ws.wait_closed(), 5)
    assert ws.close_code == uvicorn_seam.FLOOD_CODE
    await _until(lambda: not streams.channels[mid].fanout.public)
