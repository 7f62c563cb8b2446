"""Council actions: a policy change is checked, and reaches the open pages of every meeting of
the council that has not ended (and no other)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.actions import Conflict, Invalid
from hub.actions._locks import Actor
from hub.actions.councils import create_council, update_policy
from hub.actions.meetings import change_meeting_status
from hub.broker.memory import MemoryBroker
from hub.events import log as event_log
from hub.events.publish import writing
from hub.models import Council, Meeting
from tests.support import Seeded

ACTOR = Actor(1, "Clerk")


async def _last_seqs(sm: async_sessionmaker[AsyncSession]) -> dict[int, int]:
    async with sm() as session:
        rows = await session.execute(select(Meeting.id, Meeting.last_seq))
        return {int(i): int(s) for i, s in rows}


async def test_policy_change_reaches_meetings_that_have_not_ended(
    sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    broker = MemoryBroker()
    async with writing(sessionmaker, broker) as w:
        await create_council(w, slug="third", name="Third Council")
    before = await _last_seqs(sessionmaker)
    async with writing(sessionmaker, broker) as w:
        await update_policy(w, "aberglas", {"submissions_open": "meeting", "max_chars": 500})
    after = await _last_seqs(sessionmaker)
    assert after[seeded.meeting_id] == before[seeded.meeting_id] + 1
    assert after[seeded.other_meeting_id] == before[seeded.other_meeting_id]  # other council
    async with sessionmaker() as session:
        [event] = await event_log.replay(
            session,
            seeded.meeting_id,
            before[seeded.meeting_id],
            audiences=event_log.ALL,
            limit=10,
        )
    assert '"type":"meeting.updated"' in event.envelope
    assert '"submissions_wait_for_opening":true' in event.envelope
    # A closed meeting's view no longer depends on the policy: it hears nothing.
    async with writing(sessionmaker, broker) as w:
        await change_meeting_status(w, seeded.meeting_id, "open", ACTOR)
    async with writing(sessionmaker, broker) as w:
        await change_meeting_status(w, seeded.meeting_id, "close", ACTOR)
    closed = await _last_seqs(sessionmaker)
    async with writing(sessionmaker, broker) as w:
        await update_policy(w, "aberglas", {"submissions_open": "publication"})
    assert await _last_seqs(sessionmaker) == closed


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"moderation": "sometimes"}, "pre or post"),
        ({"max_chars": 0}, "max_chars"),
        ({"max_chars": True}, "max_chars"),
        ({"rate_per_address": "10"}, "rate_per_address"),
        ({"close_items_when_done": "yes"}, "true or false"),
        ({"blocklist": "x" * 30_000}, "blocklist"),
        ({"slug": "renamed"}, "unknown policy field"),
    ],
)
async def test_bad_policy_is_refused_and_changes_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
    seeded: Seeded,
    changes: dict[str, object],
    words: str,
) -> None:
    with pytest.raises(Invalid, match=words):
        async with writing(sessionmaker, MemoryBroker()) as w:
            await update_policy(w, "aberglas", {"moderation": "post", **changes})
    async with sessionmaker() as session:
        council = await session.scalar(select(Council).where(Council.slug == "aberglas"))
    assert council is not None and council.moderation == "pre"


async def test_council_slugs_are_unique_and_well_formed(
    sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    with pytest.raises(Conflict):
        async with writing(sessionmaker, MemoryBroker()) as w:
            await create_council(w, slug="aberglas", name="Again")
    with pytest.raises(Invalid, match="short name"):
        async with writing(sessionmaker, MemoryBroker()) as w:
            await create_council(w, slug="Not A Slug", name="X")


async def test_a_uk_council_publishes_under_the_ogl_by_default(
    sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    """The Open Government Licence v3.0 for a council in a UK time zone; none stated for one
    elsewhere, until an admin sets one (and an event log is not touched: no page holds it)."""
    from hub.actions.councils import OGL_NAME, OGL_URL, set_licence

    broker = MemoryBroker()
    async with writing(sessionmaker, broker) as w:
        uk = await create_council(w, slug="ynys", name="Ynys Council")
        us = await create_council(w, slug="spr", name="Springfield", timezone="America/Chicago")
        assert (uk.licence_name, uk.licence_url) == (OGL_NAME, OGL_URL)
        assert (us.licence_name, us.licence_url) == ("", "")
    before = await _last_seqs(sessionmaker)
    async with writing(sessionmaker, broker) as w:
        changed = await set_licence(
            w, "spr", " CC BY 4.0 ", "https://creativecommons.org/licenses/by/4.0/"
        )
        assert changed.licence_name == "CC BY 4.0"
    assert await _last_seqs(sessionmaker) == before
    for name, url in (
        ("X", ""),
        ("", "https://x.example/"),
        ("X", "ftp://x.example/"),
        ("X" * 201, "https://x.example/"),
        ("X", 'https://x.example/">; rel="next'),
    ):
        with pytest.raises(Invalid):
            async with writing(sessionmaker, broker) as w:
                await set_licence(w, "spr", name, url)


async def test_hashtags_and_the_allowlist_are_checked_and_tidied(
    sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    before = await _last_seqs(sessionmaker)
    async with writing(sessionmaker, MemoryBroker()) as w:
        await update_policy(
            w,
            "aberglas",
            {
                "hashtags": "AberglasCouncil, #aberglascouncil\n#CyngorAberglas",
                "social_allowlist": " mastodon:@clerk@social.wales \n\nX:AberglasCouncil\n",
                "social_window_minutes": 45,
            },
        )
    async with sessionmaker() as session:
        council = await session.scalar(select(Council).where(Council.slug == "aberglas"))
    assert council is not None
    assert council.hashtags == "#AberglasCouncil #CyngorAberglas"
    assert council.social_allowlist == "mastodon:@clerk@social.wales\nx:AberglasCouncil"
    assert council.social_window_minutes == 45
    # Not in the meetings' views (pages show them as they loaded): no meeting's log is touched,
    # however many meetings the council has open.
    assert await _last_seqs(sessionmaker) == before


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"hashtags": "#Aberglas-Council"}, "not a hashtag"),
        ({"hashtags": "#" + "a" * 101}, "not a hashtag"),
        ({"hashtags": " ".join(f"#tag{n:03}" for n in range(60))}, "Too many hashtags"),
        ({"social_allowlist": "myspace:tom"}, "platform:handle"),
        ({"social_allowlist": "mastodon"}, "platform:handle"),
        ({"social_allowlist": "x:"}, "platform:handle"),
        ({"social_allowlist": "x:two words"}, "no spaces"),
        ({"social_window_minutes": 24 * 60 + 1}, "social_window_minutes"),
    ],
)
async def test_bad_social_settings_are_refused(
    sessionmaker: async_sessionmaker[AsyncSession],
    seeded: Seeded,
    changes: dict[str, object],
    words: str,
) -> None:
    with pytest.raises(Invalid, match=words):
        async with writing(sessionmaker, MemoryBroker()) as w:
            await update_policy(w, "aberglas", changes)
