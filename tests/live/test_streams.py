"""The live socket end to end: real uvicorn, real sockets, real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from tests.support import (
    RunningServer,
    Seeded,
    assert_quiet,
    recv_events,
    recv_json,
    sign_in,
    ws_connect,
)


async def test_clerk_action_reaches_resident_socket(server: RunningServer, seeded: Seeded) -> None:
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    url = f"{server.ws_url}/api/meetings/{seeded.meeting_id}/live?after=0"
    async with ws_connect(url) as ws:
        r = await clerk.post(f"/staff/meetings/{seeded.meeting_id}/status", {"action": "open"})
        assert r.status_code == 200, r.text
        event = await recv_json(ws)
        assert event["type"] == "meeting.updated"
        assert event["seq"] == 1
        assert event["data"]["meeting"]["status"] == "live"
        item = seeded.item_ids[1]
        r = await clerk.post(
            f"/staff/meetings/{seeded.meeting_id}/items/{item}/status", {"status": "current"}
        )
        assert r.status_code == 200, r.text
        event = await recv_json(ws)
        # The staff-only activity record (seq 2) never reaches a public socket.
        assert event["type"] == "agenda.item.updated"
        assert event["seq"] == 3
        assert event["data"]["item"]["id"] == item
        assert event["data"]["item"]["status"] == "current"
        await assert_quiet(ws)
    await clerk.http.aclose()


async def test_resume_gets_exactly_the_missed_events(server: RunningServer, seeded: Seeded) -> None:
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    base = f"{server.ws_url}/api/meetings/{seeded.meeting_id}/live"
    mid = seeded.meeting_id
    async with ws_connect(f"{base}?after=0") as ws:
        await clerk.post(f"/staff/meetings/{mid}/status", {"action": "open"})
        first = await recv_json(ws)
    last_seen = first["seq"]
    # While disconnected: several actions.
    for item in seeded.item_ids[:3]:
        r = await clerk.post(f"/staff/meetings/{mid}/items/{item}/status", {"status": "current"})
        assert r.status_code == 200
    r = await clerk.post(
        f"/staff/meetings/{mid}/items/{seeded.item_ids[2]}/status",
        {"status": "done", "note": "Agreed unanimously"},
    )
    assert r.status_code == 200
    events = await clerk.http.get(f"/api/meetings/{mid}/events", params={"after": last_seen})
    expected = [e["seq"] for e in events.json()["events"]]
    assert expected == sorted(expected) and len(expected) == 6
    async with ws_connect(f"{base}?after={last_seen}") as ws:
        got = await recv_events(ws, len(expected))
        assert [e["seq"] for e in got] == expected
        assert got[-1]["data"]["item"]["outcome"] == "Agreed unanimously"
        await assert_quiet(ws)
        # ...and then it is live.
        await clerk.post(f"/staff/meetings/{mid}/status", {"action": "adjourn"})
        live = await recv_json(ws)
        assert live["type"] == "meeting.updated" and live["seq"] > expected[-1]
    await clerk.http.aclose()


async def test_future_seq_gets_reset(server: RunningServer, seeded: Seeded) -> None:
    url = f"{server.ws_url}/api/meetings/{seeded.meeting_id}/live?after=99"
    async with ws_connect(url) as ws:
        frame = json.loads(await ws.recv())
        assert frame == {"type": "reset", "reason": "future"}
        await ws.wait_closed()
        assert ws.close_code == 1000
