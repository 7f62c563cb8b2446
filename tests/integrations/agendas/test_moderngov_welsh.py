"""A bilingual council's Modern.gov: the English site read as always, the Welsh site (the same
meetings by the same ids, in Welsh) for the Welsh titles, over real HTTP to a local fake serving
the real samples and their Welsh version; a Welsh site that fails costs the Welsh, never the
meeting."""

from __future__ import annotations

from datetime import date

from integrations.agendas.models import ImportedMeeting
from integrations.agendas.moderngov import ModernGovSource
from tests.integrations.agendas.fakes import sample_text, serve, xml
from tests.integrations.agendas.welsh import COMMITTEES_CY, MEETING_CY, WELSH_PREFIX

ASMX = "/mgWebService.asmx"
MEETING = sample_text("moderngov-getmeeting.xml")
LISTING = sample_text("moderngov-getmeetings.xml")
CANCELLED = sample_text("moderngov-getmeeting-cancelled.xml")


async def confirmed_meeting(source: ModernGovSource) -> ImportedMeeting:
    try:
        got = [m async for m in source.meetings(date(2026, 1, 1), date(2026, 12, 31))]
    finally:
        await source.aclose()
    (meeting,) = [m for m in got if isinstance(m, ImportedMeeting) and m.external_id == "4967"]
    return meeting


async def test_welsh_titles_come_from_the_welsh_site_by_id() -> None:
    async with serve() as fake:
        fake.answer(f"{ASMX}/GetMeetings", xml(LISTING))
        fake.on(
            f"{ASMX}/GetMeeting",
            lambda seen: xml({"4966": CANCELLED, "4967": MEETING}[seen.param("lMeetingId") or ""]),
        )
        fake.answer(f"{WELSH_PREFIX}{ASMX}/GetCommittees", xml(COMMITTEES_CY))
        fake.answer(f"{WELSH_PREFIX}{ASMX}/GetMeeting", xml(MEETING_CY))
        meeting = await confirmed_meeting(
            ModernGovSource(
                fake.base_url, "Europe/London", welsh_url=fake.base_url + WELSH_PREFIX + "/"
            )
        )
        welsh_asked = fake.to(f"{WELSH_PREFIX}{ASMX}/GetMeeting")
    assert {s.param("lMeetingId") for s in welsh_asked} >= {"4967"}
    assert (meeting.title, meeting.title_cy) == ("Audit Committee", "Pwyllgor Archwilio")
    assert meeting.items is not None
    assert [(i.title, i.title_cy) for i in meeting.items] == [
        ("Minutes", "Cofnodion"),
        ("Work Programme", "Rhaglen Waith"),
    ]
    assert meeting.items[0].description_cy == (
        "Cymeradwyo cofnodion y cyfarfod a gynhaliwyd ar 25 Tachwedd 2025 fel cofnod cywir."
    )


async def test_the_same_words_on_both_sites_are_no_translation() -> None:
    async with serve() as fake:
        fake.answer(f"{ASMX}/GetMeetings", xml(LISTING))
        fake.on(
            f"{ASMX}/GetMeeting",
            lambda seen: xml({"4966": CANCELLED, "4967": MEETING}[seen.param("lMeetingId") or ""]),
        )
        fake.answer(
            f"{WELSH_PREFIX}{ASMX}/GetCommittees", xml(sample_text("moderngov-getcommittees.xml"))
        )
        fake.answer(f"{WELSH_PREFIX}{ASMX}/GetMeeting", xml(MEETING))
        meeting = await confirmed_meeting(
            ModernGovSource(fake.base_url, "Europe/London", welsh_url=fake.base_url + WELSH_PREFIX)
        )
    assert meeting.title_cy == ""
    assert meeting.items is not None and {i.title_cy for i in meeting.items} == {""}


async def test_a_failing_welsh_site_costs_the_welsh_not_the_meeting() -> None:
    async with serve() as fake:
        fake.answer(f"{ASMX}/GetMeetings", xml(LISTING))
        fake.on(
            f"{ASMX}/GetMeeting",
            lambda seen: xml({"4966": CANCELLED, "4967": MEETING}[seen.param("lMeetingId") or ""]),
        )
        fake.answer(f"{WELSH_PREFIX}{ASMX}/GetCommittees", xml("unavailable", status=503))
        fake.answer(f"{WELSH_PREFIX}{ASMX}/GetMeeting", xml("unavailable", status=503))
        meeting = await confirmed_meeting(
            ModernGovSource(fake.base_url, "Europe/London", welsh_url=fake.base_url + WELSH_PREFIX)
        )
    assert meeting.title == "Audit Committee" and meeting.title_cy is None
    assert meeting.items is not None and [i.title for i in meeting.items] == [
        "Minutes",
        "Work Programme",
    ]
    # None, not "": the hub keeps the Welsh it had (hub/actions/ingest.py).
    assert {i.title_cy for i in meeting.items} == {None}


async def test_a_failing_welsh_committee_list_keeps_the_meetings_welsh_title() -> None:
    async with serve() as fake:
        fake.answer(f"{ASMX}/GetMeetings", xml(LISTING))
        fake.on(
            f"{ASMX}/GetMeeting",
            lambda seen: xml({"4966": CANCELLED, "4967": MEETING}[seen.param("lMeetingId") or ""]),
        )
        fake.answer(f"{WELSH_PREFIX}{ASMX}/GetCommittees", xml("unavailable", status=503))
        fake.answer(f"{WELSH_PREFIX}{ASMX}/GetMeeting", xml(MEETING_CY))
        meeting = await confirmed_meeting(
            ModernGovSource(fake.base_url, "Europe/London", welsh_url=fake.base_url + WELSH_PREFIX)
        )
    assert meeting.title_cy is None  # unknown this time, not "no Welsh"
    assert meeting.items is not None and meeting.items[0].title_cy == "Cofnodion"


async def test_without_a_welsh_site_nothing_is_asked_of_one() -> None:
    async with serve() as fake:
        fake.answer(f"{ASMX}/GetMeetings", xml(LISTING))
        fake.on(
            f"{ASMX}/GetMeeting",
            lambda seen: xml({"4966": CANCELLED, "4967": MEETING}[seen.param("lMeetingId") or ""]),
        )
        meeting = await confirmed_meeting(ModernGovSource(fake.base_url, "Europe/London"))
        assert not [r for r in fake.requests if r.path.startswith(WELSH_PREFIX)]
    assert meeting.title_cy is None
