"""The API's page (/api/docs) and the resident page's open-data section in a real browser:
axe-core finds no WCAG 2.2 AA violation in English or Welsh, the docs page loads nothing from
another site and runs no script (the strict CSP reports nothing), and the resident page states
the council's licence with a link to it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from hub.actions.councils import OGL_NAME, OGL_URL
from hub.web import openapi
from hub.web.routes import ROUTES
from tests.browser.support import axe_violations
from tests.support import RunningServer, Seeded

pytestmark = pytest.mark.browser


async def test_api_docs_and_licence_statement(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    base = sqlite_server.base_url
    context = await browser.new_context()
    page = await context.new_page()
    requested: list[str] = []
    console: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("console", lambda m: console.append(m.text))

    await page.goto(f"{base}/api/docs")
    assert await page.locator("html").get_attribute("lang") == "en"
    assert await page.locator("h1").inner_text() == "Public API"
    # Every described operation is on the page, with its answers' shapes linked.
    operations = len(openapi.endpoints(ROUTES)) + 1  # and the live socket
    assert await page.locator("article.api-op").count() == operations
    assert await page.locator("#get_api_meetings").inner_text() == "List meetings"
    assert await page.locator("#shape-MeetingRecord").count() == 1
    await page.click("a[href='#shape-Snapshot']")
    assert page.url.endswith("#shape-Snapshot")
    assert await axe_violations(page) == []

    await page.goto(f"{base}/api/docs?lang=cy")
    assert await page.locator("html").get_attribute("lang") == "cy"
    assert await page.locator("h1").inner_text() == "API cyhoeddus"
    assert await page.locator("#get_api_meetings").inner_text() == "Rhestru cyfarfodydd"
    assert await axe_violations(page) == []

    assert await page.locator("script").count() == 0
    origins = {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in requested}
    assert origins == {base}, origins
    assert not [m for m in console if "Content Security Policy" in m], console

    await page.goto(f"{base}/meetings/{sqlite_seeded.meeting_id}?lang=en")
    statement = page.locator("#licence-statement")
    assert "Aberglas County Council publishes this meeting's record under the" in (
        await statement.inner_text()
    )
    link = statement.locator("a[rel=license]")
    assert await link.inner_text() == OGL_NAME
    assert await link.get_attribute("href") == OGL_URL
    csv_link = page.locator("#open-data a[type='text/csv']")
    response = await context.request.get(base + (await csv_link.get_attribute("href") or ""))
    assert response.status == 200 and (await response.text()).startswith("id,meeting_id,")
    assert await axe_violations(page) == []
    await context.close()
