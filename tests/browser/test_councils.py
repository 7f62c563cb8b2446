"""The admin area and a council's home page in a real browser, without the script: an admin
creates a council whose default language is Welsh, with pre-moderation, through the forms; an
unreadable colour pair is refused with its ratio shown; the council's home page is served in
Welsh in its colours (a stylesheet of its own: the strict CSP reports nothing); axe-core finds
no WCAG 2.2 AA violation on the admin pages or the home page, in English and in Welsh."""

from __future__ import annotations

from typing import Any

import pytest

from hub.queries.councils import council_by_slug
from tests.browser.support import axe_violations
from tests.support import PASSWORD, RunningServer, Seeded

pytestmark = pytest.mark.browser


async def _no_violations(page: Any) -> None:
    found = await axe_violations(page)
    assert found == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in found]


async def test_an_admin_creates_a_welsh_council_in_its_colours(
    browser: Any, sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    base = sqlite_server.base_url
    context = await browser.new_context()
    admin = await context.new_page()
    console: list[str] = []
    admin.on("console", lambda m: console.append(m.text))
    await admin.goto(f"{base}/staff/login?next=/staff/admin")
    await admin.fill("#email", sqlite_seeded.users["admin"])
    await admin.fill("#password", PASSWORD)
    await admin.click("button[type=submit]")
    await admin.wait_for_url(f"{base}/staff/admin")
    assert await admin.locator("html").get_attribute("lang") == "en"
    await _no_violations(admin)

    await admin.fill("#name", "Cyngor Sir Ynys Môn")
    await admin.fill("#slug", "ynys-mon")
    await admin.select_option("#timezone", "Europe/London")
    await admin.check("#offer_en")
    await admin.check("#offer_cy")
    await admin.select_option("#default_language", "cy")
    await admin.check("#moderation-pre")
    await admin.click("text=Create the council")
    await admin.wait_for_url(f"{base}/staff/councils/ynys-mon/settings")
    assert "Cyngor Sir Ynys Môn" in await admin.locator("h1").inner_text()
    await _no_violations(admin)
    async with sqlite_server.services.sessionmaker() as session:
        council = await council_by_slug(session, "ynys-mon")
    assert council is not None
    assert (council.default_language, council.languages, council.moderation) == (
        "cy",
        "en cy",
        "pre",
    )

    # The council's staff pages follow its default language (Welsh); this admin switches to
    # English with the page's language switch, which is remembered.
    assert await admin.locator("html").get_attribute("lang") == "cy"
    await admin.click(".lang-switch a[hreflang='en']")
    await admin.wait_for_function("document.documentElement.lang === 'en'")

    # Grey on white: 4.48:1, refused with the ratio in the section; the form keeps the values.
    await admin.fill("#brand_colour", "#0b3d6b")
    await admin.fill("#brand_text_colour", "#777777")
    await admin.click("text=Save the colours")
    error = admin.locator("#colours-error")
    assert await error.inner_text() == (
        "These colours have a contrast ratio of 2.48:1; WCAG AA needs at least 4.5:1."
    )
    assert await admin.input_value("#brand_text_colour") == "#777777"
    await _no_violations(admin)
    await admin.fill("#brand_colour", "#777777")
    await admin.fill("#brand_text_colour", "#ffffff")
    await admin.click("text=Save the colours")
    assert "4.48:1" in await admin.locator("#colours-error").inner_text()

    await admin.fill("#brand_colour", "#8a1538")
    await admin.fill("#brand_text_colour", "#ffffff")
    await admin.click("text=Save the colours")
    await admin.wait_for_url("**/settings?saved=colours#colours")
    assert await admin.locator("#colours-saved").count() == 1

    # The admin pages in Welsh.
    for path in ("/staff/admin?lang=cy", "/staff/councils/ynys-mon/settings", "/staff/councils"):
        await admin.goto(f"{base}{path}")
        assert await admin.locator("html").get_attribute("lang") == "cy"
        await _no_violations(admin)
    assert await admin.locator("h1").inner_text() == "Eich cynghorau"

    # A resident who has chosen nothing: the council's home page in Welsh, in its colours.
    resident_context = await browser.new_context()
    home = await resident_context.new_page()
    home.on("console", lambda m: console.append(m.text))
    await home.goto(f"{base}/c/ynys-mon")
    assert await home.locator("html").get_attribute("lang") == "cy"
    assert await home.locator("#live-heading").inner_text() == "Yn fyw nawr"
    header = home.locator(".site-header")
    assert await header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(138, 21, 56)"
    assert await header.evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
    link = home.locator("#privacy-link")
    assert await link.evaluate("e => getComputedStyle(e).color") == "rgb(138, 21, 56)"
    await _no_violations(home)
    # The resident chooses English: the page, and the language switch, follow.
    await home.click("a[hreflang=en]")
    assert await home.locator("html").get_attribute("lang") == "en"
    assert await home.locator("#live-heading").inner_text() == "Live now"
    await _no_violations(home)
    # The deployment's home lists it.
    await home.goto(f"{base}/")
    assert await home.locator("#council-list a[href='/c/ynys-mon']").count() == 1
    await _no_violations(home)

    assert not [m for m in console if "Content Security Policy" in m], console
    await resident_context.close()
    await context.close()
