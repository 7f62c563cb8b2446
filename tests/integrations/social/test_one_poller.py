"""Two real hub processes (``council-hub serve``) on one PostgreSQL database: exactly one polls
the social sources; killed (SIGKILL: no goodbye, its lease left to expire), the other takes
over within the lease's lifetime, and every post is stored once."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.db import create_engine, create_sessionmaker
from hub.models import Lease, utcnow
from tests.conftest import seed_url
from tests.integrations.social.platforms import TAGS, Mastodon
from tests.integrations.social.test_runner import add, bodies, live_meeting, until
from tests.live.test_scale_out import _ready
from tests.services import run_sync
from tests.support import free_port

pytestmark = [pytest.mark.postgres]
LEASE_S = 2.0


@pytest.fixture
def pg_url(postgres_database: str) -> str:
    from tests.conftest import _truncate

    run_sync(lambda: _truncate(postgres_database))
    return postgres_database


@dataclass
class Process:
    proc: subprocess.Popen[bytes]
    host: str
    log: Path

    def said(self) -> str:
        return self.log.read_text(errors="replace")


@contextlib.contextmanager
def hub_process(database_url: str, log: Path) -> Iterator[Process]:
    port = free_port()
    env = {
        **os.environ,
        "COUNCIL_HUB_DATABASE_URL": database_url,
        "COUNCIL_HUB_SECRET_KEY": "shared-secret-for-both-processes-0123456789",
        "COUNCIL_HUB_SOCIAL_POLL_SECONDS": "0.3",
        "COUNCIL_HUB_LEASE_SECONDS": str(LEASE_S),
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hub", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield Process(proc, f"127.0.0.1:{port}", log)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        print(f"--- hub process {proc.pid} ---\n{log.read_text(errors='replace')}")


async def test_two_processes_one_polls_and_the_other_takes_over(
    pg_url: str, tmp_path: Path
) -> None:
    from tests.integrations.social.fakes import serve

    seeded = await seed_url(pg_url)
    engine = create_engine(pg_url)
    sessionmaker = create_sessionmaker(engine)

    async def holder() -> str | None:
        async with sessionmaker() as session:
            lease = await session.scalar(select(Lease).where(Lease.name == "social-poller"))
            return lease.holder if lease is not None and lease.expires_at > utcnow() else None

    try:
        async with serve() as api:
            mastodon = Mastodon(api)
            mastodon.install(TAGS)
            mid = await live_meeting(sessionmaker, seeded)
            await add(sessionmaker, "mastodon", api.base_url)
            mastodon.post("First #AberglasCabinet", utcnow(), ["AberglasCabinet"])
            with (
                hub_process(pg_url, tmp_path / "a.log") as a,
                hub_process(pg_url, tmp_path / "b.log") as b,
            ):
                await asyncio.gather(_ready(a.host), _ready(b.host))
                await until(lambda: _stored(sessionmaker, mid, 1))
                first = await holder()
                assert first is not None
                by_pid = {str(p.proc.pid): p for p in (a, b)}
                leader = by_pid[first.split("-")[0]]
                other = b if leader is a else a
                # For a while: the lease stays put, only the leader ever took it.
                await asyncio.sleep(2 * LEASE_S)
                assert await holder() == first
                assert "lease social-poller taken" in leader.said()
                assert "lease social-poller taken" not in other.said()

                leader.proc.send_signal(signal.SIGKILL)
                leader.proc.wait(10)
                mastodon.post("After the kill #AberglasCabinet", utcnow(), ["AberglasCabinet"])
                took = await until(lambda: _stored(sessionmaker, mid, 2), timeout=60)
                # Within the lease's lifetime, plus a renewal round and a poll.
                print(f"taken over and the new post stored {took:.2f} s after the kill")
                assert took < LEASE_S + LEASE_S / 3 + 2, took
                second = await holder()
                assert second is not None and second.split("-")[0] == str(other.proc.pid)
                assert "lease social-poller taken" in other.said()
                await asyncio.sleep(1.0)
                assert sorted(await bodies(sessionmaker, mid)) == [
                    "After the kill #AberglasCabinet",
                    "First #AberglasCabinet",
                ]
    finally:
        await engine.dispose()


async def _stored(sessionmaker: object, mid: int, n: int) -> bool:
    return len(await bodies(sessionmaker, mid)) >= n  # type: ignore[arg-type]
