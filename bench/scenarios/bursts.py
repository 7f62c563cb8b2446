"""Comment bursts (issue 4): the clerk approves residents' comments, 20 a second, to N sockets.

SQLite hub (the demo meeting, opened), the council's rate limits raised (every request comes
from 127.0.0.x). First ``rate x seconds`` comments are posted through the real route
(``POST /api/meetings/{id}/contributions``; pre-moderation is the default, so they are pending
and residents see nothing of them). Then N resident sockets connect, two approvals are made as a
warm-up, and the clerk approves the rest through the real route (``POST
/staff/meetings/{id}/contributions/{cid}/moderate``, ``action=approve``), each approval started
at its slot on the wall clock (``start + k / rate``) whether or not the previous one has been
answered, as a clerk's bulk approving would. The hub coalesces events into one frame per window
(200 ms), so at 20 a second a resident gets about 5 frames a second of ~4 comments each.

Reported, hub only (the bare baseline replays an action's frames on a trigger; here frames are
cut by the hub's coalescing timer, not by actions, so the same comparison does not apply):

- **approval to screen**: from just before the approve request is sent to the moment the last
  socket has that comment's ``contribution.published`` event (p50, p99); goal p99 < 0.5 s at
  5,000 sockets;
- **server CPU, cores**: the hub's CPU seconds / wall seconds over the approvals and their
  delivery; goal < 0.5 core;
- **frames per socket per second**: frames one resident socket received over the window.

Checks (fail the run): every socket has every public seq of the window exactly once, in order
(``measure.check``, also against the log), and every approval's ``contribution.published`` event
is there, exactly once, for the right comment.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from bench import measure, profile
from bench.comments import hub_errors, post_comments, raise_rate_limits
from bench.context import Context, Row, ScenarioResult
from bench.fleet import FleetPool
from bench.hub_server import Fired, HubTarget, frame_seqs, hub_target, wire_size
from bench.procs import total_cpu

NAME = "bursts"
GOAL_N = 5_000
GOAL_P99_S = 0.5
GOAL_CORES = 0.5
WARMUP = 2
POST_CONCURRENCY = 16
POST_DEADLINE_S = 300.0
# After the last approval's answer, its published event must reach every socket within this.
DELIVERY_TIMEOUT_S = 30.0


async def approve(target: HubTarget, cid: int) -> None:
    r = await target.clerk.http.post(
        f"/staff/meetings/{target.meeting_id}/contributions/{cid}/moderate",
        data={"action": "approve", "csrf_token": target.clerk.csrf},
        headers={"Accept": "application/json"},
    )
    if r.status_code != 200:
        raise RuntimeError(f"approving {cid} failed: {r.status_code} {r.text[:300]}")


async def public_events(target: HubTarget, after: int) -> list[dict[str, Any]]:
    """The log's public events after ``after`` (GET /api/meetings/{id}/events). The staff
    socket is not used here: it does not carry the author's own-contribution events, so its
    last seq can stay below the meeting's."""
    out: list[dict[str, Any]] = []
    while True:
        page = await target.clerk.get_json(
            f"/api/meetings/{target.meeting_id}/events?after={after}"
        )
        got = page["events"]
        out.extend(got)
        if not got or int(got[-1]["seq"]) >= int(page["last_seq"]):
            return out
        after = int(got[-1]["seq"])


async def collect(
    target: HubTarget, sent: dict[int, float]
) -> tuple[list[Fired], dict[int, int], list[str]]:
    """After approvals were answered (so committed): the public events since
    ``target.last_seq`` from the log (one Fired per public seq; an approval's Fired has its
    send time), contribution id -> its published seq, and problems (an approval without
    exactly one published event)."""
    events = await public_events(target, target.last_seq)
    published: dict[int, list[int]] = {}
    fired: list[Fired] = []
    for event in events:
        seq = int(event["seq"])
        envelope = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
        t0 = time.monotonic()
        if event["type"] == "contribution.published":
            cid = int(event["data"]["contribution"]["id"])
            published.setdefault(cid, []).append(seq)
            t0 = sent.get(cid, t0)
        fired.append(Fired(t0, [seq], wire_size(envelope), [envelope], 1))
    if fired:
        target.last_seq = fired[-1].seqs[-1]
    target.fired.extend(fired)
    problems = [
        f"the approval of {cid} has {len(published.get(cid, []))} published events"
        for cid in sent
        if len(published.get(cid, [])) != 1
    ]
    problems += [
        f"comment {cid} was published without an approval"
        for cid in sorted(set(published) - set(sent))
    ]
    return fired, {cid: seqs[0] for cid, seqs in published.items() if cid in sent}, problems


