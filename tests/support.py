"""Test helpers: seed data, a real uvicorn server on 127.0.0.1, staff sign-in, socket reads."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import ssl
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

import httpx
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession
from websockets.asyncio.client import ClientConnection, connect

from hub import auth
from hub.actions.agenda import ItemSpec
from hub.actions.councils import create_council
from hub.actions.meetings import create_meeting
from hub.app import create_app
from hub.events.publish import Writer
from hub.models import StaffMembership, StaffUser
from hub.services import Services
from hub.settings import Settings

PASSWORD = "correct horse battery staple"
_HASH: list[str] = []


def password_hash() -> str:
    # argon2 costs ~50 ms a hash: hash the shared test password once per run.
    if not _HASH:
        _HASH.append(auth.hash_password(PASSWORD))
    return _HASH[0]


AGENDA = [
    ItemSpec("1", "Apologies"),
    ItemSpec("2", "Minutes"),
    ItemSpec(
        "3",
        "Library opening hours",
        "Report",
        [ItemSpec("3a", "Findings"), ItemSpec("3b", "Options")],
    ),
    ItemSpec("4", "Any other business"),
]


@dataclass
class Seeded:
    meeting_id: int
    item_ids: list[int]
    other_meeting_id: int
    users: dict[str, str] = field(default_factory=dict)  # role name -> email


async def seed(session: AsyncSession) -> Seeded:
    """Two councils with a meeting each; a clerk, councillor, admin and another council's clerk."""
    w = Writer(session)  # actions in the caller's transaction (committed below)
    home = await create_council(w, slug="aberglas", name="Aberglas County Council")
    other = await create_council(w, slug="elsewhere", name="Elsewhere Borough Council")
    starts = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)
    meeting = await create_meeting(
        w,
        council_slug="aberglas",
        title="Cabinet",
        body_name="Cabinet",
        starts_at=starts,
        location="Council Chamber",
        webcast_url="https://example.org/live",
        items=AGENDA,
    )
    other_meeting = await create_meeting(
        w,
        council_slug="elsewhere",
        title="Planning",
        body_name="Planning Committee",
        starts_at=starts,
        items=[ItemSpec("1", "Apologies")],
    )
    users = {
        "clerk": ("clerk@aberglas.invalid", home.id, "clerk"),
        "councillor": ("councillor@aberglas.invalid", home.id, "councillor"),
        "admin": ("admin@hub.invalid", None, None),  # the deployment's
        "council_admin": ("admin@aberglas.invalid", home.id, "admin"),
        "other_clerk": ("clerk@elsewhere.invalid", other.id, "clerk"),
        "other_admin": ("admin@elsewhere.invalid", other.id, "admin"),
    }
    for name, (email, council_id, role) in users.items():
        await add_staff(session, email, name.replace("_", " ").title(), council_id, role)
    await session.flush()
    from hub.queries.meetings import load_items

    items = await load_items(session, meeting.id)
    await session.commit()
    return Seeded(
        meeting.id, [i.id for i in items], other_meeting.id, {k: v[0] for k, v in users.items()}
    )


async def add_staff(
    session: AsyncSession, email: str, name: str, council_id: int | None, role: str | None
) -> StaffUser:
    """An account (the shared test password) with ``role`` in the council, or a deployment
    admin when ``council_id`` is None: rows written directly, as a fixture, not an action."""
    user = StaffUser(
        email=email,
        display_name=name,
        password_hash=password_hash(),
        is_deployment_admin=council_id is None,
        is_active=True,
    )
    session.add(user)
    await session.flush()
    if council_id is not None and role is not None:
        session.add(StaffMembership(user_id=user.id, council_id=council_id, role=role))
    await session.flush()
    return user


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningServer:
    base_url: str
    ws_url: str
    app: Any
    server: uvicorn.Server

    @property
    def services(self) -> Services:
        svc: Services = self.app.state.services
        return svc


@contextlib.asynccontextmanager
async def run_server(
    settings: Settings, ws: str = "hub.live.uvicorn_seam:FastSendProtocol"
) -> AsyncIterator[RunningServer]:
    """The app under real uvicorn on 127.0.0.1, in this event loop."""
    app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        ws=ws,
        ws_per_message_deflate=False,
        ws_max_size=settings.ws_max_frame_bytes,
        lifespan="on",
        log_level="warning",
    )
    async with serving(config, stop_within=15) as server:
        yield RunningServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", app, server)


@contextlib.asynccontextmanager
async def serving(config: uvicorn.Config, stop_within: float = 10) -> AsyncIterator[uvicorn.Server]:
    """uvicorn serving ``config`` in this event loop, started when this yields (the hub under
    test, and the fakes of the platforms it talks to)."""
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    else:
        raise RuntimeError("uvicorn did not start")
    try:
        yield server
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, stop_within)


async def raw_exchange(server: RunningServer, head: bytes, timeout: float = 5) -> bytes:
    """Sends bytes as they are on a fresh connection (a request head: no client would send it
    whole or alone) and returns the first answer to arrive; TimeoutError if none does."""
    host, port = server.base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(head)
        await writer.drain()
        return await asyncio.wait_for(reader.read(65536), timeout)
    finally:
        writer.close()


