"""The chamber screen follows the meeting: making another item current clears an unpinned
spotlight (with meeting.spotlight, in the same commit), a pinned one stays. Real HTTP and
WebSocket."""

from __future__ import annotations

import contextlib
from typing import Any

from tests.support import (
    RunningServer,
    Seeded,
    assert_quiet,
    contribute,
    recv_json,
    resident,
    sign_in,
    ws_connect,
)


async def _current(clerk: Any, mid: int, item: int) -> None:
    r = await clerk.post(f"/staff/meetings/{mid}/items/{item}/status", {"status": "current"})
    assert r.status_code == 200, r.text


async def _question(clerk: Any, author: Any, mid: int, text: str) -> int:
    cid = int((await contribute(author, mid, text, kind="question")).json()["id"])
    r = await clerk.post(
        f"/staff/meetings/{mid}/contributions/{cid}/moderate", {"action": "approve"}
    )
    assert r.status_code == 200
    return cid


async def _events_until_item(ws: Any, item: int) -> list[dict[str, Any]]:
    """Public events up to the one saying ``item`` is current, and the rest of its commit."""
    events = [await recv_json(ws)]
    while not (
        events[-1]["type"] == "agenda.item.updated"
        and events[-1]["data"]["item"]["id"] == item
        and events[-1]["data"]["item"]["status"] == "current"
    ):
        events.append(await recv_json(ws))
    # The rest of the same commit follows at once.
    with contextlib.suppress(TimeoutError):
        while True:
            events.append(await recv_json(ws, 0.3))
    return events


async def test_item_change_clears_an_unpinned_spotlight_and_keeps_a_pinned_one(
    server: RunningServer, seeded: Seeded
) -> None:
    mid, items = seeded.meeting_id, seeded.item_ids
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    assert (
        await clerk.post(f"/staff/meetings/{mid}/status", {"action": "open"})
    ).status_code == 200
    await _current(clerk, mid, items[0])
    author = resident(server.base_url)
    q1 = await _question(clerk, author, mid, "About item one?")
    spot = f"/staff/meetings/{mid}/contributions/{q1}/moderate"
    assert (await clerk.post(spot, {"action": "spotlight"})).status_code == 200
    after = (await author.get(f"/api/meetings/{mid}")).json()["last_seq"]
    async with ws_connect(f"{server.ws_url}/api/meetings/{mid}/live?after={after}") as ws:
        # Unpinned: the next item clears it, in the same commit as the item change.
        await _current(clerk, mid, items[1])
        events = await _events_until_item(ws, items[1])
        spotlight = [e for e in events if e["type"] == "meeting.spotlight"]
        assert [(e["data"]["contribution"], e["data"]["pinned"]) for e in spotlight] == [
            (None, False)
        ]
        snap = (await author.get(f"/api/meetings/{mid}")).json()
        assert (snap["spotlight"], snap["spotlight_pinned"]) == (None, False)

        # Pinned: it stays through the next item change.
        r = await clerk.post(spot, {"action": "spotlight", "pin": "1"})
        assert r.status_code == 200
        event = await recv_json(ws)
        assert event["type"] == "meeting.spotlight"
        assert (event["data"]["contribution"]["id"], event["data"]["pinned"]) == (q1, True)
        await _current(clerk, mid, items[2])
        events = await _events_until_item(ws, items[2])
        assert "meeting.spotlight" not in [e["type"] for e in events]
        await assert_quiet(ws)
        snap = (await author.get(f"/api/meetings/{mid}")).json()
        assert (snap["spotlight"]["id"], snap["spotlight_pinned"]) == (q1, True)

        # Unpinned again (spotlighting it without the pin), then a question about the item that
        # becomes current stays: it is what the chamber is discussing.
        assert (await clerk.post(spot, {"action": "spotlight"})).status_code == 200
        assert (await recv_json(ws))["data"]["pinned"] is False
        await _current(clerk, mid, items[0])
        events = await _events_until_item(ws, items[0])
        assert "meeting.spotlight" not in [e["type"] for e in events]
        snap = (await author.get(f"/api/meetings/{mid}")).json()
        assert (snap["spotlight"]["id"], snap["spotlight_pinned"]) == (q1, False)
    # The same spotlight twice is refused; a pin change is not.
    r = await clerk.post(spot, {"action": "spotlight"})
    assert r.status_code == 409
    for client in (author, clerk.http):
        await client.aclose()
