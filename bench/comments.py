"""Residents' comments, as the benchmark sends them (issue 4): the bursts and ingest scenarios.

- ``raise_rate_limits``: every fleet and poster request comes from 127.0.0.x, so the council's
  per-address and per-participant limits (columns ``rate_per_address`` / ``rate_per_participant``
  of ``councils``) are raised in the benchmark's own database after seeding, before the hub
  starts (the hub reads them per request, so starting after is not required, only simpler).
- ``post_comments``: residents posting through the real route, ``POST
  /api/meetings/{id}/contributions`` (JSON, no ``council_hub_participant`` cookie: every post is
  a fresh participant), over a fixed number of concurrent keep-alive connections, one post in
  flight on each, bounded in count and time. The client is ``bench/poster.py``: a raw asyncio
  HTTP/1.1 client in its own process(es) (one by default), about 70 µs of CPU per post against
  the hub where httpx in the benchmark's process took ~2.2 ms; its pids and CPU time come back in
  ``PostResults`` so the load generator's cost can be reported beside the server's. A 201 is
  only sent after the commit, so every 201'd id must be in the database afterwards
  (``stored_ids``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from bench.hub_server import Database
from bench.poster import ERROR_TEXTS, Posters

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
    # The first few non-201s ("post k: status body[:200]"), then every transport error.
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0  # from the go to the last response (or transport error)
    attempted: int = 0
    # The poster processes (the load generator) and their CPU seconds over the measured run
    # (from the go to their reports, /proc utime + stime): "client CPU per post" is
    # client_cpu / attempted.
    client_pids: list[int] = field(default_factory=list)
    client_cpu: float = 0.0


async def post_comments(
    host: str,
    meeting_id: int,
    count: int,
    concurrency: int,
    deadline_s: float,
    run: str | None = None,
    processes: int = 1,
) -> PostResults:
    """``count`` comments over ``concurrency`` connections, at most ``deadline_s`` seconds.

    The connections are spread over ``processes`` poster processes (``bench/poster.py``).
    One is the default: at ~70 µs of CPU per post (less when responses come together) one
    process can drive more than 10,000 posts/s, far beyond a hub that spends a millisecond or
    more per comment, and every extra process is one more interpreter competing with the server
    for the same cores. ``processes`` is capped at ``concurrency``.
    """
    run = run or uuid.uuid4().hex[:8]
    async with Posters(host, meeting_id, count, concurrency, run, processes) as posters:
        reports = await posters.run(deadline_s)
    res = PostResults(client_pids=posters.pids, client_cpu=posters.cpu)
    done: list[tuple[float, int, float]] = []
    refusals: list[str] = []
    for rep in reports:
        done += zip(rep.ends, rep.ids, rep.latencies, strict=True)
        for status, n in rep.refused.items():
            res.refused[status] = res.refused.get(status, 0) + n
        refusals += rep.refusals
        res.errors += rep.errors
        res.attempted += rep.attempted
        res.wall = max(res.wall, rep.last)
    if len(reports) > 1:
        done.sort()
    res.errors = refusals[:ERROR_TEXTS] + res.errors
    res.ids = [cid for _, cid, _ in done]
    res.latencies = [lat for _, _, lat in done]
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
