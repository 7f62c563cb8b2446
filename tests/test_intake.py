"""Group commit of residents' submissions (hub/intake.py), on SQLite and PostgreSQL.

Submissions that arrive together share a transaction, yet each is answered only after its
commit, each refusal is its own, and a database fault fails only the submission that caused it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.actions import ActionError, Invalid
from hub.actions._locks import Actor
from hub.actions.agenda import set_current_item
from hub.actions.meetings import change_meeting_status
from hub.actions.participation import Entry, Forbidden, RateLimited, Submission
from hub.actions.votes import Ballot
from hub.broker.memory import MemoryBroker
from hub.events import log as event_log
from hub.events.publish import writing
from hub.events.schema import Audience
from hub.intake import Intake, Unavailable
from hub.models import Contribution, ParticipantBlock, Vote
from hub.ratelimit import RateLimiter
from tests.support import Seeded, set_policy

ACTOR = Actor(1, "Clerk")


@pytest.fixture
async def intake(
    sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> AsyncIterator[Intake]:
    broker = MemoryBroker()
    await broker.start()
    async with writing(sessionmaker, broker) as w:
        await change_meeting_status(w, seeded.meeting_id, "open", ACTOR)
        await set_current_item(w, seeded.meeting_id, seeded.item_ids[1], ACTOR)
    limiters: dict[tuple[int, float], RateLimiter] = {}

    def limiter(capacity: int, period: float) -> RateLimiter:
        return limiters.setdefault((capacity, period), RateLimiter(capacity, period))

    intake = Intake(sessionmaker, broker, limiter)
    yield intake
    await intake.close()
    await broker.close()


def _entry(k: int, participant: str | None = None, **changes: Any) -> Entry:
    sub = Submission(
        kind="comment",
        position="support",
        body=changes.pop("body", f"Comment number {k} about the library's opening hours"),
        client_token=changes.pop("token", f"t{k}"),
        **changes,
    )
    return Entry(participant or f"resident-{k:04d}", sub, address=f"10.0.0.{k % 250}")


async def _submit_all(intake: Intake, meeting_id: int, entries: list[Entry]) -> list[Any]:
    return await asyncio.gather(
        *(intake.submit(meeting_id, e) for e in entries), return_exceptions=True
    )


async def test_concurrent_submissions_share_commits_and_keep_the_log_gap_free(
    intake: Intake, sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    async with sessionmaker() as s:
        before = await event_log.bounds(s, seeded.meeting_id)
    assert before is not None
    results = await _submit_all(intake, seeded.meeting_id, [_entry(k) for k in range(120)])
    assert all(isinstance(r, tuple) and r[1] for r in results), results[:3]
    ids = [r[0].id for r in results]
    assert len(set(ids)) == 120
    # Grouped: far fewer commits than submissions.
    assert intake.stats.submissions == 120 and intake.stats.commits < 10
    assert intake.stats.largest_group > 50
    async with sessionmaker() as s:
        stored = (await s.scalars(select(Contribution).where(Contribution.id.in_(ids)))).all()
        events = await event_log.replay(
            s, seeded.meeting_id, before.last_seq, audiences=event_log.ALL, limit=10_000
        )
    assert {c.id for c in stored} == set(ids)
    assert all(c.status == "pending" and c.item_id == seeded.item_ids[1] for c in stored)
    # Pre-moderation: each submission appends one staff and one own event, gap-free, in order.
    assert [e.seq for e in events] == list(range(before.last_seq + 1, before.last_seq + 241))
    staff = [json.loads(e.envelope) for e in events if e.audience is Audience.STAFF]
    mine = [e for e in events if e.audience is Audience.PARTICIPANT]
    assert sorted(e["data"]["contribution"]["id"] for e in staff) == sorted(ids)
    assert {e.target for e in mine} == {f"resident-{k:04d}" for k in range(120)}


async def test_each_refusal_in_a_group_is_its_own(
    intake: Intake, sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    mid = seeded.meeting_id
    async with sessionmaker() as s:
        s.add(ParticipantBlock(meeting_id=mid, participant_id="blocked-one"))
        await s.commit()
    await set_policy(sessionmaker, rate_per_participant=2)
    same = "The same words, sent by two residents"
    entries = [
        _entry(0),
        _entry(1, body="   "),  # nothing written
        _entry(2, participant="blocked-one"),
        _entry(3, token="twice"),
        _entry(4, participant="resident-0003", token="twice"),  # the same token again
        _entry(5, body=same),
        _entry(6, body="  " + same.upper()),  # a repeat once normalised: held for a clerk
        _entry(7, item_id=999_999),  # not on this agenda
        _entry(8, participant="chatty"),
        _entry(9, participant="chatty"),
        _entry(10, participant="chatty"),  # over the council's limit of 2
        _entry(11, body="A stray\x00byte and a bell\x07 are dropped"),
    ]
    results = await _submit_all(intake, mid, entries)
    assert isinstance(results[1], Invalid)
    assert isinstance(results[2], Forbidden)
    assert isinstance(results[7], ActionError) and results[7].status == 404
    assert isinstance(results[10], RateLimited)
    first, again = results[3], results[4]
    assert first[1] is True and again[1] is False and again[0].id == first[0].id
    assert results[5][0].screening is None and results[6][0].screening == "duplicate"
    assert results[11][0].body == "A straybyte and a bell are dropped"
    stored_ok = [0, 3, 5, 6, 8, 9, 11]
    for i in stored_ok:
        assert isinstance(results[i], tuple), (i, results[i])
    async with sessionmaker() as s:
        count = await s.scalar(
            select(func.count()).select_from(Contribution).where(Contribution.meeting_id == mid)
        )
    assert count == len(stored_ok)


async def _poison(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """A real database fault for one kind of row: a trigger that aborts its INSERT."""
    async with sessionmaker() as s:
        if s.bind.dialect.name == "sqlite":
            await s.execute(
                text(
                    "CREATE TRIGGER poison BEFORE INSERT ON contributions "
                    "WHEN NEW.body LIKE '%POISON%' BEGIN SELECT RAISE(ABORT, 'poisoned'); END"
                )
            )
        else:
            await s.execute(
                text(
                    "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN "
                    "IF NEW.body LIKE '%POISON%' THEN RAISE EXCEPTION 'poisoned'; END IF; "
                    "RETURN NEW; END $$ LANGUAGE plpgsql"
                )
            )
            await s.execute(
                text(
                    "CREATE TRIGGER poison BEFORE INSERT ON contributions "
                    "FOR EACH ROW EXECUTE FUNCTION poison()"
                )
            )
        await s.commit()


async def _unpoison(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as s:
        await s.execute(
            text(
                "DROP TRIGGER poison"
                + ("" if s.bind.dialect.name == "sqlite" else " ON contributions")
            )
        )
        if s.bind.dialect.name != "sqlite":
            await s.execute(text("DROP FUNCTION poison()"))
        await s.commit()


async def test_a_database_fault_fails_only_the_submission_that_caused_it(
    intake: Intake, sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    await _poison(sessionmaker)
    try:
        # All 31 queue before the writer runs and form one group, whose transaction the
        # poisoned row aborts; then each is stored alone.
        entries = [_entry(k) for k in range(31)]
        entries[17] = _entry(17, body="This one is POISON to the database")
        results = await _submit_all(intake, seeded.meeting_id, entries)
    finally:
        await _unpoison(sessionmaker)
    assert isinstance(results[17], Unavailable) and results[17].status == 503
    good = [r for i, r in enumerate(results) if i != 17]
    assert all(isinstance(r, tuple) and r[1] for r in good), good[:3]
    assert intake.stats.retried_alone == 31
    async with sessionmaker() as s:
        ids = set(
            await s.scalars(
                select(Contribution.id).where(Contribution.meeting_id == seeded.meeting_id)
            )
        )
        last = await event_log.bounds(s, seeded.meeting_id)
        events = await event_log.replay(
            s, seeded.meeting_id, 0, audiences=event_log.ALL, limit=10_000
        )
    assert ids == {r[0].id for r in good}
    # The failed group left no trace in the log: still gap-free up to last_seq.
    assert last is not None and [e.seq for e in events] == list(range(1, last.last_seq + 1))


async def test_a_refused_group_gives_the_rate_allowance_back(
    intake: Intake, sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    await set_policy(sessionmaker, rate_per_participant=1)
    await _poison(sessionmaker)
    try:
        results = await _submit_all(
            intake,
            seeded.meeting_id,
            [_entry(0), _entry(1, participant="solo", body="POISON again")],
        )
    finally:
        await _unpoison(sessionmaker)
    assert isinstance(results[1], Unavailable)
    # Nothing of "solo" was stored, so their one submission in the period is still theirs.
    [(contribution, new)] = await _submit_all(
        intake, seeded.meeting_id, [_entry(2, participant="solo")]
    )
    assert new and contribution.participant_id == "solo"


async def test_closing_commits_what_is_queued_and_refuses_what_comes_after(
    intake: Intake, sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    waiting = [
        asyncio.ensure_future(intake.submit(seeded.meeting_id, _entry(k))) for k in range(40)
    ]
    await asyncio.sleep(0)  # all queued, the first group under way
    await intake.close()
    async with sessionmaker() as s:  # committed by the time close() returns
        stored = await s.scalar(
            select(func.count())
            .select_from(Contribution)
            .where(Contribution.meeting_id == seeded.meeting_id)
        )
    assert stored == 40
    results = await asyncio.gather(*waiting)
    assert len({c.id for c, new in results if new}) == 40
    with pytest.raises(Unavailable):
        await intake.submit(seeded.meeting_id, _entry(99))


async def test_a_group_spanning_meetings_keeps_each_log_apart(
    intake: Intake, sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    broker = intake.broker
    async with writing(sessionmaker, broker) as w:
        await change_meeting_status(w, seeded.other_meeting_id, "open", ACTOR)
    async with sessionmaker() as s:
        first = await event_log.bounds(s, seeded.meeting_id)
        other = await event_log.bounds(s, seeded.other_meeting_id)
    assert first is not None and other is not None
    # Interleaved, the other meeting (the higher id) first: one group, both meetings.
    jobs = [
        intake.submit(seeded.other_meeting_id if k % 2 == 0 else seeded.meeting_id, _entry(k))
        for k in range(20)
    ]
    results = await asyncio.gather(*jobs)
    assert intake.stats.commits == 1
    for k, (contribution, new) in enumerate(results):
        assert new
        expected = seeded.other_meeting_id if k % 2 == 0 else seeded.meeting_id
        assert contribution.meeting_id == expected
    async with sessionmaker() as s:
        for mid, before in ((seeded.meeting_id, first), (seeded.other_meeting_id, other)):
            events = await event_log.replay(
                s, mid, before.last_seq, audiences=event_log.ALL, limit=1000
            )
            assert [e.seq for e in events] == list(range(before.last_seq + 1, before.last_seq + 21))


async def _published_question(intake: Intake, sessionmaker: Any, seeded: Seeded) -> int:
    """A question, published by the clerk (post-moderation would do too)."""
    from hub.actions.moderation import moderate

    entry = _entry(900, participant="asker", body="Will the library keep Saturday hours?")
    entry = Entry(
        entry.participant, Submission(kind="question", body=entry.sub.body, client_token="q")
    )
    question, _new = await intake.submit(seeded.meeting_id, entry)
    async with writing(sessionmaker, intake.broker) as w:
        await moderate(w, seeded.meeting_id, question.id, "approve", ACTOR)
    return question.id


async def test_a_crowd_of_votes_is_counted_exactly_in_few_commits(
    intake: Intake, sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    mid = seeded.meeting_id
    qid = await _published_question(intake, sessionmaker, seeded)
    async with sessionmaker() as s:
        before = await event_log.bounds(s, mid)
    assert before is not None
    commits = intake.stats.commits
    # 300 residents vote, each twice at once (a repeat counts once); 50 of them then withdraw,
    # two of them twice; a comment and an unknown id are refused.
    ballots = [Ballot(f"voter-{k:03d}", qid, True) for k in range(300) for _ in range(2)]
    ballots += [Ballot(f"voter-{k:03d}", qid, False) for k in range(50)]
    ballots += [Ballot("voter-000", qid, False), Ballot("never-voted", qid, False)]
    comment, _new = await intake.submit(mid, _entry(901))
    ballots += [Ballot("voter-001", comment.id, True), Ballot("voter-001", 999_999, True)]
    results = await asyncio.gather(*(intake.vote(mid, b) for b in ballots), return_exceptions=True)
    assert isinstance(results[-2], ActionError) and results[-2].status == 409
    assert isinstance(results[-1], ActionError) and results[-1].status == 404
    assert all(r.id == qid for r in results[:-2])
    assert intake.stats.commits - commits <= 3  # one group, at most split by MAX_GROUP
    async with sessionmaker() as s:
        stored = await s.scalar(
            select(func.count()).select_from(Vote).where(Vote.contribution_id == qid)
        )
        question = await s.get(Contribution, qid)
        events = await event_log.replay(
            s, mid, before.last_seq, audiences=event_log.ALL, limit=1000
        )
    assert stored == 250 and question is not None and question.votes == 250
    # One update per question per commit, carrying the count after it (not one per ballot).
    updates = [json.loads(e.envelope) for e in events if '"contribution.updated"' in e.envelope]
    assert 1 <= len(updates) <= intake.stats.commits - commits
    assert updates[-1]["data"]["contribution"]["votes"] == 250


async def test_requests_for_a_missing_meeting_fail_alone(
    intake: Intake, sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    """Nothing a resident sends can fail the rest of its group (nor force it to be retried
    one by one, which would let anyone slow everyone's submissions down)."""
    missing, huge = 999_999, 2**40  # huge: beyond any id column, so it names nothing either
    jobs = [
        intake.submit(missing, _entry(0)),
        intake.vote(missing, Ballot("someone", 1, True)),
        intake.submit(seeded.meeting_id, _entry(1)),
        intake.vote(seeded.meeting_id, Ballot("someone", 999_998, True)),
        intake.submit(seeded.meeting_id, _entry(2, item_id=huge)),
        intake.vote(seeded.meeting_id, Ballot("someone", huge, True)),
        intake.submit(huge, _entry(3)),
    ]
    results = await asyncio.gather(*jobs, return_exceptions=True)
    statuses = [getattr(r, "status", None) for r in results]
    assert statuses == [404, 404, None, 404, 404, 404, 404], results
    assert isinstance(results[2], tuple) and results[2][1] is True
    assert intake.stats.commits == 1 and intake.stats.retried_alone == 0


async def test_text_the_database_cannot_store_is_made_storable(
    intake: Intake, seeded: Seeded
) -> None:
    """A lone surrogate (valid in JSON, not in UTF-8) and control characters never reach the
    database, where they would fail the resident's submission and its whole group."""
    entry = _entry(0, body="Broken \ud800 text\x00 here", display_name="Si\udfffân\x07")
    others = [_entry(k) for k in range(1, 6)]
    results = await asyncio.gather(*(intake.submit(seeded.meeting_id, e) for e in [entry, *others]))
    contribution, new = results[0]
    assert new and contribution.body == "Broken ? text here"
    assert contribution.display_name == "Si?ân"
    assert all(new for _c, new in results) and intake.stats.retried_alone == 0


async def test_a_later_group_finds_retries_by_exact_pair_and_repeats_already_stored(
    intake: Intake, seeded: Seeded, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """The group's one lookup (hub/actions/group_lookup.py) across groups: a retry is the same
    participant with the same token, never another's token that happens to be in the group,
    and a body stored by an earlier group holds its repeat."""
    mid = seeded.meeting_id
    first = await _submit_all(
        intake,
        mid,
        [_entry(1, participant="alice", token="a1"), _entry(2, participant="bob", token="b1")],
    )
    assert all(new for _c, new in first)
    later = await _submit_all(
        intake,
        mid,
        [
            _entry(3, participant="alice", token="b1"),  # bob's token, alice: a new submission
            _entry(4, participant="bob", token="a1"),  # and the other way round
            _entry(5, participant="alice", token="a1", body="changed"),  # alice's retry
            _entry(6, participant="carol", token="c1", body=first[1][0].body),  # bob's words
        ],
    )
    (c3, new3), (c4, new4), (c5, new5), (c6, new6) = later
    assert new3 and new4 and new6 and not new5
    assert c5.id == first[0][0].id and c5.body == first[0][0].body  # as stored the first time
    assert {c3.id, c4.id, c6.id}.isdisjoint({first[0][0].id, first[1][0].id})
    assert c3.screening is None and c6.screening == "duplicate"
    assert c3.item_id == seeded.item_ids[1]  # the item being discussed
    async with sessionmaker() as s:
        count = await s.scalar(select(func.count()).select_from(Contribution))
    assert count == 5
