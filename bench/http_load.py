"""HTTP load for the pages scenario: closed-loop throughput (wrk, or a Python client where wrk is
missing) and an open-loop arrival schedule (page loads arriving at a fixed rate).

``throughput(url, ...)`` runs ``wrk -t1 -c32 -d{s}s --latency`` when ``wrk`` is on the PATH
(Debian: ``apt-get install -y wrk``; one thread, C keep-alive connections, as the issue measured)
and parses requests per second, p50 and p99 from its output. Without wrk, the same shape from
this process: C keep-alive connections, raw HTTP/1.1, each sending its next request as soon as
the previous answer is read. The Python client costs ~40-60 µs of CPU a request, about what the
bare reference spends serving one, so its figures are lower for both; the ratio is what counts,
and the output says which client ran.

``arrivals(host, path, n, seconds)``: request k starts at ``start + k * seconds / n`` whether or
not earlier ones were answered (a crowd arriving, not a polite client), each on its own new
connection as a resident's browser would; the latency is from the scheduled start to the last
byte, so a server that falls behind shows it.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field

WRK = shutil.which("wrk")


@dataclass
class Load:
    client: str  # "wrk" or "python"
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int = 0  # non-2xx/304 answers or transport errors
    statuses: dict[int, int] = field(default_factory=dict)


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(output: str) -> Load:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])  # type: ignore[index]
    done = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    assert done is not None, output
    pct = dict(re.findall(r"^\s+(\d+)%\s+([\d.]+\w+)", output, re.M))

    def at(p: str) -> float:
        m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", pct[p])
        assert m is not None, pct
        return _ms(m[1], m[2])

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sock = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non2xx[1]) if non2xx else 0
    if sock:
        errors += sum(int(x) for x in sock.groups())
    return Load("wrk", int(done[1]), _ms(done[2], done[3]) / 1000, rps, at("50"), at("99"), errors)


def _request(host: str, path: str, headers: dict[str, str] | None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    m = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
    if m:
        await reader.readexactly(int(m[1]))
    elif status not in (204, 304):
        raise RuntimeError("no content-length")  # the hub and bare always send one
    return status


async def _python_throughput(
    host: str, path: str, connections: int, seconds: float, headers: dict[str, str] | None
) -> Load:
    request = _request(host, path, headers)
    h, p = host.split(":")
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    deadline = time.monotonic() + seconds

    async def one() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(h, int(p))
        try:
            while time.monotonic() < deadline:
                t0 = time.monotonic()
                writer.write(request)
                status = await _read_response(reader)
                latencies.append(time.monotonic() - t0)
                statuses[status] = statuses.get(status, 0) + 1
        except (OSError, asyncio.IncompleteReadError, RuntimeError):
            errors += 1
        finally:
            writer.close()

    t0 = time.monotonic()
    await asyncio.gather(*(one() for _ in range(connections)))
    wall = time.monotonic() - t0
    latencies.sort()
    n = len(latencies)
    errors += sum(v for s, v in statuses.items() if not (200 <= s < 400))
    return Load(
        "python",
        n,
        wall,
        n / wall,
        latencies[n // 2] * 1000 if n else float("nan"),
        latencies[min(n - 1, int(n * 0.99))] * 1000 if n else float("nan"),
        errors,
        statuses,
    )


async def throughput(
    host: str,
    path: str,
    *,
    connections: int = 32,
    seconds: float = 8.0,
    headers: dict[str, str] | None = None,
    use_wrk: bool = True,
) -> Load:
    if WRK is not None and use_wrk:
        args = [WRK, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
        for k, v in (headers or {}).items():
            args += ["-H", f"{k}: {v}"]
        out = await asyncio.to_thread(
            subprocess.run, [*args, f"http://{host}{path}"], capture_output=True, text=True
        )
        return parse_wrk(out.stdout)
    return await _python_throughput(host, path, connections, seconds, headers)


async def arrivals(host: str, path: str, n: int, seconds: float) -> Load:
    """``n`` page loads, one every ``seconds / n``, each on a new connection."""
    request = _request(host, path, {"Connection": "close"})
    h, p = host.split(":")
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    start = time.monotonic() + 0.1

    async def one(k: int) -> None:
        nonlocal errors
        due = start + k * seconds / n
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        try:
            reader, writer = await asyncio.open_connection(h, int(p))
            try:
                writer.write(request)
                status = await _read_response(reader)
            finally:
                writer.close()
            latencies.append(time.monotonic() - due)
            statuses[status] = statuses.get(status, 0) + 1
        except (OSError, asyncio.IncompleteReadError, RuntimeError):
            errors += 1

    await asyncio.gather(*(one(k) for k in range(n)))
    wall = time.monotonic() - start
    latencies.sort()
    m = len(latencies)
    errors += sum(v for s, v in statuses.items() if not (200 <= s < 400))
    return Load(
        "python",
        m,
        wall,
        m / wall,
        latencies[m // 2] * 1000 if m else float("nan"),
        latencies[min(m - 1, int(m * 0.99))] * 1000 if m else float("nan"),
        errors,
        statuses,
    )
