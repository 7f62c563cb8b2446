"""Process plumbing shared by the benchmark: fd limits, ports, CPU time and RSS from /proc, and
child processes that are always reaped and whose log files are always closed.

CPU time is utime + stime from ``/proc/<pid>/stat`` (all threads of the process, including
aiosqlite's worker threads and threads that have already exited), in clock ticks (10 ms on
Linux): measured windows are long enough (hundreds of ms to seconds) for that resolution.
Memory is ``VmRSS`` from ``/proc/<pid>/status``.
"""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Every process of the benchmark (servers, fleets, the controller) asks for this many fds:
# 10,000 sockets plus database files, pipes and the interpreter's own. Capped at the hard limit,
# which an unprivileged process cannot raise.
NOFILE_WANT = 65_536
# A server that does not answer its health check in this long has failed to start.
START_TIMEOUT_S = 30.0
# terminate(), then this long for a clean exit (uvicorn closes its sockets), then kill().
STOP_TIMEOUT_S = 15.0


def raise_nofile(want: int = NOFILE_WANT) -> int:
    """Raise the soft RLIMIT_NOFILE towards ``want`` (at most the hard limit); return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def nofile_limit() -> int:
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def local_port_range() -> tuple[int, int]:
    """net.ipv4.ip_local_port_range: how many ephemeral ports one source address has."""
    try:
        lo, hi = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(lo), int(hi)
    except (OSError, ValueError):
        return 32768, 60999


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds."""
    with open(f"/proc/{pid}/stat", "rb") as f:
        raw = f.read()
    # The command name may contain spaces and parentheses: split after the last ')'.
    fields = raw[raw.rindex(b")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def total_cpu(pids: list[int]) -> float:
    return sum(cpu_seconds(p) for p in pids)


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


class Child:
    """A child process with its output in a temporary file (never a pipe: a full pipe would
    stall a busy server). ``stop`` terminates, waits, kills if needed and closes the file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str] | None = None) -> None:
        self.name = name
        self._log = tempfile.TemporaryFile(prefix=f"bench-{name}-")  # noqa: SIM115 (stop())
        self.proc = subprocess.Popen(
            args,
            cwd=REPO_ROOT,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.output = ""

    @property
    def pid(self) -> int:
        return self.proc.pid

    def running(self) -> bool:
        return self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM) -> str:
        """Stop the process (idempotent) and return what it printed."""
        if self._log.closed:
            return self.output
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(sig)
                try:
                    self.proc.wait(STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        finally:
            self._log.seek(0)
            self.output = self._log.read().decode(errors="replace")
            self._log.close()
        return self.output

    def tail(self, lines: int = 30) -> str:
        if not self._log.closed:
            self._log.flush()
            with open(self._log.fileno(), "rb", closefd=False) as f:
                f.seek(0)
                text = f.read().decode(errors="replace")
        else:
            text = self.output
        return "\n".join(text.splitlines()[-lines:])


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]
