"""Fan-out: N resident sockets on one meeting; the clerk changes the current item.

Per size N, alternately (hub, bare, hub, bare... for ``--rounds``): a fresh server, N sockets
from the fleet, a few warm-up actions, then ``actions`` measured clerk actions, each "make the
next agenda item current" through the hub's real HTTP route (two public frames: the previous
item back to pending, the new one current). The bare baseline is then fired with the very same
frames, action by action, through its own HTTP trigger.

Reported: time from the trigger to the last socket having the action's last frame (p50, p99),
server CPU per delivered frame, their ratio to the baseline, and per socket: delivered ==
expected with no gap and no duplicate. Also the idle RSS before and after connecting (reused by
the memory scenario) and, with ``--profile``, a py-spy profile of the hub at PROFILE_N.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from bench import measure
from bench.baseline import baseline_target
from bench.context import Context, Row, ScenarioResult
from bench.fleet import FleetPool
from bench.hub_server import current_item_cycle, frames_per_action, hub_target

NAME = "fanout"
# Where the brief's goal applies (and where the profile is taken).
GOAL_N = 5_000
# The hub is within this factor of the bare baseline at GOAL_N (time to last socket and CPU).
GOAL_RATIO = 1.3


@dataclass
class RunResult:
    window: measure.Window
    check: measure.Check
    rss_idle0: int  # bytes, server(s) with no resident sockets
    rss_idleN: int  # bytes, with N idle sockets, before any event
    connect_s: float
    frames: list[list[str]]  # public envelopes per fired action (for the baseline)


async def hub_run(ctx: Context, n: int, profile_to: Path | None = None) -> RunResult:
    db = await ctx.sqlite.copy()
    async with hub_target(db) as target, FleetPool(ctx.sizes.fleets) as fleets:
        target.script = current_item_cycle(db.meeting_id, target.item_ids)
        await target.fire()  # the first item becomes current: from here on, 2 frames an action
        return await _run(ctx, target, fleets, n, "hub", profile_to)


async def baseline_run(ctx: Context, n: int, frames: list[list[str]]) -> RunResult:
    async with baseline_target(frames) as target, FleetPool(ctx.sizes.fleets) as fleets:
        await target.fire()
        return await _run(ctx, target, fleets, n, "bare", None)


async def _run(
    ctx: Context,
    target: measure.Target,
    fleets: FleetPool,
    n: int,
    label: str,
    profile_to: Path | None,
) -> RunResult:
    rss0 = await measure.settle_rss(target)
    mark, after = len(target.fired), measure.position(target)
    connect_s = await measure.connect(fleets, target, n, capture=True)
    rss_n = await measure.settle_rss(target)
    ctx.log(f"{label} N={n:,}: connected in {connect_s:.1f} s")
    await measure.fire_quietly(target, fleets, ctx.sizes.warmup, ctx.gap)
    title = f"fan-out {label} N={n:,}"
    if profile_to is not None:
        from bench import profile

        with profile.record(target.server_pids[0], profile_to):
            window = await measure.fire_series(
                target, fleets, ctx.sizes.actions, n, title, gap=ctx.gap
            )
    else:
        window = await measure.fire_series(target, fleets, ctx.sizes.actions, n, title, gap=ctx.gap)
    check = await measure.check(fleets, target, mark, after, title)
    ctx.cache[("idle_rss", label, n)] = (rss0, rss_n)
    frames = frames_per_action(target.fired, await measure.captured(fleets))
    ctx.log(window.summary())
    return RunResult(window, check, rss0, rss_n, connect_s, frames)


def pooled(windows: list[measure.Window]) -> measure.Window:
    """Several rounds' windows as one: all their actions, summed CPU."""
    first = windows[0]
    return measure.Window(
        first.label,
        first.sockets,
        [f for w in windows for f in w.fired],
        [t for w in windows for t in w.ttl],
        sum(w.incomplete for w in windows),
        sum(w.server_cpu for w in windows),
        sum(w.fleet_cpu for w in windows),
        sum(w.wall for w in windows),
    )


async def run(ctx: Context) -> ScenarioResult:
    result = ScenarioResult(NAME)
    for n in ctx.sizes.fanout:
        hub: list[RunResult] = []
        bare: list[RunResult] = []
        for r in range(ctx.sizes.rounds):
            # Alternate the order (ABBA) so drift in the machine falls on both alike; the very
            # first run is the hub's, whose frames the baseline sends.
            kinds = ("hub", "bare") if r % 2 == 0 else ("bare", "hub")
            for kind in kinds:
                if kind == "hub":
                    hub.append(await hub_run(ctx, n))
                else:
                    bare.append(await baseline_run(ctx, n, hub[0].frames))
        h = pooled([x.window for x in hub])
        b = pooled([x.window for x in bare])
        at_goal = n == GOAL_N
        size = f"{n:,}"
        for metric, hv, bv, with_goal in (
            ("last socket p50 (ms)", h.p50_ms, b.p50_ms, at_goal),
            ("last socket p99 (ms)", h.p99_ms, b.p99_ms, False),
            ("server CPU per delivery (µs)", h.cpu_per_delivery_us, b.cpu_per_delivery_us, at_goal),
            ("fleet CPU per frame (µs)", h.fleet_us_per_frame, b.fleet_us_per_frame, False),
        ):
            row = Row("fan-out", size, metric, hv, bv, "bare", digits=2)
            if with_goal and row.ratio is not None:
                row.goal = f"<= {GOAL_RATIO}x"
                row.met = row.ratio <= GOAL_RATIO
            result.rows.append(row)
        if n >= 10_000:  # the goal: 10,000 sockets on one process, every one of them served
            exact = min(x.check.ok for x in hub)
            result.rows.append(
                Row(
                    "fan-out",
                    size,
                    "sockets with every frame, in order",
                    exact,
                    goal="all",
                    met=all(x.check.passed for x in hub),
                    digits=0,
                )
            )
        for x in hub + bare:
            result.checks.append(x.check)
            result.notes.append(x.window.summary())
            if x.window.incomplete:
                x.check.problems.append(f"{x.window.incomplete} actions did not reach everyone")
    if ctx.profile_dir is not None:
        n = ctx.sizes.fanout[0] if ctx.quick else GOAL_N
        raw = ctx.profile_dir / f"hub-fanout-{n}.txt"
        ctx.log(f"profiling the hub at N={n:,} with py-spy")
        with contextlib.suppress(FileNotFoundError):
            raw.unlink()
        prof = await hub_run(ctx, n, profile_to=raw)
        result.checks.append(prof.check)
        from bench import profile

        summary = profile.summarise(raw)
        (ctx.profile_dir / f"hub-fanout-{n}-summary.txt").write_text(
            prof.window.summary() + "\n\n" + summary + "\n"
        )
        result.notes.append(f"profile (py-spy, hub, fan-out N={n:,}): {raw}")
        result.notes.append(prof.window.summary() + " [profiled]")
        result.notes.append(summary)
    return result
