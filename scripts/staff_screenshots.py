"""Takes docs/staff.md's screenshots: the staff page, an invitation in Welsh, the audit log in
Welsh, the dashboard. It seeds with the tests' fixtures (tests/support.py), so run it from the
checkout: PYTHONPATH=. .venv/bin/python scripts/staff_screenshots.py (needs Chromium)."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from playwright.async_api import async_playwright

from hub.migrate import upgrade_async
from tests.conftest import seed_url, settings_for
from tests.support import PASSWORD, run_server

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


async def main() -> None:
    tmp = tempfile.mkdtemp()
    url = f"sqlite+aiosqlite:///{tmp}/shots.db"
    await upgrade_async(url)
    seeded = await seed_url(url)
    async with (
        run_server(settings_for(url, social_polling=False)) as server,
        async_playwright() as pw,
    ):
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium")
        page = await browser.new_page(viewport={"width": 1366, "height": 900})
        base = server.base_url
        await page.goto(f"{base}/staff/login")
        await page.fill("#email", seeded.users["council_admin"])
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{base}/staff/")
        await page.goto(f"{base}/staff/councils/aberglas/staff")
        await page.fill("#invite-email", "nia@aberglas.invalid")
        await page.click("form[action$='/staff/invites'] button[type=submit]")
        await page.wait_for_selector("#invite-link")
        await page.screenshot(path=OUT / "staff-page.png", full_page=True)
        link = await page.input_value("#invite-link")
        other = await browser.new_page(viewport={"width": 390, "height": 844})
        await other.goto(link + "?lang=cy")
        await other.screenshot(path=OUT / "staff-invite-cy.png", full_page=True)
        await other.goto(link + "?lang=en")
        await other.fill("#display_name", "Nia Jones")
        await other.fill("#password", "heather quarry lantern violin")
        await other.fill("#password_again", "heather quarry lantern violin")
        await other.click("button[type=submit]")
        await other.wait_for_url(f"{base}/staff/")
        await page.goto(f"{base}/staff/councils/aberglas/audit?lang=cy")
        await page.screenshot(path=OUT / "council-audit-cy.png", full_page=True)
        await page.goto(f"{base}/staff/?lang=en")
        await page.screenshot(path=OUT / "staff-dashboard.png")
        await browser.close()


if __name__ == "__main__":
    asyncio.run(main())
