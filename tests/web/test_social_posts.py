"""Social media posts over real HTTP and sockets: only what a clerk published reaches a public
socket, the snapshot, /events, the resident page, the chamber screen and the councillors'
review, always attributed and apart from residents' comments; the queue marks posts with their
platform and says why one waits; a clerk moves anything to another item and withdraws a post
deleted at its source in one action."""

from __future__ import annotations

import contextlib
import json
import re
from datetime import UTC, datetime
from typing import Any

import httpx

from hub.actions.social import store_poll
from hub.actions.social_sources import add_source
from hub.events.publish import writing
from integrations.social.models import FetchResult, Media, Post
from tests.actions.test_social import post
from tests.support import (
    RunningServer,
    Seeded,
    StaffClient,
    contribute,
    recv_json,
    resident,
    sign_in,
    ws_connect,
)

STORED_AT = datetime(2026, 12, 3, 19, 30, tzinfo=UTC)


async def store_posts(server: RunningServer, meeting_id: int, posts: list[Post]) -> list[int]:
    """Posts as a poll of one source stores them (hub/actions/social.py): waiting for a clerk."""
    svc = server.services
    async with writing(svc.sessionmaker, svc.broker) as w:
        source = await add_source(
            w, "aberglas", posts[0].platform, f"source-{posts[0].external_id}"
        )
    async with writing(svc.sessionmaker, svc.broker) as w:
        stored = await store_poll(
            w,
            source.id,
            FetchResult(tuple(posts), "c"),
            {meeting_id: ("aberglascabinet",)},
            STORED_AT,
        )
    return stored.new[meeting_id]


async def moderate(clerk: StaffClient, mid: int, cid: int, **form: str) -> httpx.Response:
    return await clerk.post(f"/staff/meetings/{mid}/contributions/{cid}/moderate", form)


async def frames_until(ws: Any, done: Any) -> list[dict[str, Any]]:
    """Every public frame up to the first ``done`` accepts, and what else arrives at once."""
    seen = [await recv_json(ws)]
    while not done(seen[-1]):
        seen.append(await recv_json(ws))
    with contextlib.suppress(TimeoutError):
        while True:
            seen.append(await recv_json(ws, 0.3))
    return seen


def section(html: str, section_id: str) -> str:
    """The markup of ``<section id="...">`` up to the next top-level panel."""
    start = html.index(f'<section id="{section_id}"')
    following = [
        i
        for i in (
            html.find('<section id="', start + 10),
            html.find('<div class="meeting-layout__side">', start),
        )
        if i > 0
    ]
    return html[start : min(following)]


async def test_only_published_posts_reach_anything_public(
    server: RunningServer, seeded: Seeded
) -> None:
    mid = seeded.meeting_id
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    last_seq = (await clerk.http.get(f"/api/meetings/{mid}")).json()["last_seq"]
    async with ws_connect(f"{server.ws_url}/api/meetings/{mid}/live?after={last_seq}") as ws:
        rejected, waiting, published, hidden_author = await store_posts(
            server,
            mid,
            [
                post(1, text="Rejected post <b>not bold</b>"),
                post(2, text="Still waiting for a clerk"),
                post(
                    3,
                    text="Published: the library matters <script>alert(1)</script>",
                    content_warning="Library closures",
                    language="en",
                ),
                post(4, text="Its author opted out", public_ok=False),
            ],
        )
        assert (
            await moderate(clerk, mid, rejected, action="reject", reason="off_topic")
        ).status_code == 200
        refused = await moderate(clerk, mid, hidden_author, action="approve")
        assert refused.status_code == 409 and refused.json()["error"] == "not_public"
        assert (await moderate(clerk, mid, published, action="approve")).status_code == 200
        frames = await frames_until(ws, lambda f: f.get("type") == "contribution.published")
    sent = json.dumps(frames)
    assert [f["type"] for f in frames] == ["contribution.published"]
    view = frames[0]["data"]["contribution"]
    assert view["kind"] == "post" and view["post"]["author_handle"] == "resident3@social.example"
    assert view["post"]["content_warning"] == "Library closures"

    snapshot = (await clerk.http.get(f"/api/meetings/{mid}")).json()
    events = (await clerk.http.get(f"/api/meetings/{mid}/events?after=0")).json()
    page = (await clerk.http.get(f"/meetings/{mid}")).text
    for n in (1, 2, 4):
        for text in (post(n).text, f"resident{n}@social.example", f"social.example/media/{n}.jpg"):
            for name, served in (
                ("socket", sent),
                ("snapshot", json.dumps(snapshot)),
                ("events", json.dumps(events)),
                ("page", page),
            ):
                assert text not in served, (n, name)
    assert [c["id"] for c in snapshot["contributions"]] == [published]
    assert published in [
        e["data"]["contribution"]["id"]
        for e in events["events"]
        if e["type"] == "contribution.published"
    ]

    # The page: in "From social media", attributed, linking to the original, the warning
    # folded, text as text, media as a link with its alt text; not among residents' comments.
    social = section(page, "social")
    assert f'id="post-{published}"' in social
    assert (
        "Resident 3" in social and "@resident3@social.example" in social and "on Mastodon" in social
    )
    original = 'href="https://social.example/@resident3/3" rel="noopener noreferrer nofollow ugc"'
    assert f"<a {original}>View the original on Mastodon" in social
    assert '<details class="post__cw">' in social and "Content warning: Library closures" in social
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in social and "<script>alert" not in page
    assert '<p class="post__body" lang="en">' in social
    medium = 'href="https://social.example/media/3.jpg" rel="noopener noreferrer nofollow ugc"'
    assert f"<a {medium}>Picture: The library</a>" in social
    assert "<img" not in page
    residents = section(page, "contributions")
    assert "Resident 3" not in residents and "library matters" not in residents
    assert 'id="contributions-empty" class="muted">' in residents  # shown: no comment yet
    # The public moderation figures are residents' submissions: no post is counted there.
    figures = (await clerk.http.get(f"/api/meetings/{mid}/moderation-summary")).json()
    assert figures == {"published": 0, "pending": 0, "rejected": {}, "hidden": {}}
    await clerk.http.aclose()


