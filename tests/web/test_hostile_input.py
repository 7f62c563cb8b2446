"""Hostile input over every route: never a 5xx and never a hang, on SQLite and PostgreSQL.

The cases come from hub.web.routes.ROUTES and what each endpoint declares it reads (``@takes``
in hub/web/inputs.py), so a new route, or a new field of one, is fuzzed without a line here; a
path parameter or a field with no plausible value yet fails the test until it has one
(``Stage.ids``; ``PLAUSIBLE`` in tests/web/hostile.py), and so does a route taking a body
without declaring what it reads.

Two tests per route and database. The search (Hypothesis): each example is one request or
socket with one field hostile (NULs, lone surrogates and invalid UTF-8, huge numbers, Unicode
digits, deep nesting, JSON of the wrong type, strings at and past their limits) and the others
mostly plausible, so it gets past the first check to the action and the database; with odd
content types, ``Accept``, ``Origin``, CSRF tokens and cookies. The sweep: every specimen in
every field, one at a time, and every odd body and header. Derandomized, so CI runs the same
examples every time; ``HOSTILE_EXAMPLES`` sets how many per route (default 12).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Route

from hub.actions.agenda_sources import add_source as add_agenda_source
from hub.actions.invites import create_invite
from hub.actions.meetings import create_meeting
from hub.actions.social_sources import add_source
from hub.events.publish import writing
from hub.web.inputs import NOTHING, takes_of
from hub.web.routes import ROUTES
from tests.conftest import _sqlite_copy, _truncate, seed_url, settings_for
from tests.services import run_sync
from tests.support import (
    AGENDA,
    RunningServer,
    StaffClient,
    add_staff,
    contribute,
    cookie_header,
    form_token,
    http_client,
    resident,
    run_server,
    set_policy,
    sign_in,
)
from tests.web.hostile import (
    ACCEPTS,
    CASES,
    CONTENT_TYPES,
    HEADER_SPECIMENS,
    JSON_VALUES,
    ORIGINS,
    PLAUSIBLE,
    PLAUSIBLE_ON,
    RAW_JSON,
    WRONG_JSON_TYPES,
    Case,
    hostile_text,
    multipart,
    open_socket,
    specimens,
    urlencoded,
)

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "12"))
# An answer later than this is a hang. Generous: a sign-in hashes a password (argon2id), and on
# a machine running other suites beside this one a few of those queued have taken over 5 s.
TIMEOUT_S = 15
SOCKET_WAIT_S = 0.05  # a refused socket is closed at once; one still open is following


# ---- who calls ------------------------------------------------------------------------------


@dataclass
class Stage:
    """A meeting of its own in session, an item current and a question published; a signed-in
    clerk, and a resident with the no-JavaScript form's token."""

    server: RunningServer
    http: httpx.AsyncClient
    ids: dict[str, int]  # path parameter -> a row it names
    staff_cookie: str
    csrf: str
    resident_cookie: str
    form_token: str
    invite_token: str

    def plausible(self, case: Case, name: str) -> list[str]:
        ours = {"csrf_token": [self.csrf], "form_token": [self.form_token]}
        for suffix, fields in PLAUSIBLE_ON.items():
            if case.path.endswith(suffix) and name in fields:
                return fields[name]
        found = ours.get(name, PLAUSIBLE.get(name))
        assert found is not None, f"no plausible value for field {name!r}: add to PLAUSIBLE"
        return found


