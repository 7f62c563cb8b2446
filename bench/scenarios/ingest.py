"""Ingest (issue 4): residents posting comments concurrently, against a bare INSERT + COMMIT loop.

Per database (SQLite, then PostgreSQL in a fresh database
``council_hub_bench_ingest_<pid>``, created
and dropped here; skipped with a note when PostgreSQL does not answer):

- **hub**: one ``council-hub serve`` process, the demo meeting opened by the clerk, the council's
  rate limits raised (every request comes from 127.0.0.x); ``concurrency`` keep-alive
  connections from a poster process (``bench/poster.py``, raw HTTP/1.1, ~60 µs of CPU a post)
  post ``posts`` comments through ``POST /api/meetings/{id}/contributions``, each as a fresh
  participant (no cookie), screening on and pre-moderation (the defaults), so each is stored
  pending and answered 201 after its commit (the hub's group commit, ``hub/intake.py``). 20
  unmeasured posts warm the server first. With ``--profile``, py-spy samples the hub meanwhile.
- **bare**: the same number of concurrent loops, each on its own connection, doing one
  single-row ``INSERT`` into a table shaped like ``contributions`` as its own transaction
  (autocommit: INSERT + COMMIT), ``asyncpg`` or ``aiosqlite`` (WAL, synchronous=FULL, as the
  hub configures SQLite). No HTTP, no screening, no meeting lock, no event log: the floor a
  one-transaction-per-comment design can reach. This is the issue's baseline and goal.
- **bare HTTP** (``bench/bare_http.py``): the same posts, from the same poster, to the
  smallest web service on the hub's server stack (uvicorn, Starlette) that stores each comment
  with one single-row INSERT + COMMIT from a pool of ``concurrency`` connections before its 201.
  What a comment costs over HTTP the one-transaction-per-comment way, with none of the hub's
  own work; it shows how much of the gap to the bare loop is HTTP itself.

Reported: comments per second (201s / wall), latency p50/p99, the servers' CPU per comment and
the poster's CPU per post. Checks (fail the run): every 201'd comment is in the database
afterwards, pending; no post got a 5xx or a transport error; every bare insert is there; the
bare service gave a distinct id to every post.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bench import measure, profile
from bench.bare_http import sqlite_dialect
from bench.comments import (
    PostResults,
    hub_errors,
    post_comments,
    raise_rate_limits,
    stored_ids,
)
from bench.context import Context, Row, ScenarioResult
from bench.hub_server import Clerk, Database, HubDeployment, postgres_database, wait_healthy
from bench.procs import Child, cpu_seconds, free_port, python_module, total_cpu

NAME = "ingest"
GOAL_RATIO = 1.5  # issue 4: against the bare INSERT + COMMIT loop
# Issue 14: against the bare HTTP service (bench/bare_http.py), the same posts over the same stack.
WEB_GOAL_RATIO = 1.0
WARMUP = 20
# Bound on any one measured phase; the run is cut (and says so) past it.
DEADLINE_S = 300.0
BODY = (
    "Comment {k}: the crossing on Station Road needs a second lollipop patrol at school "
    "times, and the bus stop shelter is still broken."
)


@dataclass
class Phase:
    label: str
    done: int
    wall: float
    latencies: list[float]
    server_cpu: float | None = None
    client_cpu: float = 0.0
    problems: list[str] = field(default_factory=list)
    detail: str = ""  # e.g. the hub's own count of commits

    @property
    def rate(self) -> float:
        return self.done / self.wall if self.wall else float("nan")

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies) * 1e3 if self.latencies else float("nan")

    @property
    def p99_ms(self) -> float:
        return measure.percentile(self.latencies, 99) * 1e3 if self.latencies else float("nan")

    @property
    def cpu_per_comment_ms(self) -> float:
        if self.server_cpu is None or not self.done:
            return float("nan")
        return self.server_cpu / self.done * 1e3

    def summary(self) -> str:
        cpu = (
            f"; server {self.server_cpu:.2f} s CPU "
            f"({self.server_cpu / max(self.done, 1) * 1e3:.2f} ms per comment)"
            if self.server_cpu is not None
            else ""
        )
        return (
            f"{self.label}: {self.done} comments in {self.wall:.2f} s ({self.rate:.0f}/s); "
            f"latency p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms{cpu}; "
            f"client {self.client_cpu:.2f} s CPU{self.detail}"
        )


# ---------------------------------------------------------------------------------------------
# The hub
# ---------------------------------------------------------------------------------------------


async def hub_phase(
    ctx: Context, db: Database, label: str, processes: int = 1, broker_url: str = "memory://"
) -> Phase:
    """The hub taking the posts; with ``processes`` > 1 (a shared broker), each process gets an
    equal share of the posts and of the connections, from its own poster, all at once."""
    await raise_rate_limits(db)
    posts, conc = ctx.sizes.ingest_posts, ctx.sizes.ingest_concurrency
    async with HubDeployment(db, broker_url, processes) as deployment:
        hosts = deployment.hosts
        async with Clerk(hosts[0], db.clerk_email, db.clerk_password) as clerk:
            snap = await clerk.get_json(f"/api/meetings/{db.meeting_id}")
            if snap["meeting"]["status"] == "scheduled":
                await clerk.act(f"/staff/meetings/{db.meeting_id}/status", {"action": "open"})
        warm = _merged(
            await asyncio.gather(
                *(
                    post_comments(h, db.meeting_id, WARMUP // processes, 4, DEADLINE_S, f"warm{i}")
                    for i, h in enumerate(hosts)
                )
            )
        )
        cpu0 = total_cpu(deployment.pids)
        name = "hub-ingest-" + label.removeprefix("ingest hub ").lower().replace(", ", "-")
        name = name.replace(" ", "-")
        with profile.maybe_record(ctx.profile_dir, deployment.pids[0], name):
            res = _merged(
                await asyncio.gather(
                    *(
                        post_comments(
                            h, db.meeting_id, posts // processes, conc // processes, DEADLINE_S
                        )
                        for h in hosts
                    )
                )
            )
        cpu1 = total_cpu(deployment.pids)
    phase = Phase(label, len(res.ids), res.wall, res.latencies, cpu1 - cpu0, res.client_cpu)
    # Each hub process logs its intake's totals as it stops (warm-up posts included).
    output = "\n".join(deployment.children_output)
    totals = [ln.split("intake:", 1)[1].strip() for ln in output.splitlines() if "intake:" in ln]
    if totals:
        phase.detail = "; hub " + "; ".join(totals)
    want_warm, want = (WARMUP // processes) * processes, (posts // processes) * processes
    phase.problems += _post_problems(warm, want_warm) + _post_problems(res, want)
    if phase.problems:
        phase.problems.append("the hub's errors:\n" + hub_errors(output))
    ids = warm.ids + res.ids
    stored = await stored_ids(db, ids)
    missing = [i for i in ids if i not in stored]
    if missing:
        phase.problems.append(
            f"{len(missing)} of {len(ids)} comments answered 201 are not in the database "
            f"(e.g. {missing[:5]})"
        )
    not_pending = [i for i, s in stored.items() if s != "pending"]
    if not_pending:
        phase.problems.append(
            f"{len(not_pending)} comments are not pending under pre-moderation "
            f"(e.g. {[(i, stored[i]) for i in not_pending[:3]]})"
        )
    return phase


def _merged(parts: list[PostResults]) -> PostResults:
    """Several posters' results as one run (they started together: the wall is the longest)."""
    out = PostResults()
    for part in parts:
        out.ids += part.ids
        out.latencies += part.latencies
        for status, count in part.refused.items():
            out.refused[status] = out.refused.get(status, 0) + count
        out.errors += part.errors
        out.wall = max(out.wall, part.wall)
        out.attempted += part.attempted
        out.client_pids += part.client_pids
        out.client_cpu += part.client_cpu
    return out


