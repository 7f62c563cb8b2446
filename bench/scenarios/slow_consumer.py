"""Slow consumer: one resident stops reading mid-run; nobody else notices, and it is cut off.

One hub, N - 1 reading sockets, byte budget COUNCIL_HUB_SOCKET_BUDGET = ``sizes.slow_budget``
(the hub's default, 1 MiB, in the full run). The clerk's actions alternate "make the next item
current" and "mark it done with a 2,000-character outcome note" (the longest the hub accepts):
one public frame each, ~2.4 KB once items carry notes, so a stuck socket passes 1 MiB in ~500
actions rather than ~2,600 with bare status frames.

1. *Without*: ``slow_reference`` measured actions to the N - 1 sockets.
2. The N-th socket joins, receives one action live, and stops reading (its transport's
   ``pause_reading()``). *With*: actions go on until /healthz shows it detached, or the frames
   sent to it since it stopped exceed budget + KERNEL_ALLOWANCE (so the hub must have closed
   it). The others' time to last socket and CPU per delivery are compared with step 1.
3. The stuck socket reads again at once (well inside the hub's 5 s abort timer) and must find a
   gap-free run of the meeting's frames, then close code 1013, after more than the budget
   (not cut early) and at most budget + KERNEL_ALLOWANCE (cut at its budget) had been sent to it.
4. Every other socket got every frame, exactly once, in order; /healthz shows the stuck one gone.

Why the stuck socket joins mid-run rather than reading from the start: the hub's budget counts
the bytes waiting in its transport, on top of the kernel's socket buffers, and on loopback the
server's send buffer autotunes with the traffic a socket has taken: ~130 KB after one frame,
~500 KB after ten, up to net.ipv4.tcp_wmem's maximum (4 MiB) later. A resident who stops after
reading for a while is cut off only after that much more (see bench/RESULTS.md). The slow socket
also asks for a small receive buffer and MSS (bench/fleet.py) to keep the kernel's share small.
"""

from __future__ import annotations

import time

from bench import measure
from bench.context import Context, Row, ScenarioResult
from bench.fleet import FleetPool
from bench.hub_server import (
    Fired,
    frames_per_action,
    hub_target,
    live_sockets,
    long_note,
    outcome_note_cycle,
)

NAME = "slow"
# Kernel buffers between the hub's transport and the stuck client (the server's send buffer and
# the client's receive buffer) that the hub does not count: ~100-200 KB for a socket that has
# read one frame. The hub must have closed the socket once budget + this much was sent to it.
KERNEL_ALLOWANCE = 384 * 1024
# "Does not move": the others' median time to last socket with the stuck socket, against
# without it (noise on a 2-core machine is ~10-20%).
GOAL_RATIO = 1.2
# The stuck socket must show its first frame, and later its close, within this long.
SOCKET_WAIT_S = 5.0
# Bound on step 2, whatever the budget.
MAX_ACTIONS = 3_000
# Past the budget, look at /healthz every this many actions (one cheap request).
CHECK_EVERY = 5


