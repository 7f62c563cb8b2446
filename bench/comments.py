"""Residents' comments, as the benchmark sends them (issue 4): the bursts and ingest scenarios.

- ``raise_rate_limits``: every fleet and poster request comes from 127.0.0.x, so the council's
  per-address and per-participant limits (columns ``rate_per_address`` / ``rate_per_participant``
  of ``councils``) are raised in the benchmark's own database after seeding, before the hub
  starts (the hub reads them per request, so starting after is not required, only simpler).
- ``Poster``: residents posting through the real route, ``POST /api/meetings/{id}/contributions``
  (JSON, no ``council_hub_participant`` cookie: every post is a fresh participant), a fixed
  number of concurrent HTTP clients, bounded in count and time. A 201 is only sent after the
  commit, so every 201'd id must be in the database afterwards (``stored_ids``).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from bench.hub_server import HTTP_TIMEOUT_S, Database

RAISED_LIMIT = 10_000_000


async def raise_rate_limits(db: Database) -> None:
    from sqlalchemy import text

    from hub.db import create_engine

    engine = create_engine(db.url)
    try:
        async with engine.begin() as c:
            await c.execute(
                text("UPDATE councils SET rate_per_participant = :n, rate_per_address = :n"),
                {"n": RAISED_LIMIT},
            )
    finally:
        await engine.dispose()


async def stored_ids(db: Database, ids: list[int]) -> dict[int, str]:
    """id -> status of those contributions that are in the database."""
    from sqlalchemy import text

    from hub.db import create_engine

    engine = create_engine(db.url)
    out: dict[int, str] = {}
    try:
        async with engine.connect() as c:
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                marks = ",".join(str(int(x)) for x in chunk)
                rows = await c.execute(
                    text(f"SELECT id, status FROM contributions WHERE id IN ({marks})")
                )
                out.update({int(r[0]): str(r[1]) for r in rows})
    finally:
        await engine.dispose()
    return out


def comment_body(k: int, run: str) -> str:
    """Distinct bodies (screening holds repeats), plain words (no links, nothing to screen)."""
    return (
        f"Comment {k} from run {run}: the crossing on Station Road needs a second lollipop "
        f"patrol at school times, and the bus stop shelter number {k % 97} is still broken."
    )


@dataclass
class PostResults:
    ids: list[int] = field(default_factory=list)  # 201'd, in the order the 201s came
    latencies: list[float] = field(default_factory=list)  # seconds, per 201
    refused: dict[int, int] = field(default_factory=dict)  # status -> count (non-201)
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0
    attempted: int = 0


async def post_comments(
    host: str,
    meeting_id: int,
    count: int,
    concurrency: int,
    deadline_s: float,
    run: str | None = None,
) -> PostResults:
    """``count`` comments from ``concurrency`` clients, at most ``deadline_s`` seconds."""
    import httpx

    run = run or uuid.uuid4().hex[:8]
    res = PostResults()
    next_k = 0
    t0 = time.monotonic()
    stop_at = t0 + deadline_s
    path = f"/api/meetings/{meeting_id}/contributions"

    async def worker() -> None:
        nonlocal next_k
        async with httpx.AsyncClient(
            base_url=f"http://{host}", timeout=HTTP_TIMEOUT_S, follow_redirects=False
        ) as http:
            while next_k < count and time.monotonic() < stop_at:
                k = next_k
                next_k += 1
                res.attempted += 1
                http.cookies.clear()  # a fresh participant per post
                body: dict[str, Any] = {
                    "kind": "comment",
                    "position": ("support", "oppose", "neutral")[k % 3],
                    "body": comment_body(k, run),
                    "item_id": None,
                    "client_token": f"{run}-{k}",
                }
                start = time.monotonic()
                try:
                    r = await http.post(path, json=body)
                except httpx.HTTPError as exc:
                    res.errors.append(f"post {k}: {type(exc).__name__}: {exc}")
                    continue
                if r.status_code == 201:
                    res.latencies.append(time.monotonic() - start)
                    res.ids.append(int(r.json()["id"]))
                else:
                    res.refused[r.status_code] = res.refused.get(r.status_code, 0) + 1
                    if len(res.errors) < 5:
                        res.errors.append(f"post {k}: {r.status_code} {r.text[:200]}")

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    res.wall = time.monotonic() - t0
    return res


def hub_errors(log: str, limit: int = 12) -> str:
    """The hub's error lines (exception names and messages), most frequent first."""
    counts: dict[str, int] = {}
    for line in log.splitlines():
        if "Error" in line or "error" in line or "Exception" in line:
            key = line.strip()[:200]
            counts[key] = counts.get(key, 0) + 1
    top = sorted(counts.items(), key=lambda x: -x[1])[:limit]
    return "\n".join(f"{k} x {line}" for line, k in top)
