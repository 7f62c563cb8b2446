"""Staff sessions end on the server: a copied cookie is worth nothing after signing out, and
"sign out everywhere" ends every session of the account."""

from __future__ import annotations

import asyncio

import pytest
from websockets.exceptions import ConnectionClosed

from tests.conftest import settings_for
from tests.support import (
    RunningServer,
    Seeded,
    http_client,
    recv_json,
    run_server,
    sign_in,
    ws_connect,
)


async def _signed_in(server: RunningServer, cookie: str, path: str) -> bool:
    """Whether a browser holding only ``cookie`` gets the staff page at ``path``."""
    async with http_client(server.base_url, timeout=10) as http:
        r = await http.get(path, headers={"Cookie": cookie, "Accept": "application/json"})
    assert r.status_code in (200, 303, 401), r.text
    return r.status_code == 200


async def test_a_copied_cookie_is_dead_after_sign_out(
    server: RunningServer, seeded: Seeded
) -> None:
    mid = seeded.meeting_id
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    copied = clerk.cookie_header()
    pages = (f"/staff/meetings/{mid}", f"/staff/api/meetings/{mid}/moderation")
    for path in pages:
        assert await _signed_in(server, copied, path)
    r = await clerk.http.post("/staff/logout", data={"csrf_token": clerk.csrf})
    assert r.status_code == 303
    for path in pages:
        assert not await _signed_in(server, copied, path), path
    await clerk.http.aclose()


async def test_sign_out_everywhere(server: RunningServer, seeded: Seeded) -> None:
    email = seeded.users["clerk"]
    laptop, phone = await sign_in(server.base_url, email), await sign_in(server.base_url, email)
    other = await sign_in(server.base_url, seeded.users["councillor"])
    # A staff POST: the CSRF token is needed.
    r = await phone.http.post("/staff/logout/everywhere", headers={"Accept": "application/json"})
    assert (r.status_code, r.json()["error"]) == (403, "csrf")
    assert await _signed_in(server, laptop.cookie_header(), "/staff/")

    r = await phone.http.post("/staff/logout/everywhere", data={"csrf_token": phone.csrf})
    assert r.status_code == 303 and r.headers["location"] == "/staff/login?signed_out=everywhere"
    assert not await _signed_in(server, laptop.cookie_header(), "/staff/")
    assert not await _signed_in(server, phone.cookie_header(), "/staff/")
    # Only that account's sessions: a colleague stays signed in.
    assert await _signed_in(server, other.cookie_header(), "/staff/")
    page = await phone.http.get(r.headers["location"])
    assert "You have been signed out on every device." in page.text
    for client in (laptop, phone, other):
        await client.http.aclose()


async def test_the_staff_bar_offers_sign_out_everywhere(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    clerk = await sign_in(sqlite_server.base_url, sqlite_seeded.users["clerk"])
    page = (await clerk.http.get("/staff/")).text
    assert 'action="/staff/logout/everywhere"' in page
    await clerk.http.aclose()


async def test_an_open_staff_socket_closes_when_its_session_ends(
    sqlite_url: str, sqlite_seeded: Seeded
) -> None:
    mid = sqlite_seeded.meeting_id
    # Sessions are checked again at every heartbeat: a short one keeps the test quick.
    async with run_server(settings_for(sqlite_url, heartbeat_seconds=0.2)) as server:
        clerk = await sign_in(server.base_url, sqlite_seeded.users["clerk"])
        url = f"{server.ws_url}/staff/api/meetings/{mid}/live"
        headers = {"Cookie": clerk.cookie_header()}
        async with ws_connect(url, origin=server.base_url, additional_headers=headers) as ws:
            await clerk.post(f"/staff/meetings/{mid}/status", {"action": "open"})
            assert (await recv_json(ws))["type"] == "meeting.updated"
            r = await clerk.http.post("/staff/logout", data={"csrf_token": clerk.csrf})
            assert r.status_code == 303
            with pytest.raises(ConnectionClosed):
                async with asyncio.timeout(5):  # heartbeats keep coming until it closes
                    while True:
                        await ws.recv()
            assert (ws.close_code, ws.close_reason) == (4401, "sign in first")
        await clerk.http.aclose()
