"""A clerk gives a meeting and its items their Welsh in the agenda editor (plain form posts,
through the real routes): stored, in the snapshot, shown on the Welsh page and kept in the
editor's fields; an edit that leaves the Welsh fields out keeps the Welsh; too long a Welsh
title is refused with a message, not stored."""

from __future__ import annotations

import html

from tests.support import RunningServer, Seeded, http_client, sign_in


async def test_a_clerk_enters_the_welsh(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    mid = sqlite_seeded.meeting_id
    clerk = await sign_in(sqlite_server.base_url, sqlite_seeded.users["clerk"])
    try:
        r = await clerk.post(
            f"/staff/meetings/{mid}/details",
            {"title": "Cabinet", "title_cy": "Y Cabinet", "body_name": "Cabinet",
             "starts_at": "2026-11-23T18:30", "location": "Council Chamber",
             "webcast_url": "https://example.org/live"},
        )  # fmt: skip
        assert r.status_code == 200, r.text
        r = await clerk.post(
            f"/staff/meetings/{mid}/items",
            {"number": "9", "title": "Library opening hours", "title_cy": "Oriau agor y llyfrgell",
             "description": "A report.", "description_cy": "Adroddiad."},
        )  # fmt: skip
        assert r.status_code == 200, r.text
        snap = (await clerk.http.get(f"/api/meetings/{mid}")).json()
        added = snap["items"][-1]
        assert (added["title_cy"], added["description_cy"]) == (
            "Oriau agor y llyfrgell",
            "Adroddiad.",
        )
        assert snap["meeting"]["title_cy"] == "Y Cabinet"
        # An edit without the Welsh fields (an older form, a script) keeps the Welsh.
        r = await clerk.post(
            f"/staff/meetings/{mid}/items/{added['id']}/edit",
            {"number": "9", "title": "Library hours", "description": "A report."},
        )
        assert r.status_code == 200, r.text
        # Too long a Welsh title: refused, in words.
        r = await clerk.post(
            f"/staff/meetings/{mid}/items/{added['id']}/edit",
            {"number": "9", "title": "Library hours", "description": "", "title_cy": "x" * 501},
        )
        assert r.status_code in (400, 413, 422) and r.json()["message"]
        editor = html.unescape((await clerk.http.get(f"/staff/meetings/{mid}/agenda")).text)
        assert 'value="Oriau agor y llyfrgell"' in editor and 'value="Y Cabinet"' in editor
    finally:
        await clerk.http.aclose()
    async with http_client(sqlite_server.base_url) as http:
        page = html.unescape((await http.get(f"/meetings/{mid}", params={"lang": "cy"})).text)
    assert '<h1 id="meeting-title">Y Cabinet</h1>' in page
    assert '<span class="item__title">Oriau agor y llyfrgell</span>' in page
    assert "Adroddiad." in page
