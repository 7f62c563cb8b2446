"""A council's social sources through the staff UI, with the poller running in the server: the
page shows each source's health, credentials are write-only (shown as set, never read back),
forms need their CSRF token, the console's staff stream gets each source's health live (and
public sockets never do), and no credential is ever in a page, an API answer, an event, an
export or a log line, though the platforms did receive them."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from hub.models import Contribution, MeetingEvent, SocialSource, utcnow
from hub.queries.privacy import export
from tests.conftest import settings_for
from tests.integrations.social.platforms import World
from tests.integrations.social.test_runner import KEY, bodies, live_meeting, until
from tests.support import (
    RunningServer,
    Seeded,
    recv_json,
    resident,
    run_server,
    sign_in,
    ws_connect,
)

APP_PASSWORD = "bsky-app-pass-9f3k"
NEW_APP_PASSWORD = "bsky-app-pass-2nd-7q1z"
BEARER = "AAAAAAAAAAAAAAAAAAAAAx-bearer-secret-51"
SECRETS_ = (APP_PASSWORD, NEW_APP_PASSWORD, BEARER)
PAGE = "/staff/councils/aberglas/social"


@pytest.fixture
async def keyed_server(db_url: str, seeded: Seeded) -> AsyncIterator[RunningServer]:
    settings = settings_for(
        db_url, credentials_key=(KEY,), social_poll_seconds=0.3, lease_seconds=1.5
    )
    async with run_server(settings) as running:
        yield running


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS_ if s in text]


async def test_sources_through_the_staff_ui_and_credentials_never_leak(
    keyed_server: RunningServer,
    seeded: Seeded,
    world: World,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, every level: tweepy's request headers too
    server, base = keyed_server, world.api.base_url
    sm = server.services.sessionmaker
    mid = await live_meeting(sm, seeded)
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    page = await clerk.http.get(PAGE)
    assert page.status_code == 200 and "Add the Bluesky account" in page.text

    # The console's staff socket, and a resident's public one, from now on.
    last_seq = (await clerk.http.get(f"/api/meetings/{mid}")).json()["last_seq"]
    staff_ws = ws_connect(
        f"{server.ws_url}/staff/api/meetings/{mid}/live?after={last_seq}",
        origin=server.base_url,
        additional_headers={"Cookie": clerk.cookie_header()},
    )
    public_ws = ws_connect(f"{server.ws_url}/api/meetings/{mid}/live?after={last_seq}")
    async with staff_ws as staff_socket, public_ws as public_socket:
        # A form without its CSRF token changes nothing.
        forged = await clerk.http.post(
            PAGE, data={"platform": "mastodon", "name": "forged", "base_url": base}
        )
        assert forged.status_code == 403
        for form in (
            {"platform": "bluesky", "name": "bluesky", "base_url": base,
             "handle": "aberglas.gov.example", "app_password": APP_PASSWORD},
            {"platform": "x", "name": "x", "base_url": base, "bearer_token": BEARER},
        ):  # fmt: skip
            r = await clerk.post(PAGE, form, json_=False)
            assert r.status_code == 303 and r.headers["location"].startswith(PAGE + "#source-")
        world.bluesky.post("Library hours #AberglasCabinet", utcnow(), ["AberglasCabinet"])
        world.x.post("Roads #AberglasCouncil", utcnow(), ["AberglasCouncil"])
        await until(lambda: _count(sm, mid, 2))

        # The console follows each source's health on its staff stream.
        seen: dict[str, dict[str, object]] = {}
        while not all(
            seen.get(n, {}).get("posts_fetched") == 1 for n in ("bluesky", "x")
        ):  # fmt: skip
            event = await recv_json(staff_socket)
            if event.get("type") == "social.source.health":
                seen[event["data"]["source"]["name"]] = event["data"]["source"]
                assert not _leaks(json.dumps(event))
        assert seen["x"]["state"] == "ok" and seen["x"]["credentials_set"] is True
        # Public sockets never get it: only the posts' own (staff) queue entries were added.
        while True:
            try:
                event = await recv_json(public_socket, timeout=0.5)
            except TimeoutError:
                break
            assert event.get("type") != "social.source.health"

    # New credentials, write-only: the page says "Set", never shows them.
    async with sm() as session:
        sources = {s.name: s for s in await session.scalars(select(SocialSource))}
    r = await clerk.post(
        f"{PAGE}/{sources['bluesky'].id}/credentials",
        {"handle": "aberglas.gov.example", "app_password": NEW_APP_PASSWORD},
        json_=False,
    )
    assert r.status_code == 303
    await until(lambda: _logged_in_with(world, NEW_APP_PASSWORD))

    surfaces = {
        "sources page": (await clerk.http.get(PAGE)).text,
        "sources page (cy)": (await clerk.http.get(PAGE + "?lang=cy")).text,
        "sources JSON": (await clerk.http.get(PAGE, headers={"Accept": "application/json"})).text,
        "console": (await clerk.http.get(f"/staff/meetings/{mid}")).text,
        "staff snapshot": (await clerk.http.get(f"/staff/api/meetings/{mid}")).text,
    }
    async with resident(server.base_url) as anyone:
        for path in (f"/api/meetings/{mid}", f"/api/meetings/{mid}/events?after=0", "/"):
            surfaces[path] = (await anyone.get(path)).text
    assert "Set" in surfaces["sources page"] and "Gosod" not in surfaces["sources page"]
    assert re.search(r"<dt>Credentials</dt>\s*<dd>Set</dd>", surfaces["sources page"])
    assert re.search(r"<dd>Wedi(&#39;|')u gosod</dd>", surfaces["sources page (cy)"])
    snapshot = json.loads(surfaces["staff snapshot"])
    assert {s["name"] for s in snapshot["social_sources"]} == {"bluesky", "x"}
    async with sm() as session:
        envelopes = list(await session.scalars(select(MeetingEvent.envelope)))
        stored = list(await session.scalars(select(SocialSource.credentials)))
        authors = await session.scalars(
            select(Contribution.participant_id).where(Contribution.kind == "post")
        )
        surfaces["export"] = json.dumps([await export(session, a) for a in authors], default=str)
    surfaces["event log"] = "\n".join(envelopes)
    surfaces["stored credentials"] = "\n".join(s or "" for s in stored)
    surfaces["log lines"] = "\n".join(
        f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records
    )
    leaked = {name: _leaks(text) for name, text in surfaces.items() if _leaks(text)}
    assert leaked == {}
    assert "Making API request" in surfaces["log lines"]  # tweepy's header line was logged
    # ...and the platforms did receive them: these surfaces were not clean by accident.
    x_auth = {r.headers.get("authorization") for r in world.api.to("/2/tweets/search/recent")}
    assert f"Bearer {BEARER}" in x_auth
    logins = world.api.to("/xrpc/com.atproto.server.createSession")
    assert APP_PASSWORD.encode() in logins[0].body

    # Removing a source: its posts stay with the meeting.
    r = await clerk.post(f"{PAGE}/{sources['x'].id}/remove", {}, json_=False)
    assert r.status_code == 303
    assert "Roads #AberglasCouncil" in await bodies(sm, mid)
    assert ">x <span" not in (await clerk.http.get(PAGE)).text
    await clerk.http.aclose()


async def _count(sm: object, mid: int, n: int) -> bool:
    return len(await bodies(sm, mid)) >= n  # type: ignore[arg-type]


async def _logged_in_with(world: World, password: str) -> bool:
    return any(
        password.encode() in r.body for r in world.api.to("/xrpc/com.atproto.server.createSession")
    )


async def test_without_a_key_only_sources_without_credentials(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    """No COUNCIL_HUB_CREDENTIALS_KEY: the page says so, X and Bluesky are refused with the
    reason, a Mastodon instance is added."""
    clerk = await sign_in(sqlite_server.base_url, sqlite_seeded.users["clerk"])
    page = await clerk.http.get(PAGE)
    assert "COUNCIL_HUB_CREDENTIALS_KEY" in page.text
    r = await clerk.post(PAGE, {"platform": "x", "name": "x", "bearer_token": BEARER})
    assert r.status_code == 422 and "COUNCIL_HUB_CREDENTIALS_KEY" in r.json()["message"]
    r = await clerk.post(
        PAGE,
        {"platform": "mastodon", "name": "social.example", "base_url": "https://social.example"},
    )
    assert r.status_code == 200
    page = await clerk.http.get(PAGE)
    assert "social.example" in page.text and "Not polled yet" in page.text
    # A source of this council cannot be reached through another council's page.
    admin = await sign_in(sqlite_server.base_url, sqlite_seeded.users["admin"])
    r = await admin.post(f"/staff/councils/elsewhere/social/{r.json()['id']}/remove", {})
    assert r.status_code == 404
    await clerk.http.aclose()
    await admin.http.aclose()


async def test_a_failing_source_never_harms_the_meeting(
    keyed_server: RunningServer, seeded: Seeded, world: World
) -> None:
    """The platform hangs for seconds and then fails, poll after poll: residents' comments are
    still stored and answered at once, and the console reads the source as failing."""
    import asyncio

    from starlette.responses import Response

    from tests.integrations.social.fakes import Seen, json_response
    from tests.support import contribute

    server = keyed_server
    sm = server.services.sessionmaker
    mid = await live_meeting(sm, seeded)

    async def hang_then_fail(_: Seen) -> Response:
        await asyncio.sleep(2.0)
        return json_response({"error": "overloaded"}, 503)

    world.api.on("/api/v1/timelines/tag/aberglascabinet", hang_then_fail)
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    r = await clerk.post(
        PAGE, {"platform": "mastodon", "name": "slow", "base_url": world.api.base_url}
    )
    assert r.status_code == 200
    await until(lambda: _asked(world))
    loop = asyncio.get_running_loop()
    async with resident(server.base_url) as http:
        for n in range(5):
            began = loop.time()
            r = await contribute(http, mid, f"Still here, comment {n}")
            assert r.status_code == 201, r.text
            assert loop.time() - began < 1.0
    async with sm() as session:
        source = await session.scalar(select(SocialSource).where(SocialSource.name == "slow"))
    assert source is not None
    await until(lambda: _failing(clerk, mid), timeout=10)
    await clerk.http.aclose()


async def _asked(world: World) -> bool:
    return bool(world.api.to("/api/v1/timelines/tag/aberglascabinet"))


async def _failing(clerk: object, mid: int) -> bool:
    snap = (await clerk.http.get(f"/staff/api/meetings/{mid}")).json()  # type: ignore[attr-defined]
    return any(
        s["name"] == "slow"
        and s["state"] == "failing"
        and s["last_error"] == "Mastodon answered 503."
        for s in snap["social_sources"]
    )
