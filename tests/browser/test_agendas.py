"""Agendas in the browser (issue 12): the staff agenda editor (keyboard reorder and nesting,
add, edit, private, drag, and the same without the script), axe clean, with an open resident
page following every change live; and a re-import after a clerk's edit keeps the edit while
the source's other changes reach the resident page without a reload."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from hub.actions.agenda_sources import add_source
from hub.events.publish import writing
from hub.models import AgendaItem, Meeting
from integrations.agendas.sync import import_range
from tests.browser.support import PHONE, axe_violations, eventually
from tests.conftest import settings_for
from tests.integrations.agendas.fakes import sample_text, serve, xml
from tests.support import PASSWORD, RunningServer, Seeded, run_server

pytestmark = pytest.mark.browser
ASMX = "/mgWebService.asmx"


async def staff_page(browser: Any, base: str, email: str, path: str, **options: Any) -> Any:
    context = await browser.new_context(**options)
    page = await context.new_page()
    await page.goto(f"{base}/staff/login?next={path}")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}{path}")
    return page


async def resident_page(browser: Any, base: str, mid: int) -> Any:
    page = await (await browser.new_context(**PHONE)).new_page()
    await page.goto(f"{base}/meetings/{mid}")
    await eventually(lambda: page.evaluate("window.__councilHub.state === 'live'"))
    await page.evaluate("window.__sameDocument = true")
    return page


async def top_numbers(page: Any, selector: str) -> list[str]:
    found = await page.locator(f"{selector} .item__number").all_text_contents()
    return [n.strip() for n in found]


async def no_violations(page: Any) -> None:
    violations = await axe_violations(page)
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


@pytest.fixture
async def pages(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> AsyncIterator[tuple[Any, Any]]:
    mid, base = sqlite_seeded.meeting_id, sqlite_server.base_url
    editor = await staff_page(
        browser, base, sqlite_seeded.users["clerk"], f"/staff/meetings/{mid}/agenda"
    )
    resident = await resident_page(browser, base, mid)
    yield editor, resident


async def test_the_agenda_editor_by_keyboard_and_drag_live_on_the_resident_page(
    browser: Any, pages: tuple[Any, Any], sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    editor, resident = pages
    ids = sqlite_seeded.item_ids  # 1, 2, 3, 3a, 3b, 4
    await no_violations(editor)
    assert await top_numbers(editor, "#editor-items") == ["1", "2", "3", "3a", "3b", "4"]

    # Keyboard: item 4's "Move" button takes the arrow keys; the focus stays on it.
    await editor.focus(f"#handle-{ids[5]}")
    await editor.keyboard.press("ArrowUp")
    await eventually(lambda: _status(editor, "Item 4 moved up."))
    assert await top_numbers(editor, "#editor-items") == ["1", "2", "4", "3", "3a", "3b"]
    assert await editor.evaluate("document.activeElement.id") == f"handle-{ids[5]}"
    await eventually(lambda: _order(resident, ["1", "2", "4", "3", "3a", "3b"], "#agenda"))
    # Right arrow: 2 becomes a sub-item of 1, on the resident page too.
    await editor.focus(f"#handle-{ids[1]}")
    await editor.keyboard.press("ArrowRight")
    await eventually(
        lambda: resident.evaluate(
            f"!!document.querySelector('#item-{ids[0]} .agenda--sub #item-{ids[1]}')"
        )
    )
    # (The editor refreshes after the server agreed: wait for it before the next key.)
    await eventually(lambda: _status(editor, "Item 2 is now a sub-item."))
    assert await editor.evaluate("document.activeElement.id") == f"handle-{ids[1]}"
    await editor.keyboard.press("ArrowLeft")
    await eventually(
        lambda: resident.evaluate(f"!document.querySelector('#item-{ids[0]} #item-{ids[1]}')")
    )
    await eventually(lambda: _status(editor, "Item 2 is now a main item."))

    # Drag: 3 (with its sub-items) onto 1 puts it first.
    await editor.locator(f"#item-{ids[0]}").scroll_into_view_if_needed()
    src = await editor.locator(f"#item-{ids[2]} .editor-item__title").bounding_box()
    dst = await editor.locator(f"#item-{ids[0]} .editor-item__title").bounding_box()
    await editor.mouse.move(src["x"] + 5, src["y"] + src["height"] / 2)
    await editor.mouse.down()
    await editor.mouse.move(dst["x"] + 5, dst["y"] + dst["height"] / 2, steps=8)
    await editor.mouse.up()
    await eventually(lambda: _order(editor, ["3", "3a", "3b", "1", "2", "4"]))
    await eventually(lambda: _order(resident, ["3", "3a", "3b", "1", "2", "4"], "#agenda"))

    # Add an item, edit one, make one private: the resident page follows each.
    await editor.fill("#add-number", "5")
    await editor.fill("#add-title", "Library consultation results")
    await editor.click("#add-item button[type=submit]")
    await eventually(lambda: _has_text(resident, "Library consultation results"))
    # Each change refreshes the editor from the server: wait for it before the next.
    await eventually(lambda: _in_list(editor, "Library consultation results"))
    await editor.click(f"#item-{ids[0]} summary")
    await editor.fill(f"#title-{ids[0]}", "Apologies for absence")
    await editor.click(f"#save-{ids[0]}")
    await eventually(lambda: _has_text(resident, "Apologies for absence"))
    await eventually(lambda: _in_list(editor, "Apologies for absence"))
    await editor.click(f"#private-{ids[1]}")
    await eventually(lambda: resident.evaluate(f"!document.getElementById('item-{ids[1]}')"))
    await eventually(lambda: _has_text(editor, "Private"))
    assert await resident.evaluate("window.__sameDocument === true"), "the resident page reloaded"
    await no_violations(editor)
    await no_violations(resident)

    # Without the script: the same forms post and the server sends the clerk back (3 goes
    # down, past 1).
    plain = await staff_page(
        browser,
        sqlite_server.base_url,
        sqlite_seeded.users["clerk"],
        f"/staff/meetings/{sqlite_seeded.meeting_id}/agenda",
        java_script_enabled=False,
    )
    assert await plain.is_hidden(f"#handle-{ids[5]}")  # the keyboard handle needs the script
    await plain.click(f"#down-{ids[2]}")
    await plain.wait_for_url(f"**/agenda#item-{ids[2]}")
    assert await top_numbers(plain, "#editor-items") == ["1", "3", "3a", "3b", "2", "4", "5"]
    await eventually(lambda: _order(resident, ["1", "3", "3a", "3b", "4", "5"], "#agenda"))


async def _order(page: Any, numbers: list[str], selector: str = "#editor-items") -> bool:
    return await top_numbers(page, selector) == numbers


async def _status(page: Any, text: str) -> bool:
    return (await page.text_content("#editor-status") or "").strip() == text


async def _in_list(page: Any, text: str) -> bool:
    return text in (await page.text_content("#editor-items") or "")


async def _has_text(page: Any, text: str) -> bool:
    return text in (await page.text_content("main") or "")


async def test_reimport_keeps_the_clerks_edit_and_reaches_the_open_page_live(
    browser: Any, sqlite_url: str, sqlite_seeded: Seeded
) -> None:
    # The server's own scheduled sync is off: the test imports when it means to.
    async with run_server(settings_for(sqlite_url, agenda_sync=False)) as server:
        await _reimport(browser, server, sqlite_seeded)


async def _reimport(browser: Any, server: RunningServer, sqlite_seeded: Seeded) -> None:
    svc, base = server.services, server.base_url
    pages = {"listing": sample_text("moderngov-getmeetings.xml"),
             "4966": sample_text("moderngov-getmeeting-cancelled.xml"),
             "4967": sample_text("moderngov-getmeeting.xml")}  # fmt: skip
    async with serve() as fake:
        fake.on(f"{ASMX}/GetMeetings", lambda _: xml(pages["listing"]))
        fake.on(f"{ASMX}/GetMeeting", lambda seen: xml(pages[seen.param("lMeetingId") or ""]))
        async with writing(svc.sessionmaker, svc.broker) as w:
            source = await add_source(
                w, council_slug="aberglas", name="moderngov", kind="moderngov", url=fake.base_url
            )
        await import_range(svc.sessionmaker, svc.broker, source.id, *_range())
        async with svc.sessionmaker() as session:
            mid = await session.scalar(select(Meeting.id).where(Meeting.external_id == "4967"))
            minutes, work = (
                await session.scalars(
                    select(AgendaItem.id)
                    .where(AgendaItem.meeting_id == mid)
                    .order_by(AgendaItem.position)
                )
            ).all()
        assert mid is not None
        # The clerk renames item 1 in the editor.
        editor = await staff_page(
            browser, base, sqlite_seeded.users["clerk"], f"/staff/meetings/{mid}/agenda"
        )
        await editor.click(f"#item-{minutes} summary")
        await editor.fill(f"#title-{minutes}", "Minutes of 25 November")
        await editor.click(f"#save-{minutes}")
        await eventually(lambda: _has_text(editor, "Minutes of 25 November"))
        resident = await resident_page(browser, base, mid)
        # The source changes the same title, another title, and adds an item.
        pages["4967"] = (
            pages["4967"]
            .replace("<agendaitemtitle>Minutes</agendaitemtitle>",
                     "<agendaitemtitle>Minutes (revised)</agendaitemtitle>")
            .replace("Work Programme</agendaitemtitle>", "Work Programme 2026/27</agendaitemtitle>")
            .replace("  </agendaitems>", NEW_ITEM)
        )  # fmt: skip
        report = await import_range(svc.sessionmaker, svc.broker, source.id, *_range())
        assert report.updated == 1
    # Published through the hub's broker (as the scheduled sync does): no reload needed.
    await eventually(lambda: _has_text(resident, "Work Programme 2026/27"))
    await eventually(lambda: _has_text(resident, "Date of next meeting"))
    assert await resident.text_content(f"#item-{minutes} .item__title") == "Minutes of 25 November"
    assert await resident.evaluate("window.__sameDocument === true"), "the page reloaded"
    links = await resident.locator(f"#item-{work} .item__docs a").all_text_contents()
    assert links == ["DRAFT WP FEBRUARY 2026"]
    # The editor shows where the clerk's title and the source's differ.
    await editor.reload()
    assert "The source says: “Minutes (revised)”" in (
        await editor.text_content(f"#item-{minutes}") or ""
    )
    await no_violations(editor)
    await no_violations(resident)


NEW_ITEM = """    <agendaitem>
      <agendaitemid>18850</agendaitemid>
      <agendaitemtitle>Date of next meeting</agendaitemtitle>
      <agendaitemnumber>13</agendaitemnumber><agendaitemsubnumber></agendaitemsubnumber>
      <fulldisplaynumberformat>10.</fulldisplaynumberformat>
      <isrestricted>False</isrestricted>
    </agendaitem>
  </agendaitems>"""


def _range() -> tuple[date, date]:
    return date(2026, 1, 1), date(2026, 12, 31)
