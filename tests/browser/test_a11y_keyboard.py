"""Keyboard only (issue 15, WCAG 2.1.1, 2.4.1, 2.4.7): Tab, Shift+Tab, Enter, Space and the
arrows, never a click. A resident follows the meeting, comments with a position, asks a
question and votes a question up; a clerk approves one submission and rejects another with a
reason, in the queue. Every control the focus stops on shows a ring of at least 3:1 against
what is behind it (tests/browser/keyboard.py); the skip link is the first stop and takes the
focus to the content."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.a11y import MODULE_LOOP, Stage, a11y_browser, a11y_stage
from tests.browser.keyboard import assert_focus_visible, focused_matches, tab_to
from tests.browser.support import eventually
from tests.support import contribute, resident

pytestmark = [pytest.mark.browser, MODULE_LOOP]
__all__ = ["a11y_browser", "a11y_stage"]  # fixtures, used by name


async def _first_stop_is_the_skip_link(page: Any) -> None:
    await page.keyboard.press("Tab")
    assert await focused_matches(page, "a.skip-link"), "the first Tab stop is not the skip link"
    await assert_focus_visible(page)
    link = await page.locator("a.skip-link").bounding_box()
    assert link is not None and link["y"] >= 0 and link["height"] >= 24, link  # on screen
    await page.keyboard.press("Enter")
    await eventually(lambda: focused_matches(page, "#main"))


async def test_a_resident_follows_comments_asks_and_votes_with_the_keyboard(
    a11y_stage: Stage,
) -> None:
    stage = a11y_stage
    page = await stage.open("resident", "en", "/meetings/{live}", live=True)
    await _first_stop_is_the_skip_link(page)

    # Follow: from "Now discussing" to the item in the agenda.
    await tab_to(page, "#now-discussing a")
    await page.keyboard.press("Enter")
    await eventually(lambda: page.evaluate(f"location.hash === '#item-{stage.ids['item']}'"))

    # A comment that opposes: the kind is a comment already; the arrows choose the position.
    await tab_to(page, "#kind-comment", back=True)
    assert await page.is_checked("#kind-comment")
    await page.keyboard.press("Tab")
    assert await focused_matches(page, "#position-fieldset input[type=radio]")
    await page.keyboard.press("Space")  # none is chosen yet: choose the one with the focus
    await arrow_to(page, "#position-oppose")
    assert await page.is_checked("#position-oppose")
    await tab_to(page, "#body")
    await page.keyboard.type("Keep the mobile library, it serves the villages.")
    await tab_to(page, "#participate-submit")
    await page.keyboard.press("Enter")
    await eventually(lambda: _own_count(page, 1))

    # A question: back to the kind, the arrow to "Question", Space on Send this time.
    await tab_to(page, "#kind-comment, #kind-question", back=True)
    await arrow_to(page, "#kind-question")
    assert await page.is_checked("#kind-question")
    await tab_to(page, "#body")
    await page.keyboard.type("When will the decision be made?")
    await tab_to(page, "#participate-submit")
    await page.keyboard.press("Space")
    await eventually(lambda: _own_count(page, 2))
    own = await page.text_content("#mine-list") or ""
    assert "Keep the mobile library" in own and "When will the decision" in own
    assert "Oppose" in own  # the position chosen with the arrows went with the comment

    # Vote another resident's question up.
    vote = "#contribution-groups button.vote[aria-pressed=false]"
    await tab_to(page, vote)
    voted_id = await page.evaluate("document.activeElement.dataset.contributionId")
    await page.keyboard.press("Enter")
    pressed = f"button.vote[data-contribution-id='{voted_id}'][aria-pressed=true]"
    await eventually(lambda: page.evaluate("(s) => !!document.querySelector(s)", pressed))
    await page.close()


async def arrow_to(page: Any, selector: str) -> None:
    """Press the down arrow until the focus is on ``selector`` (radios wrap round)."""
    for _ in range(10):
        if await focused_matches(page, selector):
            return
        await page.keyboard.press("ArrowDown")
    raise AssertionError(f"{selector} not reached with the arrows")


async def _own_count(page: Any, n: int) -> bool:
    return int(await page.evaluate("document.querySelectorAll('#mine-list > li').length")) >= n


async def test_a_clerk_approves_and_rejects_with_a_reason_with_the_keyboard(
    a11y_stage: Stage,
) -> None:
    stage = a11y_stage
    mid = stage.ids["live"]
    async with resident(stage.base) as author:
        approve_id = (await contribute(author, mid, "Approve me: the bridge needs lights")).json()
        reject_id = (await contribute(author, mid, "Reject me: buy my bicycles")).json()
    approve, reject = int(approve_id["id"]), int(reject_id["id"])
    page = await stage.open("clerk", "en", "/staff/meetings/{live}/moderation", live=True)
    await eventually(lambda: page.evaluate(f"!!document.getElementById('q-{reject}')"))
    await _first_stop_is_the_skip_link(page)

    # Approve: Tab to the entry's own Approve button, Enter.
    await tab_to(page, f"#q-{approve} button[data-role=approve]")
    await page.keyboard.press("Enter")
    await eventually(lambda: _left_queue(page, approve))

    # Reject with a reason: open the disclosure, choose the reason with the arrows, confirm.
    await tab_to(page, f"#q-{reject} details summary")
    await page.keyboard.press("Enter")
    await tab_to(page, f"#reject-reason-{reject}")
    await page.keyboard.press("ArrowDown")
    reason = await page.eval_on_selector(f"#reject-reason-{reject}", "(s) => s.value")
    assert reason, "the arrow chose no reason"
    await tab_to(page, f"#q-{reject} button[data-role=reject-confirm]")
    await page.keyboard.press("Enter")
    await eventually(lambda: _left_queue(page, reject))
    await page.close()

    # What the server holds: one published, one rejected with the reason chosen.
    r = await _staff_status(stage, mid, approve)
    assert r == ("published", None)
    assert await _staff_status(stage, mid, reject) == ("rejected", reason)


async def _left_queue(page: Any, cid: int) -> bool:
    return bool(
        await page.evaluate(
            "(id) => { const li = document.getElementById('q-' + id); return !li || li.hidden; }",
            cid,
        )
    )


async def _staff_status(stage: Stage, mid: Any, cid: int) -> tuple[str, str | None]:
    from hub.models import Contribution

    async with stage.server.services.sessionmaker() as session:
        c = await session.get(Contribution, cid)
        assert c is not None
        return str(c.status), c.reason
