"""The poller (integrations/social/runner.py) against stateful fakes of X, Mastodon and Bluesky
over real HTTP, on SQLite and PostgreSQL: resuming after a restart with no duplicate and no gap,
starting again from a meeting's start when the tags change, rate limits, refused credentials,
outages, posts deleted at the source, and when polling stops."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from starlette.responses import Response

from hub.actions._locks import Actor
from hub.actions.meetings import change_meeting_status, create_meeting, update_meeting
from hub.actions.social_sources import add_source, set_credentials
from hub.broker.memory import MemoryBroker
from hub.events.publish import writing
from hub.models import Contribution, MeetingEvent, SocialSource, utcnow
from hub.queries.meetings import snapshot
from hub.secrets import Secrets, new_key
from hub.services import Services
from hub.types import SessionFactory
from integrations.social.clients import build_source
from integrations.social.cursors import where_to_start
from integrations.social.mastodon import MastodonSource
from integrations.social.models import SocialSource as Source
from integrations.social.runner import SocialRunner
from tests.conftest import settings_for
from tests.integrations.social.fakes import Seen, json_response
from tests.integrations.social.platforms import TAGS, World
from tests.support import Seeded, set_policy

KEY = new_key()
SECRETS = Secrets((KEY,))
CLERK = Actor(1, "Clerk")
TIMELINE = "/api/v1/timelines/tag/aberglascabinet"


async def live_meeting(sessionmaker: SessionFactory, seeded: Seeded, window: int = 30) -> int:
    """The seeded council tagged #AberglasCouncil, its meeting #AberglasCabinet, open."""
    await set_policy(sessionmaker, hashtags="#AberglasCouncil", social_window_minutes=window)
    async with writing(sessionmaker, MemoryBroker()) as w:
        await update_meeting(w, seeded.meeting_id, hashtags="#AberglasCabinet")
        await change_meeting_status(w, seeded.meeting_id, "open", CLERK)
    return seeded.meeting_id


async def add(
    sessionmaker: SessionFactory, platform: str, base_url: str, **credentials: str
) -> int:
    async with writing(sessionmaker, MemoryBroker()) as w:
        source = await add_source(
            w,
            "aberglas",
            platform,
            f"{platform} source",
            base_url=base_url,
            credentials=SECRETS.encrypt(credentials) if credentials else None,
        )
        return source.id


async def add_all(sessionmaker: SessionFactory, world: World) -> dict[str, int]:
    base = world.api.base_url
    return {
        "mastodon": await add(sessionmaker, "mastodon", base),
        "bluesky": await add(
            sessionmaker, "bluesky", base, handle="aberglas.gov.example", app_password="app-pw-1"
        ),
        "x": await add(sessionmaker, "x", base, bearer_token="bearer-secret-1"),
    }


def runner(sessionmaker: SessionFactory, **kwargs: Any) -> SocialRunner:
    return SocialRunner(sessionmaker, MemoryBroker(), SECRETS, poll_s=0.3, **kwargs)


async def bodies(sessionmaker: SessionFactory, meeting_id: int) -> list[str]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(Contribution.body)
            .where(Contribution.meeting_id == meeting_id, Contribution.kind == "post")
            .order_by(Contribution.id)
        )
        return list(rows)


async def source_row(sessionmaker: SessionFactory, source_id: int) -> SocialSource:
    async with sessionmaker() as session:
        found = await session.get(SocialSource, source_id)
        assert found is not None
        return found