def _post_problems(res: PostResults, wanted: int) -> list[str]:
    out = []
    if res.refused or res.errors:
        out.append(
            f"{wanted - len(res.ids)} of {wanted} posts got no 201 (status -> count "
            f"{res.refused}; transport errors {len(res.errors) - sum(res.refused.values())}): "
            f"{res.errors[:3]}"
        )
    if res.attempted < wanted:
        out.append(f"only {res.attempted} of {wanted} posts were sent in {DEADLINE_S:.0f} s")
    return out


# ---------------------------------------------------------------------------------------------
# The bare HTTP service (bench/bare_http.py): one transaction per comment, over HTTP
# ---------------------------------------------------------------------------------------------


async def bare_http_phase(ctx: Context, url: str, label: str) -> Phase:
    posts, conc = ctx.sizes.ingest_posts, ctx.sizes.ingest_concurrency
    port = free_port()
    child = Child(
        "bare-http", python_module("bench.bare_http", "--port", str(port), "--database", url)
    )
    host = f"127.0.0.1:{port}"
    try:
        await wait_healthy(host, child)
        warm = await post_comments(host, 1, WARMUP, 4, DEADLINE_S, run="warm")
        cpu0 = total_cpu([child.pid])
        res = await post_comments(host, 1, posts, conc, DEADLINE_S)
        cpu1 = total_cpu([child.pid])
    finally:
        output = await asyncio.to_thread(child.stop)
    phase = Phase(label, len(res.ids), res.wall, res.latencies, cpu1 - cpu0, res.client_cpu)
    phase.problems += _post_problems(warm, WARMUP) + _post_problems(res, posts)
    if phase.problems:
        phase.problems.append("its errors:\n" + hub_errors(output))
    if len(set(res.ids)) != len(res.ids):
        phase.problems.append("the bare service gave the same id twice")
    return phase


