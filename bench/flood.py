"""One hostile socket against the hub: how the rest of the hub fares while a client floods a
public live socket with tiny frames (the security issue found /healthz going from 45 ms to
3-9 s under a million frames in 10 s, before the hub closed such a client).

    .venv/bin/python -m bench.flood        # ~25 s

The hub runs as users run it (``council-hub serve`` on the demo meeting, bench/hub_server.py);
the flooder is its own process, sending empty text frames as fast as it can for 10 s; this
process times ``GET /healthz`` every 100 ms before (the baseline, same run) and during. It prints
the figures and how the flood ended (the hub closes the socket with 1008 once past its
allowance: hub/live/uvicorn_seam.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.hub_server import HubDeployment, SqliteTemplate
from bench.procs import Child, python_module

FLOOD_S = 10.0
SAMPLE_EVERY_S = 0.1


async def _flooder(host: str, meeting_id: int) -> None:
    """The hostile client: send until closed or FLOOD_S is over; print what happened."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    sent, ended = 0, "still open after the flood"
    deadline = time.monotonic() + FLOOD_S
    try:
        async with connect(f"ws://{host}/api/meetings/{meeting_id}/live", compression=None) as ws:
            while time.monotonic() < deadline:
                await ws.send("")
                sent += 1
                if sent % 1000 == 0:
                    await asyncio.sleep(0)  # let the client read what the hub sent
    except ConnectionClosed as exc:
        close = exc.rcvd
        ended = (
            f"closed by the hub: {close.code} {close.reason}"
            if close
            else "closed by the hub (its close frame unread: the client was still sending)"
        )
    print(json.dumps({"queued": sent, "ended": ended}), flush=True)


async def _healthz_ms(http: httpx.AsyncClient, host: str, seconds: float) -> list[float]:
    samples = []
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        start = time.perf_counter()
        r = await http.get(f"http://{host}/healthz")
        assert r.status_code == 200
        samples.append((time.perf_counter() - start) * 1000)
        await asyncio.sleep(SAMPLE_EVERY_S)
    return samples


def _summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered):.1f} ms, p99 {p99:.1f} ms, max {ordered[-1]:.1f} ms"


async def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = await SqliteTemplate(Path(tmp)).copy()
        async with HubDeployment(db) as hub, httpx.AsyncClient(timeout=60) as http:
            host = hub.hosts[0]
            baseline = await _healthz_ms(http, host, 3.0)
            flooder = Child(
                "flooder", python_module("bench.flood", "--flooder", host, str(db.meeting_id))
            )
            await asyncio.sleep(0.5)
            during = await _healthz_ms(http, host, FLOOD_S - 1.0)
            while flooder.running():  # it stops by itself: when closed, or after FLOOD_S
                await asyncio.sleep(0.1)
            await asyncio.to_thread(flooder.stop)
            report = flooder.output.strip().splitlines()[-1] if flooder.output.strip() else "{}"
    ended = json.loads(report)
    print("one socket flooding a public live socket with empty text frames for 10 s")
    print(f"  /healthz with no flood (same run): {_summary(baseline)} ({len(baseline)} requests)")
    print(f"  /healthz during the flood:         {_summary(during)} ({len(during)} requests)")
    print(
        f"  the flood: {ended.get('queued', '?')} frames queued by the client; {ended.get('ended')}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flooder", nargs=2, metavar=("HOST", "MEETING"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.flooder:
        asyncio.run(_flooder(args.flooder[0], int(args.flooder[1])))
    else:
        asyncio.run(run())
    sys.exit(0)


if __name__ == "__main__":
    main()