async def test_the_queue_marks_posts_and_says_why_they_wait(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    server, mid = sqlite_server, sqlite_seeded.meeting_id
    clerk = await sign_in(server.base_url, sqlite_seeded.users["clerk"])
    warned, opted_out = await store_posts(
        server,
        mid,
        [
            post(
                1,
                platform="bluesky",
                content_warning="Strong language",
                author_handle="sam.bsky.social",
                url="https://bsky.app/profile/sam.bsky.social/post/1",
            ),
            post(
                2,
                platform="bluesky",
                public_ok=False,
                author_handle="pat.bsky.social",
                url="https://bsky.app/profile/pat.bsky.social/post/2",
            ),
        ],
    )
    page = (await clerk.http.get(f"/staff/meetings/{mid}/moderation")).text
    first = page[page.index(f'id="q-{warned}"') : page.index(f'id="q-{opted_out}"')]
    second = page[page.index(f'id="q-{opted_out}"') : page.index('id="decided-heading"')]
    assert 'data-platform="bluesky">Bluesky</span>' in first
    assert "@sam.bsky.social" in first and "on Bluesky" in first
    original = "https://bsky.app/profile/sam.bsky.social/post/1"
    assert f'href="{original}" rel="noopener noreferrer nofollow ugc"' in first
    assert "Has a content warning" in first and "Content warning: Strong language" in first
    assert 'data-role="approve"' in first and 'data-role="withdraw"' in first
    assert 'data-action="move"' in first
    assert "Author opted out of public display" in second
    assert "it cannot be published" in second and 'data-role="approve"' not in second
    await clerk.http.aclose()


async def test_a_clerk_moves_a_comment_and_a_post(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    server, mid, items = sqlite_server, sqlite_seeded.meeting_id, sqlite_seeded.item_ids
    clerk = await sign_in(server.base_url, sqlite_seeded.users["clerk"])
    async with resident(server.base_url) as author:
        r = await contribute(author, mid, "About the wrong item", item_id=items[0])
        comment = int(r.json()["id"])
    assert (await moderate(clerk, mid, comment, action="approve")).status_code == 200
    [waiting] = await store_posts(server, mid, [post(1)])
    last_seq = (await clerk.http.get(f"/api/meetings/{mid}")).json()["last_seq"]
    async with ws_connect(f"{server.ws_url}/api/meetings/{mid}/live?after={last_seq}") as ws:
        r = await moderate(clerk, mid, comment, action="move", item_id=str(items[3]))
        assert r.status_code == 200, r.text
        # The waiting post (about the meeting in general: no item was current when it was
        # posted) moves in the queue only: nothing public. Where it is already: refused.
        r = await moderate(clerk, mid, waiting, action="move", item_id="")
        assert r.status_code == 409 and "already" in r.json()["message"]
        assert (
            await moderate(clerk, mid, waiting, action="move", item_id=str(items[1]))
        ).status_code == 200
        frames = await frames_until(ws, lambda f: f.get("type") == "contribution.updated")
    assert [(f["type"], f["data"]["contribution"]["item_id"]) for f in frames] == [
        ("contribution.updated", items[3])
    ]
    queue = (await clerk.http.get(f"/staff/api/meetings/{mid}/moderation")).json()
    assert [(c["id"], c["item_id"]) for c in queue["pending"]] == [(waiting, items[1])]
    # Refused: an item of no meeting of ours, a word that is no item, a rejected submission.
    for bad in ("999999", "seven"):
        r = await moderate(clerk, mid, comment, action="move", item_id=bad)
        assert r.status_code == 422, r.text
    assert (
        await moderate(clerk, mid, waiting, action="reject", reason="off_topic")
    ).status_code == 200
    assert (
        await moderate(clerk, mid, waiting, action="move", item_id=str(items[1]))
    ).status_code == 409
    # Without the script: the form posts and comes back to the queue.
    r = await clerk.post(
        f"/staff/meetings/{mid}/contributions/{comment}/moderate",
        {"action": "move", "item_id": "general"},
        json_=False,
    )
    assert r.status_code == 303 and r.headers["location"].endswith("/moderation")
    # The moderation log: who moved what where.
    audit = (
        await clerk.http.get(f"/staff/meetings/{mid}/audit", headers={"Accept": "application/json"})
    ).json()
    moves = [
        (e["actor"], e["contribution_id"], e["reason"])
        for e in audit["entries"]
        if e["action"] == "move"
    ]
    assert moves == [
        ("Clerk", comment, "general"),
        ("Clerk", waiting, f"item:{items[1]}"),
        ("Clerk", comment, f"item:{items[3]}"),
    ]
    html = (await clerk.http.get(f"/staff/meetings/{mid}/audit")).text
    assert "To: 3a Findings" in html and "To: The meeting in general" in html
    await clerk.http.aclose()


async def test_a_post_deleted_at_its_source_is_withdrawn_in_one_click(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    server, mid = sqlite_server, sqlite_seeded.meeting_id
    clerk = await sign_in(server.base_url, sqlite_seeded.users["clerk"])
    [published] = await store_posts(
        server,
        mid,
        [
            post(
                1,
                platform="x",
                url="https://x.com/resident1/status/101",
                media=(Media("https://pbs.twimg.com/media/1.jpg", "", "image"),),
            )
        ],
    )
    assert (await moderate(clerk, mid, published, action="approve")).status_code == 200
    page = (await clerk.http.get(f"/meetings/{mid}")).text
    assert "Picture (no description)" in section(page, "social")
    last_seq = (await clerk.http.get(f"/api/meetings/{mid}")).json()["last_seq"]
    async with ws_connect(f"{server.ws_url}/api/meetings/{mid}/live?after={last_seq}") as ws:
        assert (await moderate(clerk, mid, published, action="withdraw")).status_code == 200
        frames = await frames_until(ws, lambda f: f.get("type") == "contribution.redacted")
    assert [f["type"] for f in frames] == ["contribution.removed", "contribution.redacted"]
    assert (await clerk.http.get(f"/api/meetings/{mid}")).json()["contributions"] == []
    events = (await clerk.http.get(f"/api/meetings/{mid}/events?after=0")).text
    assert post(1).text not in events and "resident1" not in events
    decided = (await clerk.http.get(f"/staff/meetings/{mid}/moderation")).text
    assert "Reason: Deleted at its source" in decided
    # Only posts; and only once.
    async with resident(server.base_url) as author:
        comment = int((await contribute(author, mid, "A comment")).json()["id"])
    assert (await moderate(clerk, mid, comment, action="withdraw")).status_code == 422
    assert (await moderate(clerk, mid, published, action="withdraw")).status_code == 409
    await clerk.http.aclose()


async def test_councillors_review_the_published_posts_per_item(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    server, mid, items = sqlite_server, sqlite_seeded.meeting_id, sqlite_seeded.item_ids
    clerk = await sign_in(server.base_url, sqlite_seeded.users["clerk"])
    published, waiting = await store_posts(server, mid, [post(1), post(2)])
    assert (await moderate(clerk, mid, published, action="approve")).status_code == 200
    assert (
        await moderate(clerk, mid, published, action="move", item_id=str(items[2]))
    ).status_code == 200
    councillor = await sign_in(server.base_url, sqlite_seeded.users["councillor"])
    page = (await councillor.http.get(f"/staff/meetings/{mid}/review")).text
    item = page[page.index(f'id="review-{items[2]}"') : page.index(f'id="review-{items[3]}"')]
    assert "From social media" in item and post(1).text in item
    assert "Resident 1" in item and "@resident1@social.example" in item
    assert (
        'href="https://social.example/@resident1/1" rel="noopener noreferrer nofollow ugc"' in item
    )
    assert post(2).text not in page
    # Not counted as residents' feedback.
    assert '<dd data-figure="questions">' not in item
    await clerk.http.aclose()
    await councillor.http.aclose()


async def test_the_chamber_screen_shows_a_spotlighted_post_attributed(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    server, mid = sqlite_server, sqlite_seeded.meeting_id
    clerk = await sign_in(server.base_url, sqlite_seeded.users["clerk"])
    [published] = await store_posts(server, mid, [post(1, content_warning="Long read")])
    assert (await moderate(clerk, mid, published, action="approve")).status_code == 200
    assert (await moderate(clerk, mid, published, action="spotlight")).status_code == 200
    screen = (await clerk.http.get(f"/meetings/{mid}/projector")).text
    spot = screen[
        screen.index('id="projector-spotlight"') : screen.index('class="projector__comments"')
    ]
    assert "From social media" in spot and "Question from a resident" not in spot
    assert "Resident 1" in spot and "@resident1@social.example" in spot and "on Mastodon" in spot
    assert "Content warning: Long read" in spot and post(1).text in spot
    await clerk.http.aclose()


def _field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, name
    return found.group(1)


async def test_the_social_media_settings_forms(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    server, mid = sqlite_server, sqlite_seeded.meeting_id
    clerk = await sign_in(server.base_url, sqlite_seeded.users["clerk"])
    settings = "/staff/councils/aberglas/settings"
    dashboard = (await clerk.http.get("/staff/")).text
    assert f'href="{settings}"' in dashboard

    r = await clerk.post(
        settings,
        {
            "hashtags": "#AberglasCouncil",
            "social_allowlist": "mastodon:@clerk@social.wales\nx:AberglasCouncil",
            "social_window_minutes": "45",
        },
        json_=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"{settings}?saved=social#social"
    shown = (await clerk.http.get(r.headers["location"])).text
    assert "Saved." in shown and _field(shown, "hashtags") == "#AberglasCouncil"
    assert "mastodon:@clerk@social.wales\nx:AberglasCouncil</textarea>" in shown
    assert 'value="45"' in shown

    # Refused: the page again, with what was typed and why.
    r = await clerk.post(
        settings,
        {"hashtags": "#Aberglas-Council", "social_allowlist": "", "social_window_minutes": "45"},
        json_=False,
    )
    assert r.status_code == 422
    assert "not a hashtag" in r.text and _field(r.text, "hashtags") == "#Aberglas-Council"
    r = await clerk.post(
        settings,
        {"hashtags": "", "social_allowlist": "myspace:tom", "social_window_minutes": "45"},
        json_=False,
    )
    assert (
        r.status_code == 422 and "platform:handle" in r.text and "myspace:tom</textarea>" in r.text
    )
    r = await clerk.post(
        settings,
        {"hashtags": "", "social_allowlist": "", "social_window_minutes": "-1"},
        json_=False,
    )
    assert r.status_code == 422 and "whole number of minutes" in r.text
    r = await clerk.post(
        settings, {"hashtags": "", "social_allowlist": "", "social_window_minutes": "9999"}
    )
    assert r.status_code == 422 and r.json()["error"] == "invalid"

    # The meeting's own tags, in the agenda editor (beside its details and window).
    editor = f"/staff/meetings/{mid}/agenda"
    shown = (await clerk.http.get(editor)).text
    assert f'action="/staff/meetings/{mid}/hashtags"' in shown
    assert "The council's own apply too: #AberglasCouncil." in shown
    r = await clerk.post(
        f"/staff/meetings/{mid}/hashtags", {"hashtags": "AberglasCabinet"}, json_=False
    )
    assert r.status_code == 303 and r.headers["location"] == f"{editor}#hashtags"
    assert _field((await clerk.http.get(editor)).text, "hashtags") == "#AberglasCabinet"
    r = await clerk.post(f"/staff/meetings/{mid}/hashtags", {"hashtags": "#two words!"})
    assert r.status_code == 422 and "not a hashtag" in r.json()["message"]

    # Residents read them, and the section says where posts come from.
    async with resident(server.base_url) as someone:
        page = (await someone.get(f"/meetings/{mid}")).text
        snapshot = (await someone.get(f"/api/meetings/{mid}")).json()
    assert snapshot["meeting"]["hashtags"] == ["#AberglasCabinet"]  # its own; the page: both
    social = section(page, "social")
    assert 'id="social" class="panel social" aria-labelledby="social-heading">' in social  # shown
    assert "Posts on social media tagged #AberglasCouncil, #AberglasCabinet appear here" in social
    await clerk.http.aclose()