async def events(sessionmaker: SessionFactory, meeting_id: int, type_: str) -> list[dict[str, Any]]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(MeetingEvent.envelope)
            .where(MeetingEvent.meeting_id == meeting_id, MeetingEvent.type == type_)
            .order_by(MeetingEvent.seq)
        )
        return [json.loads(e)["data"] for e in rows]


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 15.0) -> float:
    """Seconds until ``check`` holds (polled every 50 ms); fails after ``timeout``."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    while not await check():
        if loop.time() - began > timeout:
            raise AssertionError(f"not so within {timeout} s")
        await asyncio.sleep(0.05)
    return loop.time() - began


def post_everywhere(world: World, label: str, at: datetime) -> list[str]:
    texts = [f"{label} on {p} #AberglasCabinet" for p in ("mastodon", "bluesky", "x")]
    world.mastodon.post(texts[0], at, ["AberglasCabinet"])
    world.bluesky.post(texts[1], at, ["AberglasCabinet"])
    world.x.post(texts[2], at, ["AberglasCabinet"])
    return texts


async def test_a_restart_mid_meeting_resumes_from_the_cursors(
    db_url: str, sessionmaker: SessionFactory, seeded: Seeded, world: World
) -> None:
    """The hub's services stop between two polls; posts keep coming; started again, it goes on
    from each source's stored cursor: every post once, none missed."""
    mid = await live_meeting(sessionmaker, seeded)
    await add_all(sessionmaker, world)
    now = utcnow()
    first = post_everywhere(world, "Before the restart", now - timedelta(minutes=5))
    settings = settings_for(
        db_url, credentials_key=(KEY,), social_poll_seconds=0.3, lease_seconds=1.5
    )

    async def stored(n: int) -> bool:
        return len(await bodies(sessionmaker, mid)) >= n

    services = await Services.start(settings)
    try:
        await until(lambda: stored(3))
    finally:
        await services.close()
    timeline_before = len(world.api.to(TIMELINE))
    newest = max(int(s["id"]) for s in world.mastodon.statuses)
    # While the hub is down, more posts (one timed before the last poll's newest one on X:
    # search is by id, so it is still found).
    second = post_everywhere(world, "While the hub was down", utcnow())
    third = post_everywhere(world, "After the restart", utcnow() + timedelta(seconds=1))

    services = await Services.start(settings)
    try:
        await until(lambda: stored(9))
        await asyncio.sleep(1.0)  # a few more polls: nothing comes twice
    finally:
        await services.close()
    assert sorted(await bodies(sessionmaker, mid)) == sorted(first + second + third)
    # The first request after the restart went on from the stored cursor, not from the start.
    resumed = world.api.to(TIMELINE)[timeline_before]
    assert resumed.param("min_id") == str(newest)
    search = [r for r in world.api.to("/2/tweets/search/recent") if r.param("since_id")]
    assert search, "X resumed with since_id"


async def test_a_new_meeting_starts_again_from_its_window(
    sessionmaker: SessionFactory, seeded: Seeded, world: World
) -> None:
    """Another meeting of the council comes into its window with its own tag: X reads from that
    meeting's window start (one request for both meetings' tags); what was stored stays once."""
    mid = await live_meeting(sessionmaker, seeded)
    x = await add(sessionmaker, "x", world.api.base_url, bearer_token="bearer-secret-1")
    poller = runner(sessionmaker)
    now = utcnow()
    world.x.post("Cabinet first #AberglasCabinet", now - timedelta(minutes=3), ["AberglasCabinet"])
    await poller.poll_once()
    async with writing(sessionmaker, MemoryBroker()) as w:
        planning = await create_meeting(
            w,
            council_slug="aberglas",
            title="Planning",
            body_name="Planning",
            starts_at=now + timedelta(minutes=20),
        )
        await update_meeting(w, planning.id, hashtags="#AberglasPlanning")
    world.x.post(
        "Planning early #AberglasPlanning", now - timedelta(minutes=2), ["AberglasPlanning"]
    )
    world.x.post("Both #AberglasCouncil", now - timedelta(minutes=1), ["AberglasCouncil"])
    try:
        (report,) = await poller.poll_once()
    finally:
        await poller.close()
    request = world.api.to("/2/tweets/search/recent")[-1]
    assert request.param("since_id") is None
    assert request.param("query") == (
        "(#aberglascabinet OR #aberglascouncil OR #aberglasplanning) -is:retweet"
    )
    # From the planning meeting's window start (30 minutes before it).
    start = datetime.fromisoformat(request.param("start_time").replace("Z", "+00:00"))
    assert abs(start - (now - timedelta(minutes=10))) < timedelta(seconds=1)
    assert sorted(await bodies(sessionmaker, mid)) == [
        "Both #AberglasCouncil",
        "Cabinet first #AberglasCabinet",
    ]
    assert sorted(await bodies(sessionmaker, planning.id)) == [
        "Both #AberglasCouncil",
        "Planning early #AberglasPlanning",
    ]
    row = await source_row(sessionmaker, x)
    assert row.cursor_tags == "aberglascabinet aberglascouncil aberglasplanning"


