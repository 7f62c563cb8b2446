"""Residents speak, clerks moderate, the chamber sees it: four real browser contexts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.support import PHONE, axe_violations, eventually, signed_in_page
from tests.support import PASSWORD, RunningServer, Seeded

pytestmark = pytest.mark.browser

HOSTILE_BODY = (
    'Keep it open! <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
)
HOSTILE_NAME = '<b onmouseover="window.__pwned=3">Siân</b>'


async def _live(page: Any) -> None:
    await eventually(
        lambda: page.evaluate("window.__councilHub && window.__councilHub.state === 'live'")
    )


async def test_resident_posts_clerk_approves_everyone_sees(
    browser: Any,
    sqlite_server: RunningServer,
    sqlite_seeded: Seeded,
) -> None:
    base, mid = sqlite_server.base_url, sqlite_seeded.meeting_id
    current = sqlite_seeded.item_ids[2]

    email = sqlite_seeded.users["clerk"]
    clerk = await signed_in_page(browser, base, email, PASSWORD, f"/staff/meetings/{mid}")
    clerk_ctx = clerk.context
    await clerk.click("form[data-action=open] button")
    ready = f"#item-{current} button[data-role=current]:not([disabled])"
    await eventually(lambda: clerk.evaluate(f"!!document.querySelector('{ready}')"))
    await clerk.click(f"#item-{current} button[data-role=current]")

    author_ctx = await browser.new_context(**PHONE)
    author = await author_ctx.new_page()
    await author.goto(f"{base}/meetings/{mid}")
    await _live(author)
    other_ctx = await browser.new_context(**PHONE)
    other = await other_ctx.new_page()
    await other.goto(f"{base}/meetings/{mid}")
    await _live(other)
    screen_ctx = await browser.new_context(viewport={"width": 1920, "height": 1080})
    screen = await screen_ctx.new_page()
    await screen.goto(f"{base}/meetings/{mid}/projector")
    await _live(screen)

    # The resident writes a comment (hostile markup included) on the item being discussed.
    await author.check("#kind-comment")
    await author.check("#position-oppose")
    await author.fill("#body", HOSTILE_BODY)
    await author.fill("#display-name", HOSTILE_NAME)
    await author.fill("#area", "Llanfair ward")
    await author.click("#participate-submit")
    await eventually(
        lambda: author.evaluate(
            "!!document.querySelector('#mine-list li.own[data-status=pending]')"
        )
    )

    # The clerk sees it in the queue and approves it.
    await clerk.goto(f"{base}/staff/meetings/{mid}/moderation")
    await _live(clerk)
    entry = "#queue li.qentry"
    await eventually(lambda: clerk.evaluate(f"document.querySelectorAll('{entry}').length === 1"))
    assert HOSTILE_BODY in (await clerk.text_content(f"{entry} .mentry__body") or "")
    await clerk.click(f"{entry} button[data-role=approve]")
    await eventually(lambda: clerk.evaluate(f"document.querySelectorAll('{entry}').length === 0"))

    # It appears for another resident and on the projector; the author sees it published.
    await eventually(
        lambda: other.evaluate("document.querySelectorAll('li.contribution').length === 1")
    )
    assert await other.text_content("li.contribution .contribution__body") == HOSTILE_BODY
    assert await other.text_content("li.contribution .contribution__name") == HOSTILE_NAME
    await eventually(
        lambda: screen.evaluate(
            "document.querySelectorAll('#projector-comments li.pcomment').length === 1"
        )
    )
    await eventually(
        lambda: author.evaluate(
            "!!document.querySelector('#mine-list li.own[data-status=published]')"
        )
    )
    for page in (author, other, screen, clerk):
        assert await page.evaluate("window.__pwned === undefined"), "hostile markup ran"
    assert "Llanfair ward" not in (await other.content())

    # A question, voted up by the other resident, spotlighted on the projector.
    await author.check("#kind-question")
    await author.fill("#body", "Will Saturday opening be kept?")
    await author.click("#participate-submit")
    await clerk.wait_for_selector(f"{entry}[data-kind=question]")
    await clerk.click(f"{entry}[data-kind=question] button[data-role=approve]")
    vote = "li.contribution[data-kind=question] button.vote"
    await eventually(lambda: other.evaluate(f"!!document.querySelector('{vote}')"))
    await other.click(vote)
    await eventually(
        lambda: other.evaluate(
            f"document.querySelector('{vote}').getAttribute('aria-pressed') === 'true'"
        )
    )
    await eventually(
        lambda: author.evaluate(
            "document.querySelector('li.contribution[data-kind=question]').dataset.votes === '1'"
        )
    )
    await clerk.click("#decided li.dentry button[data-role=spotlight]")
    await eventually(
        lambda: screen.evaluate("!document.querySelector('#projector-spotlight').hidden")
    )
    assert "Saturday" in (await screen.text_content("#projector-question .spotlight__body") or "")

    for name, page in (("resident", other), ("projector", screen), ("moderation", clerk)):
        violations = await axe_violations(page)
        assert violations == [], (name, [(v["id"], v["help"]) for v in violations])
    # The councillors' per-item review of the same feedback.
    await clerk.goto(f"{base}/staff/meetings/{mid}/review")
    assert "Saturday" in (await clerk.text_content(f"#review-{current}") or "")
    violations = await axe_violations(clerk)
    assert violations == [], ("review", [(v["id"], v["help"]) for v in violations])
    for ctx in (clerk_ctx, author_ctx, other_ctx, screen_ctx):
        await ctx.close()


async def test_rejected_submission_shows_reason_to_its_author_only(
    browser: Any,
    sqlite_server: RunningServer,
    sqlite_seeded: Seeded,
) -> None:
    base, mid = sqlite_server.base_url, sqlite_seeded.meeting_id
    email = sqlite_seeded.users["clerk"]
    path = f"/staff/meetings/{mid}/moderation"
    clerk = await signed_in_page(browser, base, email, PASSWORD, path)
    clerk_ctx = clerk.context

    author_ctx = await browser.new_context(**PHONE)
    author = await author_ctx.new_page()
    await author.goto(f"{base}/meetings/{mid}")
    await _live(author)
    await author.check("#kind-question")
    await author.fill("#body", "Why are you all so useless?")
    await author.click("#participate-submit")
    entry = "#queue li.qentry"
    await clerk.wait_for_selector(entry)
    await clerk.click(f"{entry} details[data-role=reject-details] summary")
    cid = await clerk.get_attribute(entry, "data-contribution-id")
    await clerk.select_option(f"#reject-reason-{cid}", "abusive")
    await clerk.click(f"{entry} button[data-role=reject-confirm]")
    await eventually(
        lambda: author.evaluate(
            "!!document.querySelector('#mine-list li.own[data-status=rejected]')"
        )
    )
    reason = await author.text_content("#mine-list li.own .own__reason")
    assert reason and "Abusive" in reason
    await clerk_ctx.close()
    await author_ctx.close()
