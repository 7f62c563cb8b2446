"""The authorisation matrix, generated from the route table: every route and socket, for every
role (anonymous, a resident with a cookie, a councillor, a clerk, an admin, a clerk of another
council), gets the answer its rule says, and staff data shows each role only what it may see.
A route without a rule fails here, so a new route cannot ship unreviewed."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import httpx
import pytest
from starlette.routing import Route, WebSocketRoute
from websockets.exceptions import ConnectionClosed

from hub.web.routes import ROUTES
from tests.support import (
    RunningServer,
    Seeded,
    StaffClient,
    contribute,
    cookie_header,
    http_client,
    recv_json,
    resident,
    sign_in,
    ws_connect,
)

# "admin" is the deployment's (every council); "council_admin" is the seeded council's admin;
# "other_clerk" and "other_admin" serve another council only, and are refused everything of
# the seeded council's.
ROLES = (
    "anonymous",
    "resident",
    "councillor",
    "clerk",
    "admin",
    "council_admin",
    "other_clerk",
    "other_admin",
)


class Rule(enum.Enum):
    PUBLIC = frozenset(ROLES)
    STAFF = frozenset(  # any signed-in staff
        {"councillor", "clerk", "admin", "council_admin", "other_clerk", "other_admin"}
    )
    REVIEW = frozenset({"councillor", "clerk", "admin", "council_admin"})  # the council's staff
    DRIVE = frozenset({"clerk", "admin", "council_admin"})  # the council's clerks and admins
    MANAGE = frozenset({"admin", "council_admin"})  # the council's admins
    DEPLOYMENT = frozenset({"admin"})  # deployment admins
    SIGN_IN = frozenset(ROLES)  # the sign-in routes: their own tests (tests/web/test_auth.py)
    FORM = frozenset(ROLES)  # the no-JS resident form: a per-page token (test_participation)
    INVITE = frozenset(ROLES)  # an invitation's link is its key: tests/web/test_staff_invites.py


SOCKET_QUIET_S = 5.0  # a socket neither closed nor sending for this long was accepted

# (method, path) -> rule. Every route in hub/web/routes.py must have one.
RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/"): Rule.PUBLIC,
    ("GET", "/meetings/{meeting_id:id}"): Rule.PUBLIC,
    ("POST", "/meetings/{meeting_id:id}/contribute"): Rule.FORM,
    ("GET", "/meetings/{meeting_id:id}/projector"): Rule.PUBLIC,
    ("GET", "/api/meetings"): Rule.PUBLIC,
    ("GET", "/api/meetings/{meeting_id:id}"): Rule.PUBLIC,
    ("GET", "/api/meetings/{meeting_id:id}/events"): Rule.PUBLIC,
    ("GET", "/api/meetings/{meeting_id:id}/moderation-summary"): Rule.PUBLIC,
    ("GET", "/api/meetings.atom"): Rule.PUBLIC,
    ("GET", "/api/meetings/{meeting_id:id}/export.json"): Rule.PUBLIC,
    ("GET", "/api/meetings/{meeting_id:id}/contributions.csv"): Rule.PUBLIC,
    ("GET", "/api/meetings/{meeting_id:id}/ocd-event.json"): Rule.PUBLIC,
    ("GET", "/api/councils/{slug}/meetings.ics"): Rule.PUBLIC,
    ("GET", "/api/openapi.json"): Rule.PUBLIC,
    ("GET", "/api/docs"): Rule.PUBLIC,
    ("POST", "/api/meetings/{meeting_id:id}/contributions"): Rule.PUBLIC,
    ("GET", "/api/meetings/{meeting_id:id}/contributions/mine"): Rule.PUBLIC,
    ("POST", "/api/meetings/{meeting_id:id}/contributions/{contribution_id:id}/vote"): Rule.PUBLIC,
    ("DELETE", "/api/meetings/{meeting_id:id}/contributions/{contribution_id:id}/vote"): (
        Rule.PUBLIC
    ),
    ("WS", "/api/meetings/{meeting_id:id}/live"): Rule.PUBLIC,
    ("GET", "/healthz"): Rule.PUBLIC,
    ("GET", "/c/{slug}/privacy"): Rule.PUBLIC,
    ("GET", "/staff/login"): Rule.SIGN_IN,
    ("POST", "/staff/login"): Rule.SIGN_IN,
    ("POST", "/staff/logout"): Rule.SIGN_IN,
    ("POST", "/staff/logout/everywhere"): Rule.SIGN_IN,
    ("GET", "/staff/"): Rule.STAFF,
    ("GET", "/staff/search"): Rule.STAFF,
    ("GET", "/staff/meetings/{meeting_id:id}"): Rule.DRIVE,
    ("POST", "/staff/meetings/{meeting_id:id}/status"): Rule.DRIVE,
    ("POST", "/staff/meetings/{meeting_id:id}/items/{item_id:id}/status"): Rule.DRIVE,
    ("GET", "/staff/api/meetings/{meeting_id:id}"): Rule.DRIVE,
    ("WS", "/staff/api/meetings/{meeting_id:id}/live"): Rule.DRIVE,
    ("GET", "/staff/meetings/{meeting_id:id}/moderation"): Rule.DRIVE,
    ("GET", "/staff/api/meetings/{meeting_id:id}/moderation"): Rule.DRIVE,
    ("POST", "/staff/meetings/{meeting_id:id}/contributions/{contribution_id:id}/moderate"): (
        Rule.DRIVE
    ),
    ("POST", "/staff/meetings/{meeting_id:id}/contributions/bulk"): Rule.DRIVE,
    ("GET", "/staff/meetings/{meeting_id:id}/audit"): Rule.REVIEW,
    ("GET", "/staff/meetings/{meeting_id:id}/review"): Rule.REVIEW,
    ("GET", "/staff/meetings/{meeting_id:id}/review/items/{item_id:id}"): Rule.REVIEW,
    ("GET", "/staff/meetings/{meeting_id:id}/briefing"): Rule.REVIEW,
    ("GET", "/staff/meetings/{meeting_id:id}/export/areas.csv"): Rule.REVIEW,
    ("GET", "/staff/meetings/{meeting_id:id}/export/moderation-log.csv"): Rule.REVIEW,
    # A council's social sources: its clerks and admins (the seeded council's).
    ("GET", "/staff/councils/{slug}/social"): Rule.DRIVE,
    ("POST", "/staff/councils/{slug}/social"): Rule.DRIVE,
    ("POST", "/staff/councils/{slug}/social/{source_id:id}/credentials"): Rule.DRIVE,
    ("POST", "/staff/councils/{slug}/social/{source_id:id}/remove"): Rule.DRIVE,
    ("GET", "/staff/meetings/{meeting_id:id}/agenda"): Rule.DRIVE,
    ("POST", "/staff/meetings/{meeting_id:id}/details"): Rule.DRIVE,
    ("POST", "/staff/meetings/{meeting_id:id}/window"): Rule.DRIVE,
    ("POST", "/staff/meetings/{meeting_id:id}/items"): Rule.DRIVE,
    ("POST", "/staff/meetings/{meeting_id:id}/items/{item_id:id}/edit"): Rule.DRIVE,
    ("POST", "/staff/meetings/{meeting_id:id}/items/{item_id:id}/move"): Rule.DRIVE,
    ("POST", "/staff/meetings/{meeting_id:id}/items/{item_id:id}/private"): Rule.DRIVE,
    ("POST", "/staff/meetings/{meeting_id:id}/items/{item_id:id}/withdraw"): Rule.DRIVE,
    # A council's agenda sources and new meetings: its clerks, and admins.
    ("GET", "/staff/councils/{slug}/sources"): Rule.DRIVE,
    ("POST", "/staff/councils/{slug}/sources"): Rule.DRIVE,
    ("POST", "/staff/councils/{slug}/sources/{agenda_source_id:id}/remove"): Rule.DRIVE,
    ("GET", "/staff/councils/{slug}/meetings/new"): Rule.DRIVE,
    ("POST", "/staff/councils/{slug}/meetings"): Rule.DRIVE,
    ("POST", "/staff/meetings/{meeting_id:id}/hashtags"): Rule.DRIVE,
    # The council's settings: its clerks and admins (another council's clerk is refused).
    ("GET", "/staff/councils/{slug}/settings"): Rule.DRIVE,
    ("POST", "/staff/councils/{slug}/settings"): Rule.DRIVE,
    # A council's staff and audit log: its admins (and the deployment's).
    ("GET", "/staff/councils/{slug}/staff"): Rule.MANAGE,
    ("POST", "/staff/councils/{slug}/staff/invites"): Rule.MANAGE,
    ("POST", "/staff/councils/{slug}/staff/invites/{invite_id:id}/revoke"): Rule.MANAGE,
    ("POST", "/staff/councils/{slug}/staff/{user_id:id}/role"): Rule.MANAGE,
    ("POST", "/staff/councils/{slug}/staff/{user_id:id}/remove"): Rule.MANAGE,
    ("POST", "/staff/councils/{slug}/staff/{user_id:id}/deactivate"): Rule.MANAGE,
    ("GET", "/staff/councils/{slug}/audit"): Rule.MANAGE,
    # Every account: deployment admins.
    ("GET", "/staff/users"): Rule.DEPLOYMENT,
    ("POST", "/staff/users/{user_id:id}/deactivate"): Rule.DEPLOYMENT,
    ("POST", "/staff/users/{user_id:id}/reactivate"): Rule.DEPLOYMENT,
    ("GET", "/staff/invites/{token}"): Rule.INVITE,
    ("POST", "/staff/invites/{token}"): Rule.INVITE,
    ("POST", "/staff/councils/{slug}/settings/identity"): Rule.MANAGE,
    ("POST", "/staff/councils/{slug}/settings/colours"): Rule.MANAGE,
    ("POST", "/staff/councils/{slug}/settings/languages"): Rule.MANAGE,
    ("POST", "/staff/councils/{slug}/settings/participation"): Rule.DRIVE,
    ("POST", "/staff/councils/{slug}/settings/privacy"): Rule.MANAGE,
    ("POST", "/staff/councils/{slug}/settings/licence"): Rule.MANAGE,
    # The admin area: the deployment's admins create councils; anyone on the staff sees the
    # councils they manage (none, for a councillor).
    ("GET", "/staff/admin"): Rule.DEPLOYMENT,
    ("POST", "/staff/admin/councils"): Rule.DEPLOYMENT,
    ("GET", "/staff/councils"): Rule.STAFF,
    # A council's home page and its colours.
    ("GET", "/c/{slug}"): Rule.PUBLIC,
    ("GET", "/c/{slug}/theme.css"): Rule.PUBLIC,
}

# Bodies that an authorised caller gets a 4xx for (bad values), without changing anything.
HARMLESS: dict[str, dict[str, str]] = {
    "/status": {"action": "no-such-action", "status": "no-such-status"},
    "/moderate": {"action": "no-such-action"},
    "/bulk": {"action": "no-such-action", "ids": "1"},
    "/social": {"platform": "no-such-platform"},
    "/credentials": {},  # source 999999: not found
    "/remove": {},
    "/details": {"title": "", "starts_at": "not a time"},
    "/window": {"open_at": "not a time"},
    "/items": {"title": ""},
    "/edit": {"title": ""},
    "/move": {"move": "sideways"},
    "/private": {"private": "maybe"},
    "/withdraw": {"withdrawn": "maybe"},
    "/sources": {"kind": "no-such-kind", "name": "x"},
    "/meetings": {"title": ""},
    "/hashtags": {"hashtags": "not a tag!"},
    "/settings": {"hashtags": "", "social_allowlist": "", "social_window_minutes": "never"},
    "/identity": {"name": ""},
    "/colours": {"brand_colour": "#777", "brand_text_colour": "#fff"},
    "/languages": {"timezone": "Mars/Olympus", "default_language": "en", "offer_en": "1"},
    "/participation": {"moderation": "pre", "max_chars": "0"},
    "/privacy": {"retention_days": "1"},
    "/licence": {"licence_name": "A licence without its address"},
    "/admin/councils": {"name": "Harmless", "slug": "Not A Slug!"},
    "/staff/invites": {"email": "not an address", "role": "no-such-role"},
    "/revoke": {},  # invitation 999999: not found
    "/role": {"role": "no-such-role"},  # account 999999: not on the staff
    "/deactivate": {},  # account 999999: not found
    "/reactivate": {},
}


def _endpoints() -> list[tuple[str, str]]:
    found = []
    for route in ROUTES:
        if isinstance(route, WebSocketRoute):
            found.append(("WS", route.path))
        elif isinstance(route, Route):
            found.extend((m, route.path) for m in sorted((route.methods or set()) - {"HEAD"}))
    return found


def test_every_route_has_a_rule() -> None:
    endpoints = set(_endpoints())
    assert endpoints - set(RULES) == set(), "routes without an authorisation rule"
    assert set(RULES) - endpoints == set(), "rules for routes that no longer exist"


@dataclass
class Caller:
    role: str
    http: httpx.AsyncClient
    csrf: str = ""

    def cookies(self) -> dict[str, str]:
        return {"Cookie": cookie_header(self.http)} if self.http.cookies else {}


async def _callers(server: RunningServer, seeded: Seeded) -> dict[str, Caller]:
    callers = {"anonymous": Caller("anonymous", http_client(server.base_url))}
    res = resident(server.base_url)
    await res.get(f"/meetings/{seeded.meeting_id}")  # the page mints the participant cookie
    callers["resident"] = Caller("resident", res)
    for role in ("councillor", "clerk", "admin", "council_admin", "other_clerk", "other_admin"):
        staff: StaffClient = await sign_in(server.base_url, seeded.users[role])
        callers[role] = Caller(role, staff.http, staff.csrf)
    return callers


def _fill(path: str, seeded: Seeded) -> str:
    return (
        path.replace("{meeting_id:id}", str(seeded.meeting_id))
        .replace("{item_id:id}", str(seeded.item_ids[0]))
        .replace("{contribution_id:id}", "999999")
        .replace("{source_id:id}", "999999")
        .replace("{agenda_source_id:id}", "999999")
        .replace("{invite_id:id}", "999999")
        .replace("{user_id:id}", "999999")
        .replace("{slug}", "aberglas")
    )


def _refused(r: httpx.Response) -> bool:
    to_sign_in = r.status_code == 303 and "/staff/login" in r.headers.get("location", "")
    return r.status_code in (401, 403) or to_sign_in


async def _call(server: RunningServer, caller: Caller, method: str, path: str) -> bool:
    """Whether the caller was refused (401, 403, sent to sign in, or a socket closed 4401 or
    4403)."""
    if method == "WS":
        url = f"{server.ws_url}{path}?after=0"
        async with ws_connect(
            url, origin=server.base_url, additional_headers=caller.cookies()
        ) as ws:
            try:
                # An allowed socket is sent the meeting's log at once (after=0); a refused one
                # is closed once the server has read the session: on a loaded machine (load
                # 10-28 beside other suites) that took longer than 0.3 s, and even 1 s.
                await recv_json(ws, timeout=SOCKET_QUIET_S)
            except ConnectionClosed:
                return ws.close_code in (4401, 4403)
            except (TimeoutError, AssertionError):
                return False  # accepted and quiet
            return False
    headers = {"Origin": server.base_url}
    if method == "GET":
        r = await caller.http.get(path, headers=headers, follow_redirects=False)
    elif path.startswith("/api/"):
        r = await caller.http.request(method, path, json={}, headers=headers)
    else:
        data = next((b for suffix, b in HARMLESS.items() if path.endswith(suffix)), {})
        r = await caller.http.post(
            path,
            data={**data, "csrf_token": caller.csrf},
            headers={**headers, "Accept": "application/json"},
            follow_redirects=False,
        )
    assert r.status_code < 500, (caller.role, method, path, r.status_code, r.text[:200])
    return _refused(r)


async def test_every_route_and_socket_for_every_role(server: RunningServer, seeded: Seeded) -> None:
    callers = await _callers(server, seeded)
    wrong = []
    for method, path in _endpoints():
        rule = RULES[(method, path)]
        if rule in (Rule.SIGN_IN, Rule.FORM, Rule.INVITE):
            continue
        filled = _fill(path, seeded)
        for role in ROLES:
            refused = await _call(server, callers[role], method, filled)
            if refused == (role in rule.value):
                verb = "refused" if refused else "allowed"
                wrong.append(f"{role} {verb} on {method} {path} (rule {rule.name})")
    for caller in callers.values():
        await caller.http.aclose()
    assert wrong == []


async def test_staff_data_shows_each_role_what_it_may_see(
    server: RunningServer, seeded: Seeded
) -> None:
    """A pending submission (its text and its author's pseudonym) is for the council's clerks;
    a councillor reviews the published record and totals only."""
    mid = seeded.meeting_id
    secret = "Pending and private: only clerks moderate this"
    async with resident(server.base_url) as author:
        r = await contribute(author, mid, secret)
        assert r.status_code == 201 and r.json()["status"] == "pending"
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    councillor = await sign_in(server.base_url, seeded.users["councillor"])
    queue = await clerk.http.get(f"/staff/api/meetings/{mid}/moderation")
    assert secret in queue.text
    participant = queue.json()["pending"][0]["participant"]
    r = await clerk.post(
        f"/staff/meetings/{mid}/contributions/{queue.json()['pending'][0]['id']}/moderate",
        {"action": "reject", "reason": "off_topic"},
    )
    assert r.status_code == 200
    for path in (f"/staff/meetings/{mid}/review", f"/staff/meetings/{mid}/audit"):
        for accept in ("text/html", "application/json"):
            seen = await councillor.http.get(path, headers={"Accept": accept})
            assert seen.status_code == 200, path
            assert secret not in seen.text and participant not in seen.text, (path, accept)
    audit = await clerk.http.get(
        f"/staff/meetings/{mid}/audit", headers={"Accept": "application/json"}
    )
    assert participant in audit.text  # clerks see who, to spot a repeat offender
    await clerk.http.aclose()
    await councillor.http.aclose()


@pytest.mark.parametrize("role", ["councillor", "other_clerk"])
async def test_no_staff_stream_for_those_who_may_not_moderate(
    server: RunningServer, seeded: Seeded, role: str
) -> None:
    user = await sign_in(server.base_url, seeded.users[role])
    url = f"{server.ws_url}/staff/api/meetings/{seeded.meeting_id}/live?after=0"
    async with ws_connect(
        url, origin=server.base_url, additional_headers={"Cookie": user.cookie_header()}
    ) as ws:
        with pytest.raises(ConnectionClosed):
            await ws.recv()
        assert ws.close_code == 4403
    snapshot = await user.http.get(
        f"/staff/api/meetings/{seeded.meeting_id}", headers={"Accept": "application/json"}
    )
    assert snapshot.status_code == 403
    await user.http.aclose()


async def test_the_dashboard_offers_each_role_only_what_it_may_open(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    """A councillor was offered "Open the console", which answered 403."""
    import re

    for role in ("councillor", "clerk"):
        user = await sign_in(sqlite_server.base_url, sqlite_seeded.users[role])
        dashboard = await user.http.get("/staff/")
        links = set(re.findall(r'href="(/staff/meetings/[^"]+)"', dashboard.text))
        assert links, role
        for link in links:
            r = await user.http.get(link)
            assert r.status_code == 200, (role, link, r.status_code)
        offered_console = f"/staff/meetings/{sqlite_seeded.meeting_id}" in links
        assert offered_console == (role == "clerk")
        await user.http.aclose()
