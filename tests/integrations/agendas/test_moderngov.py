"""ModernGovSource over real HTTP against a local fake Modern.gov serving the real samples and
variations of them: one element where a list is expected, BST and GMT, both time styles,
sub-numbered items, restricted items and exempt documents, double-escaped titles, a cancelled
meeting, the HTML challenge page with status 200, a timeout, a 503, malformed XML, an XML
bomb and a certificate the client cannot trust."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from integrations.agendas.models import (
    BadStatus,
    ImportedMeeting,
    Malformed,
    MeetingFailure,
    NotTheFormat,
    Refused,
    State,
    Unreachable,
)
from integrations.agendas.moderngov import ModernGovSource, parse_time
from tests.integrations.agendas.fakes import (
    XML_BOMB,
    Seen,
    html_challenge,
    sample_text,
    serve,
    xml,
)
from tests.integrations.social.fakes import slow

ASMX = "/mgWebService.asmx"
MEETINGS = sample_text("moderngov-getmeetings.xml")
MEETING = sample_text("moderngov-getmeeting.xml")
CANCELLED = sample_text("moderngov-getmeeting-cancelled.xml")

# One agenda item (a single <agendaitem>, not a list), a sub-item, a restricted item and an
# exempt document, a title escaped twice, in June (BST) at 13:30.
ONE_ITEM = """<?xml version="1.0" encoding="utf-8"?>
<meeting>
  <meetingid>5001</meetingid><meetingdate>10/06/2026</meetingdate>
  <meetingstatus>Confirmed</meetingstatus><meetingtime>13:30</meetingtime>
  <meetinglocation>Town Hall</meetinglocation><agendapublished>True</agendapublished>
  <agendaitems>
    <agendaitem>
      <agendaitemid>1</agendaitemid>
      <agendaitemtitle>Fish &amp;amp; Chips licensing</agendaitemtitle>
      <agendatext>&lt;p class="MsoNormal"&gt;Text&amp;nbsp;&lt;b&gt;bold&lt;/b&gt;\
&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;</agendatext>
      <agendaitemnumber>5</agendaitemnumber><agendaitemsubnumber></agendaitemsubnumber>
      <fulldisplaynumberformat>5.</fulldisplaynumberformat><isrestricted>False</isrestricted>
      <linkeddocuments><linkeddoc><title>Report</title><url>mgConvert2PDF.aspx?ID=1</url>
        <isrestricted>False</isrestricted></linkeddoc></linkeddocuments>
    </agendaitem>
  </agendaitems>
</meeting>"""

NESTED = """<?xml version="1.0" encoding="utf-8"?>
<meeting>
  <meetingid>5002</meetingid><meetingdate>08/12/2026</meetingdate>
  <meetingstatus>Rescheduled</meetingstatus><meetingtime>2.00 pm</meetingtime>
  <agendapublished>True</agendapublished>
  <agendaitems>
    <agendaitem><agendaitemid>10</agendaitemid><agendaitemtitle>Planning</agendaitemtitle>
      <agendaitemnumber>5</agendaitemnumber><agendaitemsubnumber></agendaitemsubnumber>
      <fulldisplaynumberformat>5.</fulldisplaynumberformat></agendaitem>
    <agendaitem><agendaitemid>11</agendaitemid><agendaitemtitle>North site</agendaitemtitle>
      <agendaitemnumber>5</agendaitemnumber><agendaitemsubnumber>a</agendaitemsubnumber>
      <fulldisplaynumberformat>5a</fulldisplaynumberformat></agendaitem>
    <agendaitem><agendaitemid>12</agendaitemid><agendaitemtitle>Land disposal</agendaitemtitle>
      <agendaitemnumber>5</agendaitemnumber><agendaitemsubnumber>b</agendaitemsubnumber>
      <fulldisplaynumberformat>5b</fulldisplaynumberformat><isrestricted>True</isrestricted>
      <linkeddocuments>
        <linkeddoc><title>Exempt appendix</title><url>https://x.invalid/secret.pdf</url>
          <isrestricted>True</isrestricted></linkeddoc>
        <linkeddoc><title>Public plan</title><url>https://x.invalid/plan.pdf</url>
          <isrestricted>False</isrestricted></linkeddoc>
      </linkeddocuments></agendaitem>
    <agendaitem><agendaitemid>13</agendaitemid><agendaitemtitle>Close</agendaitemtitle>
      <agendaitemnumber>6</agendaitemnumber><agendaitemsubnumber></agendaitemsubnumber>
      <fulldisplaynumberformat>6.</fulldisplaynumberformat></agendaitem>
  </agendaitems>
