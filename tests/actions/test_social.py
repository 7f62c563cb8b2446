"""Storing social posts: once per meeting, with the source's cursor in the same transaction,
tied to the item current when posted, pre-moderated unless allowlisted (and never auto-published
with a content warning, never published at all when its author opted out), edits replacing
their earlier version, deletions at the source withdrawn and redacted from the log."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hub.actions import Conflict
from hub.actions._locks import Actor
from hub.actions.agenda import set_current_item
from hub.actions.meetings import change_meeting_status, create_meeting
from hub.actions.moderation import moderate
from hub.actions.social import hashtags, store_poll
from hub.actions.social_sources import add_source
from hub.actions.social_withdrawal import withdraw_gone
from hub.broker.memory import MemoryBroker
from hub.events.publish import writing
from hub.models import Contribution, MeetingEvent, SocialSource
from hub.queries.meetings import snapshot
from hub.queries.timeline import item_timeline
from hub.types import SessionFactory
from integrations.social.models import FetchResult, Media, Post
from tests.support import Seeded, set_policy

CLERK = Actor(user_id=1, display_name="Clerk")
T0 = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)
TAGS = ("aberglascabinet",)


def post(n: int, **changes: object) -> Post:
    base = Post(
        platform="mastodon",
        external_id=str(100 + n),
        uri=f"https://social.example/users/resident{n}/statuses/{n}",
        url=f"https://social.example/@resident{n}/{n}",
        author_handle=f"resident{n}@social.example",
        author_name=f"Resident {n}",
        text=f"Post number {n} about the library #AberglasCabinet",
        language="en",
        created_at=T0 + timedelta(minutes=n),
        media=(
            Media(url=f"https://social.example/media/{n}.jpg", alt="The library", kind="image"),
        ),
        hashtags=("aberglascabinet",),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def _source(sessionmaker: SessionFactory, name: str = "social.example") -> int:
    async with writing(sessionmaker, MemoryBroker()) as w:
        return (await add_source(w, "aberglas", "mastodon", name)).id


async def _store(
    sessionmaker: SessionFactory,
    source_id: int,
    posts: list[Post],
    tags: dict[int, tuple[str, ...]],
    cursor: str = "c1",
) -> dict[int, list[int]]:
    async with writing(sessionmaker, MemoryBroker()) as w:
        stored = await store_poll(w, source_id, FetchResult(tuple(posts), cursor), tags, T0)
    return stored.new


async def _rows(sessionmaker: SessionFactory, meeting_id: int) -> list[Contribution]:
    async with sessionmaker() as session:
        return list(
            await session.scalars(
                select(Contribution)
                .where(Contribution.meeting_id == meeting_id)
                .order_by(Contribution.id)
            )
        )


async def _log(sessionmaker: SessionFactory, meeting_id: int) -> list[MeetingEvent]:
    async with sessionmaker() as session:
        return list(
            await session.scalars(
                select(MeetingEvent)
                .where(MeetingEvent.meeting_id == meeting_id)
                .order_by(MeetingEvent.seq)
            )
        )


def test_hashtags_from_settings() -> None:
    assert hashtags("#AberglasCouncil, #AberglasCabinet\n aberglascouncil") == (
        "aberglascouncil",
        "aberglascabinet",
    )


async def test_once_per_meeting_and_the_cursor_with_the_posts(
    sessionmaker: SessionFactory, seeded: Seeded
) -> None:
    mid = seeded.meeting_id
    first, second = await _source(sessionmaker), await _source(sessionmaker, "mastodon.cymru")
    tags = {mid: TAGS}
    stored_first = await _store(sessionmaker, first, [post(1), post(2)], tags)
    # The same statuses through another instance (another local id, the same uri), and again.
    again = [post(1, external_id="9001"), post(2, external_id="9002"), post(3)]
    new = await _store(sessionmaker, second, again, tags, cursor="c2")
    rows = await _rows(sessionmaker, mid)
    assert [r.body for r in rows] == [post(n).text for n in (1, 2, 3)]
    assert stored_first == {mid: [rows[0].id, rows[1].id]}
    assert new == {mid: [rows[2].id]}
    assert all(r.kind == "post" and r.status == "pending" for r in rows)
    async with sessionmaker() as session:
        source = await session.get(SocialSource, second)
        assert source is not None
        assert (source.cursor, source.posts_fetched, source.last_success_at) == ("c2", 1, T0)

    # A poll whose transaction fails stores neither its posts nor its cursor.
    with pytest.raises(RuntimeError):
        async with writing(sessionmaker, MemoryBroker()) as w:
            await store_poll(w, second, FetchResult((post(4),), "c3"), tags, T0)
            raise RuntimeError("the process died before the commit")
    assert len(await _rows(sessionmaker, mid)) == 3
    async with sessionmaker() as session:
        source = await session.get(SocialSource, second)
        assert source is not None and source.cursor == "c2"


async def test_routed_to_the_meetings_whose_tags_it_carries(
    sessionmaker: SessionFactory, seeded: Seeded
) -> None:
    async with writing(sessionmaker, MemoryBroker()) as w:
        other = (
            await create_meeting(
                w, council_slug="aberglas", title="Planning", body_name="Planning", starts_at=T0
            )
        ).id
    mid, source = seeded.meeting_id, await _source(sessionmaker)
    tags = {
        mid: ("aberglascabinet", "aberglascouncil"),
        other: ("aberglasplanning", "aberglascouncil"),
    }
    await _store(
        sessionmaker,
        source,
        [
            post(1),
            post(2, hashtags=("aberglasplanning",)),
            post(3, hashtags=("aberglascouncil",)),
            post(4, hashtags=("somethingelse",)),
        ],
        tags,
    )
    assert [r.body for r in await _rows(sessionmaker, mid)] == [post(1).text, post(3).text]
    assert [r.body for r in await _rows(sessionmaker, other)] == [post(2).text, post(3).text]


async def test_tied_to_the_item_current_when_it_was_posted(
    sessionmaker: SessionFactory, seeded: Seeded
) -> None:
    mid, (first, second, *_rest) = seeded.meeting_id, seeded.item_ids
    async with writing(sessionmaker, MemoryBroker()) as w:
        await change_meeting_status(w, mid, "open", CLERK)
        await set_current_item(w, mid, first, CLERK)
    async with writing(sessionmaker, MemoryBroker()) as w:
        await set_current_item(w, mid, second, CLERK)
    async with writing(sessionmaker, MemoryBroker()) as w:
        await set_current_item(w, mid, first, CLERK)  # taken again after the second
    async with sessionmaker() as session:
        spans = (await item_timeline(session, mid)).spans
    assert [s.item_id for s in spans] == [first, second, first]
    before = spans[0].start - timedelta(minutes=5)
    during_second = spans[1].start + (spans[1].start - spans[0].start) / 100
    if spans[1].end is not None and during_second >= spans[1].end:
        during_second = spans[1].start
    later = spans[2].start + timedelta(seconds=1)
    source = await _source(sessionmaker)
    await _store(
        sessionmaker,
        source,
        [post(1, created_at=before), post(2, created_at=during_second), post(3, created_at=later)],
        {mid: TAGS},
    )
    assert [r.item_id for r in await _rows(sessionmaker, mid)] == [None, second, first]


async def test_allowlist_content_warning_and_opted_out_authors(
    sessionmaker: SessionFactory, seeded: Seeded
) -> None:
    mid, source = seeded.meeting_id, await _source(sessionmaker)
    await set_policy(
        sessionmaker,
        social_allowlist="mastodon:@resident1@social.example\nmastodon:resident2@social.example\nmastodon:resident3@social.example",
    )
    await _store(
        sessionmaker,
        source,
        [
            post(1),  # allowlisted: published at once
            post(2, content_warning="Strong language"),  # allowlisted, but a warning holds it
            post(3, public_ok=False),  # allowlisted, but the author opted out of public view
            post(4),  # not allowlisted: waits for a clerk
        ],
        {mid: TAGS},
    )
    rows = await _rows(sessionmaker, mid)
    assert [(r.status, r.screening) for r in rows] == [
        ("published", None),
        ("pending", "content_warning"),
        ("pending", "not_public"),
        ("pending", None),
    ]
    async with sessionmaker() as session:
        snap = await snapshot(session, mid)
    assert snap is not None
    published = [c for c in snap["contributions"] if c["kind"] == "post"]
    assert [c["id"] for c in published] == [rows[0].id]
    assert json.loads(json.dumps(published[0]["post"])) == {
        "platform": "mastodon",
        "url": "https://social.example/@resident1/1",
        "author_handle": "resident1@social.example",
        "author_name": "Resident 1",
        "posted_at": "2026-12-03T19:01:00.000Z",
        "language": "en",
        "media": [
            {"url": "https://social.example/media/1.jpg", "alt": "The library", "kind": "image"}
        ],
        "content_warning": None,
    }
    # A clerk may publish the one with a warning; never the opted-out author's.
    async with writing(sessionmaker, MemoryBroker()) as w:
        await moderate(w, mid, rows[1].id, "approve", CLERK)
    with pytest.raises(Conflict) as refused:
        async with writing(sessionmaker, MemoryBroker()) as w:
            await moderate(w, mid, rows[2].id, "approve", CLERK)
    assert refused.value.code == "not_public"
    public_text = " ".join(
        e.envelope for e in await _log(sessionmaker, mid) if e.audience == "public"
    )
    assert "resident3" not in public_text and post(3).text not in public_text
    assert "resident4" not in public_text


async def test_an_edited_post_replaces_its_earlier_version(
    sessionmaker: SessionFactory, seeded: Seeded
) -> None:
    mid, source = seeded.meeting_id, await _source(sessionmaker)
    x = dict(platform="x", hashtags=("aberglascabinet",))
    first = post(1, external_id="1001", uri="https://x.com/i/web/status/1001", **x)
    other = post(2, external_id="2001", uri="https://x.com/i/web/status/2001", **x)
    await _store(sessionmaker, source, [first, other], {mid: TAGS})
    rows = await _rows(sessionmaker, mid)
    async with writing(sessionmaker, MemoryBroker()) as w:
        await moderate(w, mid, rows[1].id, "approve", CLERK)
    edits = [
        post(
            1,
            external_id="1002",
            uri="https://x.com/i/web/status/1002",
            replaces="1001",
            text="Corrected: the library #AberglasCabinet",
            **x,
        ),
        post(
            2,
            external_id="2002",
            uri="https://x.com/i/web/status/2002",
            replaces="2001",
            text="Changed after approval #AberglasCabinet",
            **x,
        ),
    ]
    new = await _store(sessionmaker, source, edits, {mid: TAGS}, cursor="c2")
    assert new == {}
    after = await _rows(sessionmaker, mid)
    assert [(r.id, r.body, r.status) for r in after] == [
        (rows[0].id, "Corrected: the library #AberglasCabinet", "pending"),
        # Approved, then edited: back to a clerk, off the page meanwhile.
        (rows[1].id, "Changed after approval #AberglasCabinet", "pending"),
    ]
    edit_events = [
        (e.type, json.loads(e.envelope)["data"])
        for e in await _log(sessionmaker, mid)
        if e.type != "social.source.health"  # the source's health, after the posts
    ][-3:]
    assert edit_events[0] == ("moderation.item", edit_events[0][1])
    assert edit_events[0][1]["action"] == "edited"
    assert edit_events[1] == ("contribution.removed", {"id": rows[1].id})
    assert edit_events[2][1]["action"] == "edited"


async def test_deleted_at_the_source_is_withdrawn_and_redacted(
    sessionmaker: SessionFactory, seeded: Seeded
) -> None:
    mid, source = seeded.meeting_id, await _source(sessionmaker)
    await _store(sessionmaker, source, [post(1), post(2)], {mid: TAGS})
    published, waiting = await _rows(sessionmaker, mid)
    async with writing(sessionmaker, MemoryBroker()) as w:
        await moderate(w, mid, published.id, "approve", CLERK)
    assert "resident1@social.example" in " ".join(e.envelope for e in await _log(sessionmaker, mid))
    async with writing(sessionmaker, MemoryBroker()) as w:
        gone = await withdraw_gone(w, mid, [published.id, waiting.id], T0)
    assert gone == [published.id, waiting.id]
    async with writing(sessionmaker, MemoryBroker()) as w:
        assert await withdraw_gone(w, mid, [published.id], T0) == []  # once only
    rows = await _rows(sessionmaker, mid)
    assert [(r.status, r.reason) for r in rows] == [
        ("hidden", "deleted_at_source"),
        ("rejected", "deleted_at_source"),
    ]
    log = await _log(sessionmaker, mid)
    served = " ".join(e.envelope for e in log)
    for n in (1, 2):
        assert post(n).text not in served
        assert f"resident{n}@social.example" not in served
        assert f"social.example/media/{n}.jpg" not in served
    assert [e.type for e in log].count("contribution.redacted") == 2
    async with sessionmaker() as session:
        snap = await snapshot(session, mid)
    assert snap is not None and snap["contributions"] == []


async def test_the_end_of_retention_removes_a_post_whole(
    sessionmaker: SessionFactory, seeded: Seeded
) -> None:
    """A post is only ever shown attributed: past the council's retention period its text,
    author, link and media go (off the page, with an event, and out of the log), and so does
    the poller's record of it, whose uri names the author."""
    from hub.actions.privacy import purge_expired
    from hub.models import SocialPost

    mid, source = seeded.meeting_id, await _source(sessionmaker)
    await set_policy(sessionmaker, social_allowlist="mastodon:resident1@social.example")
    await _store(sessionmaker, source, [post(1)], {mid: TAGS})
    (row,) = await _rows(sessionmaker, mid)
    assert row.status == "published"
    async with writing(sessionmaker, MemoryBroker()) as w:
        assert await purge_expired(w, T0 + timedelta(days=366)) == 1
    (row,) = await _rows(sessionmaker, mid)
    assert (row.status, row.body, row.post, row.display_name) == ("hidden", "", None, None)
    async with sessionmaker() as session:
        assert await session.get(SocialPost, row.id) is None
    async with sessionmaker() as session:
        snap = await snapshot(session, mid)
    assert snap is not None and snap["contributions"] == []
    log = await _log(sessionmaker, mid)
    assert log[-1].type == "contribution.removed"
    assert all("resident1" not in e.envelope and "Post number 1" not in e.envelope for e in log)