@dataclass
class Hub:
    server: RunningServer
    clerk: StaffClient


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def hostile_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """One database per module, not per test: each route gets a meeting of its own instead."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        return _sqlite_copy(template, tmp_path_factory.mktemp("hostile"))
    url: str = request.getfixturevalue("postgres_database")
    run_sync(lambda: _truncate(url))
    return url


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def hub(hostile_db: str) -> AsyncIterator[Hub]:
    await seed_url(hostile_db)
    # No social polling: the routes under test give meetings hashtags and add a Mastodon source
    # (https://social.example), and a poll would go out to the network in the middle of the sweep.
    async with run_server(settings_for(hostile_db, social_polling=False)) as server:
        # Every request comes from 127.0.0.1: without this the rate limits would refuse most.
        svc = server.services
        await set_policy(svc.sessionmaker, svc.broker, rate_per_participant=10_000)
        await set_policy(svc.sessionmaker, svc.broker, rate_per_address=100_000)
        clerk = await sign_in(server.base_url, "clerk@aberglas.invalid")
        try:
            yield Hub(server, clerk)
        finally:
            await clerk.http.aclose()


@pytest_asyncio.fixture(loop_scope="module")
async def stage(hub: Hub, request: pytest.FixtureRequest) -> AsyncIterator[Stage]:
    server, clerk = hub.server, hub.clerk
    async with writing(server.services.sessionmaker, server.services.broker) as w:
        meeting = await create_meeting(
            w,
            council_slug="aberglas",
            title="Hostile",
            body_name="Cabinet",
            starts_at=datetime(2026, 11, 23, 18, 30, tzinfo=UTC),
            items=AGENDA,
        )
    mid = meeting.id
    item = (await clerk.http.get(f"/api/meetings/{mid}")).json()["items"][0]["id"]
    for path, form in (
        (f"/staff/meetings/{mid}/status", {"action": "open"}),
        (f"/staff/meetings/{mid}/items/{item}/status", {"status": "current"}),
    ):
        assert (await clerk.post(path, form)).status_code == 200
    async with resident(server.base_url) as http:
        r = await contribute(http, mid, "A question", kind="question")
        question = int(r.json()["id"])
        token = await form_token(http, mid)
        resident_cookie = cookie_header(http)
    moderate = f"/staff/meetings/{mid}/contributions/{question}/moderate"
    assert (await clerk.post(moderate, {"action": "approve"})).status_code == 200
    async with writing(server.services.sessionmaker, server.services.broker) as w:
        source = await add_source(
            w, "aberglas", "mastodon", f"hostile-{mid}", base_url="https://social.example"
        )
        agenda_source = await add_agenda_source(
            w,
            council_slug="aberglas",
            name=f"hostile-{mid}",
            kind="ical",
            url=f"https://example.invalid/{mid}.ics",
        )
        # An account of its own to change, remove and deactivate, and an invitation.
        home = meeting.council_id
        member = await add_staff(
            w.session, f"hostile-{mid}@aberglas.invalid", f"Hostile {mid}", home, "clerk"
        )
        made = await create_invite(
            w,
            council_id=home,
            email=f"invited-{mid}@aberglas.invalid",
            role="clerk",
            actor=None,
        )
    ids = {
        "meeting_id": mid,
        "item_id": item,
        "contribution_id": question,
        "source_id": source.id,
        "agenda_source_id": agenda_source.id,
        "user_id": member.id,
        "invite_id": made.invite.id,
    }
    # Signing out (here, or everywhere) ends a session on the server: the sign-out routes get a
    # session of their own, of another account, so the clerk's stays for the other routes.
    case = getattr(request, "param", None) or request.node.callspec.params.get("case")
    staff = clerk
    # The admin area's routes are an admin's: as the clerk they would stop at the refusal.
    # Accepting an invitation signs whoever holds the link in, ending the session the browser
    # had: that must not be the clerk's, which the later routes' stages use.
    if case is not None and case.path.startswith(
        ("/staff/logout", "/staff/admin", "/staff/invites/")
    ):
        # From an address of its own: the suite's wrong passwords throttle 127.0.0.1.
        staff = await sign_in(server.base_url, "admin@hub.invalid", address="192.0.2.1")
    elif case is not None and case.path.startswith(ADMIN_PATHS):
        # A council's staff and audit log are its admins'; every account, the deployment's.
        who = "admin@hub.invalid" if case.path.startswith("/staff/users") else ADMIN
        staff = await sign_in(server.base_url, who, address="192.0.2.2")
    async with http_client(server.base_url, timeout=TIMEOUT_S) as http:
        staff_cookie = staff.cookie_header()
        yield Stage(server, http, ids, staff_cookie, staff.csrf, resident_cookie, token, made.token)
    if staff is not clerk:
        await staff.http.aclose()


# ---- drawing one request ------------------------------------------------------------------


def _fields(
    data: st.DataObject,
    case: Case,
    stage: Stage,
    limits: dict[str, int],
    json_: bool = False,
    longest: int = 17_000,
) -> dict[str, Any]:
    """One declared field hostile, the others mostly plausible (so it gets past the first
    check), now and then absent or hostile too; now and then one nobody declared."""
    fields: dict[str, Any] = {}
    target = data.draw(st.sampled_from([*limits, None]))
    for name, limit in limits.items():
        plausible = stage.plausible(case, name)
        how = "hostile"
        if name != target:
            how = data.draw(st.sampled_from(["plausible"] * 6 + ["absent", "hostile"]))
        if how == "plausible":
            fields[name] = data.draw(st.sampled_from(plausible))
        elif how == "hostile":
            text = hostile_text(limit, longest)
            values = [text, JSON_VALUES] if json_ else [text]
            fields[name] = data.draw(st.one_of(*values, st.binary(max_size=8)))
            if json_ and isinstance(fields[name], bytes):
                fields[name] = fields[name].decode("latin-1")
    if data.draw(st.booleans()):
        fields[data.draw(st.sampled_from(["zz", "\x00", "", "lang", "item_id[]"]))] = data.draw(
            hostile_text(None, longest)
        )
    return fields


# Path parameters that are not row ids, with the seeded value each names.
TEXT_PARAMS = {"slug": "aberglas"}  # the seeded council
ADMIN = "admin@aberglas.invalid"  # the seeded council's admin
ADMIN_PATHS = ("/staff/councils/{slug}/staff", "/staff/councils/{slug}/audit", "/staff/users")


def _path_params(case: Case, stage: Stage) -> dict[str, str]:
    """Each ``{param}`` of the route's path, with the row it names here."""
    found = {}
    for param in re.findall(r"{([^}]*)}", case.path):
        name, _, kind = param.partition(":")
        if not kind and name in TEXT_PARAMS:
            found[f"{{{param}}}"] = TEXT_PARAMS[name]
            continue
        if not kind and name == "token":  # an invitation's link: this stage's own
            found[f"{{{param}}}"] = stage.invite_token
            continue
        assert kind == "id" and name in stage.ids, f"{case}: no row for {{{param}}}: add to ids"
        found[f"{{{param}}}"] = str(stage.ids[name])
    return found