def test_where_to_start() -> None:
    from hub.queries.social import Target

    t0 = datetime(2026, 12, 3, 18, 0).astimezone()
    cabinet = Target(1, ("aberglascabinet", "aberglascouncil"), t0, True)
    planning = Target(2, ("aberglasplanning", "aberglascouncil"), t0 + timedelta(hours=1), False)
    key = "aberglascabinet aberglascouncil"
    later = t0 + timedelta(hours=2)
    assert where_to_start([cabinet], None, None, None) == t0
    assert where_to_start([cabinet], "c", key, later) is None
    # A meeting whose tag the cursor was not for: from its start.
    assert where_to_start([cabinet, planning], "c", key, later) == planning.start
    # A meeting that came into its window after the last success (same tags): from its start.
    assert where_to_start([cabinet], "c", key, t0 - timedelta(days=7)) == t0
    # Fewer tags than the cursor was for (a meeting left): go on.
    assert where_to_start([cabinet], "c", key + " aberglasplanning", later) is None


def rate_limited(reset: datetime | None) -> Callable[[Seen], Response]:
    headers = {"x-ratelimit-reset": reset.isoformat().replace("+00:00", "Z")} if reset else {}
    return lambda _: json_response({"error": "Too many requests"}, 429, headers)


async def test_a_429_with_a_reset_waits_for_it(
    sessionmaker: SessionFactory, seeded: Seeded, world: World
) -> None:
    mid = await live_meeting(sessionmaker, seeded)
    sid = await add(sessionmaker, "mastodon", world.api.base_url)
    reset = (utcnow() + timedelta(minutes=10)).replace(microsecond=0)
    world.mastodon.fault = rate_limited(reset)
    poller = runner(sessionmaker, lease_ttl=timedelta(seconds=1.5))
    (report,) = await poller.poll_once()
    assert report.next_poll_at == reset and report.error and "reset it announced" in report.error
    row = await source_row(sessionmaker, sid)
    assert (row.rate_limit_reset_at, row.next_poll_at, row.failures) == (reset, reset, 1)
    health = await events(sessionmaker, mid, "social.source.health")
    assert health[-1]["source"]["state"] == "rate_limited"
    # The loop honours it: no request before the reset.
    asked = len(world.api.to(TIMELINE))
    poller.start()
    try:
        await until(lambda: _true(poller.polling == [sid]))
        await asyncio.sleep(1.5)
    finally:
        await poller.close()
    assert len(world.api.to(TIMELINE)) == asked


async def _true(value: bool) -> bool:
    return value


async def test_a_429_without_a_reset_never_spins(
    sessionmaker: SessionFactory, seeded: Seeded, world: World
) -> None:
    mid = await live_meeting(sessionmaker, seeded)
    sid = await add(sessionmaker, "mastodon", world.api.base_url)
    world.mastodon.fault = rate_limited(None)
    poller = runner(sessionmaker, lease_ttl=timedelta(seconds=1.5))
    poller.start()
    try:
        await until(lambda: _true(len(world.api.to(TIMELINE)) >= 1))
        await asyncio.sleep(3.0)
    finally:
        await poller.close()
    # Each wait is at least a poll interval (0.3 s) plus a growing jittered backoff: a handful
    # of requests in 3 s, where a loop would send thousands.
    asked = len(world.api.to(TIMELINE))
    assert 1 <= asked <= 8, asked
    row = await source_row(sessionmaker, sid)
    # The last request may have been cut short by close() before its failure was stored.
    assert asked - 1 <= row.failures <= asked and row.next_poll_at is not None
    assert row.last_error == "Rate limited by the platform, without a reset time: backing off."
    # One health event for the change of state, not one per failure.
    states = [e["source"]["state"] for e in await events(sessionmaker, mid, "social.source.health")]
    assert states.count("rate_limited") == 1, states


