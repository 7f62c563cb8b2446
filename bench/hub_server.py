"""The hub as users run it, and how the benchmark drives it.

Process entry: ``python -m bench.hub_server --port P`` raises the fd limit and then calls
``council-hub serve`` itself (``hub.cli.main(["serve", ...])``): the same uvicorn settings,
``ws="hub.live.uvicorn_seam:FastSendProtocol"``, ``ws_per_message_deflate=False``, log level,
everything;
configured by the same ``COUNCIL_HUB_*`` environment. ``council-hub serve`` does not raise
RLIMIT_NOFILE itself; with the shell's limit (often 1,024) it could not hold 10,000 sockets.

Controller side (used by the scenarios):

- ``sqlite_database`` / ``postgres_database``: a fresh database migrated with
  ``hub.migrate.upgrade`` and seeded with ``hub.demo.seed`` (the demo council, its "Cabinet"
  meeting with 16 agenda items, and a clerk whose password the seed returns). SQLite is migrated
  and seeded once per benchmark run and copied for every server; PostgreSQL is recreated.
- ``HubDeployment``: one or more server processes on free ports sharing that database.
- ``Clerk``: signs in exactly as a browser does (GET /staff/login for the CSRF token, POST the
  form, GET /staff/ for the console's token) and posts actions with ``Accept: application/json``.
- ``StaffFeed``: the clerk's own staff socket. A public socket never sees staff seqs, so which
  seqs of an action are public is read here, from every frame of the log, as the clerk's console
  would see it. One extra socket on the server, not counted as a delivery.
- ``HubTarget``: "fire the next clerk action and say which public frames it produced".
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.procs import START_TIMEOUT_S, Child, free_port, python_module, raise_nofile

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
# PostgreSQL bench databases start meeting ids here. Redis pub/sub channels are global to the
# Redis server ("council-hub:meeting:{id}"), so a test suite running beside the benchmark on the
# same Redis must not share meeting ids with it.
PG_MEETING_ID_FLOOR = 700_000
SECRET_KEY = "council-hub-bench-shared-secret-0123456789"
# An HTTP action that takes longer than this is a failure, not a figure.
HTTP_TIMEOUT_S = 30.0
# The staff socket must show an action's last seq within this long after the response.
FEED_TIMEOUT_S = 30.0


def main() -> None:
    parser = argparse.ArgumentParser(description="council-hub serve, with the fd limit raised")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    raise_nofile()
    from hub.cli import main as hub_main

    hub_main(
        ["serve", "--host", args.host, "--port", str(args.port), "--workers", str(args.workers)]
    )


# ---------------------------------------------------------------------------------------------
# Databases
# ---------------------------------------------------------------------------------------------


@dataclass
class Database:
    url: str
    meeting_id: int
    clerk_email: str
    clerk_password: str
    admin_url: str | None = None  # PostgreSQL: where to drop it from
    name: str | None = None

    async def drop(self) -> None:
        if self.admin_url is None or self.name is None:
            return
        import asyncpg

        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            await conn.close()


async def _seed(url: str) -> tuple[int, str, str]:
    from hub import demo
    from hub.db import create_engine, create_sessionmaker
    from hub.events.publish import Writer

    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            logins = await demo.seed(Writer(session))
            await session.commit()
    finally:
        await engine.dispose()
    return logins.meeting_id, demo.CLERK_EMAIL, logins.clerk_password


class SqliteTemplate:
    """Migrated and seeded once; each server gets a copy of the file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / "template.db"
        self._seeded: tuple[int, str, str] | None = None
        self._copies = 0

    async def copy(self) -> Database:
        from hub.migrate import upgrade_async

        if self._seeded is None:
            url = f"sqlite+aiosqlite:///{self.path}"
            await upgrade_async(url)
            self._seeded = await _seed(url)
        self._copies += 1
        dest = self.directory / f"run-{self._copies}.db"
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(self.path) + suffix)
            if src.exists():
                shutil.copyfile(src, str(dest) + suffix)
        meeting_id, email, password = self._seeded
        return Database(f"sqlite+aiosqlite:///{dest}", meeting_id, email, password)