async def run(ctx: Context) -> ScenarioResult:
    result = ScenarioResult(NAME)
    n = ctx.sizes.slow_n
    counted = n - 1
    budget = ctx.sizes.slow_budget
    db = await ctx.sqlite.copy()
    env = {"COUNCIL_HUB_SOCKET_BUDGET": str(budget)}
    async with hub_target(db, env=env) as target, FleetPool(ctx.sizes.fleets) as fleets:
        target.script = outcome_note_cycle(db.meeting_id, target.item_ids, long_note())
        host = target.deployment.hosts[0]
        fleet0 = fleets.members[0]
        mark, after = len(target.fired), measure.position(target)
        await measure.connect(fleets, target, counted, capture=True)
        await measure.fire_quietly(target, fleets, ctx.sizes.warmup, ctx.gap)
        # Both phases are paced alike (GAP_S, whatever the hub's coalescing window): they are
        # compared with each other, not with the baseline.
        without = await measure.fire_series(
            target,
            fleets,
            ctx.sizes.slow_reference,
            counted,
            f"slow N={n:,} without a stuck socket",
            gap=measure.GAP_S,
            batch=ctx.sizes.slow_batch,
        )

        # The stuck socket joins, takes one action live, and stops reading.
        slow_mark = len(target.fired)
        reply = await fleets.call(
            fleet0,
            {
                "cmd": "connect",
                "url": target.ws_urls()[0],
                "after": measure.position(target),
                "n": 1,
                "slow": 1,
            },
        )
        if reply["failed"]:
            raise RuntimeError(f"the slow socket did not connect: {reply['errors']}")
        index = reply["first_index"]
        first = await target.fire()
        await fleets.all({"cmd": "wait", "seq": first.seqs[-1], "timeout": SOCKET_WAIT_S})
        has = await fleets.call(
            fleet0,
            {"cmd": "has_seq", "index": index, "seq": first.seqs[-1], "timeout": SOCKET_WAIT_S},
        )
        if not has["has"]:
            raise RuntimeError("the slow socket did not receive its first action")
        await fleets.call(fleet0, {"cmd": "pause", "index": index})

        async def cut_off(fired: list[Fired]) -> bool:
            """Stop once the hub must have closed the stuck socket, or once /healthz shows it
            detached (checked every CHECK_EVERY actions past the budget, so the socket reads
            again long before the hub's 5 s abort)."""
            sent = sum(f.wire_bytes for f in fired)
            if sent > budget + KERNEL_ALLOWANCE:
                return True
            if sent > budget and len(fired) % CHECK_EVERY < ctx.sizes.slow_batch:
                return await live_sockets(host) <= counted + 1  # the others + the staff socket
            return False

        with_ = await measure.fire_series(
            target,
            fleets,
            ctx.sizes.actions,
            counted,
            f"slow N={n:,} with one socket stuck",
            gap=measure.GAP_S,
            batch=ctx.sizes.slow_batch,
            until=cut_off,
            max_count=MAX_ACTIONS,
        )
        sent = sum(f.wire_bytes for f in with_.fired)
        t_unpause = time.monotonic()
        await fleets.call(fleet0, {"cmd": "unpause", "index": index})
        stuck = await fleets.call(
            fleet0, {"cmd": "close_seen", "index": index, "timeout": SOCKET_WAIT_S}
        )
        check = await measure.check(fleets, target, mark, after, f"slow N={n:,} (others)")
        frames_per_action(target.fired, await measure.captured(fleets))
        ctx.log(without.summary())
        ctx.log(with_.summary())
        attached = await live_sockets(host)

    # The stuck socket: a gap-free run of frames, then 1013, within budget + the kernel's share.
    expected = measure.expected_since(target, slow_mark)
    seqs: list[int] = stuck["seqs"]
    queued = stuck["close_after_bytes"]
    stuck_check = measure.Check(f"slow N={n:,} (the stuck socket)", sockets=1)
    stuck_check.expected_frames = len(seqs)
    stuck_check.delivered = len(seqs)
    if not seqs or seqs != expected[: len(seqs)]:
        stuck_check.problems.append("its frames before the close are not a gap-free run")
    if stuck["close_code"] != 1013:
        stuck_check.problems.append(
            f"not closed with 1013 (close code {stuck['close_code']}, connected "
            f"{stuck['connected']}, {stuck['bytes_after_pause']:,} bytes after it stopped, "
            f"{sent:,} sent, read again {time.monotonic() - t_unpause:.1f} s ago)"
        )
    elif queued is None or not budget < queued <= budget + KERNEL_ALLOWANCE:
        stuck_check.problems.append(
            f"closed after {queued} bytes: not within ({budget:,}, {budget + KERNEL_ALLOWANCE:,}]"
        )
    if attached != counted + 1:  # + the clerk's staff socket
        stuck_check.problems.append(f"/healthz shows {attached} live sockets, not {counted + 1}")
    if not stuck_check.problems:
        stuck_check.ok = 1
    result.checks += [check, stuck_check]

    size = f"{n:,}"
    ref = "no stuck"
    p50 = Row(
        "slow consumer",
        size,
        "others' last socket p50 (ms)",
        with_.p50_ms,
        without.p50_ms,
        ref,
        f"<= {GOAL_RATIO}x",
        digits=2,
    )
    p50.met = p50.ratio is not None and p50.ratio <= GOAL_RATIO
    result.rows += [
        p50,
        Row(
            "slow consumer",
            size,
            "others' last socket p99 (ms)",
            with_.p99_ms,
            without.p99_ms,
            ref,
            digits=2,
        ),
        Row(
            "slow consumer",
            size,
            "server CPU per delivery (µs)",
            with_.cpu_per_delivery_us,
            without.cpu_per_delivery_us,
            ref,
            digits=2,
        ),
        Row(
            "slow consumer",
            size,
            "stuck socket: KiB sent to it until 1013",
            None if queued is None else queued / 1024,
            budget / 1024,
            "budget",
            f"budget..+{KERNEL_ALLOWANCE // 1024}",
            met=stuck_check.passed,
            digits=0,
            show_ratio=False,
        ),
    ]
    result.notes += [
        without.summary(),
        with_.summary(),
        f"slow: the stuck socket read {len(seqs)} frames, then close {stuck['close_code']}; "
        f"{queued} bytes had been sent to it since it stopped (budget {budget:,}; the rest "
        f"sat in kernel buffers); {sent:,} bytes sent to each socket in that phase",
    ]
    return result
