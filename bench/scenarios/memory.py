"""Memory: RSS per idle resident socket, hub and bare baseline.

(RSS with N idle sockets - RSS with none) / N, where "none" is the warmed-up server (the clerk
signed in, the meeting's channel open, for the hub through the clerk's staff socket) and "N idle"
is one second after the last of N sockets connected, before any event. RSS is VmRSS from
/proc/<pid>/status. The fan-out scenario takes the same two readings on its runs; when it ran at
the same N in this invocation they are reused here instead of connecting N sockets again.
"""

from __future__ import annotations

from bench import measure
from bench.baseline import baseline_target
from bench.context import Context, Row, ScenarioResult
from bench.fleet import FleetPool
from bench.hub_server import current_item_cycle, hub_target

NAME = "memory"
# Issue 14: at most 20 KiB of RSS per idle socket (28.8 before it; the bare server 14.7).
GOAL_KIB = 20.0


async def _idle(ctx: Context, label: str, n: int) -> tuple[int, int]:
    cached = ctx.cache.get(("idle_rss", label, n))
    if cached is not None:
        return int(cached[0]), int(cached[1])
    if label == "hub":
        db = await ctx.sqlite.copy()
        async with hub_target(db) as target, FleetPool(ctx.sizes.fleets) as fleets:
            target.script = current_item_cycle(db.meeting_id, target.item_ids)
            await target.fire()
            return await _measure(ctx, target, fleets, n, label)
    async with baseline_target([]) as bare, FleetPool(ctx.sizes.fleets) as fleets:
        return await _measure(ctx, bare, fleets, n, label)


async def _measure(
    ctx: Context, target: measure.Target, fleets: FleetPool, n: int, label: str
) -> tuple[int, int]:
    rss0 = await measure.settle_rss(target)
    await measure.connect(fleets, target, n)
    rss_n = await measure.settle_rss(target)
    ctx.cache[("idle_rss", label, n)] = (rss0, rss_n)
    return rss0, rss_n


async def run(ctx: Context) -> ScenarioResult:
    result = ScenarioResult(NAME)
    for n in ctx.sizes.memory:
        hub0, hub_n = await _idle(ctx, "hub", n)
        bare0, bare_n = await _idle(ctx, "bare", n)
        per_hub = (hub_n - hub0) / n / 1024
        per_bare = (bare_n - bare0) / n / 1024
        size = f"{n:,}"
        result.rows += [
            Row(
                "memory",
                size,
                "RSS per idle socket (KiB)",
                per_hub,
                per_bare,
                "bare",
                f"<= {GOAL_KIB:.0f} KiB",
                per_hub <= GOAL_KIB,
            ),
            Row(
                "memory",
                size,
                "RSS with N idle sockets (MiB)",
                hub_n / 2**20,
                bare_n / 2**20,
                "bare",
            ),
        ]
        result.notes.append(
            f"memory N={n:,}: hub {hub0 / 2**20:.1f} -> {hub_n / 2**20:.1f} MiB, bare "
            f"{bare0 / 2**20:.1f} -> {bare_n / 2**20:.1f} MiB"
        )
    return result