async def postgres_database(server_url: str, name: str) -> Database:
    """A fresh database ``name`` on the server of ``server_url`` (a postgresql+asyncpg URL)."""
    import asyncpg

    from hub.db import create_engine
    from hub.migrate import upgrade_async

    admin_url = server_url.replace("+asyncpg", "")
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = server_url.rsplit("/", 1)[0] + "/" + name
    await upgrade_async(url)
    from sqlalchemy import text

    engine = create_engine(url)
    try:
        async with engine.begin() as c:
            sequence = "pg_get_serial_sequence('meetings', 'id')"
            await c.execute(text(f"SELECT setval({sequence}, {PG_MEETING_ID_FLOOR})"))
    finally:
        await engine.dispose()
    meeting_id, email, password = await _seed(url)
    return Database(url, meeting_id, email, password, admin_url=admin_url, name=name)


# ---------------------------------------------------------------------------------------------
# Server processes
# ---------------------------------------------------------------------------------------------


class HubDeployment:
    """``processes`` hub servers on free ports, sharing one database and broker."""

    def __init__(
        self,
        db: Database,
        broker_url: str = "memory://",
        processes: int = 1,
        env: dict[str, str] | None = None,
    ) -> None:
        self.db = db
        self.broker_url = broker_url
        self.processes = processes
        self.env = env or {}
        self.children: list[Child] = []
        self.hosts: list[str] = []

    @property
    def pids(self) -> list[int]:
        return [c.pid for c in self.children]

    async def __aenter__(self) -> HubDeployment:
        env = {
            "COUNCIL_HUB_DATABASE_URL": self.db.url,
            "COUNCIL_HUB_BROKER_URL": self.broker_url,
            "COUNCIL_HUB_SECRET_KEY": SECRET_KEY,
            **self.env,
        }
        try:
            for i in range(self.processes):
                port = free_port()
                self.children.append(
                    Child(f"hub{i}", python_module("bench.hub_server", "--port", str(port)), env)
                )
                self.hosts.append(f"127.0.0.1:{port}")
            await asyncio.gather(
                *(wait_healthy(h, c) for h, c in zip(self.hosts, self.children, strict=True))
            )
        except BaseException:
            await self.__aexit__()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        for child in self.children:
            await asyncio.to_thread(child.stop)
        self.children_output = [c.output for c in self.children]


async def wait_healthy(host: str, child: Child, timeout: float = START_TIMEOUT_S) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=2) as http:
        while time.monotonic() < deadline:
            if not child.running():
                raise RuntimeError(f"{child.name} exited while starting:\n{child.tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"http://{host}/healthz")).status_code == 200:
                    return
            await asyncio.sleep(0.05)
    raise RuntimeError(f"{child.name} did not answer /healthz in {timeout} s:\n{child.tail()}")


async def live_sockets(host: str) -> int:
    """Sockets the hub process at ``host`` has attached (its /healthz figure)."""
    import httpx

    async with httpx.AsyncClient(timeout=10) as http:
        return int((await http.get(f"http://{host}/healthz")).json()["live_sockets"])


# ---------------------------------------------------------------------------------------------
# The clerk and the clerk's staff socket
# ---------------------------------------------------------------------------------------------


class Clerk:
    """A signed-in clerk on one hub process. Always use as ``async with``."""

    def __init__(self, host: str, email: str, password: str) -> None:
        import httpx

        self.host = host
        self.email = email
        self.password = password
        self.http = httpx.AsyncClient(
            base_url=f"http://{host}", follow_redirects=False, timeout=HTTP_TIMEOUT_S
        )
        self.csrf = ""

    async def __aenter__(self) -> Clerk:
        try:
            page = await self.http.get("/staff/login")
            match = CSRF_RE.search(page.text)
            if match is None:
                raise RuntimeError("the login page has no CSRF field")
            r = await self.http.post(
                "/staff/login",
                data={"email": self.email, "password": self.password, "csrf_token": match[1]},
            )
            if r.status_code != 303:
                raise RuntimeError(f"sign-in failed: {r.status_code} {r.text[:200]}")
            console = await self.http.get("/staff/")
            token = CSRF_RE.search(console.text)
            if token is None:
                raise RuntimeError("the staff page has no CSRF field")
            self.csrf = token[1]
        except BaseException:
            await self.http.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())

    async def act(self, path: str, form: dict[str, str]) -> int:
        """Post a clerk action; return the last seq it appended."""
        r = await self.http.post(
            path, data={**form, "csrf_token": self.csrf}, headers={"Accept": "application/json"}
        )
        if r.status_code != 200:
            raise RuntimeError(f"action {path} {form} failed: {r.status_code} {r.text[:300]}")
        return int(r.json()["last_seq"])

    async def get_json(self, path: str) -> Any:
        r = await self.http.get(path)
        r.raise_for_status()
        return r.json()


