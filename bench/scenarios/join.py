"""Join storm: N sockets connect at once (the meeting starts, the link is shared).

Per round, a fresh server whose meeting has just opened and which nobody follows yet (the
clerk's staff socket connects after the storm: no channel is open in the process); the fleet
opens N sockets at once (CONNECT_CONCURRENCY handshakes in
flight per fleet process, bench/fleet.py) with ``?after=<the current seq>``, as a page does
after loading its snapshot. The moment the last socket has its 101, the clerk acts (one
action, two public events in one frame) and we measure:

- **join time**: from the first connect to the last 101, and the server's CPU over it
  (**CPU per join**: handshake, routing, the attach, per-socket objects);
- **first event to last socket**: from that action's trigger until every socket has its last
  frame (goal: under 0.5 s at 5,000). A socket answered 101 but not yet attached when the action
  goes out still gets it (from the ring, when it attaches), only late: this is what the figure
  catches;
- for the hub, **sockets answered but not attached**: N minus the sockets ``/healthz`` counts as
  attached, asked once right after the last 101 (before the action; it should be 0: a 101
  means attached).

The baseline is the bare ``websockets`` server with the same frames (bench/baseline.py). Rounds
alternate hub, bare, bare, hub... Every socket's seqs are checked as in the other scenarios.
"""

from __future__ import annotations

import contextlib
import statistics
from dataclasses import dataclass
from pathlib import Path

from bench import measure
from bench.baseline import baseline_target
from bench.context import Context, Row, ScenarioResult
from bench.fleet import FleetPool
from bench.hub_server import (
    Clerk,
    HubDeployment,
    HubTarget,
    StaffFeed,
    current_item_cycle,
    frames_per_action,
    live_sockets,
)
from bench.procs import total_cpu

NAME = "join"
GOAL_N = 5_000
# The first event after the last handshake reaches every socket within this long.
GOAL_FIRST_EVENT_S = 0.5
ROUNDS_FULL = 3


@dataclass
class Storm:
    join_s: float
    join_cpu: float
    first_event_s: float  # nan when not every socket got it
    unattached: int | None  # hub only: answered 101 but not attached, at the last 101
    check: measure.Check
    frames: list[list[str]]


async def _storm(
    ctx: Context,
    target: measure.Target,
    fleets: FleetPool,
    n: int,
    label: str,
    feed: StaffFeed | None = None,
    profile_to: Path | None = None,
) -> Storm:
    mark, after = len(target.fired), measure.position(target)
    pids = target.server_pids
    hosts = getattr(getattr(target, "deployment", None), "hosts", None)
    before = await live_sockets(hosts[0]) if hosts else 0
    with contextlib.ExitStack() as sampling:
        if profile_to is not None:
            from bench import profile

            sampling.enter_context(profile.record(pids[0], profile_to))
        cpu0 = total_cpu(pids)
        join_s = await measure.connect(fleets, target, n, capture=True)
        cpu1 = total_cpu(pids)
    unattached = n - (await live_sockets(hosts[0]) - before) if hosts else None
    async with contextlib.AsyncExitStack() as stack:
        if feed is not None:
            await stack.enter_async_context(feed)
        return await _after_joins(
            ctx, target, fleets, n, label, mark, after, join_s, cpu1 - cpu0, unattached
        )
    raise AssertionError("unreachable")


async def _after_joins(
    ctx: Context,
    target: measure.Target,
    fleets: FleetPool,
    n: int,
    label: str,
    mark: int,
    after: int,
    join_s: float,
    join_cpu: float,
    unattached: int | None,
) -> Storm:
    # At once: the action races the last attaches, as it would on the night.
    await fleets.all({"cmd": "clear"})
    fired = await target.fire()
    waits = await fleets.all(
        {"cmd": "wait", "seq": fired.seqs[-1], "timeout": measure.DELIVERY_TIMEOUT_S}
    )
    complete = all(w["complete"] for w in waits)
    first_event = max(w["t"] for w in waits) - fired.t0 if complete else float("nan")
    await measure.fire_quietly(target, fleets, 2, ctx.gap)
    check = await measure.check(fleets, target, mark, after, label)
    if not complete:
        check.problems.append("the first event after the joins did not reach every socket")
    ctx.log(
        f"{label}: {n:,} joined in {join_s * 1e3:.0f} ms ({join_cpu:.2f} s server CPU); "
        f"first event to last socket {first_event * 1e3:.0f} ms"
        + (f"; {unattached} answered but not attached" if unattached is not None else "")
    )
    frames = frames_per_action(target.fired, await measure.captured(fleets))
    return Storm(join_s, join_cpu, first_event, unattached, check, frames)