async def test_refused_credentials_stop_the_source_until_they_change(
    sessionmaker: SessionFactory, seeded: Seeded, world: World
) -> None:
    mid = await live_meeting(sessionmaker, seeded)
    sid = await add(
        sessionmaker, "bluesky", world.api.base_url, handle="aberglas.gov.example",
        app_password="revoked-app-pw",
    )  # fmt: skip
    world.bluesky.fault = lambda _: json_response(
        {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}, 401
    )
    poller = runner(sessionmaker, lease_ttl=timedelta(seconds=1.5))
    poller.start()
    try:
        await until(lambda: _stopped(sessionmaker, sid))
        await until(lambda: _true(poller.polling == []))
        logins = len(world.api.to("/xrpc/com.atproto.server.createSession"))
        await asyncio.sleep(1.0)
        assert len(world.api.to("/xrpc/com.atproto.server.createSession")) == logins == 1
        row = await source_row(sessionmaker, sid)
        assert row.stopped_reason and "Invalid identifier or password" in row.stopped_reason
        health = await events(sessionmaker, mid, "social.source.health")
        assert health[-1]["source"]["state"] == "stopped"
        assert health[-1]["source"]["stopped_reason"] == row.stopped_reason
        # New credentials: it polls again.
        world.bluesky.fault = None
        world.bluesky.post("Back #AberglasCabinet", utcnow(), ["AberglasCabinet"])
        async with writing(sessionmaker, MemoryBroker()) as w:
            await set_credentials(
                w, sid, SECRETS.encrypt({"handle": "aberglas.gov.example", "app_password": "new"})
            )
        await until(lambda: _has(sessionmaker, mid, "Back #AberglasCabinet"))
    finally:
        await poller.close()


async def _stopped(sessionmaker: SessionFactory, sid: int) -> bool:
    return (await source_row(sessionmaker, sid)).stopped_reason is not None


async def _has(sessionmaker: SessionFactory, mid: int, body: str) -> bool:
    return body in await bodies(sessionmaker, mid)


async def test_outages_and_timeouts_back_off_and_recover(
    sessionmaker: SessionFactory, seeded: Seeded, world: World
) -> None:
    mid = await live_meeting(sessionmaker, seeded)
    sid = await add(sessionmaker, "mastodon", world.api.base_url)

    def quick(platform: str, base_url: str | None, credentials: Any) -> Source:
        assert base_url is not None
        return MastodonSource(base_url, timeout=0.3)

    poller = runner(sessionmaker, factory=quick)
    world.mastodon.fault = lambda _: json_response({"error": "down"}, 503)
    (report,) = await poller.poll_once()
    assert report.error == "Mastodon answered 503."
    began = utcnow()

    async def hang(_: Seen) -> Response:
        await asyncio.sleep(1.0)
        return json_response([])

    world.api.on(TIMELINE, hang)
    (report,) = await poller.poll_once()
    assert report.error == "Mastodon timed out."
    row = await source_row(sessionmaker, sid)
    assert row.failures == 2 and row.last_error == "Mastodon timed out."
    # Backing off: never sooner than a poll, within the jittered ceiling.
    assert row.next_poll_at is not None
    assert began + timedelta(seconds=0.3) <= row.next_poll_at <= utcnow() + timedelta(seconds=2)
    states = [e["source"]["state"] for e in await events(sessionmaker, mid, "social.source.health")]
    assert states[-1] == "failing"
    world.mastodon.install(TAGS)
    world.mastodon.fault = None
    world.mastodon.post("Recovered #AberglasCabinet", utcnow(), ["AberglasCabinet"])
    (report,) = await poller.poll_once()
    await poller.close()
    assert report.error is None and report.stored
    row = await source_row(sessionmaker, sid)
    assert (row.failures, row.last_error) == (0, None)


