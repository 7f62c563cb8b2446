"""Scale-out: two app processes with PostgreSQL and Redis, 2 x N sockets, against one with N.

Both runs use the multi-process setup (PostgreSQL database
``council_hub_bench_<pid>``, recreated for
each run; ``COUNCIL_HUB_BROKER_URL=redis://...``), so the only difference is the second process.
The two processes listen on two ports (as behind a load balancer, or ``--workers 2`` with
SO_REUSEPORT, whose split is up to the kernel); fleet process i holds its sockets on app process
i. The clerk's actions go through process 1 and reach process 2 through Redis, so process 2's
sockets also pay the broker hop.

Reported: time to last socket (p50, p99) with 2 x N on two processes over N on one (goal <=
1.2x), and CPU per delivery (all app processes). On a 2-core machine the two app processes, two
fleet processes, PostgreSQL and Redis share two cores: the ratio there is an upper bound.
"""

from __future__ import annotations

import asyncio

from bench import measure
from bench.context import Context, Row, ScenarioResult
from bench.fleet import FleetPool
from bench.hub_server import (
    current_item_cycle,
    frames_per_action,
    hub_target,
    live_sockets,
    postgres_database,
)

NAME = "scaleout"
GOAL_RATIO = 1.2
ATTACH_TIMEOUT_S = 30.0


async def services_available(ctx: Context) -> str | None:
    """None when PostgreSQL and Redis answer, else why not."""
    import asyncpg
    import redis.asyncio as aioredis

    try:
        conn = await asyncpg.connect(ctx.postgres_url.replace("+asyncpg", ""), timeout=3)
        await conn.close()
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        return f"PostgreSQL at {ctx.postgres_url} is not available ({exc})"
    client = aioredis.from_url(ctx.redis_url, socket_connect_timeout=3)
    try:
        await client.ping()
    except Exception as exc:
        return f"Redis at {ctx.redis_url} is not available ({exc})"
    finally:
        await client.aclose()
    return None


async def _run(ctx: Context, processes: int, n: int) -> tuple[measure.Window, measure.Check]:
    db = await postgres_database(ctx.postgres_url, ctx.pg_database)
    try:
        async with (
            hub_target(db, ctx.redis_url, processes=processes) as target,
            FleetPool(ctx.sizes.fleets) as fleets,
        ):
            target.script = current_item_cycle(db.meeting_id, target.item_ids)
            await target.fire()
            mark, after = len(target.fired), measure.position(target)
            total = n * processes
            await measure.connect(fleets, target, total, capture=True)
            # Every process has subscribed and attached its sockets before the first action.
            hosts = target.deployment.hosts
            want = measure.split(total, len(fleets.members))
            per_host = [0] * len(hosts)
            for i, k in enumerate(want):
                per_host[i % len(hosts)] += k
            per_host[0] += 1  # the clerk's staff socket
            deadline = asyncio.get_running_loop().time() + ATTACH_TIMEOUT_S
            while [await live_sockets(h) for h in hosts] != per_host:
                if asyncio.get_running_loop().time() > deadline:
                    raise RuntimeError("sockets did not all attach")
                await asyncio.sleep(0.1)
            await measure.fire_quietly(target, fleets, ctx.sizes.warmup, ctx.gap)
            label = f"scale-out {processes} process{'es' if processes > 1 else ''} x {n:,}"
            window = await measure.fire_series(
                target, fleets, ctx.sizes.actions, total, label, gap=ctx.gap
            )
            check = await measure.check(fleets, target, mark, after, label)
            frames_per_action(target.fired, await measure.captured(fleets))
            ctx.log(window.summary())
            return window, check
    finally:
        await db.drop()


async def run(ctx: Context) -> ScenarioResult:
    result = ScenarioResult(NAME)
    why = await services_available(ctx)
    if why is not None:
        result.error = f"skipped: {why}"
        return result
    n = ctx.sizes.scale_n
    one, one_check = await _run(ctx, 1, n)
    two, two_check = await _run(ctx, 2, n)
    result.checks += [one_check, two_check]
    size = f"2 x {n:,}"
    p50 = Row(
        "scale-out",
        size,
        "last socket p50 (ms)",
        two.p50_ms,
        one.p50_ms,
        f"1 x {n:,}",
        f"<= {GOAL_RATIO}x",
        digits=2,
    )
    p50.met = p50.ratio is not None and p50.ratio <= GOAL_RATIO
    result.rows += [
        p50,
        Row(
            "scale-out",
            size,
            "last socket p99 (ms)",
            two.p99_ms,
            one.p99_ms,
            f"1 x {n:,}",
            digits=2,
        ),
        Row(
            "scale-out",
            size,
            "server CPU per delivery (µs)",
            two.cpu_per_delivery_us,
            one.cpu_per_delivery_us,
            f"1 x {n:,}",
            digits=2,
        ),
    ]
    result.notes += [one.summary(), two.summary()]
    return result
