"""Request bodies are refused past the limit without being read whole: on ``Content-Length``
before a byte of the body is read, and for a chunked body as soon as the limit is passed.

The test server runs in this process, so its memory is this process's: a sampler thread reads
VmRSS from /proc/self/status while a body of hundreds of MB streams in."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from starlette.routing import Route

from hub.web.bodies import BODY_MAX_BYTES
from hub.web.routes import ROUTES
from tests.support import RunningServer, Seeded, http_client, raw_exchange, sign_in

STREAMED_BYTES = 256 * 1024 * 1024
CHUNK = b"x" * (64 * 1024)
# Past this the body was held (or copied) in memory: the limit is 16 KiB, uvicorn buffers 64 KiB.
RSS_GROWTH_MAX_BYTES = 8 * 1024 * 1024


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


@contextmanager
def _peak_rss_growth() -> Iterator[list[int]]:
    """Samples RSS every millisecond in a thread (the event loop is busy with the request);
    yields a list holding the peak growth once the block ends."""
    if not Path("/proc/self/status").exists():
        pytest.skip("needs Linux's /proc to read the process's memory")
    baseline = _rss_bytes()
    peak = [baseline]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss_bytes())
            time.sleep(0.001)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    growth: list[int] = []
    try:
        yield growth
    finally:
        done.set()
        thread.join()
        growth.append(peak[0] - baseline)


async def _stream(total: int) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        yield CHUNK
        sent += len(CHUNK)


def _body_routes() -> list[tuple[str, str]]:
    """Every route that takes a body (POST, PUT, PATCH, DELETE), as (method, path)."""
    found = []
    for route in ROUTES:
        if isinstance(route, Route):
            for method in sorted((route.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}):
                found.append((method, route.path))
    assert found, "no route takes a body?"
    return found


def _url(path: str, seeded: Seeded) -> str:
    ids = {"meeting_id": seeded.meeting_id, "item_id": seeded.item_ids[0], "contribution_id": 1}
    for name, value in ids.items():
        path = path.replace(f"{{{name}:id}}", str(value))
    return path


async def test_a_chunked_body_is_refused_as_it_passes_the_limit(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    url = f"/api/meetings/{sqlite_seeded.meeting_id}/contributions"
    async with http_client(sqlite_server.base_url, timeout=30) as http:
        started = time.monotonic()
        with _peak_rss_growth() as growth:
            r = await http.post(
                url,
                content=_stream(STREAMED_BYTES),
                headers={"Content-Type": "application/json"},
            )
        elapsed = time.monotonic() - started
    assert (r.status_code, r.json()["error"]) == (413, "too_large"), r.text
    assert growth[0] < RSS_GROWTH_MAX_BYTES, f"RSS grew {growth[0] / 2**20:.0f} MB"
    assert elapsed < 5, f"the 413 took {elapsed:.1f} s: the body was read on"


async def test_a_declared_length_past_the_limit_is_refused_before_the_body(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    """The head says a gigabyte follows; none is sent. A server that waited for the body would
    time out here instead of answering."""
    head = (
        f"POST /api/meetings/{sqlite_seeded.meeting_id}/contributions HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {2**30}\r\n\r\n"
    )
    answer = await raw_exchange(sqlite_server, head.encode())
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b'"too_large"' in answer


@pytest.mark.parametrize(("method", "path"), _body_routes())
async def test_every_route_with_a_body_refuses_past_the_limit(
    sqlite_server: RunningServer, sqlite_seeded: Seeded, method: str, path: str
) -> None:
    """The residents' JSON and no-JavaScript form, the staff sign-in and every staff action:
    one chunked body a little past the limit, and one declared too long; the 413 is JSON for the
    APIs and for scripts, a page otherwise (hub/web/errors.py)."""
    url = _url(path, sqlite_seeded)
    clerk = await sign_in(sqlite_server.base_url, sqlite_seeded.users["clerk"])
    body = b"a=" + b"x" * BODY_MAX_BYTES
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    try:
        for accept in ("application/json", "text/html"):
            headers = {**form, "Accept": accept, "X-CSRF-Token": clerk.csrf}

            async def chunked() -> AsyncIterator[bytes]:
                yield body

            for content in (chunked(), body):
                r = await clerk.http.request(method, url, content=content, headers=headers)
                assert r.status_code == 413, (method, url, accept, r.text[:200])
                if accept == "application/json" or path.startswith(("/api/", "/staff/api/")):
                    assert r.json()["error"] == "too_large"
                else:
                    assert "text/html" in r.headers["content-type"]
    finally:
        await clerk.http.aclose()


async def test_a_body_at_the_limit_is_read(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    """Exactly the limit is still a body the route reads (an empty object: a 422), one byte
    more is not."""
    url = f"/api/meetings/{sqlite_seeded.meeting_id}/contributions"
    headers = {"Content-Type": "application/json"}
    async with http_client(sqlite_server.base_url) as http:
        for size, status in ((BODY_MAX_BYTES, 422), (BODY_MAX_BYTES + 1, 413)):
            body = b"{" + b" " * (size - 2) + b"}"
            r = await http.post(url, content=body, headers=headers)
            assert r.status_code == status, (size, r.text)
