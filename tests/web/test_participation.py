"""Residents' comments, questions and votes, through the real HTTP and WebSocket paths."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.support import (
    RunningServer,
    Seeded,
    assert_quiet,
    contribute,
    cookie_header,
    recv_json,
    resident,
    set_policy,
    sign_in,
    ws_connect,
)


async def _open(server: RunningServer, seeded: Seeded, current: int | None = None):  # type: ignore[no-untyped-def]
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    r = await clerk.post(f"/staff/meetings/{seeded.meeting_id}/status", {"action": "open"})
    assert r.status_code == 200
    if current is not None:
        r = await clerk.post(
            f"/staff/meetings/{seeded.meeting_id}/items/{current}/status", {"status": "current"}
        )
        assert r.status_code == 200
    return clerk


def _live(server: RunningServer, mid: int, after: int, cookie: str | None = None):  # type: ignore[no-untyped-def]
    headers = {"Cookie": cookie} if cookie else {}
    return ws_connect(
        f"{server.ws_url}/api/meetings/{mid}/live?after={after}", additional_headers=headers
    )


def _staff_live(server: RunningServer, mid: int, after: int, clerk):  # type: ignore[no-untyped-def]
    return ws_connect(
        f"{server.ws_url}/staff/api/meetings/{mid}/live?after={after}",
        origin=server.base_url,
        additional_headers={"Cookie": clerk.cookie_header()},
    )


async def _last_seq(server: RunningServer, mid: int) -> int:
    async with resident(server.base_url) as http:
        return int((await http.get(f"/api/meetings/{mid}")).json()["last_seq"])


async def test_premoderated_comment_flow(server: RunningServer, seeded: Seeded) -> None:
    mid, item = seeded.meeting_id, seeded.item_ids[2]
    clerk = await _open(server, seeded, current=item)
    after = await _last_seq(server, mid)
    author, other = resident(server.base_url), resident(server.base_url)
    await author.get(f"/meetings/{mid}")  # the page sets the participant cookie
    async with (
        _live(server, mid, after, cookie_header(author)) as author_ws,
        _live(server, mid, after) as public_ws,
        _staff_live(server, mid, after, clerk) as staff_ws,
    ):
        r = await contribute(
            author,
            mid,
            "Please keep Llanfair library open on Saturdays",
            position="oppose",
            display_name="Siân",
            area="Llanfair ward",
        )
        assert r.status_code == 201, r.text
        mine = r.json()
        assert mine["status"] == "pending" and mine["item_id"] == item
        # The author sees their own submission's status; staff see it in the queue.
        own = await recv_json(author_ws)
        assert (
            own["type"] == "contribution.mine"
            and own["data"]["contribution"]["status"] == "pending"
        )
        queued = await recv_json(staff_ws)
        assert queued["type"] == "moderation.item"
        assert "area" not in queued["data"]["contribution"]  # staff see areas in aggregate only
        assert queued["data"]["contribution"]["participant"].startswith("P-")
        # Nothing reaches the public while it waits.
        await assert_quiet(public_ws)
        snap = (await other.get(f"/api/meetings/{mid}")).json()
        assert snap["contributions"] == []
        # The clerk approves: it appears for everyone, the author sees "published".
        r = await clerk.post(
            f"/staff/meetings/{mid}/contributions/{mine['id']}/moderate", {"action": "approve"}
        )
        assert r.status_code == 200, r.text
        published = await recv_json(public_ws)
        assert published["type"] == "contribution.published"
        view = published["data"]["contribution"]
        assert view["body"] == "Please keep Llanfair library open on Saturdays"
        assert view["display_name"] == "Siân" and view["position"] == "oppose"
        assert "area" not in view and "participant" not in view and "participant_id" not in view
        statuses = [await recv_json(author_ws) for _ in range(2)]
        assert {s["type"] for s in statuses} == {"contribution.published", "contribution.mine"}
        own = next(s for s in statuses if s["type"] == "contribution.mine")
        assert own["data"]["contribution"]["status"] == "published"
    snap = (await other.get(f"/api/meetings/{mid}")).json()
    assert [c["id"] for c in snap["contributions"]] == [mine["id"]]
    for client in (author, other, clerk.http):
        await client.aclose()


async def test_rejection_reaches_only_the_author_with_its_reason(
    server: RunningServer, seeded: Seeded
) -> None:
    mid = seeded.meeting_id
    clerk = await _open(server, seeded, current=seeded.item_ids[0])
    author = resident(server.base_url)
    await author.get(f"/meetings/{mid}")
    secret_text = "SECRET-REJECTED-TEXT you are all idiots"
    r = await contribute(author, mid, secret_text)
    cid = r.json()["id"]
    after = await _last_seq(server, mid)
    async with (
        _live(server, mid, after, cookie_header(author)) as author_ws,
        _live(server, mid, after) as public_ws,
    ):
        r = await clerk.post(
            f"/staff/meetings/{mid}/contributions/{cid}/moderate", {"action": "reject"}
        )
        assert (r.status_code, r.json()["error"]) == (422, "invalid")  # a reason is required
        r = await clerk.post(
            f"/staff/meetings/{mid}/contributions/{cid}/moderate",
            {"action": "reject", "reason": "abusive"},
        )
        assert r.status_code == 200
        own = await recv_json(author_ws)
        assert own["data"]["contribution"]["status"] == "rejected"
        assert own["data"]["contribution"]["reason"] == "abusive"
        assert own["data"]["contribution"]["reason_label"]
        await assert_quiet(public_ws)
    # The audience rule, everywhere public: snapshot, event log, summary, page.
    public = resident(server.base_url)
    texts = [
        (await public.get(f"/api/meetings/{mid}")).text,
        (await public.get(f"/api/meetings/{mid}/events?after=0")).text,
        (await public.get(f"/meetings/{mid}")).text,
        (await public.get(f"/meetings/{mid}/projector")).text,
    ]
    for text in texts:
        assert "SECRET-REJECTED-TEXT" not in text
    summary = (await public.get(f"/api/meetings/{mid}/moderation-summary")).json()
    assert summary == {"published": 0, "pending": 0, "rejected": {"abusive": 1}, "hidden": {}}
    mine = (await author.get(f"/api/meetings/{mid}/contributions/mine")).json()
    assert mine["contributions"][0]["status"] == "rejected"
    for client in (author, public, clerk.http):
        await client.aclose()


async def test_post_moderation_publishes_at_once_unless_screened(
    server: RunningServer, seeded: Seeded, sessionmaker
) -> None:  # type: ignore[no-untyped-def]
    await set_policy(sessionmaker, moderation="post", blocklist="dumbo\nrubbish tip")
    mid = seeded.meeting_id
    clerk = await _open(server, seeded, current=seeded.item_ids[1])
    after = await _last_seq(server, mid)
    author = resident(server.base_url)
    async with _live(server, mid, after) as public_ws:
        r = await contribute(author, mid, "A fine plan", position="support")
        assert r.json()["status"] == "published"
        event = await recv_json(public_ws)
        assert event["type"] == "contribution.published"
        held = [
            (await contribute(author, mid, "See http://a.example and http://b.example")).json(),
            (await contribute(author, mid, "Only a Dumbo would close the RUBBISH  tip")).json(),
            (await contribute(author, mid, "a fine   PLAN")).json(),  # repeat, once normalised
        ]
        assert [h["status"] for h in held] == ["pending"] * 3
        await assert_quiet(public_ws)
    state = (await clerk.http.get(f"/staff/api/meetings/{mid}/moderation")).json()
    flags = {c["id"]: c["screening"] for c in state["pending"]}
    assert flags == {held[0]["id"]: "links", held[1]["id"]: "blocklist", held[2]["id"]: "duplicate"}
    # Clerks can override screening.
    r = await clerk.post(
        f"/staff/meetings/{mid}/contributions/{held[0]['id']}/moderate", {"action": "approve"}
    )
    assert r.status_code == 200
    # ...and take down what was published.
    published_id = (await author.get(f"/api/meetings/{mid}")).json()["contributions"][0]["id"]
    after = await _last_seq(server, mid)
    async with _live(server, mid, after) as public_ws:
        r = await clerk.post(
            f"/staff/meetings/{mid}/contributions/{published_id}/moderate",
            {"action": "hide", "reason": "off_topic"},
        )
        assert r.status_code == 200
        removed = await recv_json(public_ws)
        assert removed == {**removed, "type": "contribution.removed", "data": {"id": published_id}}
    await author.aclose()
    await clerk.http.aclose()


async def test_windows(server: RunningServer, seeded: Seeded, sessionmaker) -> None:  # type: ignore[no-untyped-def]
    mid = seeded.meeting_id
    await set_policy(sessionmaker, submissions_open="meeting")
    author = resident(server.base_url)
    r = await contribute(author, mid, "Too early")
    assert (r.status_code, r.json()["error"]) == (409, "closed")
    assert "when the meeting starts" in r.json()["message"]
    clerk = await _open(server, seeded, current=seeded.item_ids[0])
    assert (await contribute(author, mid, "Now it is open")).status_code == 201
    # An item that is done takes no more.
    done = seeded.item_ids[0]
    await clerk.post(f"/staff/meetings/{mid}/items/{done}/status", {"status": "done"})
    r = await contribute(author, mid, "Late for item 1", item_id=done)
    assert (r.status_code, r.json()["error"]) == (409, "closed")
    # Another open item still does.
    assert (
        await contribute(author, mid, "On item 4", item_id=seeded.item_ids[5])
    ).status_code == 201
    # An item of another meeting is not an item of this one.
    r = await contribute(author, mid, "Wrong meeting", item_id=999_999)
    assert r.status_code == 404
    await clerk.post(f"/staff/meetings/{mid}/status", {"action": "close"})
    r = await contribute(author, mid, "After the end")
    assert (r.status_code, r.json()["error"]) == (409, "closed")
    await author.aclose()
    await clerk.http.aclose()


@pytest.mark.parametrize(
    ("payload", "status", "error"),
    [
        ({"kind": "comment", "body": "x", "position": "maybe"}, 422, "invalid"),
        ({"kind": "rant", "body": "x"}, 422, "invalid"),
        ({"kind": "question", "body": "   "}, 422, "invalid"),
        ({"kind": "question", "body": "x" * 1001}, 422, "invalid"),
        ({"kind": "question", "body": "ok", "display_name": "n" * 61}, 422, "invalid"),
        ({"kind": "question", "body": "ok", "item_id": "3"}, 422, "invalid"),
        ({"kind": "question", "body": "ok", "client_token": ""}, 422, "invalid"),
    ],
)
async def test_bad_submissions_get_clear_errors(
    sqlite_server: RunningServer,
    sqlite_seeded: Seeded,
    payload: dict[str, object],
    status: int,
    error: str,
) -> None:
    async with resident(sqlite_server.base_url) as http:
        body = {"client_token": "t1", **payload}
        r = await http.post(f"/api/meetings/{sqlite_seeded.meeting_id}/contributions", json=body)
    assert (r.status_code, r.json()["error"]) == (status, error), r.text
    assert r.json()["message"]


async def test_item_targeting(server: RunningServer, seeded: Seeded) -> None:
    mid, current = seeded.meeting_id, seeded.item_ids[2]
    clerk = await _open(server, seeded, current=current)
    async with resident(server.base_url) as author:
        default = (await contribute(author, mid, "On what is being discussed")).json()
        general = (await contribute(author, mid, "On everything", item_id=None)).json()
        chosen = (await contribute(author, mid, "On item 4", item_id=seeded.item_ids[5])).json()
        question = (
            await contribute(author, mid, "Why?", kind="question", position="oppose")
        ).json()
    assert (default["item_id"], general["item_id"], chosen["item_id"]) == (
        current,
        None,
        seeded.item_ids[5],
    )
    assert question["position"] is None  # a question takes no position
    state = (await clerk.http.get(f"/staff/api/meetings/{mid}/moderation")).json()
    assert state["areas"] == []
    await clerk.http.aclose()


async def test_areas_are_shown_to_staff_only_in_aggregate(
    server: RunningServer, seeded: Seeded
) -> None:
    mid = seeded.meeting_id
    clerk = await _open(server, seeded, current=seeded.item_ids[0])
    for area in ("Llanfair ward", "Llanfair ward", "NP25"):
        async with resident(server.base_url) as author:
            assert (await contribute(author, mid, f"From {area}", area=area)).status_code == 201
    state = (await clerk.http.get(f"/staff/api/meetings/{mid}/moderation")).json()
    assert state["areas"] == [{"area": "Llanfair ward", "count": 2}, {"area": "NP25", "count": 1}]
    assert all("area" not in c for c in state["pending"])
    page = (await clerk.http.get(f"/staff/meetings/{mid}/moderation")).text
    assert "Llanfair ward" in page
    async with resident(server.base_url) as public:
        for path in (
            f"/api/meetings/{mid}",
            f"/api/meetings/{mid}/events?after=0",
            f"/meetings/{mid}",
        ):
            assert "Llanfair ward" not in (await public.get(path)).text
    await clerk.http.aclose()


async def test_transport_level_refusals(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    mid = sqlite_seeded.meeting_id
    url = f"/api/meetings/{mid}/contributions"
    async with resident(sqlite_server.base_url) as http:
        r = await http.post(url, data={"kind": "question", "body": "form-encoded"})
        assert r.status_code == 415
        r = await http.post(url, content=b"{not json", headers={"Content-Type": "application/json"})
        assert (r.status_code, r.json()["error"]) == (400, "bad_json")
        r = await http.post(
            url,
            json={"kind": "question", "body": "x", "client_token": "a"},
            headers={"Origin": "https://evil.example"},
        )
        assert r.status_code == 403
        r = await http.post(
            url, content=b"{}" + b" " * 20_000, headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 413
        r = await http.post(
            "/api/meetings/999999/contributions",
            json={"kind": "question", "body": "x", "client_token": "a"},
        )
        assert r.status_code == 404


async def test_retry_with_same_client_token_is_one_submission(
    server: RunningServer, seeded: Seeded
) -> None:
    mid = seeded.meeting_id
    clerk = await _open(server, seeded, current=seeded.item_ids[0])
    author = resident(server.base_url)
    payload = {"kind": "question", "body": "Will the hours change?", "client_token": "retry-1"}
    first = await author.post(f"/api/meetings/{mid}/contributions", json=payload)
    again = await author.post(f"/api/meetings/{mid}/contributions", json=payload)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    state = (await clerk.http.get(f"/staff/api/meetings/{mid}/moderation")).json()
    assert len(state["pending"]) == 1
    await author.aclose()
    await clerk.http.aclose()


async def test_rate_limit_per_participant(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    mid = sqlite_seeded.meeting_id
    async with resident(sqlite_server.base_url) as author:
        codes = [(await contribute(author, mid, f"Point number {i}")).status_code for i in range(7)]
    assert codes[:5] == [201] * 5 and codes[5:] == [429, 429]
    async with resident(sqlite_server.base_url) as someone_else:
        assert (await contribute(someone_else, mid, "My own point")).status_code == 201


async def test_blocked_participant_cannot_post(server: RunningServer, seeded: Seeded) -> None:
    mid = seeded.meeting_id
    clerk = await _open(server, seeded, current=seeded.item_ids[0])
    author = resident(server.base_url)
    cid = (await contribute(author, mid, "spam spam spam")).json()["id"]
    r = await clerk.post(f"/staff/meetings/{mid}/contributions/{cid}/moderate", {"action": "block"})
    assert r.status_code == 200
    r = await contribute(author, mid, "more spam")
    assert (r.status_code, r.json()["error"]) == (403, "blocked")
    audit = (
        await clerk.http.get(f"/staff/meetings/{mid}/audit", headers={"Accept": "application/json"})
    ).json()
    assert [(e["action"], e["actor"]) for e in audit["entries"]] == [("block", "Clerk")]
    await author.aclose()
    await clerk.http.aclose()


async def test_two_clerks_same_submission_one_action_one_conflict(
    server: RunningServer, seeded: Seeded
) -> None:
    mid = seeded.meeting_id
    clerk_a = await _open(server, seeded, current=seeded.item_ids[0])
    clerk_b = await sign_in(server.base_url, seeded.users["admin"])
    author = resident(server.base_url)
    cids = [
        (await contribute(author, mid, f"Concurrent {i}", kind="question")).json()["id"]
        for i in range(5)
    ]
    before = await _last_seq(server, mid)
    for cid in cids:
        path = f"/staff/meetings/{mid}/contributions/{cid}/moderate"
        a, b = await asyncio.gather(
            clerk_a.post(path, {"action": "approve"}),
            clerk_b.post(path, {"action": "reject", "reason": "other"}),
        )
        assert sorted([a.status_code, b.status_code]) == [200, 409], (a.text, b.text)
        loser = a if a.status_code == 409 else b
        assert "already" in loser.json()["message"]
    events = (await author.get(f"/api/meetings/{mid}/events?after={before}")).json()["events"]
    published = [
        e["data"]["contribution"]["id"] for e in events if e["type"] == "contribution.published"
    ]
    assert len(published) == len(set(published))
    audit = (
        await clerk_a.http.get(
            f"/staff/meetings/{mid}/audit", headers={"Accept": "application/json"}
        )
    ).json()
    assert len(audit["entries"]) == len(cids)  # one action each, never two
    for client in (author, clerk_a.http, clerk_b.http):
        await client.aclose()


async def test_concurrent_votes_count_exactly(server: RunningServer, seeded: Seeded) -> None:
    mid = seeded.meeting_id
    clerk = await _open(server, seeded, current=seeded.item_ids[0])
    asker = resident(server.base_url)
    qid = (
        await contribute(asker, mid, "Can we have a public consultation?", kind="question")
    ).json()["id"]
    await clerk.post(f"/staff/meetings/{mid}/contributions/{qid}/moderate", {"action": "approve"})
    voters = [resident(server.base_url) for _ in range(30)]
    for v in voters:
        await v.get(f"/meetings/{mid}")  # a resident has the page (and its cookie) first
    path = f"/api/meetings/{mid}/contributions/{qid}/vote"
    # Each voter votes twice at once: repeats count once.
    results = await asyncio.gather(*(v.post(path, json={}) for v in voters for _ in range(2)))
    assert all(r.status_code == 200 for r in results), [
        r.text for r in results if r.status_code != 200
    ]
    snap = (await asker.get(f"/api/meetings/{mid}")).json()
    assert snap["contributions"][0]["votes"] == 30
    # Withdrawals, also concurrent, also idempotent.
    results = await asyncio.gather(*(v.delete(path) for v in voters[:10] for _ in range(2)))
    assert all(r.status_code == 200 for r in results)
    snap = (await asker.get(f"/api/meetings/{mid}")).json()
    assert snap["contributions"][0]["votes"] == 20
    mine = (await voters[-1].get(f"/api/meetings/{mid}/contributions/mine")).json()
    assert mine["votes"] == [qid]
    # Comments cannot be voted on; unknown ids are 404.
    cid = (await contribute(asker, mid, "A comment")).json()["id"]
    r = await voters[0].post(f"/api/meetings/{mid}/contributions/{cid}/vote", json={})
    assert r.status_code == 409
    r = await voters[0].post(f"/api/meetings/{mid}/contributions/999999/vote", json={})
    assert r.status_code == 404
    for client in (asker, clerk.http, *voters):
        await client.aclose()


async def test_answer_spotlight_and_bulk(server: RunningServer, seeded: Seeded) -> None:
    mid = seeded.meeting_id
    clerk = await _open(server, seeded, current=seeded.item_ids[0])
    author = resident(server.base_url)
    ids = [
        (await contribute(author, mid, f"Question {i}?", kind="question")).json()["id"]
        for i in range(3)
    ]
    r = await clerk.post(
        f"/staff/meetings/{mid}/contributions/bulk",
        {"action": "approve", "ids": ",".join(map(str, ids))},
    )
    assert [x["ok"] for x in r.json()["results"]] == [True, True, True]
    r = await clerk.post(
        f"/staff/meetings/{mid}/contributions/bulk", {"action": "approve", "ids": str(ids[0])}
    )
    assert r.json()["results"][0]["ok"] is False
    after = await _last_seq(server, mid)
    async with _live(server, mid, after) as ws:
        await clerk.post(
            f"/staff/meetings/{mid}/contributions/{ids[1]}/moderate", {"action": "spotlight"}
        )
        event = await recv_json(ws)
        assert (
            event["type"] == "meeting.spotlight" and event["data"]["contribution"]["id"] == ids[1]
        )
        await clerk.post(
            f"/staff/meetings/{mid}/contributions/{ids[1]}/moderate", {"action": "answer"}
        )
        event = await recv_json(ws)
        assert (
            event["type"] == "contribution.updated"
            and event["data"]["contribution"]["answered"] is True
        )
        await clerk.post(
            f"/staff/meetings/{mid}/contributions/{ids[1]}/moderate",
            {"action": "hide", "reason": "other"},
        )
        events = [await recv_json(ws) for _ in range(2)]
        assert [e["type"] for e in events] == ["contribution.removed", "meeting.spotlight"]
        assert events[1]["data"]["contribution"] is None
    snap = (await author.get(f"/api/meetings/{mid}")).json()
    assert snap["spotlight"] is None and len(snap["contributions"]) == 2
    await author.aclose()
    await clerk.http.aclose()


async def test_councillor_reads_audit_but_cannot_moderate(
    server: RunningServer, seeded: Seeded
) -> None:
    mid = seeded.meeting_id
    clerk = await _open(server, seeded, current=seeded.item_ids[0])
    author = resident(server.base_url)
    cid = (await contribute(author, mid, "Hello")).json()["id"]
    councillor = await sign_in(server.base_url, seeded.users["councillor"])
    r = await councillor.post(
        f"/staff/meetings/{mid}/contributions/{cid}/moderate", {"action": "approve"}
    )
    assert r.status_code == 403
    r = await councillor.http.get(
        f"/staff/meetings/{mid}/audit", headers={"Accept": "application/json"}
    )
    assert r.status_code == 200
    other = await sign_in(server.base_url, seeded.users["other_clerk"])
    r = await other.post(
        f"/staff/meetings/{mid}/contributions/{cid}/moderate", {"action": "approve"}
    )
    assert r.status_code == 403
    r = await other.http.get(f"/staff/meetings/{mid}/audit", headers={"Accept": "application/json"})
    assert r.status_code == 403
    for client in (author, clerk.http, councillor.http, other.http):
        await client.aclose()


async def test_hostile_input_is_stored_verbatim_and_escaped_in_pages(
    sqlite_server: RunningServer, sqlite_seeded: Seeded, sessionmaker_for_sqlite
) -> None:  # type: ignore[no-untyped-def]
    mid = sqlite_seeded.meeting_id
    await set_policy(sessionmaker_for_sqlite, moderation="post", max_links=5)
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    async with resident(sqlite_server.base_url) as author:
        r = await contribute(author, mid, hostile, display_name='"><b>x</b>')
        assert r.status_code == 201 and r.json()["body"] == hostile
        page = (await author.get(f"/meetings/{mid}")).text
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "\\u003cscript\\u003e" in page
        snap = (await author.get(f"/api/meetings/{mid}")).json()
        assert snap["contributions"][0]["body"] == hostile
        assert json.loads(json.dumps(snap))["contributions"][0]["display_name"] == '"><b>x</b>'


async def test_councillor_reviews_feedback_per_item(
    server: RunningServer, seeded: Seeded, sessionmaker
) -> None:  # type: ignore[no-untyped-def]
    await set_policy(sessionmaker, moderation="post")
    mid, item = seeded.meeting_id, seeded.item_ids[2]
    clerk = await _open(server, seeded, current=item)
    for n, (position, area) in enumerate(
        (("support", "Llanfair"), ("oppose", "Llanfair"), ("oppose", None))
    ):
        async with resident(server.base_url) as author:
            r = await contribute(
                author, mid, f"Comment {n}: I {position} this", position=position, area=area
            )
            assert r.json()["status"] == "published"
    async with resident(server.base_url) as asker:
        low = (await contribute(asker, mid, "Low question?", kind="question")).json()
        high = (await contribute(asker, mid, "Popular question?", kind="question")).json()
    async with resident(server.base_url) as voter:
        await voter.get(f"/meetings/{mid}")
        await voter.post(f"/api/meetings/{mid}/contributions/{high['id']}/vote", json={})
    councillor = await sign_in(server.base_url, seeded.users["councillor"])
    page = await councillor.http.get(f"/staff/meetings/{mid}/review")
    assert page.status_code == 200
    html = page.text
    section = html[html.index(f'id="review-{item}"') :]
    section = section[: section.index("</section>")]
    assert 'data-position="support">1<' in section and 'data-position="oppose">2<' in section
    assert section.index("Popular question?") < section.index("Low question?")
    assert "Llanfair" in html  # areas in totals
    assert low["id"] and high["id"]
    other = await sign_in(server.base_url, seeded.users["other_clerk"])
    assert (await other.http.get(f"/staff/meetings/{mid}/review")).status_code == 403
    async with resident(server.base_url) as anonymous:
        r = await anonymous.get(f"/staff/meetings/{mid}/review", follow_redirects=False)
        assert r.status_code == 303
    for client in (clerk.http, councillor.http, other.http):
        await client.aclose()


async def test_the_title_is_not_printed_twice(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    """The seeded meeting is "Cabinet" of the body "Cabinet": one line, not two."""
    async with resident(sqlite_server.base_url) as http:
        page = (await http.get(f"/meetings/{sqlite_seeded.meeting_id}")).text
    assert '<h1 id="meeting-title">Cabinet</h1>' in page
    assert 'id="meeting-body" hidden>Cabinet</p>' in page