async def hub_storm(ctx: Context, n: int, profile_to: Path | None = None) -> Storm:
    """The meeting has just opened and nobody follows it yet (no channel in the process): the
    clerk's staff socket, which tells the benchmark the public seqs, connects after the storm."""
    db = await ctx.sqlite.copy()
    async with (
        HubDeployment(db) as deployment,
        Clerk(deployment.hosts[0], db.clerk_email, db.clerk_password) as clerk,
        FleetPool(ctx.sizes.fleets) as fleets,
    ):
        mid = db.meeting_id
        snap = await clerk.get_json(f"/api/meetings/{mid}")
        if snap["meeting"]["status"] == "scheduled":
            await clerk.act(f"/staff/meetings/{mid}/status", {"action": "open"})
        script = current_item_cycle(mid, [item["id"] for item in snap["items"]])
        await clerk.act(*script(0))  # the first item current: 2 public events an action after
        snap = await clerk.get_json(f"/api/meetings/{mid}")
        feed = StaffFeed(deployment.hosts[0], mid, clerk, snap["last_seq"])
        target = HubTarget(deployment, clerk, feed)
        target.script, target.step = script, 1
        return await _storm(ctx, target, fleets, n, f"join storm hub N={n:,}", feed, profile_to)


async def bare_storm(ctx: Context, n: int, frames: list[list[str]]) -> Storm:
    async with baseline_target(frames) as target, FleetPool(ctx.sizes.fleets) as fleets:
        return await _storm(ctx, target, fleets, n, f"join storm bare N={n:,}")


async def run(ctx: Context) -> ScenarioResult:
    result = ScenarioResult(NAME)
    n = ctx.sizes.storm_n
    rounds = 1 if ctx.quick else ROUNDS_FULL
    hub: list[Storm] = []
    bare: list[Storm] = []
    for r in range(rounds):
        for kind in ("hub", "bare") if r % 2 == 0 else ("bare", "hub"):
            if kind == "hub":
                hub.append(await hub_storm(ctx, n))
            else:
                bare.append(await bare_storm(ctx, n, hub[0].frames))
    result.checks += [s.check for s in hub + bare]
    if ctx.profile_dir is not None:  # a separate storm, sampled, so the figures are not
        raw = ctx.profile_dir / f"hub-join-{n}.txt"
        ctx.log(f"profiling the hub's join storm at N={n:,} with py-spy")
        with contextlib.suppress(FileNotFoundError):
            raw.unlink()
        result.checks.append((await hub_storm(ctx, n, raw)).check)
        from bench import profile

        summary = profile.summarise(raw)
        (ctx.profile_dir / f"hub-join-{n}-summary.txt").write_text(summary + "\n")
        result.notes += [f"profile (py-spy, hub, join storm N={n:,}): {raw}", summary]
    size = f"{n:,}"
    worst_hub = max(s.first_event_s for s in hub)
    worst_bare = max(s.first_event_s for s in bare)
    result.rows += [
        Row(
            "join storm",
            size,
            f"first event to last socket, worst of {rounds} (ms)",
            worst_hub * 1e3,
            worst_bare * 1e3,
            "bare",
            f"< {GOAL_FIRST_EVENT_S * 1e3:.0f} ms",
            worst_hub <= GOAL_FIRST_EVENT_S,
            digits=0,
        ),
        Row(
            "join storm",
            size,
            "join time, median (ms)",
            statistics.median(s.join_s for s in hub) * 1e3,
            statistics.median(s.join_s for s in bare) * 1e3,
            "bare",
            digits=0,
        ),
        Row(
            "join storm",
            size,
            "server CPU per join (µs)",
            statistics.median(s.join_cpu for s in hub) / n * 1e6,
            statistics.median(s.join_cpu for s in bare) / n * 1e6,
            "bare",
            digits=0,
        ),
        Row(
            "join storm",
            size,
            f"sockets answered 101 but not attached, worst of {rounds}",
            max(s.unattached or 0 for s in hub),
            goal="0",
            met=all(not s.unattached for s in hub),
            digits=0,
        ),
    ]
    for label, storms in (("hub", hub), ("bare", bare)):
        result.notes.append(
            f"join storm {label} N={n:,}, per round: "
            + "; ".join(
                f"joined {s.join_s * 1e3:.0f} ms, {s.join_cpu / n * 1e6:.0f} µs CPU per join, "
                f"first event {s.first_event_s * 1e3:.0f} ms"
                + (f", {s.unattached} unattached" if s.unattached is not None else "")
                for s in storms
            )
        )
    return result