async def test_posts_deleted_at_the_source_are_withdrawn(
    sessionmaker: SessionFactory, seeded: Seeded, world: World
) -> None:
    """A published Bluesky post and a published Mastodon status, deleted between polls, leave
    the meeting: an event takes each off every page."""
    mid = await live_meeting(sessionmaker, seeded)
    await set_policy(
        sessionmaker, social_allowlist="bluesky:res.bsky.social\nmastodon:res@social.example"
    )
    await add(sessionmaker, "mastodon", world.api.base_url)
    await add(
        sessionmaker, "bluesky", world.api.base_url, handle="aberglas.gov.example",
        app_password="app-pw-1",
    )  # fmt: skip
    now = utcnow()
    uri = world.bluesky.post("Soon gone #AberglasCabinet", now, ["AberglasCabinet"])
    world.bluesky.post("Staying #AberglasCabinet", now, ["AberglasCabinet"])
    status = world.mastodon.post("Toot soon gone #AberglasCabinet", now, ["AberglasCabinet"])
    clock = [now]
    poller = runner(sessionmaker, clock=lambda: clock[0])
    await poller.poll_once()
    async with sessionmaker() as session:
        snap = await snapshot(session, mid)
    assert snap is not None and len(snap["contributions"]) == 3
    world.bluesky.delete(uri)
    world.mastodon.delete(status)
    await poller.poll_once()  # checked a moment ago: not due yet
    assert len(await events(sessionmaker, mid, "contribution.removed")) == 0
    clock[0] = now + timedelta(minutes=3)
    reports = await poller.poll_once()
    await poller.close()
    withdrawn = {cid for r in reports for ids in r.withdrawn.values() for cid in ids}
    removed = {e["id"] for e in await events(sessionmaker, mid, "contribution.removed")}
    assert removed == withdrawn and len(removed) == 2
    async with sessionmaker() as session:
        snap = await snapshot(session, mid)
    assert snap is not None
    assert [c["body"] for c in snap["contributions"]] == ["Staying #AberglasCabinet"]


async def test_polling_stops_when_the_meeting_closes(
    sessionmaker: SessionFactory, seeded: Seeded, world: World
) -> None:
    """With no window after the meeting, closing it ends the source's task and its requests."""
    mid = await live_meeting(sessionmaker, seeded, window=0)
    sid = await add(sessionmaker, "mastodon", world.api.base_url)
    poller = runner(sessionmaker, lease_ttl=timedelta(seconds=0.6))
    poller.start()
    try:
        await until(lambda: _true(poller.polling == [sid]))
        await until(lambda: _true(len(world.api.to(TIMELINE)) >= 2))
        async with writing(sessionmaker, MemoryBroker()) as w:
            await change_meeting_status(w, mid, "close", CLERK)
        await until(lambda: _true(poller.polling == []), timeout=5)
        asked = len(world.api.to(TIMELINE))
        await asyncio.sleep(1.0)
        assert len(world.api.to(TIMELINE)) == asked
        assert await poller.poll_once() == []
    finally:
        await poller.close()


async def test_health_is_sent_when_it_changes_not_on_every_poll(
    sessionmaker: SessionFactory, seeded: Seeded, world: World
) -> None:
    mid = await live_meeting(sessionmaker, seeded)
    await add(sessionmaker, "mastodon", world.api.base_url)
    poller = runner(sessionmaker)
    for _ in range(4):
        await poller.poll_once()  # nothing new: one event (waiting -> ok), not four
    assert [
        e["source"]["state"] for e in await events(sessionmaker, mid, "social.source.health")
    ] == [
        "waiting",  # when it was added
        "ok",
    ]
    world.mastodon.post("News #AberglasCabinet", utcnow(), ["AberglasCabinet"])
    await poller.poll_once()
    await poller.close()
    health = await events(sessionmaker, mid, "social.source.health")
    assert len(health) == 3 and health[-1]["source"]["posts_fetched"] == 1
    assert all("credentials" not in json.dumps(e).replace("credentials_set", "") for e in health)


def test_a_source_without_its_credentials_cannot_be_built() -> None:
    from integrations.social.clients import CannotPoll

    with pytest.raises(CannotPoll, match="bearer_token"):
        build_source("x", None, {})
    with pytest.raises(CannotPoll, match="instance"):
        build_source("mastodon", None, {})
