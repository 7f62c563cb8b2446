"""Staff-only exports over real HTTP, on SQLite and PostgreSQL: residents' wards and districts
in totals, and the moderation log, as CSV; for the meeting's council's staff only (the
public and a resident are sent to sign in, another council's clerk is refused), with the
participants' pseudonyms for those who moderate only, never cached, and as safe to open in a
spreadsheet as the public CSV."""

from __future__ import annotations

import csv
import io

import httpx

from tests.support import (
    RunningServer,
    Seeded,
    contribute,
    http_client,
    resident,
    set_policy,
    sign_in,
)

AREAS = "/staff/meetings/{mid}/export/areas.csv"
LOG = "/staff/meetings/{mid}/export/moderation-log.csv"
HOSTILE_AREA = '=HYPERLINK("http://evil.example","ward")'


def _table(r: httpx.Response) -> list[dict[str, str]]:
    assert r.headers["content-type"].startswith("text/csv"), r.headers["content-type"]
    rows = list(csv.reader(io.StringIO(r.text, newline="")))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


async def test_staff_exports_for_the_councils_staff_only(
    server: RunningServer, seeded: Seeded
) -> None:
    mid = seeded.meeting_id
    await set_policy(server.services.sessionmaker, rate_per_participant=100)
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    async with resident(server.base_url) as someone:
        await someone.get(f"/meetings/{mid}")
        ids = []
        for area in ("North ward", "North ward", "South ward", HOSTILE_AREA, None):
            fields = {"area": area} if area else {}
            r = await contribute(someone, mid, f"From {area}", **fields)
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        base = f"/staff/meetings/{mid}/contributions"
        assert (await clerk.post(f"{base}/{ids[0]}/moderate", {"action": "approve"})).is_success
        rejected = {"action": "reject", "reason": "off_topic"}
        assert (await clerk.post(f"{base}/{ids[1]}/moderate", rejected)).is_success

        # Who may have them.
        paths = [AREAS.format(mid=mid), LOG.format(mid=mid)]
        councillor = await sign_in(server.base_url, seeded.users["councillor"])
        other = await sign_in(server.base_url, seeded.users["other_clerk"])
        admin = await sign_in(server.base_url, seeded.users["admin"])
        async with http_client(server.base_url) as anonymous:
            for path in paths:
                for visitor in (anonymous, someone):
                    r = await visitor.get(path, follow_redirects=False)
                    assert r.status_code == 303, (path, r.status_code)
                    assert r.headers["location"].startswith("/staff/login")
                    r = await visitor.get(path, headers={"Accept": "application/json"})
                    assert r.status_code == 401, path
                r = await other.http.get(path)
                assert r.status_code == 403 and "North ward" not in r.text, path
                for user in (clerk, councillor, admin):
                    r = await user.http.get(path)
                    assert r.status_code == 200, path
                    assert r.headers["cache-control"] == "no-store"
                    assert "attachment" in r.headers["content-disposition"]

        # Areas: totals by what became of the submissions, hostile text neutralised.
        areas = _table(await clerk.http.get(paths[0]))
        assert areas == [
            {
                "area": "North ward",
                "submissions": "2",
                "published": "1",
                "pending": "0",
                "rejected": "1",
                "hidden": "0",
            },
            {
                "area": "'" + HOSTILE_AREA,
                "submissions": "1",
                "published": "0",
                "pending": "1",
                "rejected": "0",
                "hidden": "0",
            },
            {
                "area": "South ward",
                "submissions": "1",
                "published": "0",
                "pending": "1",
                "rejected": "0",
                "hidden": "0",
            },
        ]

        # The log, oldest first: pseudonyms for the clerk, not for a councillor.
        log = _table(await clerk.http.get(paths[1]))
        assert [(e["action"], e["contribution_id"], e["reason"]) for e in log] == [
            ("approve", str(ids[0]), ""),
            ("reject", str(ids[1]), "off_topic"),
        ]
        assert all(e["participant"].startswith("P-") for e in log)
        assert {e["actor"] for e in log} == {"Clerk"}
        seen_by_councillor = _table(await councillor.http.get(paths[1]))
        assert seen_by_councillor == [
            {k: v for k, v in e.items() if k != "participant"} for e in log
        ]
        audit = await councillor.http.get(f"/staff/meetings/{mid}/audit")
        assert all(f'href="{path}"' in audit.text for path in paths)
        for user in (clerk, councillor, other, admin):
            await user.http.aclose()
