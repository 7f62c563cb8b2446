"""Two clerks moderating one meeting in two real browser contexts: an entry one of them is
working on stays in place when the other decides it, refusals show beside their entry, blocked
participants are marked, and the audit page and the area totals follow live."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.support import axe_violations, eventually, signed_in_page
from tests.support import PASSWORD, RunningServer, Seeded, contribute, resident, sign_in

pytestmark = pytest.mark.browser


async def _open(base: str, seeded: Seeded) -> Any:
    """The meeting in session with its first item current (through the console's HTTP)."""
    clerk = await sign_in(base, seeded.users["clerk"])
    mid = seeded.meeting_id
    assert (
        await clerk.post(f"/staff/meetings/{mid}/status", {"action": "open"})
    ).status_code == 200
    item = seeded.item_ids[0]
    r = await clerk.post(f"/staff/meetings/{mid}/items/{item}/status", {"status": "current"})
    assert r.status_code == 200
    return clerk


async def _has(page: Any, selector: str) -> bool:
    return bool(await page.evaluate("(s) => !!document.querySelector(s)", selector))


async def _text(page: Any, selector: str) -> str:
    return (await page.text_content(selector)) or ""


async def _axe_clean(page: Any, url: str, name: str) -> None:
    for lang in ("cy", "en"):
        await page.goto(f"{url}?lang={lang}")
        await eventually(
            lambda: page.evaluate("window.__councilHub && window.__councilHub.state === 'live'")
        )
        assert await page.get_attribute("html", "lang") == lang
        violations = await axe_violations(page)
        assert violations == [], (name, lang, [(v["id"], v["help"]) for v in violations])


async def test_an_entry_being_worked_on_stays_marked_and_the_refusal_shows_beside_it(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    base, mid = sqlite_server.base_url, sqlite_seeded.meeting_id
    http_clerk = await _open(base, sqlite_seeded)
    author = resident(base)
    worked = (await contribute(author, mid, "You are all hopeless")).json()["id"]
    untouched = (await contribute(author, mid, "Please fix the bridge")).json()["id"]
    path = f"/staff/meetings/{mid}/moderation"
    a = await signed_in_page(browser, base, sqlite_seeded.users["clerk"], PASSWORD, path)
    b = await signed_in_page(browser, base, sqlite_seeded.users["admin"], PASSWORD, path)

    # Clerk A starts rejecting: opens the disclosure and chooses a reason.
    await a.click(f"#q-{worked} details[data-role=reject-details] summary")
    await a.select_option(f"#reject-reason-{worked}", "abusive")
    # Clerk B approves it, and the one A is not touching.
    await b.click(f"#q-{worked} button[data-role=approve]")
    await b.click(f"#q-{untouched} button[data-role=approve]")

    # A's untouched entry leaves A's queue; the one A works on stays, in place, marked.
    await eventually(lambda: _has(a, f"#decided #d-{untouched}"))
    assert not await _has(a, f"#q-{untouched}")
    await eventually(lambda: _has(a, f"#q-{worked}.qentry--moved"))
    assert await _text(a, f"#q-{worked} .mentry__moved p") == "Published by Admin just now."
    assert await a.input_value(f"#reject-reason-{worked}") == "abusive"
    assert await _has(a, f"#q-{worked} details[data-role=reject-details][open]")
    assert await a.evaluate(
        "(id) => document.querySelector('#queue > li').id === 'q-' + id", worked
    ), "the entry kept its place at the top of the queue"

    # A's reject is refused (B published it first): the refusal is beside the entry.
    await a.click(f"#q-{worked} button[data-role=reject-confirm]")
    await eventually(lambda: _has(a, f"#q-{worked} .mentry__error"))
    refusal = await _text(a, f"#q-{worked} .mentry__error")
    assert "already published" in refusal and "Admin" in refusal
    assert await _text(a, "#moderation-error") == ""
    assert await _has(a, f"#q-{worked}"), "still there after the refusal"
    violations = await axe_violations(a)
    assert violations == [], [(v["id"], v["help"]) for v in violations]

    # Dismissed, it goes.
    await a.click(f"#q-{worked} button[data-role=dismiss]")
    await eventually(lambda: a.evaluate(f"!document.querySelector('#q-{worked}')"))
    assert await _has(a, f"#decided #d-{worked}")
    for ctx in (a.context, b.context):
        await ctx.close()
    await author.aclose()
    await http_clerk.http.aclose()


async def test_blocking_marks_entries_live_and_rejects_what_waits(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    base, mid = sqlite_server.base_url, sqlite_seeded.meeting_id
    http_clerk = await _open(base, sqlite_seeded)
    troll, spammer = resident(base), resident(base)
    trolls = [(await contribute(troll, mid, f"Troll {i}")).json()["id"] for i in range(2)]
    spam = [(await contribute(spammer, mid, f"Spam {i}")).json()["id"] for i in range(2)]
    path = f"/staff/meetings/{mid}/moderation"
    a = await signed_in_page(browser, base, sqlite_seeded.users["clerk"], PASSWORD, path)
    b = await signed_in_page(browser, base, sqlite_seeded.users["admin"], PASSWORD, path)

    # B blocks the troll but unticks "also reject": their entries wait, marked, on A's screen.
    await b.click(f"#q-{trolls[0]} details[data-role=block-details] summary")
    label = await _text(b, f"label[for=block-reject-{trolls[0]}]")
    assert label == "Also reject their waiting submissions (2)"
    await b.uncheck(f"#block-reject-{trolls[0]}")
    await b.click(f"#q-{trolls[0]} button[data-role=block-confirm]")
    for cid in trolls:
        await eventually(lambda cid=cid: _has(a, f"#q-{cid}[data-blocked=true] .mentry__blocked"))
        assert not await _has(a, f"#q-{cid} button[data-role=approve]")
    assert not await _has(a, f"#q-{spam[0]}[data-blocked]")
    # The same after a reload (rendered by the server).
    await a.reload()
    for cid in trolls:
        assert await _has(a, f"#q-{cid}[data-blocked=true] .mentry__blocked")
        assert not await _has(a, f"#q-{cid} button[data-role=approve]")
    assert await _has(a, f"#q-{spam[0]} button[data-role=approve]")

    # B blocks the spammer, rejecting what waits (ticked by default) for a reason: both leave
    # A's queue and show as rejected.
    await b.click(f"#q-{spam[1]} details[data-role=block-details] summary")
    assert await b.is_checked(f"#block-reject-{spam[1]}")
    # Without a reason for those rejections it is refused, beside the entry; nothing changes.
    await b.click(f"#q-{spam[1]} button[data-role=block-confirm]")
    await eventually(lambda: _has(b, f"#q-{spam[1]} .mentry__error"))
    assert "reason" in await _text(b, f"#q-{spam[1]} .mentry__error")
    assert not await _has(a, f"#q-{spam[1]}[data-blocked]")
    await b.select_option(f"#block-reason-{spam[1]}", "abusive")
    await b.click(f"#q-{spam[1]} button[data-role=block-confirm]")
    for cid in spam:
        await eventually(lambda cid=cid: _has(a, f"#decided #d-{cid}[data-status=rejected]"))
        assert not await _has(a, f"#q-{cid}")
    await _axe_clean(a, f"{base}{path}", "moderation")
    for ctx in (a.context, b.context):
        await ctx.close()
    for client in (troll, spammer, http_clerk.http):
        await client.aclose()


async def test_area_totals_follow_live(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    base, mid = sqlite_server.base_url, sqlite_seeded.meeting_id
    http_clerk = await _open(base, sqlite_seeded)
    path = f"/staff/meetings/{mid}/moderation"
    queue = await signed_in_page(browser, base, sqlite_seeded.users["clerk"], PASSWORD, path)
    assert await _has(queue, "#areas-empty:not([hidden])")
    author, other = resident(base), resident(base)
    # Submissions with areas: the totals appear without a reload.
    await contribute(author, mid, "Bins", area="Llanfair")
    await contribute(author, mid, "More bins", area="Llanfair")
    await contribute(other, mid, "Roads", area="Penrhos")
    await eventually(
        lambda: queue.evaluate(
            "[...document.querySelectorAll('#areas-rows tr')].map(r => r.textContent).join('|')"
            " === 'Llanfair2|Penrhos1'"
        )
    )
    assert await _has(queue, "#areas-empty[hidden]")
    await queue.context.close()
    for client in (author, other, http_clerk.http):
        await client.aclose()


async def test_audit_log_follows_live(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    base, mid = sqlite_server.base_url, sqlite_seeded.meeting_id
    http_clerk = await _open(base, sqlite_seeded)
    author = resident(base)
    first, second = [(await contribute(author, mid, f"Bins {i}")).json()["id"] for i in range(2)]
    audit_path = f"/staff/meetings/{mid}/audit"
    log = await signed_in_page(browser, base, sqlite_seeded.users["clerk"], PASSWORD, audit_path)
    assert await _has(log, "#audit-empty:not([hidden])")

    # Another clerk's actions reach the log as they are taken, newest first.
    r = await http_clerk.post(
        f"/staff/meetings/{mid}/contributions/{first}/moderate",
        {"action": "reject", "reason": "abusive"},
    )
    assert r.status_code == 200
    await eventually(lambda: _has(log, "#audit-rows tr[data-action=reject]"))
    row = await _text(log, "#audit-rows tr[data-action=reject]")
    assert f"#{first}" in row and "Clerk" in row and "Abusive" in row
    assert await _has(log, "#audit-empty[hidden]")
    r = await http_clerk.post(
        f"/staff/meetings/{mid}/contributions/{second}/moderate", {"action": "approve"}
    )
    assert r.status_code == 200
    await eventually(
        lambda: log.evaluate(
            "[...document.querySelectorAll('#audit-rows tr')].map(r => r.dataset.action)"
            ".join() === 'approve,reject'"
        )
    )
    await _axe_clean(log, f"{base}{audit_path}", "audit")
    await log.context.close()
    await author.aclose()
    await http_clerk.http.aclose()


async def test_councillors_audit_log_follows_too_without_the_staff_stream(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    base, mid = sqlite_server.base_url, sqlite_seeded.meeting_id
    http_clerk = await _open(base, sqlite_seeded)
    author = resident(base)
    cid = (await contribute(author, mid, "Bins")).json()["id"]
    audit_path = f"/staff/meetings/{mid}/audit"
    ctx = await browser.new_context()
    log = await ctx.new_page()
    await log.goto(f"{base}/staff/login?next={audit_path}")
    await log.fill("#email", sqlite_seeded.users["councillor"])
    await log.fill("#password", PASSWORD)
    await log.click("button[type=submit]")
    await log.wait_for_url(f"{base}{audit_path}")
    assert await _has(log, "#audit-empty:not([hidden])")
    r = await http_clerk.post(
        f"/staff/meetings/{mid}/contributions/{cid}/moderate", {"action": "approve"}
    )
    assert r.status_code == 200
    await eventually(lambda: _has(log, "#audit-rows tr[data-action=approve]"), timeout=15)
    # Councillors never see who wrote what: no participant column, no pseudonym.
    row = await _text(log, "#audit-rows tr[data-action=approve]")
    assert f"#{cid}" in row and "P-" not in row
    assert await log.evaluate("document.querySelectorAll('#audit thead th').length") == 5
    assert await log.evaluate("document.querySelector('#audit-rows tr').children.length") == 5
    violations = await axe_violations(log)
    assert violations == [], [(v["id"], v["help"]) for v in violations]
    await ctx.close()
    await author.aclose()
    await http_clerk.http.aclose()