class StaffFeed:
    """The clerk's staff socket: every seq of the meeting, public and staff."""

    def __init__(self, host: str, meeting_id: int, clerk: Clerk, after: int) -> None:
        self.url = f"ws://{host}/staff/api/meetings/{meeting_id}/live?after={after}"
        self.origin = f"http://{host}"
        self.cookie = clerk.cookie_header()
        self.frames: dict[int, tuple[str, str]] = {}  # seq -> (type, envelope)
        self.last_seq = after
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None
        self._ws: Any = None

    async def __aenter__(self) -> StaffFeed:
        from websockets.asyncio.client import connect

        self._ws = await connect(
            self.url,
            compression=None,
            origin=self.origin,  # type: ignore[arg-type]
            additional_headers={"Cookie": self.cookie},
            open_timeout=10,
            close_timeout=2,
            max_size=None,
        )
        self._task = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _read(self) -> None:
        try:
            async for message in self._ws:
                decoded = json.loads(message)
                # One envelope per frame, or (when the hub coalesces) a JSON array of them.
                if isinstance(decoded, list):
                    items = [
                        (f, json.dumps(f, separators=(",", ":"), ensure_ascii=False))
                        for f in decoded
                    ]
                else:
                    items = [(decoded, message)]
                for frame, envelope in items:
                    seq = frame.get("seq")
                    if seq is not None:
                        self.frames[seq] = (frame["type"], envelope)
                        self.last_seq = max(self.last_seq, seq)
                for item in [w for w in self._waiters if w[0] <= self.last_seq]:
                    self._waiters.remove(item)
                    if not item[1].done():
                        item[1].set_result(None)
        except Exception as exc:  # make waiters fail now, not at their timeout
            for _, fut in self._waiters:
                if not fut.done():
                    fut.set_exception(RuntimeError(f"the staff socket failed: {exc!r}"))
            raise

    async def until(self, seq: int, timeout: float = FEED_TIMEOUT_S) -> None:
        if self.last_seq >= seq:
            return
        if self._task is not None and self._task.done():
            raise RuntimeError(f"the staff socket is gone ({self._task.exception()!r})")
        fut = asyncio.get_running_loop().create_future()
        self._waiters.append((seq, fut))
        await asyncio.wait_for(fut, timeout)

    def public_between(self, after: int, up_to: int) -> list[tuple[int, str]]:
        """Public (seq, envelope) in (after, up_to], in seq order."""
        from hub.events.schema import EVENT_TYPES, Audience

        out = []
        for seq in range(after + 1, up_to + 1):
            kind, envelope = self.frames[seq]
            if EVENT_TYPES[kind].audience is Audience.PUBLIC:
                out.append((seq, envelope))
        return out


# ---------------------------------------------------------------------------------------------
# Clerk action scripts and the target the measurements drive
# ---------------------------------------------------------------------------------------------

Script = Callable[[int], tuple[str, dict[str, str]]]


def current_item_cycle(meeting_id: int, item_ids: list[int]) -> Script:
    """Step k makes agenda item k (cyclically) current: the previous one goes back to pending,
    so each action publishes two public frames (item back to pending, item now current) and a
    staff one."""

    def step(k: int) -> tuple[str, dict[str, str]]:
        item = item_ids[k % len(item_ids)]
        return f"/staff/meetings/{meeting_id}/items/{item}/status", {"status": "current"}

    return step


