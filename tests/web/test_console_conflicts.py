"""Two clerks on one console, over real HTTP on SQLite and PostgreSQL: an action made against a
state that has changed since (the version its form carried) is a 409 that names who acted,
when (to the second, in the council's zone) and what is now true; a matching version, or none
(the CLI, scripts), is accepted."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from hub.models import AgendaItem, Council
from tests.support import RunningServer, Seeded, StaffClient, add_staff, sign_in

ZONE = "America/New_York"  # not UTC, not London: the refusal's time must be the council's


async def add_clerk(server: RunningServer, email: str, name: str) -> None:
    """A second clerk of the seeded council, and the council moved to ZONE."""
    async with server.services.sessionmaker() as session:
        council = (
            await session.execute(select(Council).where(Council.slug == "aberglas"))
        ).scalar_one()
        await session.execute(update(Council).where(Council.id == council.id).values(timezone=ZONE))
        await add_staff(session, email, name, council.id, "clerk")
        await session.commit()


@pytest.fixture
async def clerks(
    server: RunningServer, seeded: Seeded
) -> AsyncIterator[tuple[StaffClient, StaffClient]]:
    """Two clerks of one council signed in: "Clerk" (the seeded one) and Alice Jones."""
    await add_clerk(server, "alice@aberglas.invalid", "Alice Jones")
    bob = await sign_in(server.base_url, seeded.users["clerk"])
    alice = await sign_in(server.base_url, "alice@aberglas.invalid")
    try:
        yield bob, alice
    finally:
        await bob.http.aclose()
        await alice.http.aclose()


async def item_row(server: RunningServer, item_id: int) -> AgendaItem:
    async with server.services.sessionmaker() as session:
        return (
            await session.execute(select(AgendaItem).where(AgendaItem.id == item_id))
        ).scalar_one()


async def versions(clerk: StaffClient, mid: int) -> dict[int, int]:
    snap = (await clerk.http.get(f"/staff/api/meetings/{mid}")).json()
    return {item["id"]: item["version"] for item in snap["items"]}


def clock(at: datetime | None) -> str:
    assert at is not None
    return at.astimezone(ZoneInfo(ZONE)).strftime("%H:%M:%S")


async def test_a_stale_outcome_is_refused_naming_who_and_what(
    server: RunningServer,
    seeded: Seeded,
    clerks: tuple[StaffClient, StaffClient],
) -> None:
    bob, alice = clerks
    mid, item = seeded.meeting_id, seeded.item_ids[3]  # 3a
    path = f"/staff/meetings/{mid}/items/{item}/status"
    assert (await bob.post(f"/staff/meetings/{mid}/status", {"action": "open"})).status_code == 200
    seen = (await versions(bob, mid))[item]

    # Both clerks saw version `seen`; Alice's "Mark done" lands first.
    r = await alice.post(
        path, {"status": "done", "note": "Approved, 7 votes to 2", "version": str(seen)}
    )
    assert r.status_code == 200, r.text
    r = await bob.post(path, {"status": "done", "note": "Approved", "version": str(seen)})
    assert r.status_code == 409, r.text
    row = await item_row(server, item)
    body: dict[str, Any] = r.json()
    assert body["error"] == "conflict"
    assert body["item_id"] == item and body["state"] == "done"
    assert body["message"].startswith(
        f"Already marked done by Alice Jones at {clock(row.changed_at)}: “Approved, 7 votes to 2”."
    ), body["message"]
    # Alice's note stands.
    assert row.outcome == "Approved, 7 votes to 2" and row.changed_by == "Alice Jones"

    # Against the version as it is now, Bob's correction is accepted.
    r = await bob.post(path, {"status": "done", "note": "Approved", "version": str(row.version)})
    assert r.status_code == 200, r.text
    assert (await item_row(server, item)).outcome == "Approved"

    # No version (the CLI, a script): no check, as before.
    r = await alice.post(path, {"status": "deferred"})
    assert r.status_code == 200, r.text

    # A version that is not a number is refused as bad input, not a 500.
    r = await alice.post(path, {"status": "pending", "version": "seven"})
    assert r.status_code == 422, r.text

    # Without the script (a plain form post): a page that explains and links back to the item.
    r = await bob.post(path, {"status": "done", "version": str(seen)}, json_=False)
    assert r.status_code == 409
    assert "Alice Jones deferred item 3a at" in r.text
    assert f'href="/staff/meetings/{mid}#item-{item}"' in r.text


async def test_make_current_at_once_the_second_is_told_who_won(
    server: RunningServer,
    seeded: Seeded,
    clerks: tuple[StaffClient, StaffClient],
) -> None:
    bob, alice = clerks
    mid = seeded.meeting_id
    first, second = seeded.item_ids[1], seeded.item_ids[2]  # items 2 and 3
    assert (await bob.post(f"/staff/meetings/{mid}/status", {"action": "open"})).status_code == 200
    seen = await versions(bob, mid)

    def make_current(item: int) -> dict[str, str]:
        return {"status": "current", "version": str(seen[item]), "current_was": "0"}

    r = await alice.post(f"/staff/meetings/{mid}/items/{first}/status", make_current(first))
    assert r.status_code == 200, r.text
    # Bob saw no item current and item 3 untouched: his "Make current" on item 3 is stale.
    r = await bob.post(f"/staff/meetings/{mid}/items/{second}/status", make_current(second))
    assert r.status_code == 409, r.text
    row = await item_row(server, first)
    assert r.json()["message"].startswith(
        f"Alice Jones made item 2 current at {clock(row.changed_at)}."
    ), r.json()["message"]
    assert (await item_row(server, second)).status == "pending"

    # Against what is true now (item 2 current), it is accepted.
    now = await versions(bob, mid)
    r = await bob.post(
        f"/staff/meetings/{mid}/items/{second}/status",
        {"status": "current", "version": str(now[second]), "current_was": str(first)},
    )
    assert r.status_code == 200, r.text
    # And without either field, as before.
    r = await alice.post(f"/staff/meetings/{mid}/items/{first}/status", {"status": "current"})
    assert r.status_code == 200, r.text


async def test_a_stale_meeting_action_is_refused(
    server: RunningServer, seeded: Seeded, clerks: tuple[StaffClient, StaffClient]
) -> None:
    bob, alice = clerks
    mid = seeded.meeting_id
    snap = (await bob.http.get(f"/staff/api/meetings/{mid}")).json()
    seen = snap["meeting"]["status_version"]
    r = await alice.post(f"/staff/meetings/{mid}/status", {"action": "open", "version": str(seen)})
    assert r.status_code == 200, r.text
    r = await alice.post(
        f"/staff/meetings/{mid}/status", {"action": "adjourn", "version": str(seen + 1)}
    )
    assert r.status_code == 200, r.text
    # Bob still sees the meeting scheduled (version `seen`) and presses "Cancel".
    r = await bob.post(f"/staff/meetings/{mid}/status", {"action": "cancel", "version": str(seen)})
    assert r.status_code == 409, r.text
    assert re.match(
        r"Alice Jones changed the meeting's status at \d\d:\d\d:\d\d: it is now “Adjourned”\.",
        r.json()["message"],
    ), r.json()["message"]


async def test_the_refusal_in_welsh(
    server: RunningServer, seeded: Seeded, clerks: tuple[StaffClient, StaffClient]
) -> None:
    bob, alice = clerks
    mid, item = seeded.meeting_id, seeded.item_ids[0]
    await bob.post(f"/staff/meetings/{mid}/status", {"action": "open"})
    seen = (await versions(bob, mid))[item]
    path = f"/staff/meetings/{mid}/items/{item}/status"
    assert (
        await alice.post(path, {"status": "withdrawn", "version": str(seen)})
    ).status_code == 200
    r = await bob.post(path + "?lang=cy", {"status": "withdrawn", "version": str(seen)})
    assert r.status_code == 409
    row = await item_row(server, item)
    assert r.json()["message"] == (
        f"Eisoes wedi'i thynnu'n ôl gan Alice Jones am {clock(row.changed_at)}."
        " Ni chafodd eich cam ei gymryd."
    ), r.json()["message"]
