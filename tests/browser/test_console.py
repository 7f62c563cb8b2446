"""The clerk's console in a real browser (Playwright driving Chromium) on the real app.

Two clerks in two browser contexts act on one item, or make different items current, at the
same moment: one is accepted, the other is told beside the item who acted and what is now true,
and keeps what they typed. The console shows the current item first and only the actions that
fit each item; its activity log is sentences, in English and Welsh, with times to the second,
the same after a live update as after a reload; axe-core finds nothing in either language."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from hub.models import AgendaItem, Council
from tests.actions.test_social import post
from tests.browser.support import axe_violations, eventually, signed_in_page
from tests.support import (
    PASSWORD,
    RunningServer,
    Seeded,
    add_staff,
    contribute,
    resident,
    sign_in,
)
from tests.web.test_social_posts import store_posts

pytestmark = pytest.mark.browser

ALICE = "alice@aberglas.invalid"
CLOCK = re.compile(r"\d\d:\d\d:\d\d")


async def add_alice(server: RunningServer) -> None:
    """A second clerk of the seeded council, "Alice Jones" (the seeded one is "Clerk")."""
    async with server.services.sessionmaker() as session:
        council = (
            await session.execute(select(Council).where(Council.slug == "aberglas"))
        ).scalar_one()
        await add_staff(session, ALICE, "Alice Jones", council.id, "clerk")
        await session.commit()


async def consoles(browser: Any, server: RunningServer, seeded: Seeded) -> tuple[Any, Any]:
    """Clerk's and Alice Jones's consoles, each in its own browser context, streams live."""
    await add_alice(server)
    path = f"/staff/meetings/{seeded.meeting_id}"
    clerk = await signed_in_page(browser, server.base_url, seeded.users["clerk"], PASSWORD, path)
    alice = await signed_in_page(browser, server.base_url, ALICE, PASSWORD, path)
    return clerk, alice


async def item_row(server: RunningServer, item_id: int) -> AgendaItem:
    async with server.services.sessionmaker() as session:
        return (
            await session.execute(select(AgendaItem).where(AgendaItem.id == item_id))
        ).scalar_one()


async def has_class(page: Any, selector: str, cls: str) -> bool:
    return bool(
        await page.evaluate(
            "([s, c]) => !!document.querySelector(s)"
            " && document.querySelector(s).classList.contains(c)",
            [selector, cls],
        )
    )


async def text(page: Any, selector: str) -> str:
    return (await page.text_content(selector) or "").strip()


# Presses a button the way a click does (a submit event with that submitter), in one step: two
# pages pressing at once both act on what they show (a click's actionability checks take tens
# of milliseconds, in which the other clerk's change can arrive and update the page first).
PRESS = "sel => { const b = document.querySelector(sel); b.form.requestSubmit(b); }"


async def press_at_once(*presses: tuple[Any, str]) -> None:
    await asyncio.gather(*(page.evaluate(PRESS, selector) for page, selector in presses))


async def open_meeting(clerk: Any, alice: Any) -> None:
    await clerk.click("form[data-action=open] button")
    for page in (clerk, alice):
        await eventually(
            lambda p=page: p.evaluate(
                "document.querySelector('#meeting-status').dataset.status === 'live'"
            )
        )


async def test_two_clerks_mark_one_item_done_at_once(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    clerk, alice = await consoles(browser, sqlite_server, sqlite_seeded)
    target = sqlite_seeded.item_ids[3]  # 3a
    await open_meeting(clerk, alice)
    await clerk.click(f"#item-{target} button[data-role=current]")
    # Both consoles show 3a at the top, open, with its note field and outcome buttons.
    for page in (clerk, alice):
        await eventually(
            lambda p=page: p.evaluate(
                f"!!document.querySelector('#current-slot #item-{target} details[open]')"
            )
        )

    notes = {"Clerk": "Approved, 7 votes to 2", "Alice Jones": "Approved unanimously"}
    await clerk.fill(f"#note-{target}", notes["Clerk"])
    await alice.fill(f"#note-{target}", notes["Alice Jones"])
    done = f"#item-{target} button[data-role=outcome][value=done]"
    await press_at_once((clerk, done), (alice, done))

    pages = {"Clerk": clerk, "Alice Jones": alice}

    async def settled() -> bool:
        for page in pages.values():
            if not await has_class(page, f"#item-{target}", "item--done"):
                return False
        errors = [await text(p, f"#item-error-{target}") for p in pages.values()]
        return sum(bool(e) for e in errors) == 1

    await eventually(settled)
    row = await item_row(sqlite_server, target)
    winner = next(name for name, note in notes.items() if note == row.outcome)
    loser = next(name for name in notes if name != winner)
    assert row.changed_by == winner

    # The loser is told beside the item: who, when (to the second) and the note that stands.
    message = await text(pages[loser], f"#item-error-{target}")
    assert re.match(
        rf"Already marked done by {winner} at {CLOCK.pattern}: “{re.escape(notes[winner])}”\.",
        message,
    ), message
    assert await pages[loser].is_visible(f"#item-{target} > #item-error-{target}")
    # ...and keeps the note they typed, in its field, still open to them.
    assert await pages[loser].input_value(f"#note-{target}") == notes[loser]
    assert await pages[loser].is_visible(f"#note-{target}")
    # The winner's page says nothing, and its note went with the action.
    assert await text(pages[winner], f"#item-error-{target}") == ""
    assert await pages[winner].input_value(f"#note-{target}") == ""
    for page in pages.values():
        await page.context.close()


async def test_two_clerks_make_different_items_current_at_once(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    clerk, alice = await consoles(browser, sqlite_server, sqlite_seeded)
    first, second = sqlite_seeded.item_ids[0], sqlite_seeded.item_ids[1]  # items 1 and 2
    await open_meeting(clerk, alice)
    pages = {"Clerk": (clerk, first), "Alice Jones": (alice, second)}
    await press_at_once(
        (clerk, f"#item-{first} button[data-role=current]"),
        (alice, f"#item-{second} button[data-role=current]"),
    )

    async def settled() -> bool:
        errors = [await text(p, f"#item-error-{i}") for p, i in pages.values()]
        return sum(bool(e) for e in errors) == 1

    await eventually(settled)
    rows = {item: await item_row(sqlite_server, item) for item in (first, second)}
    current = [item for item, row in rows.items() if row.status == "current"]
    assert len(current) == 1
    winner = next(name for name, (_, item) in pages.items() if item == current[0])
    loser = next(name for name in pages if name != winner)
    loser_page, loser_item = pages[loser]
    number = rows[current[0]].number
    message = await text(loser_page, f"#item-error-{loser_item}")
    assert re.match(rf"{winner} made item {number} current at {CLOCK.pattern}\.", message), message
    assert await loser_page.is_visible(f"#item-{loser_item} > #item-error-{loser_item}")
    # Both consoles now show the winner's item first.
    for page, _ in pages.values():
        await eventually(
            lambda p=page: p.evaluate(
                f"document.querySelector('li[data-item-id]').id === 'item-{current[0]}'"
            )
        )
    for page, _ in pages.values():
        await page.context.close()


async def test_without_javascript_a_stale_form_explains_and_links_back(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    await add_alice(sqlite_server)
    mid, target = sqlite_seeded.meeting_id, sqlite_seeded.item_ids[1]
    base = sqlite_server.base_url
    pages = []
    for email in (sqlite_seeded.users["clerk"], ALICE):
        context = await browser.new_context(java_script_enabled=False)
        page = await context.new_page()
        await page.goto(f"{base}/staff/login?next=/staff/meetings/{mid}")
        await page.fill("#email", email)
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{base}/staff/meetings/{mid}")
        pages.append(page)
    clerk, alice = pages
    await clerk.click("form[data-action=open] button")
    await clerk.wait_for_url(f"{base}/staff/meetings/{mid}")
    await clerk.click(f"#item-{target} button[data-role=current]")
    await clerk.wait_for_url(f"{base}/staff/meetings/{mid}")
    # The current item comes first, open; its outcome form works without a script.
    assert await clerk.evaluate("document.querySelector('li[data-item-id]').id") == f"item-{target}"
    await alice.reload()  # Alice's page: 2 current, at version 1
    # Every "Make current" says which item was current when the page was served.
    other = sqlite_seeded.item_ids[0]
    assert await alice.get_attribute(f"#item-{other} [name=current_was]", "value") == str(target)
    await clerk.fill(f"#note-{target}", "Agreed")
    await clerk.click(f"#item-{target} button[value=done]")
    await clerk.wait_for_url(f"{base}/staff/meetings/{mid}")

    await alice.fill(f"#note-{target}", "Deferred to January")
    await alice.click(f"#item-{target} button[value=deferred]")
    assert "Already" not in (await alice.text_content("main") or "")
    body = await text(alice, "main")
    assert re.search(rf"Clerk marked item 2 done at {CLOCK.pattern}: “Agreed”", body), body
    await alice.click("text=Back to the console")
    await alice.wait_for_url(f"{base}/staff/meetings/{mid}#item-{target}")
    assert (await item_row(sqlite_server, target)).outcome == "Agreed"
    for page in pages:
        await page.context.close()


BUTTONS_BY_STATUS = {
    "pending": {"current", "done", "deferred", "withdrawn"},
    "current": {"done", "deferred", "withdrawn", "pending"},
    "done": {"current", "done", "pending"},
    "deferred": {"current", "done", "withdrawn", "pending"},
    "withdrawn": {"pending"},
}


async def shown_buttons(page: Any, item_id: int) -> set[str]:
    values = await page.evaluate(
        """id => [...document.querySelectorAll(`#item-${id} button[name=status]`)]
              .filter(b => !b.hidden && !b.closest('[hidden]')).map(b => b.value)""",
        item_id,
    )
    return set(values)


async def test_console_layout_and_activity_sentences(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    mid = sqlite_seeded.meeting_id
    ids = sqlite_seeded.item_ids  # 1, 2, 3, 3a, 3b, 4
    path = f"/staff/meetings/{mid}"
    clerk = await signed_in_page(
        browser, sqlite_server.base_url, sqlite_seeded.users["clerk"], PASSWORD, path
    )
    http = await sign_in(sqlite_server.base_url, sqlite_seeded.users["clerk"])
    for step in (
        ("status", {"action": "open"}),
        (f"items/{ids[0]}/status", {"status": "done", "note": "Approved, 7 votes to 2"}),
        (f"items/{ids[1]}/status", {"status": "deferred"}),
        (f"items/{ids[5]}/status", {"status": "withdrawn"}),
        (f"items/{ids[3]}/status", {"status": "current"}),
    ):
        assert (await http.post(f"{path}/{step[0]}", step[1])).status_code == 200
    # A resident's question on 3a and a named comment, one published.
    citizen = resident(sqlite_server.base_url)
    r = await contribute(citizen, mid, "Will Sunday opening stay?", "question", item_id=ids[3])
    assert r.status_code == 201, r.text
    r = await contribute(citizen, mid, "Keep it open.", item_id=ids[3], display_name="Siân")
    assert r.status_code == 201, r.text
    comment = r.json()["id"]
    assert (
        await http.post(f"{path}/contributions/{comment}/moderate", {"action": "approve"})
    ).status_code == 200
    # A social media post arrives (tied to 3a, current when posted); the comment moves to 3b.
    await store_posts(sqlite_server, mid, [post(1, created_at=datetime.now(UTC))])
    r = await http.post(
        f"{path}/contributions/{comment}/moderate", {"action": "move", "item_id": str(ids[4])}
    )
    assert r.status_code == 200, r.text

    expected = [
        "Clerk opened the meeting",
        "Clerk marked item 1 done: “Approved, 7 votes to 2”",
        "Clerk deferred item 2",
        "Clerk withdrew item 4",
        "Clerk made item 3a current",
        "A resident submitted a question on item 3a",
        "Siân submitted a comment on item 3a",
        "Clerk published a comment by Siân on item 3a",
        "Resident 1 submitted a social media post on item 3a",
        "Clerk moved a comment by Siân to item 3b",
    ]

    async def log(page: Any) -> list[tuple[str, str]]:
        entries = await page.evaluate(
            """[...document.querySelectorAll('#activity li')].map(li => [
                 li.querySelector('time').textContent,
                 li.querySelector('.activity__text').textContent])"""
        )
        return [(t, s) for t, s in reversed(entries)]  # oldest first

    # Live: every one arrived while the page was open, written as the server writes them.
    await eventually(lambda: _log_is(log(clerk), expected))
    for time, _ in await log(clerk):
        assert CLOCK.fullmatch(time), time
    live = await log(clerk)

    await clerk.reload()
    await eventually(lambda: clerk.evaluate("window.__councilHub.state === 'live'"))
    assert await log(clerk) == live  # served: the same sentences, the same times
    assert "None" not in await text(clerk, "#activity")

    # The current item first; every item shows only the actions that fit its status.
    first = await clerk.evaluate("document.querySelector('li[data-item-id]').id")
    assert first == f"item-{ids[3]}"
    statuses = {ids[0]: "done", ids[1]: "deferred", ids[2]: "pending", ids[3]: "current"}
    statuses |= {ids[4]: "pending", ids[5]: "withdrawn"}
    for item_id, status in statuses.items():
        assert await shown_buttons(clerk, item_id) == BUTTONS_BY_STATUS[status], status
    # Other items are folded to a line; the current one is open.
    assert await clerk.evaluate("document.querySelectorAll('#agenda details[open]').length") == 0
    assert await clerk.is_visible(f"#note-{ids[3]}")

    # Live: 3b made current moves to the top, 3a goes back into the list with its new buttons.
    assert (
        await http.post(f"{path}/items/{ids[4]}/status", {"status": "current"})
    ).status_code == 200
    await eventually(
        lambda: clerk.evaluate(f"document.querySelector('li[data-item-id]').id === 'item-{ids[4]}'")
    )
    assert await shown_buttons(clerk, ids[4]) == BUTTONS_BY_STATUS["current"]
    assert await shown_buttons(clerk, ids[3]) == BUTTONS_BY_STATUS["pending"]
    assert await clerk.evaluate(f"document.querySelector('#item-{ids[3]} details').open") is False
    assert await clerk.evaluate(f"document.querySelector('#item-{ids[4]} details').open") is True

    violations = await axe_violations(clerk)
    assert violations == [], [(v["id"], v["help"], len(v["nodes"])) for v in violations]

    # In Welsh: the same log, in Welsh sentences, served and live.
    await clerk.goto(f"{sqlite_server.base_url}{path}?lang=cy")
    await eventually(lambda: clerk.evaluate("window.__councilHub.state === 'live'"))
    welsh = await log(clerk)
    assert [t for t, _ in welsh] == [t for t, _ in live] + [welsh[-1][0]]
    sentences = [s for _, s in welsh]
    assert sentences[0] == "Agorodd Clerk y cyfarfod", sentences
    assert "Cyhoeddodd Clerk sylw gan Siân ar eitem 3a" in sentences, sentences
    assert "Symudodd Clerk sylw gan Siân i eitem 3b" in sentences, sentences
    for english in ("opened", "submitted", "published", " on ", "None"):
        assert not any(english in s for s in sentences), (english, sentences)
    r = await contribute(citizen, mid, "Diolch.", item_id=ids[4], display_name="Gwen")
    assert r.status_code == 201, r.text
    await eventually(
        lambda: clerk.evaluate(
            "document.querySelector('#activity .activity__text').textContent"
            " === 'Cyflwynodd Gwen sylw ar eitem 3b'"
        )
    )
    violations = await axe_violations(clerk)
    assert violations == [], [(v["id"], v["help"], len(v["nodes"])) for v in violations]
    await citizen.aclose()
    await http.http.aclose()
    await clerk.context.close()


async def _log_is(entries: Any, expected: list[str]) -> bool:
    return [s for _, s in await entries] == expected