def _path(data: st.DataObject, case: Case, stage: Stage) -> str:
    path = case.path
    for param, row in _path_params(case, stage).items():
        odd = ["0", str(2**31), "9" * 10, "%EF%BC%91"]  # none, past INTEGER, too long, "１"
        path = path.replace(param, data.draw(st.sampled_from([row] * 4 + odd)))
    # httpx refuses a URL past 64 KiB, uvicorn a request head past 16 KiB (a 400).
    query = _fields(data, case, stage, dict(case.takes.query), longest=2000)
    return f"{path}?{urlencoded(query).decode()}" if query else path


def _body(data: st.DataObject, case: Case, stage: Stage) -> tuple[bytes, str]:
    """The body, and the content type it is sent with."""
    natural = "application/json" if case.takes.json else "application/x-www-form-urlencoded"
    content_type = data.draw(st.sampled_from([natural, natural, *CONTENT_TYPES]))
    shape = data.draw(st.sampled_from(["fields", "fields", "fields", "multipart", "raw"]))
    if shape == "raw":
        return data.draw(st.sampled_from(RAW_JSON)), content_type
    if case.takes.json:
        fields = _fields(data, case, stage, dict(case.takes.json), json_=True)
        if fields.get("item_id") == "":
            fields["item_id"] = data.draw(st.sampled_from([None, stage.ids["item_id"]]))
        return json.dumps(fields).encode(), content_type
    fields = _fields(data, case, stage, dict(case.takes.form))
    if shape == "multipart":
        body = multipart(fields, with_file=data.draw(st.booleans()))
        return body, data.draw(
            st.sampled_from(["multipart/form-data; boundary=zz"] * 2 + CONTENT_TYPES)
        )
    return urlencoded(fields), content_type


def _headers(data: st.DataObject, case: Case, stage: Stage) -> dict[str, str]:
    staff = case.path.startswith("/staff/")
    cookie = stage.staff_cookie if staff else stage.resident_cookie
    headers = {
        "Cookie": data.draw(
            st.sampled_from(
                [cookie] * 4
                + [cookie + "; lang=cy", "council_hub_participant=x.y", "lang=ÿ"]
                + ["council_hub_session=e30=.x.y", ""]
            )
        ),
        "Accept": data.draw(st.sampled_from(ACCEPTS)),
        "Origin": data.draw(st.sampled_from([stage.server.base_url] * 4 + ORIGINS)),
        "X-CSRF-Token": data.draw(st.sampled_from([None, stage.csrf, "x", "ÿÿ"])),
    }
    return {k: v for k, v in headers.items() if v is not None}


async def _send(stage: Stage, case: Case, url: str, headers: dict[str, str], body: bytes) -> None:
    """One request (or socket): never a 5xx, never a hang; an API's refusal is JSON."""
    if case.method == "WS":
        ascii_only = {k: v for k, v in headers.items() if v.isascii()}
        socket = open_socket(stage.server.ws_url + url, ascii_only, SOCKET_WAIT_S)
        await asyncio.wait_for(socket, TIMEOUT_S)
        return
    stage.http.cookies.clear()  # only the Cookie header given
    try:
        # Latin-1 on the wire, as HTTP allows (httpx would send str headers as ASCII only).
        raw = {k: v.encode("latin-1") for k, v in headers.items()}
        r = await stage.http.request(case.method, url, content=body, headers=raw)
    except httpx.TimeoutException:
        raise AssertionError(f"{case.method} {url}: no answer in {TIMEOUT_S} s") from None
    assert r.status_code < 500, f"{case.method} {url}: {r.status_code} {r.text[:300]}"
    if r.status_code >= 400 and url.startswith(("/api/", "/staff/api/")):
        assert r.json()["error"], r.text


MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")
EACH_ROUTE = pytest.mark.parametrize("case", CASES, ids=[f"{c.method} {c.path}" for c in CASES])


@MODULE_LOOP
@EACH_ROUTE
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
async def test_hostile_input_is_never_a_server_error(
    stage: Stage, case: Case, data: st.DataObject
) -> None:
    url = _path(data, case, stage)
    headers = _headers(data, case, stage)
    body = b""
    if case.method not in ("GET", "WS"):
        body, headers["Content-Type"] = _body(data, case, stage)
    await _send(stage, case, url, headers, body)


# ---- and every specimen in every field, one at a time, the others plausible ---------------


def _rounds(case: Case, stage: Stage, limits: Mapping[str, int]) -> list[dict[str, str]]:
    """Plausible values for every field, cycled so that each plausible value of each field is
    sent with each specimen: a moderation reason goes with answer, block, unanswer..."""
    choices = {name: stage.plausible(case, name) for name in limits}
    count = max((len(values) for values in choices.values()), default=1)
    return [
        {name: values[i % len(values)] for name, values in choices.items()} for i in range(count)
    ]


@MODULE_LOOP
@EACH_ROUTE
async def test_every_specimen_in_every_field(stage: Stage, case: Case) -> None:
    """Deterministic, beside the search above: each specimen reaches each field with every
    other field plausible, so it gets as far as the action and the database; then every raw
    body under both content types, each odd header, and a request head past 8 KiB."""
    path = case.path
    for param, row in _path_params(case, stage).items():
        path = path.replace(param, row)
    identity = stage.staff_cookie if case.path.startswith("/staff/") else stage.resident_cookie
    headers = {"Cookie": identity, "Origin": stage.server.base_url, "Accept": "application/json"}
    query_rounds = _rounds(case, stage, case.takes.query)
    body_limits = case.takes.json or case.takes.form
    body_rounds = _rounds(case, stage, body_limits)
    natural = "application/json" if case.takes.json else "application/x-www-form-urlencoded"

    async def send(
        query: dict[str, Any],
        fields: dict[str, Any],
        raw: bytes | None = None,
        kind: str = natural,
        odd: dict[str, str] | None = None,
    ) -> None:
        url = f"{path}?{urlencoded(query).decode()}" if query else path
        if case.method in ("GET", "WS"):
            body = b""
        elif raw is not None:
            body = raw
        elif case.takes.json:
            if fields.get("item_id") == "":
                fields = {**fields, "item_id": None}
            body = json.dumps(fields).encode()
        else:
            body = urlencoded(fields)
        await _send(stage, case, url, {**headers, "Content-Type": kind, **(odd or {})}, body)

    for name, limit in case.takes.query.items():
        for value in specimens(limit):
            for query in query_rounds:
                await send({**query, name: value}, body_rounds[0])
    for name, limit in body_limits.items():
        values: list[Any] = specimens(limit) + (WRONG_JSON_TYPES if case.takes.json else [])
        for value in values:
            for fields in body_rounds:
                await send(query_rounds[0], {**fields, name: value})
    for header, values in HEADER_SPECIMENS.items():
        for value in values:
            await send(query_rounds[0], body_rounds[0], odd={header: value})
    await send({**query_rounds[0], "zz": "é" * 1500}, body_rounds[0])
    if case.method not in ("GET", "WS"):
        for raw in RAW_JSON:
            for kind in ("application/json", "application/x-www-form-urlencoded"):
                await send(query_rounds[0], {}, raw, kind)


# Routes that take a POST or DELETE and read no body (their path says it all).
BODYLESS = {"vote_up", "vote_withdraw"}


def test_every_route_taking_a_body_declares_what_it_reads() -> None:
    """Else its fields would go unfuzzed here, and the input layer would hand it nothing."""
    undeclared = [
        f"{sorted(route.methods or ())} {route.path}"
        for route in ROUTES
        if isinstance(route, Route)
        and (route.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}
        and takes_of(route.endpoint) == NOTHING
        and route.endpoint.__name__ not in BODYLESS
    ]
    assert not undeclared, f"declare their fields with @takes (hub/web/inputs.py): {undeclared}"
