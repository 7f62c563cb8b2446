"""Staff sign-in, roles on every staff route and socket, CSRF, rate limits."""

from __future__ import annotations

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from hub.auth import DUMMY_HASH, hash_password, needs_rehash, verify_password
from hub.ratelimit import RateLimiter
from tests.support import (
    CSRF_RE,
    PASSWORD,
    RunningServer,
    Seeded,
    attempt_sign_in,
    http_client,
    recv_json,
    sign_in,
    ws_connect,
)


def test_passwords_are_argon2id_hashed() -> None:
    hashed = hash_password("a sufficiently long one")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "a sufficiently long one")
    assert not verify_password(hashed, "a sufficiently long 0ne")
    assert not verify_password("not a hash", "whatever")


def test_an_unknown_email_costs_what_a_wrong_password_does() -> None:
    """The hash checked for an unknown email is written out in hub/auth.py: it must have the
    hasher's parameters (memory, passes, lanes), or the two cases would take different times."""
    assert DUMMY_HASH.startswith("$argon2id$")
    assert not needs_rehash(DUMMY_HASH)
    assert not verify_password(DUMMY_HASH, "anything")


async def test_wrong_password_is_refused(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    async with http_client(sqlite_server.base_url) as http:
        r = await attempt_sign_in(http, sqlite_seeded.users["clerk"], "not the password")
        assert r.status_code == 401
        r = await http.get("/staff/", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/staff/login")


async def test_login_without_csrf_token_is_refused(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    async with http_client(sqlite_server.base_url) as http:
        await http.get("/staff/login")
        r = await http.post(
            "/staff/login", data={"email": sqlite_seeded.users["clerk"], "password": PASSWORD}
        )
        assert r.status_code == 403


async def test_actions_need_a_valid_csrf_token(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    clerk = await sign_in(sqlite_server.base_url, sqlite_seeded.users["clerk"])
    path = f"/staff/meetings/{sqlite_seeded.meeting_id}/status"
    for token in (None, "forged-token"):
        data = {"action": "open"} if token is None else {"action": "open", "csrf_token": token}
        r = await clerk.http.post(path, data=data, headers={"Accept": "application/json"})
        assert (r.status_code, r.json()["error"]) == (403, "csrf")
    # The header works too (the console's scripts use it).
    r = await clerk.http.post(
        path,
        data={"action": "open"},
        headers={"Accept": "application/json", "X-CSRF-Token": clerk.csrf},
    )
    assert r.status_code == 200
    await clerk.http.aclose()


@pytest.mark.parametrize("role", ["councillor", "other_clerk"])
async def test_roles_that_cannot_drive(
    sqlite_server: RunningServer, sqlite_seeded: Seeded, role: str
) -> None:
    user = await sign_in(sqlite_server.base_url, sqlite_seeded.users[role])
    mid = sqlite_seeded.meeting_id
    r = await user.post(f"/staff/meetings/{mid}/status", {"action": "open"})
    assert (r.status_code, r.json()["error"]) == (403, "forbidden")
    r = await user.post(
        f"/staff/meetings/{mid}/items/{sqlite_seeded.item_ids[0]}/status", {"status": "current"}
    )
    assert r.status_code == 403
    r = await user.http.get(f"/staff/meetings/{mid}")
    assert r.status_code == 403
    await user.http.aclose()


async def test_admin_drives_any_council(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    admin = await sign_in(sqlite_server.base_url, sqlite_seeded.users["admin"])
    for mid in (sqlite_seeded.meeting_id, sqlite_seeded.other_meeting_id):
        r = await admin.post(f"/staff/meetings/{mid}/status", {"action": "open"})
        assert r.status_code == 200
    await admin.http.aclose()


async def test_anonymous_staff_routes(sqlite_server: RunningServer, sqlite_seeded: Seeded) -> None:
    mid = sqlite_seeded.meeting_id
    async with http_client(sqlite_server.base_url) as http:
        r = await http.get(f"/staff/meetings/{mid}")
        assert r.status_code == 303
        r = await http.get(f"/staff/api/meetings/{mid}", headers={"Accept": "application/json"})
        assert r.status_code == 401
        r = await http.post(f"/staff/meetings/{mid}/status", data={"action": "open"})
        assert r.status_code in (401, 403)  # no session: no CSRF token, no identity


async def test_staff_socket_roles(sqlite_server: RunningServer, sqlite_seeded: Seeded) -> None:
    mid = sqlite_seeded.meeting_id
    url = f"{sqlite_server.ws_url}/staff/api/meetings/{mid}/live?after=0"
    other = await sign_in(sqlite_server.base_url, sqlite_seeded.users["other_clerk"])
    async with ws_connect(
        url, origin=sqlite_server.base_url, additional_headers={"Cookie": other.cookie_header()}
    ) as ws:
        with pytest.raises(ConnectionClosed):
            await ws.recv()
        assert ws.close_code == 4403
    # A signed-in clerk from a foreign origin (cross-site WebSocket hijacking) is refused.
    clerk = await sign_in(sqlite_server.base_url, sqlite_seeded.users["clerk"])
    async with ws_connect(
        url, origin="https://evil.example", additional_headers={"Cookie": clerk.cookie_header()}
    ) as ws:
        with pytest.raises(ConnectionClosed):
            await ws.recv()
        assert ws.close_code == 4403
    # The clerk's own socket sees staff events as well as public ones.
    async with ws_connect(
        url, origin=sqlite_server.base_url, additional_headers={"Cookie": clerk.cookie_header()}
    ) as ws:
        await clerk.post(f"/staff/meetings/{mid}/status", {"action": "open"})
        public = await recv_json(ws)
        staff = await recv_json(ws)
        assert (public["type"], staff["type"]) == ("meeting.updated", "staff.action.recorded")
        assert staff["data"]["actor"] == "Clerk"
    await other.http.aclose()
    await clerk.http.aclose()


async def test_logout_ends_the_session(sqlite_server: RunningServer, sqlite_seeded: Seeded) -> None:
    clerk = await sign_in(sqlite_server.base_url, sqlite_seeded.users["clerk"])
    r = await clerk.http.post("/staff/logout", data={"csrf_token": clerk.csrf})
    assert r.status_code == 303
    r = await clerk.http.get("/staff/")
    assert r.status_code == 303
    await clerk.http.aclose()


async def test_login_is_rate_limited(sqlite_server: RunningServer, sqlite_seeded: Seeded) -> None:
    async with http_client(sqlite_server.base_url) as http:
        page = await http.get("/staff/login")
        token = CSRF_RE.search(page.text)
        assert token
        statuses = []
        for _ in range(7):
            r = await http.post(
                "/staff/login",
                data={
                    "email": sqlite_seeded.users["clerk"],
                    "password": "wrong password!",
                    "csrf_token": token.group(1),
                },
            )
            statuses.append(r.status_code)
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429, 429]


def test_rate_limiter_refills() -> None:
    now = [0.0]
    limiter = RateLimiter(2, 10.0, clock=lambda: now[0])
    assert limiter.allow("k") and limiter.allow("k") and not limiter.allow("k")
    now[0] = 5.0
    assert limiter.allow("k") and not limiter.allow("k")


async def test_security_headers(sqlite_server: RunningServer, sqlite_seeded: Seeded) -> None:
    async with http_client(sqlite_server.base_url) as http:
        r = await http.get(f"/meetings/{sqlite_seeded.meeting_id}")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"


async def _try_sign_in(
    http: httpx.AsyncClient, email: str, password: str, address: str
) -> httpx.Response:
    """One sign-in attempt as if from ``address``: the test server trusts X-Forwarded-For
    from 127.0.0.1 (uvicorn's proxy headers, as behind the deployment's reverse proxy)."""
    page = await http.get("/staff/login")
    token = CSRF_RE.search(page.text)
    assert token
    return await http.post(
        "/staff/login",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        headers={"X-Forwarded-For": address},
    )


async def test_an_attacker_elsewhere_cannot_lock_the_owner_out(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    email = sqlite_seeded.users["clerk"]
    async with http_client(sqlite_server.base_url) as attacker:
        for n in range(3):  # 15 wrong passwords: the old per-account limit was 5
            address = f"203.0.113.{n + 1}"
            statuses = [
                (await _try_sign_in(attacker, email, "wrong password!", address)).status_code
                for _ in range(6)
            ]
            assert statuses == [401] * 5 + [429], address  # each address is stopped
    async with http_client(sqlite_server.base_url) as owner:
        r = await _try_sign_in(owner, email, PASSWORD, "198.51.100.7")
        assert r.status_code == 303, r.text
    # The attacker's addresses stay stopped, and say why.
    async with http_client(sqlite_server.base_url) as attacker:
        r = await _try_sign_in(attacker, email, PASSWORD, "203.0.113.1")
        assert r.status_code == 429
        assert "Wrong passwords typed elsewhere do not lock you out" in r.text


async def test_a_staff_post_from_another_site_is_refused_despite_a_valid_token(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    clerk = await sign_in(sqlite_server.base_url, sqlite_seeded.users["clerk"])
    mid = sqlite_seeded.meeting_id
    for path, data in (
        (f"/staff/meetings/{mid}/status", {"action": "open"}),
        ("/staff/logout/everywhere", {}),
    ):
        r = await clerk.http.post(
            path,
            data={**data, "csrf_token": clerk.csrf},
            headers={"Origin": "https://evil.example", "Accept": "application/json"},
        )
        assert (r.status_code, r.json()["error"]) == (403, "origin"), path
    assert (await clerk.http.get("/staff/")).status_code == 200  # still signed in
    r = await clerk.http.post(
        f"/staff/meetings/{mid}/status",
        data={"action": "open", "csrf_token": clerk.csrf},
        headers={"Origin": sqlite_server.base_url, "Accept": "application/json"},
    )
    assert r.status_code == 200 and r.json()["ok"]
    await clerk.http.aclose()
