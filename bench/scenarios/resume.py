"""Resume storm: every socket drops at once and comes back with its last seq.

N sockets follow the meeting and receive a few actions. Then all of them are aborted at once
(no close handshake: a network blip or a load balancer restart), the clerk takes
``storm_missed`` actions while they are away, and every socket reconnects at once with
``?after=<the last seq it received>`` (at most CONNECT_CONCURRENCY handshakes in flight per fleet
process, see bench/fleet.py). Measured from the moment the reconnects start until every socket
has the last missed frame: **time until all are in sync**, and the server's CPU over that window
(handshakes, per-socket attach, the replay from the hub's in-memory ring of 1,024 recent events).
Then two more live actions, and every socket's whole history is checked: every public frame since
it first connected, exactly once, in order, across the reconnect.

The baseline replays the same missed frames from its own list (bench/baseline.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

from bench import measure
from bench.baseline import baseline_target
from bench.context import Context, Row, ScenarioResult
from bench.fleet import FleetPool
from bench.hub_server import current_item_cycle, frames_per_action, hub_target, live_sockets
from bench.procs import total_cpu

NAME = "resume"
# Actions after the storm, to show the resumed sockets are live again.
AFTER_STORM = 2
# Bounds on the wait for every socket to be gone, and for everyone to be back in sync.
GONE_TIMEOUT_S = 30.0
SYNC_TIMEOUT_S = 120.0


async def _storm(
    ctx: Context,
    target: measure.Target,
    fleets: FleetPool,
    n: int,
    label: str,
    profile_to: Path | None = None,
) -> tuple[float, float, int, measure.Check]:
    """Returns (seconds until all in sync, server CPU seconds, resumed sockets, check)."""
    mark, after = len(target.fired), measure.position(target)
    await measure.connect(fleets, target, n, capture=True)
    await measure.fire_quietly(target, fleets, ctx.sizes.warmup, ctx.gap)
    await fleets.all({"cmd": "drop"})
    hosts = getattr(getattr(target, "deployment", None), "hosts", None)
    if hosts:  # the hub: wait until it has detached them all (only the staff socket is left)
        deadline = time.monotonic() + GONE_TIMEOUT_S
        while await live_sockets(hosts[0]) > 1:
            if time.monotonic() > deadline:
                raise RuntimeError("the hub did not notice the dropped sockets")
            await asyncio.sleep(0.1)
    else:
        await asyncio.sleep(1.0)
    missed = [await target.fire() for _ in range(ctx.sizes.storm_missed)]
    last = [s for f in missed for s in f.seqs][-1]
    await fleets.all({"cmd": "clear"})
    urls = target.ws_urls()
    pids = target.server_pids
    with contextlib.ExitStack() as stack:
        if profile_to is not None:
            from bench import profile

            stack.enter_context(profile.record(pids[0], profile_to))
        cpu0 = total_cpu(pids)
        t0 = time.monotonic()
        replies = await fleets.each(
            [{"cmd": "reconnect", "url": urls[i % len(urls)]} for i in range(len(fleets.members))]
        )
        failed = sum(r["failed"] for r in replies)
        if failed:
            raise RuntimeError(f"{failed} sockets failed to reconnect: {replies[0]['errors']}")
        waits = await fleets.all({"cmd": "wait", "seq": last, "timeout": SYNC_TIMEOUT_S})
        cpu1 = total_cpu(pids)
    in_sync = all(w["complete"] for w in waits)
    seconds = max(w["t"] for w in waits if w["t"] is not None) - t0 if in_sync else float("nan")
    ctx.log(
        f"{label}: {n:,} sockets back in sync in {seconds * 1e3:.0f} ms, "
        f"server {cpu1 - cpu0:.2f} s CPU"
    )
    await measure.fire_quietly(target, fleets, AFTER_STORM, ctx.gap)
    check = await measure.check(fleets, target, mark, after, label)
    if not in_sync:
        check.problems.append("not every socket got back in sync")
    return seconds, cpu1 - cpu0, n, check


async def run(ctx: Context) -> ScenarioResult:
    result = ScenarioResult(NAME)
    n = ctx.sizes.storm_n
    db = await ctx.sqlite.copy()
    async with hub_target(db) as target, FleetPool(ctx.sizes.fleets) as fleets:
        target.script = current_item_cycle(db.meeting_id, target.item_ids)
        await target.fire()
        hub = await _storm(ctx, target, fleets, n, f"resume storm hub N={n:,}")
        frames = frames_per_action(target.fired, await measure.captured(fleets))
    async with baseline_target(frames) as bare_target, FleetPool(ctx.sizes.fleets) as fleets:
        await bare_target.fire()
        bare = await _storm(ctx, bare_target, fleets, n, f"resume storm bare N={n:,}")
    result.checks += [hub[3], bare[3]]
    if ctx.profile_dir is not None:  # a separate storm, sampled, so the figures above are not
        raw = ctx.profile_dir / f"hub-resume-{n}.txt"
        ctx.log(f"profiling the hub's resume storm at N={n:,} with py-spy")
        db = await ctx.sqlite.copy()
        async with hub_target(db) as target, FleetPool(ctx.sizes.fleets) as fleets:
            target.script = current_item_cycle(db.meeting_id, target.item_ids)
            await target.fire()
            prof = await _storm(ctx, target, fleets, n, f"resume storm hub N={n:,}", raw)
        result.checks.append(prof[3])
        from bench import profile

        summary = profile.summarise(raw)
        (ctx.profile_dir / f"hub-resume-{n}-summary.txt").write_text(summary + "\n")
        result.notes += [f"profile (py-spy, hub, resume storm N={n:,}): {raw}", summary]
    size = f"{n:,}"
    result.rows += [
        Row(
            "resume storm",
            size,
            "time until all in sync (ms)",
            hub[0] * 1e3,
            bare[0] * 1e3,
            "bare",
            "all in sync",
            hub[3].passed,
            digits=0,
        ),
        Row("resume storm", size, "server CPU (ms)", hub[1] * 1e3, bare[1] * 1e3, "bare", digits=0),
        Row(
            "resume storm",
            size,
            "server CPU per resume (µs)",
            hub[1] / n * 1e6,
            bare[1] / n * 1e6,
            "bare",
            digits=0,
        ),
    ]
    return result
