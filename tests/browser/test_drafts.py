"""A meeting night without surprises, for what residents send (issue 10): real browsers on the
real app. A draft keeps its item when the meeting moves on while the resident is offline, and
the resident chooses where it goes; a rate limit says why and when, and nothing is sent before;
text in a form that closes stays on the page; pasted text is never cut; no "Sent" beside a later
blocked attempt; no upvote on one's own question. axe-core clean in English and Welsh."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from hub.actions._locks import Actor
from hub.actions.agenda import set_current_item, set_item_outcome
from hub.actions.meetings import change_meeting_status, update_meeting
from hub.events.publish import writing
from hub.models import Contribution
from tests.browser.support import PHONE, axe_violations, eventually
from tests.support import RunningServer, Seeded, set_policy

pytestmark = pytest.mark.browser

CLERK = Actor(1, "Clerk")


async def _live(page: Any) -> None:
    await eventually(
        lambda: page.evaluate("window.__councilHub && window.__councilHub.state === 'live'")
    )


async def _act(server: RunningServer, fn: Any, *args: Any, **kwargs: Any) -> None:
    """An action through the server's own services (as the clerk's console would run it)."""
    svc = server.services
    async with writing(svc.sessionmaker, svc.broker) as w:
        await fn(w, *args, **kwargs)


async def _stored(server: RunningServer, body: str) -> list[Contribution]:
    async with server.services.sessionmaker() as session:
        return list(await session.scalars(select(Contribution).where(Contribution.body == body)))


async def _sent(server: RunningServer, page: Any, body: str) -> Contribution:
    """Once the page says it is sent: the one stored copy."""
    await eventually(
        lambda: page.is_visible("#mine-list li.own[data-status=pending]:not(.own--outbox)")
    )
    await eventually(
        lambda: page.evaluate(
            "!document.querySelector('#mine-list li.own--outbox:not([data-status=held])')"
        )
    )
    [stored] = await _stored(server, body)
    return stored


def _posts(page: Any) -> list[str]:
    """The submissions the page sends, as the network sees them."""
    seen: list[str] = []
    page.on(
        "request",
        lambda r: (
            seen.append(r.url) if r.method == "POST" and r.url.endswith("/contributions") else None
        ),
    )
    return seen


async def _resident(browser: Any, base: str, path: str) -> tuple[Any, Any]:
    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    await page.goto(f"{base}{path}")
    await _live(page)
    return context, page


async def _visible_text(page: Any) -> str:
    return str(await page.evaluate("document.body.innerText"))


async def _no_axe_violations(page: Any, what: str) -> None:
    violations = await axe_violations(page)
    assert violations == [], (what, [(v["id"], v["help"], v["nodes"][:2]) for v in violations])


async def test_offline_draft_keeps_its_item_and_the_resident_chooses(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    """Written on one item, sent while offline; the meeting moves on (that item done, another
    current); back online the draft keeps its item, the page says one thing and offers three
    choices, each doing what it says."""
    base, mid, items = sqlite_server.base_url, sqlite_seeded.meeting_id, sqlite_seeded.item_ids
    await _act(sqlite_server, change_meeting_status, mid, "open", CLERK)
    await _act(sqlite_server, set_current_item, mid, items[3], CLERK)  # 3a
    context, page = await _resident(browser, base, f"/meetings/{mid}")
    posts = _posts(page)

    async def draft_offline(body: str, written_on: int, done: int, now: int) -> None:
        assert await page.input_value("#item-select") == str(written_on)
        await page.check("#kind-question")
        await page.fill("#body", body)
        await context.set_offline(True)
        await page.click("#participate-submit")
        await eventually(lambda: page.is_visible("#mine-list li[data-status=unsent]"))
        # The clerk moves on while the resident is offline.
        await _act(sqlite_server, set_item_outcome, mid, done, "done", CLERK)
        await _act(sqlite_server, set_current_item, mid, now, CLERK)
        await context.set_offline(False)
        # Back online: the page catches up and the outbox tries again (the server refuses).
        await eventually(
            lambda: page.evaluate(
                f"document.querySelector('#item-{now}').classList.contains('item--current')"
            ),
            timeout=15,
        )
        await eventually(lambda: page.is_hidden("#mine-list li[data-status=unsent]"), timeout=15)

    async def one_clear_message(item_label: str) -> None:
        # Not "finished" and "we will retry" at once; not the draft back in the box with the
        # selector on the new item.
        text = await _visible_text(page)
        assert "we will retry" not in text, text
        assert await page.text_content("#participate-status") == ""
        assert await page.text_content("#participate-error") == ""
        assert await page.input_value("#body") == ""
        assert await page.is_visible("#draft-choice")
        message = await page.text_content("#draft-choice .draft__message") or ""
        assert item_label in message and "finished" in message
        assert text.count("finished, so it takes no more") == 1

    # 1. Written on 3a; 3a done, 3b current: sent about 3b, as chosen.
    first = "Will the findings be published in Welsh too?"
    await draft_offline(first, items[3], items[3], items[4])
    await one_clear_message("3a Findings")
    assert await _stored(sqlite_server, first) == []  # never re-targeted behind her back
    assert await page.text_content("#draft-choice .draft__body") == first
    labels = await page.locator("#draft-choice button").all_text_contents()
    assert labels == [
        "Send it about the meeting in general",
        "Send it about 3b Options (being discussed now)",
        "Keep it, unsent",
    ]
    await _no_axe_violations(page, "the choice, English")
    await page.click("#draft-choice button[data-choice=current]")
    await eventually(lambda: page.is_hidden("#draft-choice"))
    stored = await _sent(sqlite_server, page, first)
    assert stored.item_id == items[4]
    assert "Sent" in (await page.text_content("#participate-status") or "")

    # 2. Written on 3b; 3b done, 4 current: sent about the meeting in general.
    second = "How will the options be costed?"
    await draft_offline(second, items[4], items[4], items[5])
    await one_clear_message("3b Options")
    await page.click("#draft-choice button[data-choice=general]")
    await eventually(lambda: page.is_hidden("#draft-choice"))
    stored = await _sent(sqlite_server, page, second)
    assert stored.item_id is None

    # 3. Written on 4; 4 done, 1 current: kept, unsent, here and after a reload.
    third = "Can the library open on Sundays?"
    await draft_offline(third, items[5], items[5], items[0])
    await one_clear_message("4 Any other business")
    sent_so_far = len(posts)
    await page.click("#draft-choice button[data-choice=keep]")
    await eventually(lambda: page.is_hidden("#draft-choice"))
    kept = "#mine-list li.own--outbox[data-status=held]"
    assert third in (await page.text_content(kept) or "")
    assert "Kept, not sent" in (await page.text_content(kept) or "")
    assert await _stored(sqlite_server, third) == []
    await page.goto(f"{base}/meetings/{mid}?lang=cy")
    await _live(page)
    assert third in (await page.text_content(kept) or "")
    assert await page.is_hidden("#draft-choice")
    assert len(posts) == sent_so_far  # kept means not sent, on reload too
    await page.click(f"{kept} button.own__choose")
    await eventually(lambda: page.is_visible("#draft-choice"))
    assert "wedi gorffen" in (await page.text_content("#draft-choice .draft__message") or "")
    await _no_axe_violations(page, "the choice, Welsh")
    await page.click("#draft-choice button[data-choice=general]")
    await eventually(lambda: page.is_hidden("#draft-choice"))
    stored = await _sent(sqlite_server, page, third)
    assert stored.item_id is None
    await context.close()


async def test_text_in_the_box_keeps_its_item_when_the_item_closes(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    """Still being written (online) when the clerk finishes its item: the selector stays on
    that item (marked finished) instead of moving to the new one; sending it brings the
    choice."""
    base, mid, items = sqlite_server.base_url, sqlite_seeded.meeting_id, sqlite_seeded.item_ids
    await _act(sqlite_server, change_meeting_status, mid, "open", CLERK)
    await _act(sqlite_server, set_current_item, mid, items[3], CLERK)  # 3a
    context, page = await _resident(browser, base, f"/meetings/{mid}")
    body = "Were branch staff asked about the findings?"
    await page.check("#kind-question")
    await page.fill("#body", body)
    await _act(sqlite_server, set_item_outcome, mid, items[3], "done", CLERK)
    await _act(sqlite_server, set_current_item, mid, items[4], CLERK)
    await eventually(
        lambda: page.evaluate(
            f"document.querySelector('#item-{items[4]}').classList.contains('item--current')"
        )
    )
    assert await page.input_value("#item-select") == str(items[3])
    chosen = await page.evaluate(
        "document.querySelector('#item-select').selectedOptions[0].textContent"
    )
    assert chosen == "3a Findings (finished)"
    await page.click("#participate-submit")
    await eventually(lambda: page.is_visible("#draft-choice"))
    assert await page.text_content("#draft-choice .draft__body") == body
    assert await _stored(sqlite_server, body) == []
    # With the box empty again, the selector follows the meeting.
    assert await page.input_value("#item-select") == str(items[4])
    await context.close()


async def test_a_rate_limit_says_why_and_when_and_is_not_retried_before(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    base, mid, svc = sqlite_server.base_url, sqlite_seeded.meeting_id, sqlite_server.services
    # 60 per address in 10 minutes: one more every 10 s once spent.
    await set_policy(svc.sessionmaker, svc.broker, rate_per_address=60)
    context, page = await _resident(browser, base, f"/meetings/{mid}")
    posts = _posts(page)
    limiter = svc.limiter(60, 600.0)
    while limiter.allow("a:127.0.0.1"):
        pass  # this address has sent its allowance
    body = "Please keep the mobile library."
    await page.check("#kind-question")
    await page.fill("#body", body)
    await page.click("#participate-submit")
    await eventually(lambda: _has_text(page, "#participate-status"))
    status = await page.text_content("#participate-status") or ""
    assert "sent a lot in a short time" in status and "We will send it at" in status, status
    assert "we will retry" not in status
    assert "We will send it at" in (
        await page.text_content("#mine-list li[data-status=waiting]") or ""
    )
    assert len(posts) == 1
    # Whatever wakes the outbox (back online, the live stream), nothing goes before the time.
    await context.set_offline(True)
    await context.set_offline(False)
    await page.wait_for_timeout(4_000)
    assert len(posts) == 1, posts
    await _no_axe_violations(page, "rate limited, English")
    # Nor on a reload (the time is kept with the draft); in Welsh.
    await page.goto(f"{base}/meetings/{mid}?lang=cy")
    await _live(page)
    waiting = await page.text_content("#mine-list li[data-status=waiting]") or ""
    assert body in waiting and "Byddwn yn ei anfon am" in waiting, waiting
    assert len(posts) == 1, posts
    await _no_axe_violations(page, "rate limited, Welsh")
    # Once the time has passed it goes by itself.
    await eventually(lambda: page.is_visible("#mine-list li[data-status=pending]"), timeout=15)
    assert len(posts) == 2
    assert len(await _stored(sqlite_server, body)) == 1
    await context.close()


async def test_no_sent_message_beside_a_later_blocked_attempt(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    base, mid = sqlite_server.base_url, sqlite_seeded.meeting_id
    context, page = await _resident(browser, base, f"/meetings/{mid}")
    posts = _posts(page)
    await page.check("#kind-question")
    await page.fill("#body", "Is the consultation still open?")
    await page.click("#participate-submit")
    await eventually(lambda: page.is_visible("#mine-list li[data-status=pending]"))
    assert "Sent" in (await page.text_content("#participate-status") or "")
    # The next attempt, blocked by the browser (nothing written): no "Sent" beside it.
    await page.check("#kind-comment")
    await page.click("#participate-submit")
    assert await page.text_content("#participate-status") == ""
    assert len(posts) == 1
    await context.close()


async def test_pasted_text_is_never_cut(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    """1,050 characters pasted: all kept, counted, refused here with a message (the server
    refuses it too: tests/web/test_drafts.py)."""
    base, mid = sqlite_server.base_url, sqlite_seeded.meeting_id
    context, page = await _resident(browser, base, f"/meetings/{mid}")
    posts = _posts(page)
    pasted = ("The library matters to this village. " * 30)[:1050]
    await page.check("#kind-question")
    await page.focus("#body")
    await page.keyboard.insert_text(pasted)
    assert await page.input_value("#body") == pasted
    assert "50 characters too many" in (await page.text_content("#body-count") or "")
    await page.click("#participate-submit")
    error = await page.text_content("#participate-error") or ""
    assert "50 characters too long" in error and "Nothing has been cut" in error
    assert await page.input_value("#body") == pasted
    assert await page.get_attribute("#body", "aria-invalid") == "true"
    assert posts == []
    await _no_axe_violations(page, "too long, English")
    # Kept in this browser: a reload (here in Welsh) has every character still in the box.
    await page.goto(f"{base}/meetings/{mid}?lang=cy")
    await _live(page)
    assert await page.input_value("#body") == pasted
    await page.check("#kind-question")
    await page.click("#participate-submit")
    assert "50 nod yn rhy hir" in (await page.text_content("#participate-error") or "")
    assert posts == []
    await _no_axe_violations(page, "too long, Welsh")
    await context.close()


async def test_text_in_a_form_that_closes_stays_to_copy(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    from datetime import UTC, datetime, timedelta

    base, mid = sqlite_server.base_url, sqlite_seeded.meeting_id
    await _act(sqlite_server, change_meeting_status, mid, "open", CLERK)
    context, page = await _resident(browser, base, f"/meetings/{mid}")
    await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    text = "Half-written: the hours should stay as they are because"
    await page.fill("#body", text)

    # The window shuts: the form goes, the text stays with the reason.
    await _act(
        sqlite_server,
        update_meeting,
        mid,
        submissions_close_at=datetime.now(UTC) - timedelta(minutes=1),
    )
    await eventually(lambda: page.is_hidden("#participate-form"))
    assert text in await _visible_text(page)
    assert await page.is_visible("#participate-kept")
    assert await page.text_content("#kept-text") == text
    assert "ended" in (await page.text_content("#kept-message") or "")
    # It opens again: the text is in the box, as it was.
    await _act(sqlite_server, update_meeting, mid, submissions_close_at=None)
    await eventually(lambda: page.is_visible("#participate-form"))
    assert await page.is_hidden("#participate-kept")
    assert await page.input_value("#body") == text

    # The meeting closes: the same, and it can be copied.
    await _act(sqlite_server, change_meeting_status, mid, "close", CLERK)
    await eventually(lambda: page.is_hidden("#participate-form"))
    assert await page.text_content("#kept-text") == text
    await page.click("#kept-copy")
    await eventually(lambda: _copied(page))
    assert await page.text_content("#kept-copied") == "Copied."
    assert await page.evaluate("navigator.clipboard.readText()") == text
    await _no_axe_violations(page, "kept, English")
    # And after a reload, in Welsh.
    await page.goto(f"{base}/meetings/{mid}?lang=cy")
    await eventually(lambda: page.is_visible("#participate-kept"))
    assert await page.text_content("#kept-text") == text
    assert "Heb ei anfon" in (await page.text_content("#kept-message") or "")
    await _no_axe_violations(page, "kept, Welsh")
    await context.close()


async def _copied(page: Any) -> bool:
    return await _has_text(page, "#kept-copied")


async def _has_text(page: Any, selector: str) -> bool:
    return bool(await page.text_content(selector))


async def test_no_upvote_button_on_ones_own_question(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    base, mid, svc = sqlite_server.base_url, sqlite_seeded.meeting_id, sqlite_server.services
    await set_policy(svc.sessionmaker, svc.broker, moderation="post")
    author_ctx, author = await _resident(browser, base, f"/meetings/{mid}")
    other_ctx, other = await _resident(browser, base, f"/meetings/{mid}")
    await author.check("#kind-question")
    await author.fill("#body", "Will Saturday opening be kept?")
    await author.click("#participate-submit")
    entry = "li.contribution[data-kind=question]"
    await eventually(lambda: other.is_visible(f"{entry} button.vote"))
    await eventually(lambda: author.is_visible(entry))
    await author.wait_for_timeout(500)  # the live event and the 201 have both arrived
    assert await author.is_hidden(f"{entry} button.vote")
    assert "Votes: 0" in (await author.text_content(entry) or "")
    # After a reload too (own questions from the server's list).
    await author.reload()
    await _live(author)
    assert await author.is_hidden(f"{entry} button.vote")
    for lang in ("en", "cy"):
        await author.goto(f"{base}/meetings/{mid}?lang={lang}")
        await _live(author)
        await _no_axe_violations(author, f"own question, {lang}")
    await author_ctx.close()
    await other_ctx.close()
