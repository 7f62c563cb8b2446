"""Bad input gets a clear error (HTTP status or close code with a reason), never a 500."""

from __future__ import annotations

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.support import (
    CSRF_RE,
    RunningServer,
    Seeded,
    StaffClient,
    contribute,
    form_token,
    http_client,
    resident,
    sign_in,
    ws_connect,
)


async def _close_of(url: str, **kwargs: object) -> tuple[int | None, str | None]:
    async with ws_connect(url, **kwargs) as ws:
        with pytest.raises(ConnectionClosed):
            while True:
                await ws.recv()
        return ws.close_code, ws.close_reason


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/api/meetings/999999/live?after=0", 4404),
        ("/api/meetings/{mid}/live?after=abc", 4400),
        ("/api/meetings/{mid}/live?after=-1", 4400),
        ("/api/meetings/{mid}/live?after=1e3", 4400),
        ("/staff/api/meetings/{mid}/live?after=0", 4403),  # no Origin: refused before anything
    ],
)
async def test_socket_refusals_have_codes_and_reasons(
    sqlite_server: RunningServer, sqlite_seeded: Seeded, path: str, code: int
) -> None:
    url = sqlite_server.ws_url + path.format(mid=sqlite_seeded.meeting_id)
    close_code, reason = await _close_of(url)
    assert close_code == code
    assert reason


async def test_staff_socket_needs_sign_in(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    url = f"{sqlite_server.ws_url}/staff/api/meetings/{sqlite_seeded.meeting_id}/live"
    code, reason = await _close_of(url, origin=sqlite_server.base_url)
    assert (code, reason) == (4401, "sign in first")


async def test_oversized_client_frame_is_refused(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    url = f"{sqlite_server.ws_url}/api/meetings/{sqlite_seeded.meeting_id}/live?after=0"
    async with ws_connect(url) as ws:
        await ws.send("x" * 100_000)
        with pytest.raises(ConnectionClosed):
            while True:
                await ws.recv()
        assert ws.close_code == 1009


async def test_unknown_socket_path_is_refused(sqlite_server: RunningServer) -> None:
    with pytest.raises(InvalidStatus) as info:
        async with ws_connect(f"{sqlite_server.ws_url}/api/meetings/abc/live"):
            pass
    assert info.value.response.status_code == 403


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        ("/api/meetings/999999", 404, "not_found"),
        ("/api/meetings/999999/events?after=0", 404, "not_found"),
        ("/api/meetings/{mid}/events?after=x", 400, "bad_after"),
        ("/api/meetings/{mid}/events?after=-5", 400, "bad_after"),
        ("/api/meetings/{mid}/events?after=50", 409, "future"),
        ("/api/meetings/{mid}/events?after=0&limit=0", 400, "bad_limit"),
        ("/api/meetings/{mid}/events?after=0&limit=100000", 400, "bad_limit"),
        ("/api/meetings?page=0", 400, "bad_page"),
        ("/api/meetings?page=zz", 400, "bad_page"),
        ("/api/nothing-here", 404, "http_error"),
    ],
)
async def test_api_errors_are_json(
    sqlite_server: RunningServer, sqlite_seeded: Seeded, path: str, status: int, error: str
) -> None:
    async with http_client(sqlite_server.base_url) as http:
        r = await http.get(path.format(mid=sqlite_seeded.meeting_id))
    assert r.status_code == status
    assert r.json()["error"] == error
    assert r.json()["message"]


async def test_unknown_meeting_page_is_a_404_page(sqlite_server: RunningServer) -> None:
    async with http_client(sqlite_server.base_url) as http:
        r = await http.get("/meetings/424242")
    assert r.status_code == 404
    assert "text/html" in r.headers["content-type"]


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"action": "fly"}, 422, "invalid"),
        ({"action": "adjourn"}, 409, "conflict"),  # not open yet
        ({}, 422, "invalid"),
    ],
)
async def test_bad_meeting_actions(
    sqlite_server: RunningServer,
    sqlite_seeded: Seeded,
    form: dict[str, str],
    status: int,
    error: str,
) -> None:
    clerk = await sign_in(sqlite_server.base_url, sqlite_seeded.users["clerk"])
    r = await clerk.post(f"/staff/meetings/{sqlite_seeded.meeting_id}/status", form)
    assert r.status_code == status, r.text
    assert r.json()["error"] == error
    await clerk.http.aclose()


