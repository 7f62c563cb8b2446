"""Residents' JSON submissions and votes take a path around the middleware
(hub/web/resident_posts.py): every guarantee the full stack gave them, pinned here.

The full stack is the same app in debug mode (where everything takes it): the same requests
through both must get the same answers, refusals included. The other tests say what those
answers are (so both being wrong alike fails too): the security headers, the language of a
refusal, the body limit, the JSON 500 and its log line, the routes' own input rules.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from hub.i18n import LANG_COOKIE, translate
from hub.web.bodies import BODY_MAX_BYTES
from hub.web.inputs import SUBMISSION_FIELDS
from hub.web.participants import COOKIE as PARTICIPANT_COOKIE
from hub.web.resident_posts import ResidentPostsFirst
from hub.web.security import HEADERS
from tests.conftest import settings_for
from tests.support import (
    RunningServer,
    Seeded,
    form_token,
    http_client,
    raw_exchange,
    resident,
    run_server,
    sign_in,
)

JSON = {"Content-Type": "application/json"}
EVIL = "https://evil.example"
TOO_LARGE = "That is too long to send."
EXPIRED = "This form has expired. Reload the page and try again."
# The headers that differ between two answers for reasons of their own: the clock, the server.
VARYING = {"date", "server"}


def _comment(**fields: Any) -> dict[str, Any]:
    return {
        "kind": "comment",
        "position": "support",
        "body": "Hello",
        "client_token": "t1",
        **fields,
    }


async def _chunks(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), 4096):
        yield body[start : start + 4096]


def _requests(mid: int) -> list[tuple[str, str, str, dict[str, str], Any]]:
    """(what, method, path, headers, body: JSON, bytes, or a chunk generator's input)."""
    post = f"/api/meetings/{mid}/contributions"
    vote = f"/api/meetings/{mid}/contributions/1/vote"
    big = b"{" + b" " * BODY_MAX_BYTES + b"}"
    deep = b"[" * 8000 + b"]" * 8000
    long_body = _comment(body="x" * (SUBMISSION_FIELDS["body"] + 1))
    return [
        ("stored or closed", "POST", post, JSON, _comment()),
        ("foreign origin", "POST", post, {**JSON, "Origin": EVIL}, _comment()),
        ("own origin", "POST", post, {**JSON, "Origin": "http://127.0.0.1"}, _comment()),
        ("not json", "POST", post, {"Content-Type": "text/plain"}, b"{}"),
        ("form", "POST", post, {"Content-Type": "application/x-www-form-urlencoded"}, b"a=1"),
        ("declared too large", "POST", post, JSON, big),
        ("streamed too large", "POST", post, JSON, ("chunks", big)),
        ("too large, Welsh by ?lang=", "POST", post + "?lang=cy", JSON, big),
        ("too large, Welsh by page", "POST", post, {**JSON, "X-Hub-Language": "cy"}, big),
        ("too large, Welsh by cookie", "POST", post, {**JSON, "Cookie": "lang=cy"}, big),
        ("?lang= over the cookie", "POST", post + "?lang=en", {**JSON, "Cookie": "lang=cy"}, big),
        ("deep", "POST", post, JSON, deep),
        ("not an object", "POST", post, JSON, b"[1]"),
        ("NaN", "POST", post, JSON, b'{"kind": NaN, "body": "x", "client_token": "n"}'),
        ("bad item", "POST", post, JSON, _comment(item_id="x")),
        ("too long", "POST", post, JSON, long_body),
        ("too long, Welsh", "POST", post + "?lang=cy", JSON, long_body),
        ("no meeting", "POST", "/api/meetings/999999/contributions", JSON, _comment()),
        ("vote without a cookie", "POST", vote, JSON, {}),
        ("vote without a cookie, Welsh", "POST", vote, {**JSON, "X-Hub-Language": "cy"}, {}),
        ("vote not json", "POST", vote, {"Content-Type": "text/plain"}, b"{}"),
        ("vote from elsewhere", "POST", vote, {**JSON, "Origin": EVIL}, {}),
        ("withdraw without a cookie", "DELETE", vote, {}, None),
        ("vote too large", "POST", vote, JSON, big),
    ]


async def _send(http: httpx.AsyncClient, method: str, path: str, headers: Any, body: Any) -> Any:
    if isinstance(body, tuple):
        return await http.request(method, path, headers=headers, content=_chunks(body[1]))
    if isinstance(body, bytes | None):
        return await http.request(method, path, headers=headers, content=body)
    return await http.request(method, path, headers=headers, json=body)


def _comparable(r: httpx.Response) -> tuple[int, bytes, list[tuple[str, str]]]:
    # A stored comment is a new row, with its own id and time.
    body = re.sub(rb'"(id|created_at)":("[^"]*"|[0-9]+)', rb'"\1":_', r.content)
    headers = []
    for name, value in r.headers.multi_items():
        if name in VARYING or (name == "content-length" and body != r.content):
            continue
        if name == "set-cookie" and value.startswith(PARTICIPANT_COOKIE + "="):
            value = re.sub(r"=[^;]*", "=<participant>", value, count=1)  # random per request
        headers.append((name, value))
    return r.status_code, body, sorted(headers)


@pytest.fixture
async def full_stack(sqlite_url: str, sqlite_server: RunningServer) -> AsyncIterator[RunningServer]:
    """The same app and database in debug mode: every request takes the full stack."""
    async with run_server(settings_for(sqlite_url, debug=True)) as running:
        yield running


async def test_answers_are_the_full_stacks(
    sqlite_server: RunningServer, full_stack: RunningServer, sqlite_seeded: Seeded
) -> None:
    mid = sqlite_seeded.meeting_id
    # A signed-in clerk's browser posting as a resident: the session middleware, which the
    # lean path leaves out, writes no cookie for a session nobody read or changed.
    clerk = await sign_in(sqlite_server.base_url, sqlite_seeded.users["clerk"])
    staff = {**JSON, "Cookie": clerk.cookie_header()}
    await clerk.http.aclose()
    cases = [
        *_requests(mid),
        ("a clerk's session", "POST", f"/api/meetings/{mid}/contributions", staff, _comment()),
        ("a clerk's vote", "POST", f"/api/meetings/{mid}/contributions/1/vote", staff, {}),
    ]
    async with (
        http_client(sqlite_server.base_url) as lean,
        http_client(full_stack.base_url) as full,
    ):
        for what, method, path, headers, body in cases:
            got = _comparable(await _send(lean, method, path, headers, body))
            want = _comparable(await _send(full, method, path, headers, body))
            assert got == want, what


async def test_the_lean_path_answers_them(sqlite_server: RunningServer) -> None:
    """Else the test above would compare the full stack with itself."""
    stack = sqlite_server.app.middleware_stack
    while stack is not None and not isinstance(stack, ResidentPostsFirst):
        stack = getattr(stack, "app", None)
    assert stack is not None, "ResidentPostsFirst is not in the app's stack"
    endpoints = {route.endpoint.__name__ for route in stack.routes}
    assert endpoints == {"create_contribution", "vote_up", "vote_withdraw"}


async def test_every_answer_carries_the_security_headers(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    async with resident(sqlite_server.base_url) as http:
        for what, method, path, headers, body in _requests(sqlite_seeded.meeting_id):
            r = await _send(http, method, path, headers, body)
            assert r.status_code < 500, what
            for name, value in HEADERS.items():
                assert r.headers.get(name) == value, (what, name)
            assert "strict-transport-security" not in r.headers, what  # plain http: no HSTS


async def test_hsts_under_https_only(sqlite_url: str, sqlite_seeded: Seeded) -> None:
    settings = settings_for(sqlite_url, https_only=True)
    async with run_server(settings) as server, http_client(server.base_url) as http:
        for what, method, path, headers, body in _requests(sqlite_seeded.meeting_id):
            r = await _send(http, method, path, headers, body)
            assert r.headers["strict-transport-security"].startswith("max-age="), what
            assert "content-security-policy" in r.headers, what
        # The cookie that remembers ?lang= is Secure there, like every cookie the hub sets.
        r = await http.post(f"/api/meetings/{sqlite_seeded.meeting_id}/contributions?lang=cy")
        assert r.status_code == 415
        assert "; Secure" in r.headers["set-cookie"]


async def test_origin_and_json_only(sqlite_server: RunningServer, sqlite_seeded: Seeded) -> None:
    mid = sqlite_seeded.meeting_id
    async with resident(sqlite_server.base_url) as http:
        r = await http.post(
            f"/api/meetings/{mid}/contributions", json=_comment(), headers={"Origin": EVIL}
        )
        assert (r.status_code, r.json()["error"]) == (403, "origin")
        for path in (
            f"/api/meetings/{mid}/contributions",
            f"/api/meetings/{mid}/contributions/1/vote",
        ):
            r = await http.post(path, content=b"{}", headers={"Content-Type": "text/plain"})
            assert (r.status_code, r.json()["error"]) == (415, "json_only"), path


async def test_refusals_speak_the_requests_language(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    post = f"/api/meetings/{sqlite_seeded.meeting_id}/contributions"
    vote = f"/api/meetings/{sqlite_seeded.meeting_id}/contributions/1/vote"
    big = b"{" + b" " * BODY_MAX_BYTES + b"}"
    async with http_client(sqlite_server.base_url) as http:
        cases = [
            ("en", post, {}),
            ("cy", post + "?lang=cy", {}),
            ("cy", post, {"X-Hub-Language": "cy"}),
            ("cy", post, {"Cookie": f"{LANG_COOKIE}=cy"}),
            ("en", post + "?lang=en", {"Cookie": f"{LANG_COOKIE}=cy"}),
        ]
        for lang, path, headers in cases:
            r = await http.post(path, content=big, headers={**JSON, **headers})
            assert r.status_code == 413, (lang, path, headers)
            assert r.json()["message"] == translate(lang, TOO_LARGE), (lang, path, headers)
        r = await http.post(vote, json={}, headers={"X-Hub-Language": "cy"})
        assert (r.status_code, r.json()["message"]) == (403, translate("cy", EXPIRED))
        # A ?lang= choice is remembered, as on every other answer.
        r = await http.post(post + "?lang=cy", content=big, headers=JSON)
        assert f"{LANG_COOKIE}=cy;" in r.headers["set-cookie"]


async def test_refusals_speak_the_default_language(sqlite_url: str, sqlite_seeded: Seeded) -> None:
    settings = settings_for(sqlite_url, default_language="cy")
    big = b"{" + b" " * BODY_MAX_BYTES + b"}"
    async with run_server(settings) as server, http_client(server.base_url) as http:
        r = await http.post(
            f"/api/meetings/{sqlite_seeded.meeting_id}/contributions", content=big, headers=JSON
        )
        assert (r.status_code, r.json()["message"]) == (413, translate("cy", TOO_LARGE))


async def test_the_body_limit(sqlite_server: RunningServer, sqlite_seeded: Seeded) -> None:
    """Declared, streamed without a Content-Length, and a body that is small but odd."""
    post = f"/api/meetings/{sqlite_seeded.meeting_id}/contributions"
    head = (
        f"POST {post} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {2**30}\r\n\r\n"
    )
    answer = await raw_exchange(sqlite_server, head.encode())  # and no body: nothing waits for it
    assert answer.startswith(b"HTTP/1.1 413 ") and b'"too_large"' in answer, answer[:200]
    async with resident(sqlite_server.base_url) as http:
        big = b"{" + b" " * BODY_MAX_BYTES + b"}"
        r = await http.post(post, content=_chunks(big), headers=JSON)
        assert "content-length" not in r.request.headers  # chunked
        assert (r.status_code, r.json()["error"]) == (413, "too_large")
        for odd in (b"[" * 8000 + b"]" * 8000, b"[1]", b"\xff\xfe", b'{"a": 1e999999}', b""):
            r = await http.post(post, content=odd, headers=JSON)
            assert 400 <= r.status_code < 500, (odd[:20], r.status_code)


async def test_the_routes_input_rules_apply(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    """``@takes`` (hub/web/inputs.py) finds the route in the scope the lean path gives it."""
    post = f"/api/meetings/{sqlite_seeded.meeting_id}/contributions"
    limit = SUBMISSION_FIELDS["body"]
    async with resident(sqlite_server.base_url) as http:
        r = await http.post(post, json=_comment(body="x" * (limit + 1)))
        assert r.status_code == 422
        assert r.json()["message"] == f"body is longer than {limit} characters"
        r = await http.post(post, json=_comment(client_token="t" * 65))
        assert (r.status_code, r.json()["error"]) == (422, "invalid")


class Exploding:
    """An intake that fails as nothing expected: the route's error is the app's 500."""

    async def submit(self, *_: object) -> Any:
        raise RuntimeError("intake exploded: secret detail")

    async def vote(self, *_: object) -> Any:
        raise RuntimeError("intake exploded: secret detail")


async def test_an_unexpected_exception_is_the_apps_500_and_logged(
    sqlite_server: RunningServer, sqlite_seeded: Seeded, caplog: pytest.LogCaptureFixture
) -> None:
    mid = sqlite_seeded.meeting_id
    services = sqlite_server.app.state.services
    async with resident(sqlite_server.base_url) as http:
        token = await form_token(http, mid)  # and the participant cookie a vote needs
        intake, services.intake = services.intake, Exploding()
        try:
            caplog.set_level(logging.ERROR)
            lean = [
                await http.post(f"/api/meetings/{mid}/contributions", json=_comment()),
                await http.post(f"/api/meetings/{mid}/contributions/1/vote", json={}),
                await http.delete(f"/api/meetings/{mid}/contributions/1/vote"),
            ]
            # The no-JavaScript form takes the full stack: its 500 is the one to match.
            form = {**_comment(), "form_token": token}
            full = await http.post(f"/meetings/{mid}/contribute", data=form)
        finally:
            services.intake = intake
    assert full.status_code == 500
    for r in lean:
        assert r.status_code == 500
        assert (
            r.json() == full.json() == {"error": "server_error", "message": "something went wrong"}
        )
        assert "secret detail" not in r.text and "Traceback" not in r.text
        for name, value in HEADERS.items():
            assert r.headers.get(name) == value == full.headers.get(name), name
    logged = [
        rec for rec in caplog.records if rec.exc_info and "intake exploded" in str(rec.exc_info[1])
    ]
    assert len(logged) == len(lean) + 1, [rec.getMessage() for rec in caplog.records]