# ---------------------------------------------------------------------------------------------
# The bare loops
# ---------------------------------------------------------------------------------------------

PG_TABLE = """
CREATE TABLE bare_contributions (
    id BIGSERIAL PRIMARY KEY,
    meeting_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    position TEXT,
    body TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    client_token TEXT NOT NULL,
    status TEXT NOT NULL,
    screening TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (meeting_id, participant_id, client_token)
)"""
PG_INSERT = (
    "INSERT INTO bare_contributions (meeting_id, kind, position, body, participant_id, "
    "client_token, status, screening, created_at) "
    "VALUES (1, 'comment', 'support', $1, $2, $3, 'pending', '{}', now()) RETURNING id"
)
SQLITE_TABLE = sqlite_dialect(PG_TABLE)
SQLITE_INSERT = sqlite_dialect(PG_INSERT)


async def _loops(
    label: str, conns: list[object], insert: Callable[[object, int], Awaitable[int]], count: int
) -> tuple[Phase, list[int]]:
    ids: list[int] = []
    latencies: list[float] = []
    next_k = 0
    t0 = time.monotonic()
    stop_at = t0 + DEADLINE_S
    me0 = cpu_seconds(os.getpid())

    async def loop(conn: object) -> None:
        nonlocal next_k
        while next_k < count and time.monotonic() < stop_at:
            k = next_k
            next_k += 1
            start = time.monotonic()
            ids.append(await insert(conn, k))
            latencies.append(time.monotonic() - start)

    await asyncio.gather(*(loop(c) for c in conns))
    wall = time.monotonic() - t0
    phase = Phase(label, len(ids), wall, latencies, None, cpu_seconds(os.getpid()) - me0)
    if len(ids) < count:
        phase.problems.append(f"only {len(ids)} of {count} inserts in {DEADLINE_S:.0f} s")
    return phase, ids