async def test_bad_item_actions(sqlite_server: RunningServer, sqlite_seeded: Seeded) -> None:
    clerk = await sign_in(sqlite_server.base_url, sqlite_seeded.users["clerk"])
    mid, item = sqlite_seeded.meeting_id, sqlite_seeded.item_ids[0]
    base = f"/staff/meetings/{mid}/items"
    # Not in session yet: no current item.
    r = await clerk.post(f"{base}/{item}/status", {"status": "current"})
    assert r.status_code == 409
    await clerk.post(f"/staff/meetings/{mid}/status", {"action": "open"})
    r = await clerk.post(f"{base}/{item}/status", {"status": "exploded"})
    assert (r.status_code, r.json()["error"]) == (422, "invalid")
    r = await clerk.post(f"{base}/{item}/status", {"status": "done", "note": "x" * 5000})
    assert (r.status_code, r.json()["error"]) == (422, "invalid")
    # An item of another meeting, addressed through this one.
    r = await clerk.post(f"{base}/999999/status", {"status": "done"})
    assert (r.status_code, r.json()["error"]) == (404, "not_found")
    # Oversized form: refused before it is read (hub/web/bodies.py).
    r = await clerk.http.post(
        f"{base}/{item}/status",
        content=b"note=" + b"x" * 100_000 + b"&csrf_token=" + clerk.csrf.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    assert (r.status_code, r.json()["error"]) == (413, "too_large")
    await clerk.http.aclose()


async def test_ids_past_the_id_columns_are_404s(server: RunningServer, seeded: Seeded) -> None:
    """On PostgreSQL an id past INTEGER's range would raise in the driver: it must be a plain
    404, on every route shape, and must not disturb other residents' grouped submissions."""
    mid, huge = seeded.meeting_id, 2**32
    async with resident(server.base_url) as http:
        for path in (f"/api/meetings/{huge}", f"/api/meetings/{huge}/events?after=0"):
            r = await http.get(path)
            assert r.status_code == 404 and r.json()["error"] == "not_found", (path, r.text)
        assert (await http.get(f"/meetings/{huge}")).status_code == 404
        assert (await http.get("/meetings/123456789012")).status_code == 404  # 12 digits
        r = await contribute(http, huge, "Hello")
        assert r.status_code == 404, r.text
        r = await http.post(f"/api/meetings/{mid}/contributions/{huge}/vote", json={})
        assert r.status_code == 404, r.text


# ---- found by the outside probe at 9e582ab: each was a 500 --------------------------------


async def test_json_nested_too_deep_to_parse_is_bad_json(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    """json.loads raises RecursionError (not ValueError) on 5,000 open brackets."""
    url = f"/api/meetings/{sqlite_seeded.meeting_id}/contributions"
    headers = {"Content-Type": "application/json"}
    async with resident(sqlite_server.base_url) as http:
        for body in ("[" * 5000 + "]" * 5000, '{"body": ' + "[" * 5000 + "]" * 5000 + "}"):
            r = await http.post(url, content=body, headers=headers)
            assert (r.status_code, r.json()["error"]) == (400, "bad_json"), r.text


async def test_a_page_past_any_list_is_bad_page(server: RunningServer) -> None:
    """18 digits fit a 64-bit integer, but the page's offset (x 50) did not: OverflowError."""
    async with resident(server.base_url) as http:
        for page in ("999999999999999999", str(2**62), "99999999999"):
            r = await http.get("/api/meetings", params={"page": page})
            assert (r.status_code, r.json()["error"]) == (400, "bad_page"), (page, r.text)


async def test_digits_other_than_ascii_name_nothing(server: RunningServer, seeded: Seeded) -> None:
    """int() takes "１２" and refuses "²", str.isdigit() takes both: ids and numbers are ASCII
    digits only, wherever they come from, and anything else is a 4xx."""
    mid = seeded.meeting_id
    async with resident(server.base_url) as http:
        for digits in ("²", "１２", "٣", "1²"):
            for path in (
                f"/api/meetings?page={digits}",
                f"/api/meetings/{mid}/events?after={digits}",
            ):
                r = await http.get(path)
                assert r.status_code == 400, (path, r.text)
            r = await http.get(f"/api/meetings/{mid}/events", params={"limit": digits})
            assert r.status_code == 400, r.text
            assert (await http.get(f"/meetings/{digits}")).status_code == 404
            token = await form_token(http, mid)
            r = await http.post(
                f"/meetings/{mid}/contribute",
                data={"form_token": token, "kind": "question", "body": "x", "item_id": digits},
                headers={"Accept": "application/json"},
            )
            assert (r.status_code, r.json()["error"]) == (422, "invalid"), r.text
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    for ids in ("²", "１２", str(2**31), str(2**63), str(2**64), "9" * 40):
        r = await clerk.post(
            f"/staff/meetings/{mid}/contributions/bulk", {"action": "approve", "ids": ids}
        )
        assert (r.status_code, r.json()["error"]) == (422, "invalid"), (ids, r.text)
    await clerk.http.aclose()


async def _published_question(server: RunningServer, mid: int, clerk: StaffClient) -> int:
    async with resident(server.base_url) as http:
        r = await contribute(http, mid, "A question", kind="question")
        assert r.status_code == 201, r.text
        cid = int(r.json()["id"])
    r = await clerk.post(
        f"/staff/meetings/{mid}/contributions/{cid}/moderate", {"action": "approve"}
    )
    assert r.status_code == 200, r.text
    return cid


async def test_nul_in_any_text_is_never_a_database_error(
    server: RunningServer, seeded: Seeded
) -> None:
    """PostgreSQL refuses U+0000 in text: the council filter, the sign-in email, an outcome
    note and moderation reasons raised there. The input layer drops it (with the other control
    characters), so each is an ordinary answer."""
    mid, item = seeded.meeting_id, seeded.item_ids[0]
    async with resident(server.base_url) as http:
        r = await http.get("/api/meetings", params={"council": "aberglas\x00"})
        assert r.status_code == 200 and r.json()["total"] == 1, r.text
        login = await http.get("/staff/login")
        match = CSRF_RE.search(login.text)
        assert match
        r = await http.post(
            "/staff/login",
            data={"email": "nobody\x00@x.invalid", "password": "x", "csrf_token": match.group(1)},
        )
        assert r.status_code == 401, r.text
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    await clerk.post(f"/staff/meetings/{mid}/status", {"action": "open"})
    r = await clerk.post(f"{_item_url(mid, item)}", {"status": "done", "note": "Agreed\x00 7-2"})
    assert r.status_code == 200, r.text
    async with resident(server.base_url) as http:
        outcome = (await http.get(f"/api/meetings/{mid}")).json()["items"][0]["outcome"]
        assert outcome == "Agreed 7-2"
    cid = await _published_question(server, mid, clerk)
    moderate = f"/staff/meetings/{mid}/contributions/{cid}/moderate"
    for form in (
        {"action": "answer", "reason": "\x00"},
        {"action": "hide", "reason": "off_topic\x00"},
        {"action": "block", "reason": "spam\x00"},
    ):
        r = await clerk.post(moderate, form)
        assert r.status_code == 200, (form, r.text)
    await clerk.http.aclose()


def _item_url(mid: int, item: int) -> str:
    return f"/staff/meetings/{mid}/items/{item}/status"


async def test_a_reason_longer_than_its_column_is_invalid(
    server: RunningServer, seeded: Seeded
) -> None:
    """The reason columns are varchar(64): PostgreSQL raised on a longer one (a block, or a
    reason sent with any action), SQLite stored it. Refused before the database, on both."""
    mid = seeded.meeting_id
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    await clerk.post(f"/staff/meetings/{mid}/status", {"action": "open"})
    cid = await _published_question(server, mid, clerk)
    moderate = f"/staff/meetings/{mid}/contributions/{cid}/moderate"
    for action in ("block", "answer", "hide"):
        r = await clerk.post(moderate, {"action": action, "reason": "r" * 65})
        assert (r.status_code, r.json()["error"]) == (422, "invalid"), (action, r.text)
    r = await clerk.post(moderate, {"action": "block", "reason": "r" * 64})
    assert r.status_code == 200, r.text
    await clerk.http.aclose()


async def test_an_origin_that_is_not_a_url_is_foreign(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    """urlsplit raises ValueError on an unclosed IPv6 bracket."""
    mid = sqlite_seeded.meeting_id
    async with resident(sqlite_server.base_url) as http:
        for origin in ("http://[", "http://[::1", "http://]["):
            r = await http.post(
                f"/api/meetings/{mid}/contributions", json={}, headers={"Origin": origin}
            )
            assert (r.status_code, r.json()["error"]) == (403, "origin"), r.text


async def test_a_form_token_that_is_not_ascii_is_refused(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    """hmac.compare_digest raises TypeError on str with non-ASCII characters."""
    mid = sqlite_seeded.meeting_id
    async with resident(sqlite_server.base_url) as http:
        await form_token(http, mid)  # the cookie
        for token in ("é", "é" * 64, "\u2028"):
            r = await http.post(
                f"/meetings/{mid}/contribute",
                data={"form_token": token, "kind": "question", "body": "x"},
                headers={"Accept": "application/json"},
            )
            assert (r.status_code, r.json()["error"]) == (403, "csrf"), r.text
