"""Snapshot + events: for every action, the events it appends take the snapshot before it to
the snapshot after it (the register pattern clients rely on)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.actions._locks import Actor
from hub.actions.agenda import set_current_item, set_item_outcome
from hub.actions.agenda_edit import add_item, edit_item, edit_meeting, move_item, set_private
from hub.actions.council_profile import set_languages, update_identity
from hub.actions.councils import update_policy
from hub.actions.meetings import change_meeting_status, update_meeting
from hub.actions.moderation import moderate
from hub.actions.moving import move
from hub.actions.participation import Submission, submit
from hub.actions.social_sources import add_source
from hub.actions.votes import vote
from hub.broker.memory import MemoryBroker
from hub.events import log as event_log
from hub.events.apply import apply
from hub.events.publish import Writer, writing
from hub.events.schema import EVENT_TYPES, Audience, parse_event
from hub.models import Contribution
from hub.queries.meetings import snapshot
from tests.support import Seeded

ACTOR = Actor(1, "Clerk")
Step = Callable[[Writer, Seeded], Awaitable[Any]]


def script() -> list[tuple[str, Step]]:
    return [
        (
            "policy: submissions open with the meeting",
            lambda w, s: update_policy(w, "aberglas", {"submissions_open": "meeting"}),
        ),
        (
            "council: renamed",
            lambda w, s: update_identity(
                w, "aberglas", actor=ACTOR, name="Aberglas Council", logo_url="", host_name=""
            ),
        ),
        (
            "council: Welsh by default, another time zone",
            lambda w, s: set_languages(
                w,
                "aberglas",
                actor=ACTOR,
                timezone="Europe/Dublin",
                languages=["en", "cy"],
                default_language="cy",
            ),
        ),
        (
            "window: closes tomorrow",
            lambda w, s: update_meeting(
                w, s.meeting_id, submissions_close_at=datetime.now(UTC) + timedelta(days=1)
            ),
        ),
        (
            "editor: details",
            lambda w, s: edit_meeting(
                w,
                s.meeting_id,
                ACTOR,
                title="Cabinet (special)",
                body_name="Cabinet",
                starts_at=datetime(2026, 11, 23, 19, 0, tzinfo=UTC),
                location="Chamber",
                webcast_url=None,
            ),
        ),
        (
            "editor: add 3c",
            lambda w, s: add_item(
                w, s.meeting_id, ACTOR, number="3c", title="Costs", parent_id=s.item_ids[2]
            ),
        ),
        (
            "editor: edit 2",
            lambda w, s: edit_item(
                w, s.meeting_id, s.item_ids[1], ACTOR, number="2", title="Minutes", description="x"
            ),
        ),
        ("editor: 4 up", lambda w, s: move_item(w, s.meeting_id, s.item_ids[5], ACTOR, "up")),
        ("editor: 4 down", lambda w, s: move_item(w, s.meeting_id, s.item_ids[5], ACTOR, "down")),
        (
            "editor: 3b out",
            lambda w, s: move_item(w, s.meeting_id, s.item_ids[4], ACTOR, "outdent"),
        ),
        ("editor: 3b in", lambda w, s: move_item(w, s.meeting_id, s.item_ids[4], ACTOR, "indent")),
        (
            "editor: 3 private",
            lambda w, s: set_private(w, s.meeting_id, s.item_ids[2], ACTOR, True),
        ),
        (
            "editor: 3 public",
            lambda w, s: set_private(w, s.meeting_id, s.item_ids[2], ACTOR, False),
        ),
        ("open", lambda w, s: change_meeting_status(w, s.meeting_id, "open", ACTOR)),
        (
            "a social source added (its health to the console)",
            lambda w, s: add_source(
                w, "aberglas", "mastodon", "social.example", base_url="https://social.example"
            ),
        ),
        ("current 1", lambda w, s: set_current_item(w, s.meeting_id, s.item_ids[0], ACTOR)),
        (
            "done 1",
            lambda w, s: set_item_outcome(w, s.meeting_id, s.item_ids[0], "done", ACTOR, "Noted"),
        ),
        ("current 2", lambda w, s: set_current_item(w, s.meeting_id, s.item_ids[1], ACTOR)),
        (
            "current 3a (2 back to pending)",
            lambda w, s: set_current_item(w, s.meeting_id, s.item_ids[3], ACTOR),
        ),
        (
            "defer 3b",
            lambda w, s: set_item_outcome(w, s.meeting_id, s.item_ids[4], "deferred", ACTOR),
        ),
        (
            "withdraw 4",
            lambda w, s: set_item_outcome(
                w, s.meeting_id, s.item_ids[5], "withdrawn", ACTOR, "By the applicant"
            ),
        ),
        ("adjourn", lambda w, s: change_meeting_status(w, s.meeting_id, "adjourn", ACTOR)),
        ("resume", lambda w, s: change_meeting_status(w, s.meeting_id, "resume", ACTOR)),
        ("reopen 1", lambda w, s: set_current_item(w, s.meeting_id, s.item_ids[0], ACTOR)),
        ("comment", lambda w, s: submit(w, s.meeting_id, "p" * 20, _sub("comment", "c1"))),
        ("approve comment", lambda w, s: _moderate_last(w, s, "approve")),
        (
            "move comment to item 3",
            lambda w, s: _move_last(w, s, s.item_ids[2]),
        ),
        (
            "meeting hashtags",
            lambda w, s: update_meeting(w, s.meeting_id, ACTOR, hashtags="#AberglasCabinet"),
        ),
        ("question", lambda w, s: submit(w, s.meeting_id, "q" * 20, _sub("question", "q1"))),
        ("approve question", lambda w, s: _moderate_last(w, s, "approve")),
        ("vote", lambda w, s: _vote_last(w, s, True)),
        ("answer", lambda w, s: _moderate_last(w, s, "answer")),
        ("spotlight", lambda w, s: _moderate_last(w, s, "spotlight")),
        ("pin spotlight", lambda w, s: _moderate_last(w, s, "spotlight", pin=True)),
        (
            "current 2 (pinned spotlight stays)",
            lambda w, s: set_current_item(w, s.meeting_id, s.item_ids[1], ACTOR),
        ),
        ("unpin spotlight", lambda w, s: _moderate_last(w, s, "spotlight", pin=False)),
        (
            "current 3 (unpinned spotlight cleared)",
            lambda w, s: set_current_item(w, s.meeting_id, s.item_ids[2], ACTOR),
        ),
        ("spotlight again", lambda w, s: _moderate_last(w, s, "spotlight")),
        ("move spotlighted", lambda w, s: _move_last(w, s, None)),
        ("hide spotlighted", lambda w, s: _moderate_last(w, s, "hide", "off_topic")),
        ("rejected comment", lambda w, s: submit(w, s.meeting_id, "r" * 20, _sub("comment", "c2"))),
        ("reject", lambda w, s: _moderate_last(w, s, "reject", "abusive")),
        (
            "blocked one's comment",
            lambda w, s: submit(w, s.meeting_id, "b" * 20, _sub("comment", "b1")),
        ),
        (
            "block, rejecting what waits",
            lambda w, s: _moderate_last(w, s, "block", "abusive", reject_pending=True),
        ),
        (
            "close (ends current)",
            lambda w, s: change_meeting_status(w, s.meeting_id, "close", ACTOR),
        ),
    ]


def _sub(kind: str, token: str) -> Submission:
    position = "support" if kind == "comment" else None
    return Submission(kind=kind, body=f"A {kind} ({token})", position=position, client_token=token)


async def _last_id(w: Writer, meeting_id: int) -> int:
    result = await w.session.execute(
        select(Contribution.id)
        .where(Contribution.meeting_id == meeting_id)
        .order_by(Contribution.id.desc())
    )
    return int(result.scalars().first() or 0)


async def _moderate_last(
    w: Writer, s: Seeded, action: str, reason: str | None = None, **options: bool
) -> None:
    await moderate(
        w, s.meeting_id, await _last_id(w, s.meeting_id), action, ACTOR, reason, **options
    )


async def _move_last(w: Writer, s: Seeded, item_id: int | None) -> None:
    await move(w, s.meeting_id, await _last_id(w, s.meeting_id), item_id, ACTOR)


async def _vote_last(w: Writer, s: Seeded, up: bool) -> None:
    await vote(w, s.meeting_id, await _last_id(w, s.meeting_id), "v" * 20, up)


async def _snapshot(sm: async_sessionmaker[AsyncSession], meeting_id: int) -> dict[str, Any]:
    async with sm() as session:
        snap = await snapshot(session, meeting_id)
    assert snap is not None
    return snap


async def test_every_action_snapshot_plus_events_equals_next_snapshot(
    sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    broker = MemoryBroker()
    seen_types: set[str] = set()
    for name, step in script():
        before = await _snapshot(sessionmaker, seeded.meeting_id)
        async with writing(sessionmaker, broker) as w:
            await step(w, seeded)
        after = await _snapshot(sessionmaker, seeded.meeting_id)
        async with sessionmaker() as session:
            logged = await event_log.replay(
                session,
                seeded.meeting_id,
                before["last_seq"],
                audiences=frozenset(Audience),
                limit=100,
            )
        assert logged, f"{name}: appended no events"
        envelopes = [json.loads(e.envelope) for e in logged]
        seen_types.update(e["type"] for e in envelopes)
        public = [
            e for e, ev in zip(envelopes, logged, strict=True) if ev.audience is Audience.PUBLIC
        ]
        # Public clients see staff seqs as skips; the snapshot's last_seq covers them, so the
        # client ends on the highest seq it was sent, which may lag last_seq by staff events.
        applied = apply(before, public)
        applied["last_seq"] = after["last_seq"]
        assert applied == after, name
        # Every envelope round-trips through its typed event class.
        for e in envelopes:
            event = parse_event(e["type"], e["data"])
            assert json.loads(json.dumps(event.to_data())) == e["data"]
    assert seen_types == set(EVENT_TYPES), "every event type is produced by some action"


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown fields"):
        parse_event("staff.action.recorded", {"action": "x", "actor": "y", "extra": 1})
    with pytest.raises(ValueError, match="unknown event type"):
        parse_event("no.such.type", {})


def test_every_event_type_is_documented() -> None:
    from hub.docs import API_DOC, with_events

    text = API_DOC.read_text()
    assert text == with_events(text), "docs/api.md is stale: run python -m hub.docs"
    for type_, cls in EVENT_TYPES.items():
        assert cls.__doc__ and len(cls.__doc__.strip()) > 40, type_
        assert f"`{type_}`" in text