async def bare_postgres(ctx: Context, db: Database) -> Phase:
    import asyncpg

    dsn = db.url.replace("+asyncpg", "")
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute("DROP TABLE IF EXISTS bare_contributions")
        await admin.execute(PG_TABLE)
        conns = [await asyncpg.connect(dsn) for _ in range(ctx.sizes.ingest_concurrency)]
        try:

            async def insert(conn: object, k: int) -> int:
                return int(
                    await conn.fetchval(  # type: ignore[attr-defined]
                        PG_INSERT, BODY.format(k=k), f"bare-{k}", f"t-{k}"
                    )
                )

            await _loops("warm", conns[:4], insert, WARMUP)
            await admin.execute("TRUNCATE bare_contributions")
            phase, ids = await _loops("bare asyncpg", conns, insert, ctx.sizes.ingest_posts)
        finally:
            for c in conns:
                await c.close()
        stored = await admin.fetchval(
            "SELECT count(*) FROM bare_contributions WHERE id = ANY($1::bigint[])", ids
        )
        if stored != len(ids) or len(set(ids)) != len(ids):
            phase.problems.append(f"bare asyncpg: {stored} of {len(ids)} inserted rows found")
        return phase
    finally:
        await admin.close()


async def bare_sqlite(ctx: Context) -> Phase:
    import aiosqlite

    path = ctx.tmp / "bare-ingest.db"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(str(path) + suffix):
            os.unlink(str(path) + suffix)

    async def open_one() -> aiosqlite.Connection:
        conn = await aiosqlite.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000"):
            await conn.execute(f"PRAGMA {pragma}")
        return conn

    admin = await open_one()
    try:
        await admin.execute(SQLITE_TABLE)
        conns = [await open_one() for _ in range(ctx.sizes.ingest_concurrency)]
        try:

            async def insert(conn: object, k: int) -> int:
                cur = await conn.execute(  # type: ignore[attr-defined]
                    SQLITE_INSERT, (BODY.format(k=k), f"bare-{k}", f"t-{k}")
                )
                row = await cur.fetchone()
                await cur.close()
                return int(row[0])

            await _loops("warm", conns[:4], insert, WARMUP)
            await admin.execute("DELETE FROM bare_contributions")
            phase, ids = await _loops("bare aiosqlite", conns, insert, ctx.sizes.ingest_posts)
        finally:
            for c in conns:
                await c.close()
        found = set()
        for i in range(0, len(ids), 500):
            chunk = ",".join(str(x) for x in ids[i : i + 500])
            cur = await admin.execute(f"SELECT id FROM bare_contributions WHERE id IN ({chunk})")
            found.update(r[0] for r in await cur.fetchall())
        if len(found) != len(ids):
            phase.problems.append(f"bare aiosqlite: {len(found)} of {len(ids)} rows found")
        return phase
    finally:
        await admin.close()


# ---------------------------------------------------------------------------------------------
# The scenario
# ---------------------------------------------------------------------------------------------


async def postgres_available(ctx: Context) -> str | None:
    import asyncpg

    try:
        conn = await asyncpg.connect(ctx.postgres_url.replace("+asyncpg", ""), timeout=3)
        await conn.close()
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        return f"PostgreSQL at {ctx.postgres_url} is not available ({exc})"
    return None


def _check(label: str, phase: Phase) -> measure.Check:
    """The per-comment durability check in the shape the report prints."""
    return measure.Check(
        label,
        sockets=1,
        ok=0 if phase.problems else 1,
        expected_frames=phase.done,
        delivered=phase.done,
        problems=list(phase.problems),
    )


async def _two_processes(ctx: Context, result: ScenarioResult) -> Phase | None:
    """The hub on two processes (PostgreSQL and Redis between them), each taking half the posts:
    what a second process adds to the comments a deployment can take."""
    from bench.scenarios.scale_out import services_available

    why = await services_available(ctx)
    if why is not None:
        result.notes.append(f"ingest on two processes skipped: {why}")
        return None
    db = await postgres_database(ctx.postgres_url, ctx.pg_ingest_database)
    try:
        return await hub_phase(ctx, db, "ingest hub PostgreSQL, 2 processes", 2, ctx.redis_url)
    finally:
        await db.drop()


