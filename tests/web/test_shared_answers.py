"""Pages and snapshots rendered once per (meeting, seq, language), never stale after an event;
static files from memory, gzipped and fingerprinted; /healthz without the middleware (issue 14).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
from typing import Any

import httpx

from hub.shapes.own import participant_code
from hub.web.participants import COOKIE, form_token, participant_of
from tests.support import (
    RunningServer,
    Seeded,
    http_client,
    recv_events,
    resident,
    sign_in,
    ws_connect,
)

SNAPSHOT_RE = re.compile(r'<script type="application/json" id="snapshot">(.*?)</script>', re.S)
STYLESHEET_RE = re.compile(r'<link rel="stylesheet" href="(/static/v/[0-9a-f]{12}/css/hub.css)"')
TOKEN_RE = re.compile(r'name="form_token" value="([0-9a-f]{64})"')
SECRET = "test-secret-" + "x" * 20  # tests/conftest.py


def page_seq(html: str) -> int:
    m = SNAPSHOT_RE.search(html)
    assert m, "the page has no snapshot"
    return int(json.loads(m[1])["last_seq"])


def renders(server: RunningServer) -> int:
    return int(server.app.state.shared.renders)


class Cookie:
    def __init__(self, raw: str) -> None:
        self.cookies = {COOKIE: raw}


async def test_first_visits_share_one_render_with_their_own_values(
    server: RunningServer, seeded: Seeded
) -> None:
    """Twenty visitors without a cookie: one render; each their own participant, cookie, form
    token and code, exactly as a page rendered for them alone; none of it stored by a cache."""
    mid = seeded.meeting_id
    before = renders(server)
    clients = [resident(server.base_url) for _ in range(20)]
    try:
        pages = await asyncio.gather(*(c.get(f"/meetings/{mid}") for c in clients))
        assert renders(server) - before == 1
        seen = set()
        for r in pages:
            assert r.status_code == 200
            assert "no-store" in r.headers["cache-control"]
            cookie = r.headers["set-cookie"]
            assert cookie.endswith("; HttpOnly; Max-Age=31536000; Path=/; SameSite=lax")
            participant = participant_of(Cookie(r.cookies[COOKIE]), SECRET)  # type: ignore[arg-type]
            assert participant is not None and participant not in seen
            seen.add(participant)
            token = form_token(participant, SECRET)
            assert TOKEN_RE.findall(r.text) == [token]
            assert f'value="nojs-{token[:8]}-0"' in r.text
            assert f'<span class="code">{participant_code(participant)}</span>' in r.text
            assert "zq" not in r.text  # no marker left behind
        # The form takes that visitor's token with their cookie (the no-JavaScript path).
        token0 = TOKEN_RE.findall(pages[0].text)[0]
        sent = await clients[0].post(
            f"/meetings/{mid}/contribute",
            data={
                "form_token": token0,
                "client_token": f"nojs-{token0[:8]}-0",
                "kind": "question",
                "body": "Q?",
            },
            headers={"Origin": server.base_url},
        )
        assert sent.status_code == 303, sent.text
        # Back with the cookie: their own page, rendered for them (their question in it).
        own = await clients[0].get(sent.headers["location"])
        assert "no-store" in own.headers["cache-control"] and "set-cookie" not in own.headers
        assert TOKEN_RE.findall(own.text) == TOKEN_RE.findall(pages[0].text)
        assert '"body": "Q?"' in own.text
        # A resident's own question never reaches the shared render.
        again = await clients[1].get(f"/meetings/{mid}")
        assert '"body": "Q?"' not in again.text
    finally:
        for c in clients:
            await c.aclose()


async def test_a_shared_page_equals_a_render_for_that_visitor(
    server: RunningServer, seeded: Seeded
) -> None:
    """The shared render, filled in, is byte for byte the page rendered for that participant
    (the path with ?sent= renders per request; sent=0 names no submission)."""
    mid = seeded.meeting_id
    async with resident(server.base_url) as http:
        shared = await http.get(f"/meetings/{mid}")
        jar = shared.cookies[COOKIE]
        fresh = await http.get(f"/meetings/{mid}?lang=en", headers={"Cookie": f"{COOKIE}={jar}"})
    assert fresh.status_code == 200

    # Only the language links differ (they carry the query); compare the rest.
    def body(r: httpx.Response) -> str:
        return re.sub(r'<a href="[^"]*\?[^"]*lang=[^"]*"', "<a>", r.text)

    assert body(shared) == body(fresh)


async def test_the_snapshot_is_public_with_an_etag_and_never_stale(
    server: RunningServer, seeded: Seeded
) -> None:
    mid = seeded.meeting_id
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    try:
        async with http_client(server.base_url) as http:
            first = await http.get(f"/api/meetings/{mid}")
            etag = first.headers["etag"]
            assert first.headers["cache-control"].startswith("public")
            assert "set-cookie" not in first.headers
            again = await http.get(f"/api/meetings/{mid}", headers={"If-None-Match": etag})
            assert again.status_code == 304 and again.content == b""
            page = await http.get(f"/meetings/{mid}")
            # No socket: the seq comes from the database, read after the action committed.
            r = await clerk.post(f"/staff/meetings/{mid}/status", {"action": "open"})
            assert r.status_code == 200, r.text
            seq = int(r.json()["last_seq"])
            after = await http.get(f"/api/meetings/{mid}", headers={"If-None-Match": etag})
            assert after.status_code == 200 and after.json()["last_seq"] == seq
            assert after.json()["meeting"]["status"] == "live"
            moved = await http.get(f"/meetings/{mid}")
            assert page_seq(moved.text) == seq > page_seq(page.text)
            missing = await http.get("/api/meetings/999999")
            assert missing.status_code == 404
            assert (await http.get("/meetings/999999")).status_code == 404
    finally:
        await clerk.http.aclose()


async def test_with_a_live_socket_the_page_is_never_behind_it(
    server: RunningServer, seeded: Seeded
) -> None:
    """While this process has the meeting's channel open, its last seq decides: a page asked
    for after a socket got an event carries that event."""
    mid = seeded.meeting_id
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    try:
        async with http_client(server.base_url) as http:
            snap = (await http.get(f"/api/meetings/{mid}")).json()
            url = f"{server.ws_url}/api/meetings/{mid}/live?after={snap['last_seq']}"
            async with ws_connect(url) as ws:
                await asyncio.sleep(0.1)
                (await http.get(f"/meetings/{mid}")).raise_for_status()  # cached at the old seq
                r = await clerk.post(f"/staff/meetings/{mid}/status", {"action": "open"})
                assert r.status_code == 200, r.text
                events = await recv_events(ws, 1)
                seq = max(e["seq"] for e in events)
                page = await http.get(f"/meetings/{mid}")
                assert page_seq(page.text) >= seq
                assert (await http.get(f"/api/meetings/{mid}")).json()["last_seq"] >= seq
    finally:
        await clerk.http.aclose()


async def test_languages_are_rendered_apart(server: RunningServer, seeded: Seeded) -> None:
    """The chosen language (its cookie) is part of the key: each gets its own render."""
    mid = seeded.meeting_id
    async with resident(server.base_url) as en, resident(server.base_url) as cy:
        cy.cookies.set("lang", "cy")
        english = await en.get(f"/meetings/{mid}")
        welsh = await cy.get(f"/meetings/{mid}")
        cy.cookies.clear()
        cy.cookies.set("lang", "cy")
        welsh2 = await cy.get(f"/meetings/{mid}")  # from the entry, before any middleware
        en.cookies.clear()
        english2 = await en.get(f"/meetings/{mid}")
    assert '<html lang="en"' in english.text and '<html lang="cy"' in welsh.text
    assert '<html lang="en"' in english2.text and '<html lang="cy"' in welsh2.text
    for r in (welsh2, english2):
        assert "set-cookie" in r.headers and r.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


async def test_static_files_fingerprinted_gzipped_and_cached(
    server: RunningServer, seeded: Seeded
) -> None:
    async with http_client(server.base_url) as http:
        page = await http.get(f"/meetings/{seeded.meeting_id}")
        m = STYLESHEET_RE.search(page.text)
        assert m, "the page links its stylesheet under the assets' version"
        raw = await http.get(m[1], headers={"Accept-Encoding": "identity"})
        assert raw.status_code == 200 and raw.headers["content-type"].startswith("text/css")
        assert raw.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "content-encoding" not in raw.headers
        assert "default-src 'none'" in raw.headers["content-security-policy"]
        assert raw.headers["x-content-type-options"] == "nosniff"
        req = http.build_request("GET", m[1], headers={"Accept-Encoding": "gzip"})
        zipped = await http.send(req, stream=True)
        sent = b"".join([chunk async for chunk in zipped.aiter_raw()])
        await zipped.aclose()
        assert zipped.headers["content-encoding"] == "gzip"
        assert zipped.headers["vary"] == "Accept-Encoding"
        assert gzip.decompress(sent) == raw.content
        assert len(sent) < len(raw.content) / 2
        # Revalidation: the ETag of what was sent.
        headers = {"If-None-Match": raw.headers["etag"], "Accept-Encoding": "identity"}
        again = await http.get(m[1], headers=headers)
        assert again.status_code == 304 and again.content == b""
        # The old name works (revalidated, not immutable); so does an old version's URL.
        old = await http.get("/static/css/hub.css", headers={"Accept-Encoding": "identity"})
        assert old.content == raw.content and old.headers["cache-control"] == "no-cache"
        other = await http.get("/static/v/000000000000/css/hub.css")
        assert other.content == raw.content and other.headers["cache-control"] == "no-cache"
        # JavaScript modules import each other relatively: inside the same version.
        js = await http.get(m[1].replace("css/hub.css", "js/pages/meeting.js"))
        assert js.status_code == 200 and "javascript" in js.headers["content-type"]
        head = await http.head(m[1], headers={"Accept-Encoding": "identity"})
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == raw.headers["content-length"]
        # No such file: the app's own 404.
        missing = await http.get("/static/css/nothing.css")
        assert missing.status_code == 404


async def test_health_answers_outside_the_middleware(server: RunningServer) -> None:
    async with http_client(server.base_url) as http:
        r = await http.get("/healthz")
        body: dict[str, Any] = r.json()
        assert r.status_code == 200 and body["status"] == "ok"
        assert r.headers["cache-control"] == "no-store"
        assert "content-security-policy" in r.headers and "set-cookie" not in r.headers
        # Twenty probes at once: one database query (a second's answer serves them all).
        rs = await asyncio.gather(*(http.get("/healthz") for _ in range(20)))
        assert {x.status_code for x in rs} == {200}


async def test_an_answer_old_by_the_clock_is_served_while_the_next_renders(
    monkeypatch: Any,
) -> None:
    """Past FRESH_S the entry is still the answer while its replacement renders in the
    background; a newer seq is never answered from it."""
    from hub.web import shared

    monkeypatch.setattr(shared, "FRESH_S", 0.0)
    answers = shared.SharedAnswers()
    gate = asyncio.Event()
    calls: list[int] = []

    def render_at(seq: int) -> Any:
        async def render() -> shared.Shared:
            calls.append(seq)
            if len(calls) == 2:
                await gate.wait()
            return shared.Shared.of(seq, f"v{len(calls)}".encode(), "text/plain", {})

        return render

    first = await answers.get("k", 7, render_at(7))
    assert first is not None and first.body == b"v1"
    again = await answers.get("k", 7, render_at(7))  # old by the clock: served at once
    await asyncio.sleep(0)  # the background render starts
    assert again is first and len(calls) == 2
    gate.set()
    for _ in range(5):
        await asyncio.sleep(0)
    third = await answers.get("k", 7, render_at(7))
    assert third is not None and third.body == b"v2"
    newer = await answers.get("k", 8, render_at(8))  # the seq moved on: rendered for it
    assert newer is not None and newer.seq == 8
