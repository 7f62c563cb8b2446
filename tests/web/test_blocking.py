"""Blocking a participant, through the real HTTP and WebSocket paths: what they have waiting can
be rejected in the same action, their entries are marked, and approving one is refused."""

from __future__ import annotations

from typing import Any

from tests.support import (
    RunningServer,
    Seeded,
    contribute,
    cookie_header,
    recv_events,
    resident,
    sign_in,
    ws_connect,
)


async def _open(server: RunningServer, seeded: Seeded) -> Any:
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    mid = seeded.meeting_id
    assert (
        await clerk.post(f"/staff/meetings/{mid}/status", {"action": "open"})
    ).status_code == 200
    item = seeded.item_ids[0]
    r = await clerk.post(f"/staff/meetings/{mid}/items/{item}/status", {"status": "current"})
    assert r.status_code == 200
    return clerk


async def _last_seq(clerk: Any, mid: int) -> int:
    state = await clerk.http.get(f"/staff/api/meetings/{mid}/moderation")
    return int(state.json()["last_seq"])


async def _queue(clerk: Any, mid: int) -> dict[str, Any]:
    r = await clerk.http.get(f"/staff/api/meetings/{mid}/moderation")
    assert r.status_code == 200
    data: dict[str, Any] = r.json()
    return data


async def test_block_rejects_what_waits_and_tells_everyone(
    server: RunningServer, seeded: Seeded
) -> None:
    mid = seeded.meeting_id
    clerk = await _open(server, seeded)
    spammer, other = resident(server.base_url), resident(server.base_url)
    await spammer.get(f"/meetings/{mid}")  # the page sets the participant cookie
    spam = [(await contribute(spammer, mid, f"Buy cheap {i}")).json()["id"] for i in range(3)]
    fine = (await contribute(other, mid, "Keep the library open")).json()["id"]
    after = await _last_seq(clerk, mid)
    async with (
        ws_connect(
            f"{server.ws_url}/staff/api/meetings/{mid}/live?after={after}",
            origin=server.base_url,
            additional_headers={"Cookie": clerk.cookie_header()},
        ) as staff_ws,
        ws_connect(
            f"{server.ws_url}/api/meetings/{mid}/live?after={after}",
            additional_headers={"Cookie": cookie_header(spammer)},
        ) as own_ws,
    ):
        path = f"/staff/meetings/{mid}/contributions/{spam[0]}/moderate"
        # Rejecting what waits needs a reason, as any rejection does: nothing happens without.
        r = await clerk.post(path, {"action": "block", "reject_pending": "1"})
        assert (r.status_code, r.json()["error"]) == (422, "invalid")
        r = await clerk.post(path, {"action": "block", "reject_pending": "1", "reason": "abusive"})
        assert r.status_code == 200, r.text
        # Staff: each waiting one rejected (in id order), then the block itself.
        staff = await recv_events(staff_ws, 4)
        assert [(e["data"]["action"], e["data"]["contribution"]["id"]) for e in staff] == [
            ("reject", spam[0]),
            ("reject", spam[1]),
            ("reject", spam[2]),
            ("block", spam[0]),
        ]
        assert all(e["data"]["contribution"]["status"] == "rejected" for e in staff)
        assert all(e["data"]["contribution"]["blocked"] for e in staff)
        # The resident's own view: each of theirs rejected, with the reason's label.
        own = await recv_events(own_ws, 3)
        assert [e["type"] for e in own] == ["contribution.mine"] * 3
        assert [e["data"]["contribution"]["status"] for e in own] == ["rejected"] * 3
        assert all(e["data"]["contribution"]["reason"] == "abusive" for e in own)
    mine = (await spammer.get(f"/api/meetings/{mid}/contributions/mine")).json()["contributions"]
    assert {(c["id"], c["status"]) for c in mine} == {(i, "rejected") for i in spam}
    queue = await _queue(clerk, mid)
    assert [c["id"] for c in queue["pending"]] == [fine]
    assert queue["pending"][0]["blocked"] is False
    audit = await clerk.http.get(
        f"/staff/meetings/{mid}/audit", headers={"Accept": "application/json"}
    )
    assert [(e["action"], e["contribution_id"]) for e in audit.json()["entries"]] == [
        ("block", spam[0]),
        ("reject", spam[2]),
        ("reject", spam[1]),
        ("reject", spam[0]),
    ]
    assert audit.json()["last_seq"] == await _last_seq(clerk, mid)
    # The page marks nothing of the other resident's.
    page = (await clerk.http.get(f"/staff/meetings/{mid}/moderation")).text
    assert 'data-blocked="true"' not in page
    for client in (spammer, other, clerk.http):
        await client.aclose()


async def test_a_blocked_participants_waiting_entry_is_marked_and_cannot_be_approved(
    server: RunningServer, seeded: Seeded
) -> None:
    mid = seeded.meeting_id
    clerk = await _open(server, seeded)
    spammer = resident(server.base_url)
    first, second = [(await contribute(spammer, mid, f"Spam {i}")).json()["id"] for i in range(2)]
    # Blocked without rejecting what waits (the clerk unticked it).
    r = await clerk.post(
        f"/staff/meetings/{mid}/contributions/{first}/moderate", {"action": "block"}
    )
    assert r.status_code == 200
    queue = await _queue(clerk, mid)
    assert [(c["id"], c["blocked"]) for c in queue["pending"]] == [(first, True), (second, True)]
    page = (await clerk.http.get(f"/staff/meetings/{mid}/moderation")).text
    assert page.count('data-blocked="true"') == 2
    assert f'id="q-{second}"' in page
    # Approving is refused, one at a time or in bulk; rejecting works.
    r = await clerk.post(
        f"/staff/meetings/{mid}/contributions/{second}/moderate", {"action": "approve"}
    )
    assert (r.status_code, r.json()["error"]) == (409, "blocked")
    assert "blocked" in r.json()["message"]
    r = await clerk.post(
        f"/staff/meetings/{mid}/contributions/bulk", {"action": "approve", "ids": str(second)}
    )
    [result] = r.json()["results"]
    assert result["ok"] is False and "blocked" in result["message"]
    public = (await spammer.get(f"/api/meetings/{mid}")).json()
    assert public["contributions"] == []
    r = await clerk.post(
        f"/staff/meetings/{mid}/contributions/{second}/moderate",
        {"action": "reject", "reason": "abusive"},
    )
    assert r.status_code == 200
    await spammer.aclose()
    await clerk.http.aclose()
