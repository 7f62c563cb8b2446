"""Browser-test support: Chromium via Playwright (Debian's where installed), polling that the
pages' strict CSP allows, and axe-core at WCAG 2.2 AA."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from tests import services as svc

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Chromium on a busy 2-core machine starts in 1-3 s; past this it is not coming.
SERVER_START_S = 60


async def launch_browser() -> AsyncIterator[Any]:
    """A Chromium of its own (the tests' ``browser`` fixture shares one: ``BrowserServer``)."""
    try:
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import async_playwright
    except ImportError:
        svc.missing("Playwright", "pip install playwright")
    executable = svc.chromium_path()
    async with async_playwright() as p:
        try:
            browser = await p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except PlaywrightError as exc:
            svc.missing(
                "Chromium", f"apt-get install chromium, or playwright install chromium ({exc})"
            )
        try:
            yield browser
        finally:
            await browser.close()


class BrowserServer:
    """One Chromium for the whole run, behind Playwright's browser server (its ``launch-server``
    command), to which each test connects a client of its own.

    Launching Chromium per test cost ~0.5-1 s and its first page as much again (more on a busy
    machine); connecting to a running one costs the Playwright client's start (~0.4 s). The
    client is per test because it is bound to the test's event loop. Isolation is unchanged:
    tests only ever work in contexts they open, and the server closes every context a client
    opened when it disconnects. If Chromium dies, the next test starts another.
    """

    def __init__(self, workdir: Path) -> None:
        self._workdir = workdir
        self._proc: subprocess.Popen[bytes] | None = None
        self._endpoint = ""

    def endpoint(self) -> str:
        """The server's WebSocket endpoint, starting it (again) if it is not running."""
        if self._proc is None or self._proc.poll() is not None:
            self._start()
        return self._endpoint

    def _start(self) -> None:
        self.close()
        options: dict[str, Any] = {"args": CHROMIUM_ARGS, "host": "127.0.0.1", "headless": True}
        executable = svc.chromium_path()
        if executable is not None:
            options["executablePath"] = executable
        config, out, err = (self._workdir / name for name in ("server.json", "out", "err"))
        config.write_text(json.dumps(options))
        # Output to files, not pipes nobody reads; a session of its own, so that close() ends
        # the `python -m playwright` wrapper and the server (node) together.
        with out.open("wb") as stdout, err.open("wb") as stderr:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "playwright", "launch-server", "--browser", "chromium"]
                + ["--config", str(config)],
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,
            )
        deadline = time.monotonic() + SERVER_START_S
        while not (line := out.read_text().strip()).startswith("ws://"):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                why = err.read_text()[-500:] or "no endpoint in time"
                self.close()
                svc.missing(
                    "Chromium", f"apt-get install chromium, or playwright install chromium ({why})"
                )
            time.sleep(0.05)
        self._endpoint = line.splitlines()[0]

    def close(self) -> None:
        """Stops the server (it closes its Chromium on SIGTERM) and waits for it to go."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)
        deadline = time.monotonic() + 10
        with contextlib.suppress(ProcessLookupError):
            while time.monotonic() < deadline:  # node may outlive the wrapper a moment
                os.killpg(proc.pid, 0)
                time.sleep(0.05)
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


async def connect_browser(server: BrowserServer) -> AsyncIterator[Any]:
    """A Playwright client connected to the shared Chromium; at the end it closes every context
    it opened and disconnects."""
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        svc.missing("Playwright", "pip install playwright")
    endpoint = server.endpoint()
    async with async_playwright() as p:
        browser = await p.chromium.connect(endpoint)
        try:
            yield browser
        finally:
            await browser.close()


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
    """Poll from the test (the page's CSP forbids Playwright's eval-based waiting)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def axe_violations(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return list(results.response["violations"])


async def signed_in_page(browser: Any, base_url: str, email: str, password: str, path: str) -> Any:
    """A new context signed in as a staff member through the real login form, at ``path``,
    with its live stream connected."""
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{base_url}/staff/login?next={path}")
    await page.fill("#email", email)
    await page.fill("#password", password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base_url}{path}")
    await eventually(
        lambda: page.evaluate("window.__councilHub && window.__councilHub.state === 'live'")
    )
    return page
