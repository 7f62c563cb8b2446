"""A clerk moves a submission or a social post to another item or to the meeting in general,
and withdraws a post deleted at its source in one action; both are in the moderation log and
reach pages as events."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from hub.actions import Conflict, Invalid, NotFound
from hub.actions._locks import Actor
from hub.actions.moderation import moderate
from hub.actions.moving import move
from hub.actions.participation import Submission, submit
from hub.actions.social import store_poll
from hub.actions.social_sources import add_source
from hub.actions.social_withdrawal import withdraw_deleted
from hub.broker.memory import MemoryBroker
from hub.events import log as event_log
from hub.events.publish import writing
from hub.models import Contribution, ModerationLog
from hub.queries.meetings import snapshot
from hub.types import SessionFactory
from integrations.social.models import FetchResult
from tests.actions.test_social import post
from tests.support import Seeded

CLERK = Actor(user_id=1, display_name="Clerk")
NOW = datetime(2026, 12, 3, 19, 30, tzinfo=UTC)


async def _envelopes(sm: SessionFactory, meeting_id: int, after: int) -> list[dict[str, object]]:
    async with sm() as session:
        logged = await event_log.replay(
            session, meeting_id, after, audiences=event_log.ALL, limit=100
        )
    return [{**json.loads(e.envelope), "target": e.target} for e in logged]


async def _last_seq(sm: SessionFactory, meeting_id: int) -> int:
    async with sm() as session:
        snap = await snapshot(session, meeting_id)
    assert snap is not None
    return int(snap["last_seq"])


async def _comment(sm: SessionFactory, meeting_id: int, item_id: int | None, token: str) -> int:
    sub = Submission(
        kind="comment",
        body=f"About the library ({token})",
        position="support",
        client_token=token,
        item_id=item_id,
        general=item_id is None,
    )
    async with writing(sm, MemoryBroker()) as w:
        c, _new = await submit(w, meeting_id, "resident-" + "r" * 12, sub)
    return c.id


async def _post(sm: SessionFactory, meeting_id: int, n: int = 1, **changes: object) -> int:
    async with writing(sm, MemoryBroker()) as w:
        source = await add_source(w, "aberglas", "x", f"x-{n}")
    async with writing(sm, MemoryBroker()) as w:
        stored = await store_poll(
            w,
            source.id,
            FetchResult((post(n, platform="x", **changes),), "c"),
            {meeting_id: ("aberglascabinet",)},
            NOW,
        )
    return stored.new[meeting_id][0]


async def test_a_published_comment_moves_on_every_page(
    sessionmaker: SessionFactory, seeded: Seeded
) -> None:
    mid, items = seeded.meeting_id, seeded.item_ids
    cid = await _comment(sessionmaker, mid, items[0], "c1")
    async with writing(sessionmaker, MemoryBroker()) as w:
        await moderate(w, mid, cid, "approve", CLERK)
    before = await _last_seq(sessionmaker, mid)
    async with writing(sessionmaker, MemoryBroker()) as w:
        moved = await move(w, mid, cid, items[2], CLERK)
    assert moved.item_id == items[2] and moved.status == "published"
    events = await _envelopes(sessionmaker, mid, before)
    assert [(e["type"], e["target"] is not None) for e in events] == [
        ("contribution.updated", False),
        ("moderation.item", False),
        ("contribution.mine", True),
    ]
    public, staff, own = (e["data"] for e in events)
    assert public["contribution"]["item_id"] == items[2]  # type: ignore[index]
    assert staff["action"] == "move" and staff["actor"] == "Clerk"  # type: ignore[index]
    assert staff["reason"] == f"item:{items[2]}"  # type: ignore[index]
    assert own["contribution"]["item_id"] == items[2]  # type: ignore[index]
    async with sessionmaker() as session:
        snap = await snapshot(session, mid)
        [row] = await session.scalars(select(ModerationLog).where(ModerationLog.action == "move"))
    assert snap is not None and [c["item_id"] for c in snap["contributions"]] == [items[2]]
    assert (row.actor_name, row.contribution_id, row.reason) == ("Clerk", cid, f"item:{items[2]}")

    # To the meeting in general, and back is refused as a repeat of where it is.
    async with writing(sessionmaker, MemoryBroker()) as w:
        await move(w, mid, cid, None, CLERK)
    with pytest.raises(Conflict):
        async with writing(sessionmaker, MemoryBroker()) as w:
            await move(w, mid, cid, None, CLERK)
    async with sessionmaker() as session:
        reasons = list(
            await session.scalars(
                select(ModerationLog.reason)
                .where(ModerationLog.action == "move")
                .order_by(ModerationLog.id)
            )
        )
    assert reasons == [f"item:{items[2]}", "general"]


async def test_a_waiting_post_moves_in_the_queue_only(
    sessionmaker: SessionFactory, seeded: Seeded
) -> None:
    mid, items = seeded.meeting_id, seeded.item_ids
    pid = await _post(sessionmaker, mid)
    before = await _last_seq(sessionmaker, mid)
    async with writing(sessionmaker, MemoryBroker()) as w:
        await move(w, mid, pid, items[1], CLERK)
    events = await _envelopes(sessionmaker, mid, before)
    # Nothing public (it is not published) and nothing to an author (a post's has no page).
    assert [e["type"] for e in events] == ["moderation.item"]
    view = events[0]["data"]["contribution"]  # type: ignore[index]
    assert view["item_id"] == items[1] and view["post"]["platform"] == "x"


async def test_what_cannot_move(sessionmaker: SessionFactory, seeded: Seeded) -> None:
    mid, items = seeded.meeting_id, seeded.item_ids
    cid = await _comment(sessionmaker, mid, items[0], "c1")
    other_item = await _comment(sessionmaker, seeded.other_meeting_id, None, "c2")
    with pytest.raises(Invalid):  # another meeting's item
        async with writing(sessionmaker, MemoryBroker()) as w:
            await move(w, mid, cid, 999_999, CLERK)
    with pytest.raises(NotFound):  # another meeting's submission
        async with writing(sessionmaker, MemoryBroker()) as w:
            await move(w, mid, other_item, items[1], CLERK)
    async with writing(sessionmaker, MemoryBroker()) as w:
        await moderate(w, mid, cid, "reject", CLERK, "off_topic")
    with pytest.raises(Conflict):  # decided: on no page, in no queue
        async with writing(sessionmaker, MemoryBroker()) as w:
            await move(w, mid, cid, items[1], CLERK)


async def test_a_spotlighted_post_moves_on_the_screen_too(
    sessionmaker: SessionFactory, seeded: Seeded
) -> None:
    mid, items = seeded.meeting_id, seeded.item_ids
    pid = await _post(sessionmaker, mid)
    async with writing(sessionmaker, MemoryBroker()) as w:
        await moderate(w, mid, pid, "approve", CLERK)
    async with writing(sessionmaker, MemoryBroker()) as w:
        await moderate(w, mid, pid, "spotlight", CLERK)
    async with writing(sessionmaker, MemoryBroker()) as w:
        await move(w, mid, pid, items[3], CLERK)
    async with sessionmaker() as session:
        snap = await snapshot(session, mid)
    assert snap is not None and snap["spotlight"]["item_id"] == items[3]


async def test_a_clerk_withdraws_a_post_deleted_at_its_source(
    sessionmaker: SessionFactory, seeded: Seeded
) -> None:
    mid = seeded.meeting_id
    published, waiting = await _post(sessionmaker, mid, 1), await _post(sessionmaker, mid, 2)
    async with writing(sessionmaker, MemoryBroker()) as w:
        await moderate(w, mid, published, "approve", CLERK)
    before = await _last_seq(sessionmaker, mid)
    for pid in (published, waiting):
        async with writing(sessionmaker, MemoryBroker()) as w:
            await withdraw_deleted(w, mid, pid, CLERK, NOW)
    events = await _envelopes(sessionmaker, mid, before)
    staff = [e["data"] for e in events if e["type"] == "moderation.item"]
    assert [(d["action"], d["actor"], d["reason"]) for d in staff] == [  # type: ignore[index]
        ("withdraw", "Clerk", "deleted_at_source")
    ] * 2
    assert "contribution.removed" in [e["type"] for e in events]
    served = json.dumps(await _envelopes(sessionmaker, mid, 0))
    assert post(1).text not in served and post(2).text not in served
    async with sessionmaker() as session:
        rows = {
            c.id: (c.status, c.reason, c.moderated_by)
            for c in await session.scalars(select(Contribution))
        }
        log = list(
            await session.scalars(
                select(ModerationLog.actor_name).where(ModerationLog.action == "withdraw")
            )
        )
    assert rows[published] == ("hidden", "deleted_at_source", 1)
    assert rows[waiting] == ("rejected", "deleted_at_source", 1)
    assert log == ["Clerk", "Clerk"]
    # Once only; and never a resident's comment.
    with pytest.raises(Conflict):
        async with writing(sessionmaker, MemoryBroker()) as w:
            await withdraw_deleted(w, mid, published, CLERK, NOW)
    cid = await _comment(sessionmaker, mid, None, "c1")
    with pytest.raises(Invalid):
        async with writing(sessionmaker, MemoryBroker()) as w:
            await withdraw_deleted(w, mid, cid, CLERK, NOW)