async def run(ctx: Context) -> ScenarioResult:
    result = ScenarioResult(NAME)
    n = ctx.sizes.bursts_n
    rate = ctx.sizes.bursts_rate
    count = int(round(rate * ctx.sizes.bursts_s))
    db = await ctx.sqlite.copy()
    await raise_rate_limits(db)
    async with hub_target(db) as target, FleetPool(ctx.sizes.fleets) as fleets:
        host = target.deployment.hosts[0]
        posted = await post_comments(
            host, db.meeting_id, count + WARMUP, POST_CONCURRENCY, POST_DEADLINE_S
        )
        if len(posted.ids) != count + WARMUP:
            raise RuntimeError(
                f"only {len(posted.ids)} of {count + WARMUP} comments were accepted: "
                f"{posted.refused} {posted.errors[:3]}"
            )
        ctx.log(f"bursts: {len(posted.ids)} pending comments posted in {posted.wall:.1f} s")
        # Residents connect after the comments (pending: nothing public) and see from here.
        await collect(target, {})
        mark, after = len(target.fired), measure.position(target)
        connect_s = await measure.connect(fleets, target, n, capture=True)
        ctx.log(f"bursts N={n:,}: connected in {connect_s:.1f} s")
        ids = sorted(posted.ids)
        warm, measured = ids[:WARMUP], ids[WARMUP:]
        warm_sent = {}
        for cid in warm:
            warm_sent[cid] = time.monotonic()
            await approve(target, cid)
        _, warm_seqs, problems = await collect(target, warm_sent)
        if warm_seqs:
            await fleets.all(
                {"cmd": "wait", "seq": max(warm_seqs.values()), "timeout": DELIVERY_TIMEOUT_S}
            )
        await asyncio.sleep(ctx.gap)

        await fleets.all({"cmd": "clear"})
        captured_before = len(await measure.captured(fleets))
        sent: dict[int, float] = {}
        pids = target.server_pids
        cpu0, fleet0, wall0 = total_cpu(pids), total_cpu(fleets.pids), time.monotonic()

        failed: dict[int, str] = {}

        async def one(k: int, cid: int) -> None:
            delay = wall0 + k / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            t = time.monotonic()
            try:
                await approve(target, cid)
            except Exception as exc:  # a failed approval fails the run; the others go on
                failed[cid] = f"{type(exc).__name__}: {exc}"
            else:
                sent[cid] = t

        with profile.maybe_record(ctx.profile_dir, pids[0], f"hub-bursts-{n}"):
            await asyncio.gather(*(one(k, cid) for k, cid in enumerate(measured)))
        fired, seqs, more = await collect(target, sent)
        problems += more
        if failed:
            problems.append(
                f"{len(failed)} of {len(measured)} approvals failed, e.g. "
                f"{list(failed.items())[:3]}; the hub's errors:\n"
                + hub_errors(target.deployment.children[0].tail(100_000))
            )
        window_seqs = [f.seqs[0] for f in fired]
        latencies: list[float] = []
        if window_seqs:
            replies = await fleets.all(
                {
                    "cmd": "wait",
                    "seq": window_seqs[-1],
                    "timeout": DELIVERY_TIMEOUT_S,
                    "times_for": sorted(seqs.values()),
                }
            )
            counting = [r for r in replies if r["target"] > 0]
            for cid, seq in seqs.items():
                times = [r["times"][str(seq)] for r in counting]
                if all(t is not None for t in times):
                    latencies.append(max(times) - sent[cid])
                else:
                    problems.append(f"the approval of {cid} (seq {seq}) did not reach everyone")
        cpu1, fleet1, wall1 = total_cpu(pids), total_cpu(fleets.pids), time.monotonic()
        frames = (await measure.captured(fleets))[captured_before:]
        in_window = set(window_seqs)
        window_frames = [f for f in frames if in_window.intersection(frame_seqs(f))]
        label = f"bursts hub N={n:,}"
        check = await measure.check(fleets, target, mark, after, label)
        check.problems += problems
        result.checks.append(check)

    wall = wall1 - wall0
    cores = (cpu1 - cpu0) / wall
    p50 = measure.percentile(latencies, 50) if latencies else float("nan")
    p99 = measure.percentile(latencies, 99) if latencies else float("nan")
    fps = len(window_frames) / wall
    size = f"{n:,}"
    at_goal = n >= GOAL_N
    result.rows += [
        Row("bursts", size, "approval to screen p50 (ms)", p50 * 1e3, digits=1),
        Row(
            "bursts",
            size,
            "approval to screen p99 (ms)",
            p99 * 1e3,
            goal=f"< {GOAL_P99_S * 1e3:.0f}" if at_goal else "",
            met=(p99 < GOAL_P99_S) if at_goal else None,
            digits=1,
        ),
        Row(
            "bursts",
            size,
            "server CPU (cores)",
            cores,
            goal=f"< {GOAL_CORES}" if at_goal else "",
            met=(cores < GOAL_CORES) if at_goal else None,
            digits=3,
        ),
        Row("bursts", size, "frames per socket per second", fps, digits=2),
    ]
    events = len(window_seqs)
    result.notes.append(
        f"bursts hub N={n:,}: {len(measured)} approvals at {rate:g}/s "
        f"({len(seqs)} published events, {events} public events, {len(window_frames)} frames "
        f"per socket, {events / max(len(window_frames), 1):.1f} events per frame); approval to "
        f"screen p50 {p50 * 1e3:.0f} ms, p99 {p99 * 1e3:.0f} ms, max "
        f"{max(latencies, default=float('nan')) * 1e3:.0f} ms; server {cpu1 - cpu0:.2f} s CPU "
        f"over {wall:.1f} s ({cores:.3f} cores); fleet {fleet1 - fleet0:.2f} s CPU; "
        f"{len(posted.ids)} comments posted beforehand in {posted.wall:.1f} s; hub only (the "
        "bare baseline replays frames per action; here the hub's coalescing timer cuts them)"
    )
    return result
