"""Browser-test support: Chromium via Playwright (Debian's where installed), polling that the
pages' strict CSP allows, and axe-core at WCAG 2.2 AA."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from tests import services as svc

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


async def launch_browser() -> AsyncIterator[Any]:
    try:
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import async_playwright
    except ImportError:
        svc.missing("Playwright", "pip install playwright")
    executable = svc.chromium_path()
    async with async_playwright() as p:
        try:
            browser = await p.chromium.launch(
                executable_path=executable,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
        except PlaywrightError as exc:
            svc.missing(
                "Chromium", f"apt-get install chromium, or playwright install chromium ({exc})"
            )
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