async def run(ctx: Context) -> ScenarioResult:
    result = ScenarioResult(NAME)
    conc = ctx.sizes.ingest_concurrency
    for backend in ctx.ingest_backends:
        two: Phase | None = None
        if backend == "sqlite":
            ctx.log("ingest: SQLite")
            hub = await hub_phase(ctx, await ctx.sqlite.copy(), "ingest hub SQLite")
            bare = await bare_sqlite(ctx)
            web = await bare_http_phase(
                ctx, f"sqlite+aiosqlite:///{ctx.tmp / 'bare-http.db'}", "bare HTTP SQLite"
            )
            name, ref = "SQLite", "aiosqlite"
        elif backend == "postgresql":
            why = await postgres_available(ctx)
            if why is not None:
                result.notes.append(f"ingest on PostgreSQL skipped: {why}")
                if ctx.ingest_backends == ("postgresql",):
                    result.error = f"skipped: {why}"
                continue
            ctx.log("ingest: PostgreSQL")
            db = await postgres_database(ctx.postgres_url, ctx.pg_ingest_database)
            try:
                hub = await hub_phase(ctx, db, "ingest hub PostgreSQL")
                bare = await bare_postgres(ctx, db)
                web = await bare_http_phase(ctx, db.url, "bare HTTP PostgreSQL")
            finally:
                await db.drop()
            two = await _two_processes(ctx, result)
            name, ref = "PostgreSQL", "asyncpg"
        else:
            raise ValueError(f"unknown ingest backend {backend!r}")
        hub.label += f" ({conc} clients)"
        bare.label += f" ({conc} loops)"
        web.label += f" ({conc} clients)"
        size = f"{name}, {conc} clients"
        refname, webname = f"bare {ref}", "bare HTTP"
        rate = Row("ingest", size, "comments per second", hub.rate, bare.rate, refname)
        rate.goal = f">= {GOAL_RATIO}x"
        rate.met = rate.ratio is not None and rate.ratio >= GOAL_RATIO
        web_rate = Row("ingest", size, "comments per second", hub.rate, web.rate, webname)
        web_rate.goal = f">= {WEB_GOAL_RATIO}x"
        web_rate.met = web_rate.ratio is not None and web_rate.ratio >= WEB_GOAL_RATIO
        result.rows += [
            rate,
            web_rate,
            Row("ingest", size, "latency p50 (ms)", hub.p50_ms, bare.p50_ms, refname),
            Row("ingest", size, "latency p99 (ms)", hub.p99_ms, bare.p99_ms, refname),
            Row("ingest", size, "latency p99 (ms)", hub.p99_ms, web.p99_ms, webname),
            Row(
                "ingest",
                size,
                "server CPU per comment (ms)",
                hub.cpu_per_comment_ms,
                web.cpu_per_comment_ms,
                webname,
                digits=2,
            ),
            Row(
                "ingest",
                size,
                "client CPU per post (µs)",
                hub.client_cpu / max(hub.done, 1) * 1e6,
                web.client_cpu / max(web.done, 1) * 1e6,
                webname,
                digits=0,
            ),
        ]
        result.checks += [
            _check(f"{hub.label}: every 201'd comment stored, pending", hub),
            _check(f"{bare.label}: every inserted row stored", bare),
            _check(f"{web.label}: every post answered 201 with a new id", web),
        ]
        result.notes += [hub.summary(), bare.summary(), web.summary()]
        if two is not None:
            two.label += f" ({conc} clients)"
            result.rows.append(
                Row(
                    "ingest",
                    f"PostgreSQL, 2 processes, {conc} clients",
                    "comments per second",
                    two.rate,
                    hub.rate,
                    "1 process",
                )
            )
            result.checks.append(_check(f"{two.label}: every 201'd comment stored, pending", two))
            result.notes.append(two.summary())
    return result