def outcome_note_cycle(meeting_id: int, item_ids: list[int], note: str) -> Script:
    """Even steps make the next item current, odd steps mark it done with an outcome note: one
    public frame per action, ~2.4 KB once items carry their notes (a busy meeting's minutes)."""

    def step(k: int) -> tuple[str, dict[str, str]]:
        item = item_ids[(k // 2) % len(item_ids)]
        path = f"/staff/meetings/{meeting_id}/items/{item}/status"
        if k % 2 == 0:
            return path, {"status": "current"}
        return path, {"status": "done", "note": note}

    return step


def long_note() -> str:
    from hub.actions.agenda import OUTCOME_MAX_CHARS

    sentence = "Approved, 7 votes to 2, with the amendment moved by the Cabinet Member. "
    return (sentence * (OUTCOME_MAX_CHARS // len(sentence) + 1))[:OUTCOME_MAX_CHARS]


@dataclass
class Fired:
    t0: float  # time.monotonic() just before the trigger was sent
    seqs: list[int]  # the public seqs it produced, in order
    wire_bytes: int  # their size on the wire (frame headers included), per socket
    envelopes: list[str] = field(default_factory=list)
    # WebSocket frames a resident got for it (one per event, or fewer when the hub coalesces;
    # 0 when its events went out in a later action's frame); None until known.
    frames: int | None = None


def frame_seqs(text: str) -> list[int]:
    """The seqs in one frame: an envelope, or a JSON array of envelopes (coalesced)."""
    decoded = json.loads(text)
    if isinstance(decoded, list):
        return [int(e["seq"]) for e in decoded]
    return [int(decoded["seq"])]


def frames_per_action(fired: list[Fired], captured: list[str]) -> list[list[str]]:
    """The frames a resident received, grouped by the action that produced them; an action
    no socket saw live (fired before they connected, or while they were away) gets its public
    envelopes one frame each, as a resuming socket would. Sets each seen action's ``frames``."""
    owner = {s: i for i, f in enumerate(fired) for s in f.seqs}
    per: list[list[str]] = [[] for _ in fired]
    seen: set[int] = set()
    for raw in captured:
        seqs = frame_seqs(raw)
        seen.update(seqs)
        i = owner.get(seqs[-1])
        if i is not None:
            per[i].append(raw)
    for i, f in enumerate(fired):
        if f.frames is None and f.seqs and seen.issuperset(f.seqs):
            f.frames = len(per[i])  # a frame counts for the action whose event ends it
        if [s for raw in per[i] for s in frame_seqs(raw)] != f.seqs:
            per[i] = list(f.envelopes)
    return per


def wire_size(envelope: str) -> int:
    n = len(envelope.encode())
    return n + (2 if n < 126 else 4 if n < 1 << 16 else 10)


class HubTarget:
    """A running deployment with a signed-in clerk and the staff feed, ready to fire actions."""

    name = "hub"

    def __init__(self, deployment: HubDeployment, clerk: Clerk, feed: StaffFeed) -> None:
        self.deployment = deployment
        self.clerk = clerk
        self.feed = feed
        self.meeting_id = deployment.db.meeting_id
        self.script: Script | None = None
        self.step = 0
        self.last_seq = feed.last_seq
        self.fired: list[Fired] = []
        self.item_ids: list[int] = []

    @property
    def server_pids(self) -> list[int]:
        return self.deployment.pids

    def ws_urls(self) -> list[str]:
        return [f"ws://{h}/api/meetings/{self.meeting_id}/live" for h in self.deployment.hosts]

    async def trigger(self) -> tuple[float, int]:
        """Post the next clerk action; return (trigger time, the last seq it appended)."""
        assert self.script is not None, "set a script first"
        path, form = self.script(self.step)
        self.step += 1
        t0 = time.monotonic()
        return t0, await self.clerk.act(path, form)

    async def settle(self, triggered: list[tuple[float, int]]) -> list[Fired]:
        """Which public frames each triggered action produced (from the staff socket)."""
        if triggered:
            await self.feed.until(triggered[-1][1])
        out = []
        for t0, seq in triggered:
            public = self.feed.public_between(self.last_seq, seq)
            self.last_seq = seq
            fired = Fired(
                t0,
                [s for s, _ in public],
                sum(wire_size(e) for _, e in public),
                [e for _, e in public],
            )
            self.fired.append(fired)
            out.append(fired)
        return out

    async def fire(self) -> Fired:
        return (await self.settle([await self.trigger()]))[0]


@contextlib.asynccontextmanager
async def hub_target(
    db: Database,
    broker_url: str = "memory://",
    processes: int = 1,
    env: dict[str, str] | None = None,
) -> Any:
    """Start the deployment, sign the clerk in on process 0, open the meeting (through the real
    action) and follow it on the staff socket. Yields a HubTarget."""
    async with (
        HubDeployment(db, broker_url, processes, env) as deployment,
        Clerk(deployment.hosts[0], db.clerk_email, db.clerk_password) as clerk,
    ):
        snap = await clerk.get_json(f"/api/meetings/{db.meeting_id}")
        if snap["meeting"]["status"] == "scheduled":
            await clerk.act(f"/staff/meetings/{db.meeting_id}/status", {"action": "open"})
            snap = await clerk.get_json(f"/api/meetings/{db.meeting_id}")
        async with StaffFeed(deployment.hosts[0], db.meeting_id, clerk, 0) as feed:
            await feed.until(snap["last_seq"])
            target = HubTarget(deployment, clerk, feed)
            target.item_ids = [item["id"] for item in snap["items"]]
            yield target


if __name__ == "__main__":
    main()
