"""Sampling the hub with py-spy while it works (fan-out, bursts, ingest), summarised as text.

``py-spy record --format raw`` writes collapsed stacks ("frame;frame;...;leaf count"), sampled
from outside the process without stopping it (``--nonblocking``), idle samples excluded (the
event loop waiting in epoll is not work). The summary gives each function's *self* share (it was
the leaf) and its *inclusive* share (anywhere on the stack), of all active samples.

py-spy is not a dependency of the hub: ``pip install py-spy`` (the ``bench`` extra) to profile.
``COUNCIL_HUB_BENCH_PROFILE_HZ`` changes the sampling rate (default 200 a second).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

# Samples per second: enough for a few seconds' window, light enough not to move the figures.
RATE = int(os.environ.get("COUNCIL_HUB_BENCH_PROFILE_HZ", "200"))
_LINE = re.compile(r"^(?P<stack>.*) (?P<count>\d+)$")
_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:]*)(?::\d+)?\)$")


def py_spy() -> str | None:
    here = Path(sys.executable).parent / "py-spy"
    return str(here) if here.exists() else shutil.which("py-spy")


@contextlib.contextmanager
def record(pid: int, out: Path) -> Iterator[None]:
    """Sample ``pid`` for the duration of the block into ``out`` (raw collapsed stacks)."""
    exe = py_spy()
    if exe is None:
        raise RuntimeError("py-spy is not installed: .venv/bin/pip install py-spy")
    with open(out.with_suffix(".log"), "wb") as log:
        proc = subprocess.Popen(
            [
                exe,
                "record",
                "--pid",
                str(pid),
                "--rate",
                str(RATE),
                "--format",
                "raw",
                "--nonblocking",
                "--output",
                str(out),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield
        finally:
            proc.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _short(frame: str) -> str:
    m = _FRAME.match(frame)
    if m is None:
        return frame
    path = m["file"]
    for marker in ("site-packages/", "lib/python3.11/", str(Path.cwd()) + os.sep):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{m['func']} ({path})"


def summarise(raw: Path, top: int = 15) -> str:
    """Top functions by self time and by inclusive time, as text."""
    if not raw.exists():
        return f"(no profile: {raw} missing)"
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        m = _LINE.match(line.strip())
        if m is None:
            continue
        n = int(m["count"])
        frames = [_short(f) for f in m["stack"].split(";") if f and not f.startswith("process ")]
        frames = [f for f in frames if not f.startswith("thread ")]
        if not frames:
            continue
        total += n
        self_time[frames[-1]] += n
        for f in set(frames):
            inclusive[f] += n
    if total == 0:
        return "(no active samples)"
    out = [f"{total} active samples at {RATE} Hz", "", "self %  function (file)"]
    out += [f"{100 * n / total:5.1f}  {f}" for f, n in self_time.most_common(top)]
    out += [
        "",
        "incl %  function (file)   (the event loop's own frames, on >= 90% of stacks, omitted)",
    ]
    below = [(f, n) for f, n in inclusive.most_common() if n < 0.9 * total]
    out += [f"{100 * n / total:5.1f}  {f}" for f, n in below[:top]]
    return "\n".join(out)


@contextlib.contextmanager
def maybe_record(profile_dir: Path | None, pid: int, name: str) -> Iterator[None]:
    """Sample ``pid`` into ``profile_dir/name.txt`` (and a summary beside it) when profiling
    was asked for (``--profile DIR``); otherwise do nothing."""
    if profile_dir is None:
        yield
        return
    raw = profile_dir / f"{name}.txt"
    with record(pid, raw):
        yield
    (profile_dir / f"{name}-summary.txt").write_text(summarise(raw, top=40) + "\n")