</meeting>"""


def listing(*meetings: tuple[str, str, str]) -> str:
    rows = "".join(
        f"<meeting><meetingid>{mid}</meetingid><meetingdate>{day}</meetingdate>"
        f"<meetingstatus>{status}</meetingstatus><meetingtime>10.00 am</meetingtime></meeting>"
        for mid, day, status in meetings
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><getmeetings><committee>'
        "<committeeid>7</committeeid><committeetitle>Planning &amp;amp; Licensing</committeetitle>"
        f"<committeemeetings>{rows}</committeemeetings></committee></getmeetings>"
    )


def by_meeting(pages: dict[str, str]) -> object:
    def handler(seen: Seen) -> object:
        return xml(pages[seen.param("lMeetingId") or ""])

    return handler


async def fetch_all(source: ModernGovSource) -> list[ImportedMeeting | MeetingFailure]:
    try:
        return [m async for m in source.meetings(date(2026, 1, 1), date(2026, 12, 31))]
    finally:
        await source.aclose()


async def test_the_real_samples() -> None:
    async with serve() as fake:
        fake.answer(f"{ASMX}/GetMeetings", xml(MEETINGS))
        fake.on(f"{ASMX}/GetMeeting", by_meeting({"4966": CANCELLED, "4967": MEETING}))  # type: ignore[arg-type]
        got = await fetch_all(ModernGovSource(fake.base_url, "Europe/London"))
        asked = fake.to(f"{ASMX}/GetMeetings")[0]
    # dd/mm/yyyy in the query: Modern.gov silently ignores ISO dates.
    assert asked.param("sFromDate") == "01/01/2026" and asked.param("sToDate") == "31/12/2026"
    cancelled, confirmed = got
    assert isinstance(cancelled, ImportedMeeting) and isinstance(confirmed, ImportedMeeting)
    assert cancelled.state is State.CANCELLED and cancelled.items is None
    assert confirmed.state is State.SCHEDULED
    assert confirmed.title == "Audit Committee" and confirmed.external_id == "4967"
    # 10.00 am on 10 February is GMT: 10:00 UTC.
    assert confirmed.starts_at.astimezone(UTC) == datetime(2026, 2, 10, 10, 0, tzinfo=UTC)
    assert confirmed.location == "Council Antechamber, Level 2, Town Hall Extension"
    assert confirmed.items is not None
    # fulldisplaynumberformat ("1.", "9."), not agendaitemnumber (4, 12).
    assert [(i.number, i.title) for i in confirmed.items] == [
        ("1", "Minutes"),
        ("9", "Work Programme"),
    ]
    minutes = confirmed.items[0]
    assert minutes.description == (
        "To approve as a correct record the minutes of the meeting held on 25 November 2025."
    )
    assert [d.url for d in minutes.documents] == [
        "https://democracy.manchester.gov.uk/mgConvert2PDF.aspx?ID=60860"
    ]
    assert confirmed.url and confirmed.url.endswith("ieListDocuments.aspx?CId=144&MId=4967")


async def test_one_item_bst_and_double_escaped_title() -> None:
    async with serve() as fake:
        fake.answer(f"{ASMX}/GetMeetings", xml(listing(("5001", "10/06/2026", "Confirmed"))))
        fake.answer(f"{ASMX}/GetMeeting", xml(ONE_ITEM))
        (meeting,) = await fetch_all(ModernGovSource(fake.base_url, "Europe/London"))
    assert isinstance(meeting, ImportedMeeting)
    assert meeting.title == "Planning & Licensing"  # the committee's title, escaped twice
    # 13:30 on 10 June is BST: 12:30 UTC.
    assert meeting.starts_at.astimezone(UTC) == datetime(2026, 6, 10, 12, 30, tzinfo=UTC)
    assert meeting.items is not None and len(meeting.items) == 1
    item = meeting.items[0]
    assert item.title == "Fish & Chips licensing"
    assert item.description == "Text bold"  # Word's HTML to text; the script's content gone
    assert item.documents[0].url == f"{fake.base_url}/mgConvert2PDF.aspx?ID=1"


async def test_sub_items_restricted_items_and_exempt_documents() -> None:
    async with serve() as fake:
        fake.answer(f"{ASMX}/GetMeetings", xml(listing(("5002", "08/12/2026", "Rescheduled"))))
        fake.answer(f"{ASMX}/GetMeeting", xml(NESTED))
        (meeting,) = await fetch_all(ModernGovSource(fake.base_url, "Europe/London"))
    assert isinstance(meeting, ImportedMeeting) and meeting.items is not None
    # A rescheduled meeting takes place at the date it now carries (2 pm GMT in December).
    assert meeting.state is State.SCHEDULED
    assert meeting.starts_at.astimezone(UTC) == datetime(2026, 12, 8, 14, 0, tzinfo=UTC)
    five, six = meeting.items
    assert (five.number, six.number) == ("5", "6")
    assert [(c.number, c.title, c.restricted) for c in five.children] == [
        ("5a", "North site", False),
        ("5b", "Land disposal", True),
    ]
    # The exempt appendix is not there at all; the public plan is.
    assert [d.title for d in five.children[1].documents] == ["Public plan"]


@pytest.mark.parametrize(
    ("raw", "hour", "minute"),
    [("10.00 am", 10, 0), ("2.00 pm", 14, 0), ("13:30", 13, 30), ("12 noon", 12, 0),
     ("12.15 am", 0, 15), ("7 p.m.", 19, 0), ("", 0, 0)],
)  # fmt: skip
def test_both_time_styles(raw: str, hour: int, minute: int) -> None:
    parsed = parse_time(raw)
    assert (parsed.hour, parsed.minute) == (hour, minute)


async def test_a_failed_meeting_is_named_and_the_others_still_come() -> None:
    async with serve() as fake:
        fake.answer(
            f"{ASMX}/GetMeetings",
            xml(listing(("1", "01/03/2026", "Confirmed"), ("2", "02/03/2026", "Confirmed"),
                        ("3", "03/03/2026", "Confirmed"))),
        )  # fmt: skip
        good = ONE_ITEM.replace("5001", "3")
        fake.on(
            f"{ASMX}/GetMeeting",
            lambda seen: {"1": html_challenge(), "2": xml("<meeting><meetingid>2</meet")}.get(
                seen.param("lMeetingId") or "", xml(good)
            ),
        )
        first, second, third = await fetch_all(ModernGovSource(fake.base_url, "Europe/London"))
    assert isinstance(first, MeetingFailure) and first.external_id == "1"
    assert "HTML page instead of XML" in first.reason
    assert first.label == "Planning & Licensing on 01/03/2026"
    assert isinstance(second, MeetingFailure) and "malformed XML" in second.reason
    assert isinstance(third, ImportedMeeting) and third.external_id == "3"


@pytest.mark.parametrize(
    ("answer", "error", "words"),
    [
        (html_challenge, NotTheFormat, "HTML page instead of XML"),
        (lambda: xml("Service Unavailable", 503), BadStatus, "HTTP 503"),
        (lambda: xml(XML_BOMB), Refused, "DTD or entities"),
        (lambda: xml("<getmeetings><committee>"), Malformed, "malformed XML"),
    ],
)
async def test_the_listing_failing_fails_the_source(
    answer: object, error: type[Exception], words: str
) -> None:
    async with serve() as fake:
        fake.on(f"{ASMX}/GetMeetings", lambda _: answer())  # type: ignore[operator]
        with pytest.raises(error, match=words):
            await fetch_all(ModernGovSource(fake.base_url, "Europe/London"))


async def test_a_timeout() -> None:
    async with serve() as fake:
        fake.on(f"{ASMX}/GetMeetings", slow(2))
        with pytest.raises(Unreachable, match="timed out"):
            await fetch_all(ModernGovSource(fake.base_url, "Europe/London", timeout=0.3))


async def test_a_certificate_the_client_cannot_trust(tmp_path: Path) -> None:
    async with serve(tls_dir=tmp_path) as fake:
        fake.answer(f"{ASMX}/GetMeetings", xml(MEETINGS))
        with pytest.raises(Unreachable, match="TLS error"):
            await fetch_all(ModernGovSource(fake.base_url, "Europe/London"))
        assert fake.requests == []


async def test_committees() -> None:
    async with serve() as fake:
        fake.answer(f"{ASMX}/GetCommittees", xml(sample_text("moderngov-getcommittees.xml")))
        source = ModernGovSource(fake.base_url, "Europe/London")
        try:
            committees = await source.committees()
        finally:
            await source.aclose()
    assert [(c.id, c.active) for c in committees] == [("312", False), ("163", True), ("144", True)]
