"""The councillors' review in a real browser: it follows the meeting live (a comment a clerk
approves appears, and its figures and chart change, without a reload), it passes axe at WCAG 2.2
AA with its charts, and it prints as one clean document."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.support import axe_violations, eventually, signed_in_page
from tests.support import PASSWORD, RunningServer, Seeded, contribute, resident, sign_in

pytestmark = pytest.mark.browser


async def test_review_follows_the_meeting_and_prints_cleanly(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    base, mid = sqlite_server.base_url, sqlite_seeded.meeting_id
    item = sqlite_seeded.item_ids[1]
    clerk = await sign_in(base, sqlite_seeded.users["clerk"])
    author = resident(base)

    async def published(body: str, position: str) -> int:
        r = await contribute(author, mid, body, item_id=item, position=position)
        assert r.status_code == 201, r.text
        cid = int(r.json()["id"])
        a = await clerk.post(
            f"/staff/meetings/{mid}/contributions/{cid}/moderate", {"action": "approve"}
        )
        assert a.status_code == 200, a.text
        return cid

    await published("Keep the library open on Saturdays", "support")
    page = await signed_in_page(
        browser, base, sqlite_seeded.users["councillor"], PASSWORD, f"/staff/meetings/{mid}/review"
    )
    figure = f"#review-{item} td[data-position=oppose]"
    assert (await page.text_content(figure) or "").strip() == "0"

    cid = await published("Saturday opening costs too much", "oppose")
    await eventually(
        lambda: page.evaluate(
            f"(document.querySelector('{figure}') || {{}}).textContent === '1'"
            f" && !!document.querySelector('#review-{item} li[data-contribution-id=\"{cid}\"]')"
        )
    )
    chart = await page.get_attribute(f"#review-{item} svg[role=img]", "aria-labelledby")
    assert chart is not None
    described = await page.evaluate(f"document.getElementById('{chart.split()[1]}').textContent")
    assert "1" in described and "Saturday" not in described  # the figures in words, no text

    violations = await axe_violations(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]

    # Printed: the review's navigation, filters and buttons are gone; the feedback stays.
    await page.emulate_media(media="print")
    for hidden in (".site-header", ".review-filters", ".link-row"):
        assert not await page.is_visible(hidden), hidden
    assert await page.is_visible(f"#review-{item}")

    await page.goto(f"{base}/staff/meetings/{mid}/briefing")
    assert "Saturday opening costs too much" in (await page.text_content("main") or "")
    violations = await axe_violations(page)
    assert violations == [], ("briefing", [(v["id"], v["help"]) for v in violations])

    await page.goto(f"{base}/staff/search?q=Saturday+opening")
    assert await page.locator(".search-hit").count() == 1
    violations = await axe_violations(page)
    assert violations == [], ("search", [(v["id"], v["help"]) for v in violations])
    await page.context.close()
    await clerk.http.aclose()
    await author.aclose()
