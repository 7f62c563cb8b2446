"""What a clerk takes down leaves everything the log serves: the /events API, a socket's
replay from seq 0 (from the log and from every process's in-memory ring), a resident's own
stream and the staff stream; and a later takedown still finds text logged before it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import seed_url, settings_for
from tests.services import run_sync
from tests.support import (
    RunningServer,
    Seeded,
    StaffClient,
    contribute,
    cookie_header,
    recv_events,
    recv_json,
    resident,
    run_server,
    set_policy,
    sign_in,
    ws_connect,
)

SECRET = "Jo at 12 Hill Street hides his bins in the lane"
NAME = "Jo Bloggs-Secret"


def _leaks(text: str) -> bool:
    return SECRET in text or NAME in text


async def _publish(server: RunningServer, seeded: Seeded, clerk: StaffClient) -> tuple[int, Any]:
    """A resident's comment, approved by the clerk; returns its id and the author's client."""
    author = resident(server.base_url)
    r = await contribute(author, seeded.meeting_id, SECRET, display_name=NAME)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    r = await clerk.post(
        f"/staff/meetings/{seeded.meeting_id}/contributions/{cid}/moderate", {"action": "approve"}
    )
    assert r.status_code == 200, r.text
    return cid, author


async def _replay(
    url: str, headers: dict[str, str] | None = None, origin: str | None = None
) -> str:
    """Everything a socket opened with after=0 is sent, until it goes quiet. The first frame
    may take a while on a busy machine, and there always is one (the meeting's own events): an
    empty replay would make "nothing leaks" pass without looking."""
    frames = []
    async with ws_connect(url, additional_headers=headers or {}, origin=origin) as ws:
        timeout = 5.0
        while True:
            try:
                frames.append(json.dumps(await recv_json(ws, timeout=timeout)))
            except (TimeoutError, AssertionError):
                break
            timeout = 0.5
    assert frames, f"no replay from {url}"
    return "\n".join(frames)


async def test_a_takedown_is_redacted_everywhere_the_log_serves_it(
    server: RunningServer, seeded: Seeded
) -> None:
    mid = seeded.meeting_id
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    live_url = f"{server.ws_url}/api/meetings/{mid}/live"
    # A socket is following: the meeting's channel (and its ring) is open in this process.
    async with ws_connect(f"{live_url}?after=0") as following:
        cid, author = await _publish(server, seeded, clerk)
        seen = [e for e in await recv_events(following, 1) if e["type"] == "contribution.published"]
        assert seen and seen[0]["data"]["contribution"]["body"] == SECRET  # live, before
        r = await clerk.post(
            f"/staff/meetings/{mid}/contributions/{cid}/moderate",
            {"action": "hide", "reason": "personal"},
        )
        assert r.status_code == 200, r.text
        after = [await recv_json(following) for _ in range(2)]
        assert {e["type"] for e in after} >= {"contribution.removed"}
    async with resident(server.base_url) as http:
        events = await http.get(f"/api/meetings/{mid}/events?after=0")
        assert events.status_code == 200
        assert not _leaks(events.text), "the /events API still serves the taken-down text"
        published = [e for e in events.json()["events"] if e["type"] == "contribution.published"]
        assert published and published[0]["data"]["contribution"]["body"] == ""
        assert published[0]["data"]["contribution"]["display_name"] is None
        snapshot = await http.get(f"/api/meetings/{mid}")
        assert not _leaks(snapshot.text)
    # From the ring (the channel is still open) and from the log (a fresh server).
    assert not _leaks(await _replay(f"{live_url}?after=0"))
    assert not _leaks(await _replay(f"{live_url}?after=0", {"Cookie": cookie_header(author)})), (
        "the author's own stream replays the text"
    )
    staff_url = f"{server.ws_url}/staff/api/meetings/{mid}/live?after=0"
    assert not _leaks(
        await _replay(staff_url, {"Cookie": clerk.cookie_header()}, origin=server.base_url)
    ), "the staff stream replays the text"
    await author.aclose()
    await clerk.http.aclose()


async def test_after_a_restart_the_log_serves_the_redacted_form(
    db_url: str, seeded: Seeded
) -> None:
    async with run_server(settings_for(db_url)) as server:
        clerk = await sign_in(server.base_url, seeded.users["clerk"])
        cid, author = await _publish(server, seeded, clerk)
        r = await clerk.post(
            f"/staff/meetings/{seeded.meeting_id}/contributions/{cid}/moderate",
            {"action": "hide", "reason": "personal"},
        )
        assert r.status_code == 200
        await clerk.http.aclose()
        await author.aclose()
    async with run_server(settings_for(db_url)) as fresh:
        url = f"{fresh.ws_url}/api/meetings/{seeded.meeting_id}/live?after=0"
        replayed = await _replay(url)
        assert "contribution.published" in replayed and not _leaks(replayed)


@pytest.fixture
def pg_url(postgres_database: str) -> str:
    from tests.conftest import _truncate

    run_sync(lambda: _truncate(postgres_database))
    return postgres_database


@pytest.mark.postgres
@pytest.mark.redis
async def test_every_process_redacts_its_ring(pg_url: str, redis_url: str) -> None:
    """Two app processes (PostgreSQL and Redis between them): the takedown is made through A;
    B, which already held the comment in its in-memory ring, serves a replay without it."""
    seeded = await seed_url(pg_url)
    settings = settings_for(pg_url, redis_url)
    async with run_server(settings) as a, run_server(settings) as b:
        mid = seeded.meeting_id
        async with ws_connect(f"{b.ws_url}/api/meetings/{mid}/live?after=0") as on_b:
            clerk = await sign_in(a.base_url, seeded.users["clerk"])
            cid, author = await _publish(a, seeded, clerk)
            assert any(e["type"] == "contribution.published" for e in await recv_events(on_b, 1))
            r = await clerk.post(
                f"/staff/meetings/{mid}/contributions/{cid}/moderate",
                {"action": "hide", "reason": "personal"},
            )
            assert r.status_code == 200
            for _ in range(2):
                if (await recv_json(on_b))["type"] == "contribution.redacted":
                    break
            channel = b.services.streams.channels[mid]
            assert any(e[4] == cid for e in channel.ring), "B's ring holds the comment's events"
            assert not _leaks(await _replay(f"{b.ws_url}/api/meetings/{mid}/live?after=0"))
            await clerk.http.aclose()
            await author.aclose()


async def test_a_comment_published_post_moderated_is_redacted_too(
    server: RunningServer, seeded: Seeded, sessionmaker: Any
) -> None:
    await set_policy(sessionmaker, moderation="post")
    mid = seeded.meeting_id
    author = resident(server.base_url)
    r = await contribute(author, mid, SECRET, display_name=NAME)
    assert r.json()["status"] == "published"
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    r = await clerk.post(
        f"/staff/meetings/{mid}/contributions/{r.json()['id']}/moderate",
        {"action": "hide", "reason": "personal"},
    )
    assert r.status_code == 200
    events = await author.get(f"/api/meetings/{mid}/events?after=0")
    assert not _leaks(events.text)
    await author.aclose()
    await clerk.http.aclose()
