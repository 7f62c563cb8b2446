"""Every page (issue 15): axe-core at WCAG 2.2 AA in English and in Welsh, a visible focus ring
at every Tab stop, and reflow at 320 CSS px and with text at 200% without sideways scrolling.

One server and one browser client for the whole sweep (tests/browser/a11y.py builds the stage:
meetings before they open, live, adjourned and closed, a Welsh council, something in every
list). Each page is opened in a context reading English and one reading Welsh (the ``lang``
cookie), checked to answer with the status it should and ``<html lang>`` in that language,
and given to axe once its live stream (if it has one) is connected.

A new page is one line in PAGES: its path (``{name}`` fields from ``Stage.ids``), who opens it
(``resident`` or ``clerk``) and whether it has a live stream to wait for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.browser.a11y import (
    LANGS,
    LOST,
    MIN_TARGET_PX,
    MODULE_LOOP,
    SMALL,
    Stage,
    a11y_browser,
    a11y_stage,
    text_at,
)
from tests.browser.keyboard import assert_focus_visible, focused_matches
from tests.browser.support import axe_violations

pytestmark = [pytest.mark.browser, MODULE_LOOP]
__all__ = ["a11y_browser", "a11y_stage"]  # fixtures, used by name


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    who: str = "resident"
    live: bool = False  # wait for the page's stream: what its script shows is checked too
    status: int = 200


PAGES = [
    # Residents'
    Page("home", "/"),
    Page("resident, before it opens", "/meetings/{pre_open}", live=True),
    Page("resident, live", "/meetings/{live}", live=True),
    Page("resident, adjourned", "/meetings/{adjourned}", live=True),
    Page("resident, closed", "/meetings/{closed}", live=True),
    Page("projector", "/meetings/{live}/projector", live=True),
    Page("privacy notice", "/c/{slug}/privacy"),
    Page("API docs", "/api/docs"),
    Page("not found", "/meetings/999999", status=404),
    Page("no such council", "/c/nowhere/privacy", status=404),
    # Staff
    Page("sign-in", "/staff/login"),
    Page("dashboard", "/staff/", who="clerk"),
    Page("console", "/staff/meetings/{live}", who="clerk", live=True),
    Page("console, before it opens", "/staff/meetings/{pre_open}", who="clerk", live=True),
    Page("moderation queue", "/staff/meetings/{live}/moderation", who="clerk", live=True),
    Page("review", "/staff/meetings/{live}/review", who="clerk", live=True),
    Page("item review", "/staff/meetings/{live}/review/items/{item}", who="clerk", live=True),
    Page("briefing", "/staff/meetings/{live}/briefing", who="clerk"),
    Page("audit", "/staff/meetings/{live}/audit", who="clerk", live=True),
    Page("search", "/staff/search?q=Llanfair", who="clerk"),
    Page("search, nothing found", "/staff/search?q=zzzz", who="clerk"),
    Page("agenda editor", "/staff/meetings/{live}/agenda", who="clerk"),
    Page("new meeting", "/staff/councils/{slug}/meetings/new", who="clerk"),
    Page("council settings", "/staff/councils/{slug}/settings", who="clerk"),
    Page("social sources", "/staff/councils/{slug}/social", who="clerk"),
    Page("agenda sources", "/staff/councils/{slug}/sources", who="clerk"),
    Page("another council's meeting", "/staff/meetings/999999", who="clerk", status=404),
    # A council's home page, the admin area, staff and invitations (issue 15)
    Page("council home", "/c/{slug}"),
    Page("Welsh council's home", "/c/cymru"),
    Page("invitation", "/staff/invites/{invite}"),
    Page("no such invitation", "/staff/invites/no-such-link", status=404),
    Page("admin area", "/staff/admin", who="admin"),
    Page("councils", "/staff/councils", who="admin"),
    Page("every account", "/staff/users", who="admin"),
    Page("a council's staff", "/staff/councils/{slug}/staff", who="admin"),
    Page("a council's audit log", "/staff/councils/{slug}/audit", who="admin"),
    Page("council settings, as its admin", "/staff/councils/{slug}/settings", who="admin"),
]


async def _violations(stage: Stage, page_spec: Page, who: str, lang: str, html_lang: str) -> list:
    page = await stage.open(who, lang, page_spec.path, live=page_spec.live)
    try:
        assert page.status == page_spec.status, (page_spec.name, lang, page.status)
        assert await page.get_attribute("html", "lang") == html_lang, (page_spec.name, lang)
        return [
            (lang, v["id"], v["help"], [n["target"] for n in v["nodes"]])
            for v in await axe_violations(page)
        ]
    finally:
        await page.close()


@pytest.mark.parametrize("spec", PAGES, ids=[p.name for p in PAGES])
async def test_no_axe_violation(a11y_stage: Stage, spec: Page) -> None:
    found: list[Any] = []
    for lang in LANGS:
        found += await _violations(a11y_stage, spec, spec.who, lang, lang)
    assert found == [], (spec.name, found)


WELSH_COUNCIL = [
    Page("resident, Welsh council", "/meetings/{welsh}", live=True),
    Page("projector, Welsh council", "/meetings/{welsh}/projector", live=True),
]


@pytest.mark.parametrize("spec", WELSH_COUNCIL, ids=[p.name for p in WELSH_COUNCIL])
async def test_a_welsh_councils_pages_are_welsh_by_default_and_clean(
    a11y_stage: Stage, spec: Page
) -> None:
    assert await _violations(a11y_stage, spec, "resident", "default", "cy") == []


FOCUS_STOPS = 80  # Tab presses per page: past the header, the main controls and the footer


@pytest.mark.parametrize("spec", PAGES, ids=[p.name for p in PAGES])
async def test_every_focus_stop_shows_a_ring(a11y_stage: Stage, spec: Page) -> None:
    """WCAG 2.4.7 and 2.4.13 on every page: Tab from the top, and each control the focus
    lands on shows a ring of 3:1 against what is behind it (tests/browser/keyboard.py). On a
    page with the site's header (the projector and the printable briefing have none) the
    first stop is the skip link, past the header (2.4.1)."""
    page = await a11y_stage.open(spec.who, "en", spec.path, live=spec.live)
    try:
        header = await page.evaluate("!!document.querySelector('header.site-header')")
        stops = []
        for n in range(FOCUS_STOPS):
            await page.keyboard.press("Tab")
            if await page.evaluate("document.activeElement === document.body"):
                break  # past the last control
            if n == 0 and header:
                assert await focused_matches(page, "a.skip-link"), spec.name
            stops.append(await assert_focus_visible(page))
        assert not header or len(stops) >= 3, (spec.name, stops)  # skip link, home, languages
    finally:
        await page.close()


@pytest.mark.parametrize("spec", PAGES, ids=[p.name for p in PAGES])
async def test_reflows_at_320_px_and_with_text_at_200_percent(
    a11y_stage: Stage, spec: Page
) -> None:
    """WCAG 1.4.10 and 1.4.4 on every page, in Welsh (the longer words): at 320 CSS px (a
    1280 px window at 400%), and with the text at 200% in a 1280 px window, nothing scrolls
    sideways and nothing is cut off (LOST in tests/browser/a11y.py)."""
    page = await a11y_stage.open(spec.who, "cy", spec.path, live=spec.live)
    try:
        await page.set_viewport_size({"width": 320, "height": 640})
        found = await page.evaluate(LOST)
        assert found["scrollWidth"] <= found["width"] and found["lost"] == [], ("320", found)
        await page.set_viewport_size({"width": 1280, "height": 800})
        await text_at(page, 2)
        found = await page.evaluate(LOST)
        assert found["scrollWidth"] <= found["width"] and found["lost"] == [], ("200%", found)
    finally:
        await page.close()


@pytest.mark.parametrize("spec", PAGES, ids=[p.name for p in PAGES])
async def test_targets_are_at_least_24_px(a11y_stage: Stage, spec: Page) -> None:
    """WCAG 2.5.8 on every page, on a phone's width: every control outside a sentence is at
    least 24x24 CSS px (SMALL in tests/browser/a11y.py)."""
    page = await a11y_stage.open(spec.who, "en", spec.path, live=spec.live)
    try:
        await page.set_viewport_size({"width": 390, "height": 844})
        small = await page.evaluate(SMALL, MIN_TARGET_PX)
        assert small == [], (spec.name, small)
    finally:
        await page.close()
