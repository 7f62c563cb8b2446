"""A council's profile: a new council with its languages and moderation; its name, logo and
host name; its colours (refused below WCAG AA, with the ratio); its time zone and languages
(which its open meetings' pages hear of, and only those)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.actions import Conflict, Invalid, NotFound
from hub.actions._locks import Actor
from hub.actions.council_profile import set_colours, set_languages, update_identity
from hub.actions.councils import create_council
from hub.broker.memory import MemoryBroker
from hub.events import log as event_log
from hub.events.publish import writing
from hub.models import Council, Meeting
from tests.support import Seeded

ADMIN = Actor(3, "Admin")


async def _council(sm: async_sessionmaker[AsyncSession], slug: str) -> Council:
    async with sm() as session:
        found = await session.scalar(select(Council).where(Council.slug == slug))
    assert found is not None
    return found


async def _seq(sm: async_sessionmaker[AsyncSession], meeting_id: int) -> int:
    async with sm() as session:
        return int(await session.scalar(select(Meeting.last_seq).where(Meeting.id == meeting_id)))


async def test_a_new_council_in_welsh_with_pre_moderation(
    sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    async with writing(sessionmaker, MemoryBroker()) as w:
        await create_council(
            w,
            slug="ynys-mon",
            name="  Cyngor   Ynys Môn ",
            language="cy",
            languages=["cy", "en"],
            moderation="pre",
            actor=ADMIN,
        )
    council = await _council(sessionmaker, "ynys-mon")
    assert (council.name, council.default_language, council.languages) == (
        "Cyngor Ynys Môn",
        "cy",
        "en cy",
    )
    assert council.moderation == "pre"
    for kwargs, words in (
        ({"language": "cy", "languages": ["en"]}, "default language"),
        ({"languages": []}, "English, Welsh or both"),
        ({"languages": ["en", "fr"]}, "English, Welsh or both"),
        ({"moderation": "never"}, "moderation"),
        ({"timezone": "Mars/Olympus"}, "time zone"),
    ):
        with pytest.raises(Invalid, match=words):
            async with writing(sessionmaker, MemoryBroker()) as w:
                await create_council(w, slug="another", name="Another", **kwargs)  # type: ignore[arg-type]
    async with sessionmaker() as session:
        assert await session.scalar(select(Council).where(Council.slug == "another")) is None


async def test_identity_name_logo_and_host_name(
    sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    before = await _seq(sessionmaker, seeded.meeting_id)
    async with writing(sessionmaker, MemoryBroker()) as w:
        await update_identity(
            w,
            "aberglas",
            actor=ADMIN,
            name="Aberglas Council",
            logo_url="https://www.aberglas.gov.uk/logo.svg",
            host_name=" Meetings.Aberglas.gov.uk. ",
        )
    council = await _council(sessionmaker, "aberglas")
    assert council.name == "Aberglas Council"
    assert council.logo_url == "https://www.aberglas.gov.uk/logo.svg"
    assert council.host_name == "meetings.aberglas.gov.uk"
    # The meeting's view carries the council's name: its open page hears of the new one.
    assert await _seq(sessionmaker, seeded.meeting_id) == before + 1
    async with sessionmaker() as session:
        [event] = await event_log.replay(
            session, seeded.meeting_id, before, audiences=event_log.ALL, limit=10
        )
    assert '"council_name":"Aberglas Council"' in event.envelope
    # The logo and host name are in no page's live state: no event for them alone.
    async with writing(sessionmaker, MemoryBroker()) as w:
        await update_identity(
            w, "aberglas", actor=ADMIN, name="Aberglas Council", logo_url="", host_name=""
        )
    assert await _seq(sessionmaker, seeded.meeting_id) == before + 1
    async with writing(sessionmaker, MemoryBroker()) as w:
        await update_identity(
            w,
            "aberglas",
            actor=ADMIN,
            name="Aberglas Council",
            logo_url="https://www.aberglas.gov.uk/logo.svg",
            host_name="meetings.aberglas.gov.uk",
        )

    with pytest.raises(Conflict, match="meetings.aberglas.gov.uk"):
        async with writing(sessionmaker, MemoryBroker()) as w:
            await update_identity(
                w,
                "elsewhere",
                actor=ADMIN,
                name="Elsewhere",
                logo_url="",
                host_name="meetings.aberglas.gov.uk",
            )
    for kwargs, words in (
        ({"name": "  "}, "needs a name"),
        ({"logo_url": "http://www.aberglas.gov.uk/logo.png"}, "https://"),
        ({"logo_url": "javascript:alert(1)"}, "https://"),
        ({"logo_url": "https://x.example/a.png; script-src *"}, "https://"),
        ({"logo_url": "https://user:pw@x.example/a.png"}, "https://"),
        ({"host_name": "localhost"}, "not a host name"),
        ({"host_name": "meetings aberglas.gov.uk"}, "not a host name"),
        ({"host_name": "-x.example.org"}, "not a host name"),
    ):
        values = {"name": "Elsewhere", "logo_url": "", "host_name": "", **kwargs}
        with pytest.raises(Invalid, match=words):
            async with writing(sessionmaker, MemoryBroker()) as w:
                await update_identity(w, "elsewhere", actor=ADMIN, **values)
    # Emptied: no logo, no host name of its own.
    async with writing(sessionmaker, MemoryBroker()) as w:
        await update_identity(
            w, "aberglas", actor=ADMIN, name="Aberglas Council", logo_url="", host_name=""
        )
    council = await _council(sessionmaker, "aberglas")
    assert (council.logo_url, council.host_name) == ("", None)
    with pytest.raises(NotFound):
        async with writing(sessionmaker, MemoryBroker()) as w:
            await update_identity(w, "nowhere", actor=ADMIN, name="X", logo_url="", host_name="")


async def test_colours_below_aa_are_refused_with_the_ratio(
    sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    with pytest.raises(Invalid) as refused:
        async with writing(sessionmaker, MemoryBroker()) as w:
            await set_colours(w, "aberglas", actor=ADMIN, brand="#0b3d6b", on_brand="#777777")
    assert refused.value.message == (
        "These colours have a contrast ratio of 2.48:1; WCAG AA needs at least 4.5:1."
    )
    # Text on it is fine (white on a mid grey, 4.54:1) but as a link on the page's grey it fails.
    with pytest.raises(Invalid, match=r"links on the page's light background: there its contrast"):
        async with writing(sessionmaker, MemoryBroker()) as w:
            await set_colours(w, "aberglas", actor=ADMIN, brand="#767676", on_brand="#ffffff")
    for brand, on_brand in (("red", "#fff"), ("#fff", ""), ("#0b3d6b;}", "#fff")):
        with pytest.raises(Invalid, match="hex codes"):
            async with writing(sessionmaker, MemoryBroker()) as w:
                await set_colours(w, "aberglas", actor=ADMIN, brand=brand, on_brand=on_brand)
    assert (await _council(sessionmaker, "aberglas")).brand_colour == ""

    async with writing(sessionmaker, MemoryBroker()) as w:
        await set_colours(w, "aberglas", actor=ADMIN, brand="#8A1538", on_brand="#FFF")
    council = await _council(sessionmaker, "aberglas")
    assert (council.brand_colour, council.brand_text_colour) == ("#8a1538", "#ffffff")
    async with writing(sessionmaker, MemoryBroker()) as w:
        await set_colours(w, "aberglas", actor=ADMIN, brand=" ", on_brand="")
    council = await _council(sessionmaker, "aberglas")
    assert (council.brand_colour, council.brand_text_colour) == ("", "")


async def test_time_zone_and_languages_reach_open_meetings_only_when_shown(
    sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    """A meeting's view carries its council's zone and default language: a change of either
    is a meeting.updated on its meetings (not the other council's); which languages are
    offered is in no view, so offering one more sends nothing."""
    mid, other = seeded.meeting_id, seeded.other_meeting_id
    before, other_before = await _seq(sessionmaker, mid), await _seq(sessionmaker, other)
    async with writing(sessionmaker, MemoryBroker()) as w:
        await set_languages(
            w,
            "aberglas",
            actor=ADMIN,
            timezone="Europe/London",
            languages=["en"],
            default_language="en",
        )
    assert await _seq(sessionmaker, mid) == before
    assert (await _council(sessionmaker, "aberglas")).languages == "en"

    async with writing(sessionmaker, MemoryBroker()) as w:
        await set_languages(
            w,
            "aberglas",
            actor=ADMIN,
            timezone="Europe/Dublin",
            languages=["cy", "en"],
            default_language="cy",
        )
    assert await _seq(sessionmaker, mid) == before + 1
    assert await _seq(sessionmaker, other) == other_before
    async with sessionmaker() as session:
        [event] = await event_log.replay(session, mid, before, audiences=event_log.ALL, limit=10)
    assert '"type":"meeting.updated"' in event.envelope
    assert '"timezone":"Europe/Dublin"' in event.envelope
    assert '"language":"cy"' in event.envelope
    council = await _council(sessionmaker, "aberglas")
    assert (council.timezone, council.languages, council.default_language) == (
        "Europe/Dublin",
        "en cy",
        "cy",
    )
    for kwargs, words in (
        ({"timezone": "../../etc/passwd"}, "not a time zone"),
        ({"timezone": ""}, "not a time zone"),
        ({"languages": ["en"], "default_language": "cy"}, "default language"),
        ({"languages": ["de"], "default_language": "de"}, "English, Welsh or both"),
    ):
        values = {"timezone": "Europe/London", "languages": ["en"], "default_language": "en"}
        values.update(kwargs)  # type: ignore[arg-type]
        with pytest.raises(Invalid, match=words):
            async with writing(sessionmaker, MemoryBroker()) as w:
                await set_languages(w, "aberglas", actor=ADMIN, **values)  # type: ignore[arg-type]
    assert (await _council(sessionmaker, "aberglas")).timezone == "Europe/Dublin"
