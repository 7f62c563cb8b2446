"""Two real app processes sharing PostgreSQL and Redis: an action taken through process A
reaches a resident socket on process B, in order, with nothing missing after a reconnect."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.conftest import seed_url
from tests.services import run_sync
from tests.support import free_port, http_client, recv_events, recv_json, sign_in, ws_connect

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def pg_url(postgres_database: str) -> str:
    from tests.conftest import _truncate

    run_sync(lambda: _truncate(postgres_database))
    return postgres_database


@contextlib.contextmanager
def app_process(database_url: str, broker_url: str, port: int) -> Iterator[str]:
    env = {
        **os.environ,
        "COUNCIL_HUB_DATABASE_URL": database_url,
        "COUNCIL_HUB_BROKER_URL": broker_url,
        "COUNCIL_HUB_SECRET_KEY": "shared-secret-for-both-processes-0123456789",
    }
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hub", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield f"127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.seek(0)
            output = log.read().decode(errors="replace")
            # Shown by pytest if the test fails: what the process said.
            print(f"--- app process on port {port} ---\n{output}")


async def _ready(host: str) -> None:
    async with http_client() as http:
        for _ in range(300):
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"http://{host}/healthz")).status_code == 200:
                    return
            await asyncio.sleep(0.05)
    raise AssertionError(f"{host} did not start")


@contextlib.asynccontextmanager
async def two_processes(database_url: str, broker_url: str) -> AsyncIterator[tuple[str, str]]:
    with (
        app_process(database_url, broker_url, free_port()) as a,
        app_process(database_url, broker_url, free_port()) as b,
    ):
        await asyncio.gather(_ready(a), _ready(b))
        yield a, b


async def test_action_on_a_reaches_socket_on_b(pg_url: str, redis_url: str) -> None:
    seeded = await seed_url(pg_url)
    mid = seeded.meeting_id
    async with two_processes(pg_url, redis_url) as (a, b):
        clerk = await sign_in(f"http://{a}", seeded.users["clerk"])
        async with ws_connect(f"ws://{b}/api/meetings/{mid}/live?after=0") as resident:
            await asyncio.sleep(0.2)  # B subscribes to the meeting's channel on first socket
            r = await clerk.post(f"/staff/meetings/{mid}/status", {"action": "open"})
            assert r.status_code == 200
            for item in seeded.item_ids[:3]:
                r = await clerk.post(
                    f"/staff/meetings/{mid}/items/{item}/status", {"status": "current"}
                )
                assert r.status_code == 200
            got = await recv_events(resident, 1 + 3 + 2)  # open, 3 x current, 2 x back to pending
            seqs = [e["seq"] for e in got]
            assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
            assert got[0]["data"]["meeting"]["status"] == "live"
            assert got[-1]["data"]["item"] == {
                **got[-1]["data"]["item"],
                "id": seeded.item_ids[2],
                "status": "current",
            }
            last = seqs[-1]
        # Resume on B after more actions through A.
        await clerk.post(f"/staff/meetings/{mid}/status", {"action": "adjourn"})
        async with ws_connect(f"ws://{b}/api/meetings/{mid}/live?after={last}") as resident:
            event = await recv_json(resident)
            assert (
                event["type"] == "meeting.updated"
                and event["data"]["meeting"]["status"] == "adjourned"
            )
        # The staff session made on A is valid on B (shared signing key, shared database).
        r = await clerk.http.get(f"http://{b}/staff/meetings/{mid}")
        assert r.status_code == 200
        await clerk.http.aclose()
