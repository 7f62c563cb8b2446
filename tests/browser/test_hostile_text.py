"""The XSS corpus through every input that is ever shown, checked in the real browser: each
hostile string is sent as a comment, a question, a name and an outcome note, published, and
then every page that shows it (the resident page before and after live updates, the chamber
screen, the clerk's console and queue, the councillors' review, the moderation log) is loaded
with a listener for Content-Security-Policy violations. Nothing executes, nothing is refused
by the CSP, nothing answers 5xx, and the text is shown as text."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.support import eventually, signed_in_page
from tests.support import PASSWORD, RunningServer, Seeded, contribute, resident

pytestmark = pytest.mark.browser

CORPUS = [
    '<script>window.__pwned="script"</script>',
    "<img src=x onerror=\"window.__pwned='img'\">",
    "<svg onload=\"window.__pwned='svg'\"><circle r=5></circle></svg>",
    "<a href=\"javascript:window.__pwned='href'\">click</a>",
    '"><iframe srcdoc="<script>parent.__pwned=1</script>">',
    "{{7*7}} ${7*7} <%= 7*7 %> {% raw %}",
    "\u202eRTL override: gnp.exe",
    "Zalgo: Z\u0351\u0358\u0337a\u0344\u0316l\u0308\u0343g\u0352\u0309o",
    "Cymraeg: Ysgol Gymraeg Llanfair-ym-Muallt 🏫 – diolch yn fawr! 👍🏽",
    "</textarea><style>body{display:none}</style>",
]
PWN_CHECK = "typeof window.__pwned === 'undefined' && typeof parent.__pwned === 'undefined'"


async def _watch(page: Any, problems: list[str], where: str) -> None:
    page.on(
        "console",
        lambda m: (
            problems.append(f"{where}: {m.text}")
            if "Content Security Policy" in m.text or m.type == "error"
            else None
        ),
    )
    page.on(
        "response",
        lambda r: problems.append(f"{where}: {r.status} {r.url}") if r.status >= 500 else None,
    )


async def test_hostile_text_is_shown_as_text_everywhere(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    base, mid = sqlite_server.base_url, sqlite_seeded.meeting_id
    item = sqlite_seeded.item_ids[0]
    problems: list[str] = []
    clerk = await signed_in_page(
        browser, base, sqlite_seeded.users["clerk"], PASSWORD, f"/staff/meetings/{mid}"
    )
    await _watch(clerk, problems, "console")
    await clerk.click("form[data-action=open] button")
    resident_ctx = await browser.new_context()
    page = await resident_ctx.new_page()
    await _watch(page, problems, "resident")
    await page.goto(f"{base}/meetings/{mid}")
    await eventually(lambda: page.evaluate("window.__councilHub.state === 'live'"))

    ids = []
    for n, text in enumerate(CORPUS):
        async with resident(base) as author:  # one each: a resident's own limit is 5 a time
            kind = "question" if n % 2 else "comment"
            r = await contribute(author, mid, f"{n}: {text}", kind=kind, display_name=text[:60])
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
    queue = await clerk.context.new_page()
    await _watch(queue, problems, "queue")
    await queue.goto(f"{base}/staff/meetings/{mid}/moderation")
    # Approve each through the queue's own forms (plain POSTs from the page's context).
    token = await queue.evaluate("document.querySelector('meta[name=csrf-token]').content")
    for cid in ids:
        r = await queue.request.post(
            f"{base}/staff/meetings/{mid}/contributions/{cid}/moderate",
            form={"action": "approve", "csrf_token": token},
            headers={"Accept": "application/json", "Origin": base},
        )
        assert r.status == 200
    r = await clerk.request.post(
        f"{base}/staff/meetings/{mid}/items/{item}/status",
        form={"status": "done", "note": CORPUS[1] + CORPUS[3], "csrf_token": token},
        headers={"Accept": "application/json", "Origin": base},
    )
    assert r.status == 200

    # Live: the resident page received every published one without a reload.
    last = f"{len(CORPUS) - 1}: "
    await eventually(lambda: page.evaluate(f"document.body.textContent.includes({last!r})"))
    pages = {
        "resident (live)": page,
        "queue (live)": queue,
        "console (live)": clerk,
    }
    for where, path in (
        ("resident (loaded)", f"/meetings/{mid}"),
        ("projector", f"/meetings/{mid}/projector"),
        ("queue (loaded)", f"/staff/meetings/{mid}/moderation"),
        ("console (loaded)", f"/staff/meetings/{mid}"),
        ("review", f"/staff/meetings/{mid}/review"),
        ("audit", f"/staff/meetings/{mid}/audit"),
    ):
        staff = not where.startswith(("resident", "projector"))
        extra = await (clerk.context if staff else resident_ctx).new_page()
        await _watch(extra, problems, where)
        await extra.goto(f"{base}{path}")
        pages[where] = extra
    for where, shown in pages.items():
        assert await shown.evaluate(PWN_CHECK), f"script ran on {where}"
        assert await shown.evaluate("!document.querySelector('main iframe, main svg circle')"), (
            where
        )
    text = await pages["resident (loaded)"].evaluate("document.body.textContent")
    for n, hostile in enumerate(CORPUS):
        assert f"{n}: {hostile}" in text, f"not shown as text: {hostile!r}"
    assert problems == [], problems
    await resident_ctx.close()
