"""Meeting actions a clerk or admin takes outside the live controls: the submission window
travels as an event, so an open resident page opens or closes its form without a reload."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from hub.actions import Invalid
from hub.actions._locks import Actor
from hub.actions.meetings import prune_log, update_meeting
from hub.events import log as event_log
from hub.events.publish import writing
from hub.models import iso
from tests.conftest import settings_for
from tests.support import (
    RunningServer,
    Seeded,
    assert_quiet,
    contribute,
    http_client,
    recv_json,
    resident,
    run_server,
    ws_connect,
)


async def _last_seq(server: RunningServer, meeting_id: int) -> int:
    async with server.services.sessionmaker() as session:
        b = await event_log.bounds(session, meeting_id)
    assert b is not None
    return b.last_seq


async def test_a_changed_window_reaches_open_pages_and_the_door(
    server: RunningServer, seeded: Seeded
) -> None:
    mid, svc = seeded.meeting_id, server.services
    after = await _last_seq(server, mid)
    url = f"{server.ws_url}/api/meetings/{mid}/live?after={after}"
    async with ws_connect(url) as ws, resident(server.base_url) as author:
        assert (await contribute(author, mid, "Before the change")).status_code == 201
        closes = datetime.now(UTC) - timedelta(minutes=1)
        async with writing(svc.sessionmaker, svc.broker) as w:
            await update_meeting(w, mid, submissions_close_at=closes)
        event = await recv_json(ws)
        assert event["type"] == "meeting.updated"
        assert event["data"]["meeting"]["submissions_close_at"] == iso(closes)
        r = await contribute(author, mid, "After the window closed")
        assert (r.status_code, r.json()["error"]) == (409, "closed")
        # Cleared: the council's policy rules again, and the page hears that too.
        async with writing(svc.sessionmaker, svc.broker) as w:
            await update_meeting(w, mid, submissions_close_at=None)
        event = await recv_json(ws)
        assert event["data"]["meeting"]["submissions_close_at"] is None
        assert (await contribute(author, mid, "Open again")).status_code == 201


async def test_an_unchanged_window_appends_nothing(server: RunningServer, seeded: Seeded) -> None:
    mid, svc = seeded.meeting_id, server.services
    before = await _last_seq(server, mid)
    async with writing(svc.sessionmaker, svc.broker) as w:
        await update_meeting(w, mid, submissions_open_at=None, submissions_close_at=None)
    assert await _last_seq(server, mid) == before


async def test_window_times_need_a_zone(server: RunningServer, seeded: Seeded) -> None:
    svc = server.services
    naive = datetime(2026, 12, 1, 18, 0)  # noqa: DTZ001 - the mistake under test
    try:
        async with writing(svc.sessionmaker, svc.broker) as w:
            await update_meeting(w, seeded.meeting_id, submissions_open_at=naive)
    except Invalid as exc:
        assert "time zone" in exc.message
    else:
        raise AssertionError("a naive time was accepted")


async def test_pruning_keeps_the_log_bounds(server: RunningServer, seeded: Seeded) -> None:
    mid, svc = seeded.meeting_id, server.services
    async with resident(server.base_url) as author:
        for n in range(3):
            assert (await contribute(author, mid, f"Comment {n}")).status_code == 201
    last = await _last_seq(server, mid)
    async with writing(svc.sessionmaker, svc.broker) as w:
        dropped = await prune_log(w, mid, last)
    assert dropped == last - 1
    async with resident(server.base_url) as http:
        r = await http.get(f"/api/meetings/{mid}/events?after=0")
        assert (r.status_code, r.json()["error"]) == (410, "pruned")
        r = await http.get(f"/api/meetings/{mid}/events?after={last - 1}")
        assert (r.status_code, r.json()["last_seq"]) == (200, last)
    async with svc.sessionmaker() as session:
        kept = await event_log.replay(session, mid, 0, audiences=event_log.ALL, limit=100)
    assert [e.seq for e in kept] == [last]
    try:
        async with writing(svc.sessionmaker, svc.broker) as w:
            await prune_log(w, mid, last + 5)
    except Invalid:
        pass
    else:
        raise AssertionError("pruning past the end was accepted")


async def test_the_window_command_reaches_a_running_server(
    sqlite_url: str, sqlite_seeded: Seeded, redis_url: str, tmp_path: Path
) -> None:
    """An operator's command in another process (sharing the database and Redis) changes the
    window; a resident page open on the server hears it at once."""
    mid = sqlite_seeded.meeting_id
    async with run_server(settings_for(sqlite_url, redis_url)) as server:
        url = f"{server.ws_url}/api/meetings/{mid}/live?after={await _last_seq(server, mid)}"
        async with ws_connect(url) as ws:
            await assert_quiet(ws, 0.2)
            env = {
                **os.environ,
                "COUNCIL_HUB_DATABASE_URL": sqlite_url,
                "COUNCIL_HUB_BROKER_URL": redis_url,
            }
            done = subprocess.run(
                [sys.executable, "-m", "hub", "meetings", "window", "--id", str(mid)]
                + ["--close-at", "2020-01-01 09:00"],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert done.returncode == 0, done.stderr
            event = await recv_json(ws)
            assert event["type"] == "meeting.updated"
            # 09:00 in London in January is GMT: 09:00 UTC.
            assert event["data"]["meeting"]["submissions_close_at"] == "2020-01-01T09:00:00.000Z"


async def test_a_meetings_hashtags_reach_open_pages(server: RunningServer, seeded: Seeded) -> None:
    mid, svc = seeded.meeting_id, server.services
    clerk = Actor(1, "Clerk")
    before = await _last_seq(server, mid)
    async with writing(svc.sessionmaker, svc.broker) as w:
        meeting = await update_meeting(w, mid, clerk, hashtags="AberglasCabinet, #Budget2027")
    assert meeting.hashtags == "#AberglasCabinet #Budget2027"
    async with svc.sessionmaker() as session:
        logged = await event_log.replay(session, mid, before, audiences=event_log.ALL, limit=5)
    assert [json.loads(e.envelope)["type"] for e in logged] == [
        "meeting.updated",
        "staff.action.recorded",
    ]
    assert '"hashtags":["#AberglasCabinet","#Budget2027"]' in logged[0].envelope
    assert '"action":"meeting.hashtags"' in logged[1].envelope
    snap = (await httpx_get(server, f"/api/meetings/{mid}")).json()
    assert snap["meeting"]["hashtags"] == ["#AberglasCabinet", "#Budget2027"]
    for bad in ("#no-hyphens", "two#in#one"):
        try:
            async with writing(svc.sessionmaker, svc.broker) as w:
                await update_meeting(w, mid, clerk, hashtags=bad)
        except Invalid as exc:
            assert "not a hashtag" in exc.message
        else:
            raise AssertionError(f"{bad!r} was taken")
    # Cleared: the council's tags (none here) only.
    async with writing(svc.sessionmaker, svc.broker) as w:
        await update_meeting(w, mid, clerk, hashtags="")
    assert (await httpx_get(server, f"/api/meetings/{mid}")).json()["meeting"]["hashtags"] == []


async def httpx_get(server: RunningServer, path: str) -> httpx.Response:
    async with http_client(server.base_url) as http:
        return await http.get(path)