@cache
def _tls() -> ssl.SSLContext:
    # httpx builds a TLS context for every client, loading the whole CA bundle (20-70 ms of CPU
    # on this machine, more than most requests): the tests' clients, all plain HTTP to
    # 127.0.0.1, share this one.
    return httpx.create_ssl_context()


def http_client(base_url: str = "", **kwargs: Any) -> httpx.AsyncClient:
    """An HTTP client for the tests (``httpx.AsyncClient``'s arguments)."""
    return httpx.AsyncClient(base_url=base_url, verify=_tls(), **kwargs)


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class StaffClient:
    http: httpx.AsyncClient
    csrf: str

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())

    async def post(self, path: str, data: dict[str, str], json_: bool = True) -> httpx.Response:
        headers = {"Accept": "application/json"} if json_ else {}
        return await self.http.post(path, data={**data, "csrf_token": self.csrf}, headers=headers)


async def attempt_sign_in(http: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    """One sign-in through the real form (its CSRF token from the page), answered as it is."""
    page = await http.get("/staff/login")
    match = CSRF_RE.search(page.text)
    assert match, "login page has no CSRF field"
    return await http.post(
        "/staff/login", data={"email": email, "password": password, "csrf_token": match.group(1)}
    )


async def sign_in(
    base_url: str, email: str, password: str = PASSWORD, address: str | None = None
) -> StaffClient:
    """A staff member signed in through the real form (from ``address``, as a proxy in front
    of the hub would say: uvicorn trusts X-Forwarded-For from 127.0.0.1)."""
    headers = {"X-Forwarded-For": address} if address else {}
    http = http_client(base_url, follow_redirects=False, timeout=10, headers=headers)
    page = await http.get("/staff/login")
    match = CSRF_RE.search(page.text)
    assert match, "login page has no CSRF field"
    response = await http.post(
        "/staff/login", data={"email": email, "password": password, "csrf_token": match.group(1)}
    )
    assert response.status_code == 303, response.text
    console = await http.get("/staff/")
    token = CSRF_RE.search(console.text)
    assert token, "staff page has no CSRF field"
    return StaffClient(http, token.group(1))


def ws_connect(url: str, **kwargs: Any) -> Any:
    return connect(url, compression=None, open_timeout=5, close_timeout=2, **kwargs)


# Events unpacked from a multi-event frame but not yet returned, per socket. Weak keys: a closed
# socket's leftovers must never be handed to a new socket that happens to reuse its id().
_BUFFERED: weakref.WeakKeyDictionary[ClientConnection, list[dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)


async def recv_json(ws: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    """The next event or control frame that is not a heartbeat. A frame holding several events
    (a JSON array, sent when events come in a burst) is unpacked, in order. The timeout only
    bounds a failing test: generous, since a machine running other suites beside this one has
    been seen to take over 5 s for a commit and its frame."""
    buffered = _BUFFERED.setdefault(ws, [])
    while not buffered:
        frame = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        for message in frame if isinstance(frame, list) else [frame]:
            if message.get("type") != "heartbeat":
                buffered.append(dict(message))
    return buffered.pop(0)


async def recv_events(ws: ClientConnection, n: int, timeout: float = 10) -> list[dict[str, Any]]:
    return [await recv_json(ws, timeout) for _ in range(n)]


async def assert_quiet(ws: ClientConnection, wait: float = 0.3) -> None:
    """No event frame arrives within ``wait`` seconds."""
    with contextlib.suppress(TimeoutError):
        frame = await recv_json(ws, wait)
        raise AssertionError(f"unexpected frame {frame}")


# ---- residents ------------------------------------------------------------------------------


def resident(base_url: str) -> httpx.AsyncClient:
    """A resident's browser: its own cookie jar, so its own participant id."""
    return http_client(base_url, timeout=10)


async def contribute(
    client: httpx.AsyncClient, meeting_id: int, body: str, kind: str = "comment", **fields: Any
) -> httpx.Response:
    import uuid

    payload = {"kind": kind, "body": body, "client_token": uuid.uuid4().hex, **fields}
    if kind == "comment":
        payload.setdefault("position", "support")
    return await client.post(f"/api/meetings/{meeting_id}/contributions", json=payload)


FORM_TOKEN_RE = re.compile(r'name="form_token" value="([^"]+)"')


async def form_token(client: httpx.AsyncClient, meeting_id: int) -> str:
    """The no-JavaScript form's token, from the meeting's page (which sets the cookie)."""
    page = await client.get(f"/meetings/{meeting_id}")
    match = FORM_TOKEN_RE.search(page.text)
    assert match, "the meeting page has no form_token"
    return match.group(1)


def cookie_header(client: httpx.AsyncClient) -> str:
    return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


async def set_policy(sessionmaker: Any, broker: Any = None, **changes: Any) -> None:
    """Change the seeded council's participation policy, as an admin would (the action, which
    tells open pages through ``broker``)."""
    from hub.actions.councils import update_policy
    from hub.broker.memory import MemoryBroker
    from hub.events.publish import writing

    async with writing(sessionmaker, broker or MemoryBroker()) as w:
        await update_policy(w, "aberglas", changes)
