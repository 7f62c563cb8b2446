"""What the server answers a resident's page about a draft it will not take (issue 10), through
real HTTP: why a window is closed, when a rate limit lets them send again, text over the limit,
and an upvote on one's own question."""

from __future__ import annotations

from tests.support import RunningServer, Seeded, contribute, resident, set_policy, sign_in


async def test_a_closed_item_says_so_apart_from_a_closed_meeting(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    """The page offers a draft whose item closed other choices than one refused because the
    meeting is over, so the 409 says which window closed."""
    mid, items = sqlite_seeded.meeting_id, sqlite_seeded.item_ids
    clerk = await sign_in(sqlite_server.base_url, sqlite_seeded.users["clerk"])
    assert (
        await clerk.post(f"/staff/meetings/{mid}/status", {"action": "open"})
    ).status_code == 200
    done = items[0]
    await clerk.post(f"/staff/meetings/{mid}/items/{done}/status", {"status": "done"})
    async with resident(sqlite_server.base_url) as author:
        r = await contribute(author, mid, "Late for item 1", kind="question", item_id=done)
        assert r.status_code == 409
        assert r.json()["error"] == "closed" and r.json()["reason"] == "item_closed"
        assert "finished" in r.json()["message"]
        await clerk.post(f"/staff/meetings/{mid}/status", {"action": "close"})
        r = await contribute(author, mid, "After the end", kind="question", item_id=None)
        assert (r.status_code, r.json()["reason"]) == (409, "meeting_over")
    await clerk.http.aclose()


async def test_a_rate_limit_says_when_one_more_is_allowed(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    """Retry-After is when the resident's allowance has one more submission (5 in 10 minutes:
    one every 120 s), not a guess: the page waits exactly that long."""
    mid = sqlite_seeded.meeting_id
    async with resident(sqlite_server.base_url) as author:
        for i in range(5):
            assert (await contribute(author, mid, f"Point number {i}")).status_code == 201
        r = await contribute(author, mid, "One too many")
    assert r.status_code == 429
    assert r.json()["error"] == "rate_limited" and "short time" in r.json()["message"]
    assert 110 <= int(r.headers["retry-after"]) <= 120


async def test_text_over_the_limit_is_refused_not_cut(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    mid = sqlite_seeded.meeting_id
    async with resident(sqlite_server.base_url) as author:
        r = await contribute(author, mid, "x" * 1001, kind="question")
        assert r.status_code == 422 and "1001" in r.json()["message"]
        # Counted as the page counts: characters (code points), not UTF-16 units or bytes.
        assert (await contribute(author, mid, "🙂" * 1000, kind="question")).status_code == 201


async def test_no_upvote_on_ones_own_question(
    sqlite_server: RunningServer, sqlite_seeded: Seeded, sessionmaker_for_sqlite: object
) -> None:
    mid = sqlite_seeded.meeting_id
    await set_policy(sessionmaker_for_sqlite, moderation="post")
    async with (
        resident(sqlite_server.base_url) as author,
        resident(sqlite_server.base_url) as other,
    ):
        r = await contribute(author, mid, "Will Saturday opening be kept?", kind="question")
        assert r.json()["status"] == "published"
        qid = r.json()["id"]
        path = f"/api/meetings/{mid}/contributions/{qid}/vote"
        r = await author.post(path, json={})
        assert r.status_code == 403
        assert r.json() == {
            "error": "own_question",
            "message": "You cannot upvote your own question.",
        }
        # Anyone else may; the author's refusal counted nothing.
        await other.get(f"/meetings/{mid}")  # the page sets the participant cookie
        r = await other.post(path, json={})
        assert r.status_code == 200 and r.json()["contribution"]["votes"] == 1
        r = await author.post(f"{path}?lang=cy", json={})
        assert r.status_code == 403 and "eich hun" in r.json()["message"]
