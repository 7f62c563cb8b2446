"""Translations: every marked string has a Welsh translation, and pages are served in Welsh.

A new or changed string in hub/**.py or hub/templates fails ``test_every_string_is_translated``
until it is extracted (``scripts/i18n extract``) and translated in
hub/locale/cy/LC_MESSAGES/messages.po.
"""

from __future__ import annotations

import contextvars
import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from hub import i18n
from hub.web import labels
from tests.conftest import settings_for
from tests.support import RunningServer, Seeded, http_client, run_server

ROOT = Path(__file__).resolve().parent.parent
BABEL_CFG = ROOT / "babel.cfg"
CY_PO_NAME = "hub/locale/cy/LC_MESSAGES/messages.po"
CY_PO = ROOT / CY_PO_NAME
# The same keywords as scripts/i18n passes to pybabel (-k N_ -k gettext_) on top of its defaults.
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "gettext_": None}
# printf-style placeholders: %(name)s, %s, %d, ... (not the escaped %%).
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")

T = TypeVar("T")


def in_language(lang: str, fn: Callable[[], T]) -> T:
    """Run fn with the request language set, in a copied context so nothing leaks out."""

    def run() -> T:
        i18n.set_language(lang)
        return fn()

    return contextvars.copy_context().run(run)


def extracted_msgids() -> dict[str, str]:
    """Every msgid marked in the sources (as babel.cfg maps them), with where it was found."""
    with BABEL_CFG.open() as f:
        method_map, options_map = parse_mapping_cfg(f, str(BABEL_CFG))
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message if isinstance(message, str) else message[0]
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def cy_catalog() -> Catalog:
    with CY_PO.open("rb") as f:
        return read_po(f, locale="cy")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_extraction_finds_the_marked_strings() -> None:
    found = extracted_msgids()
    # N_ in hub/labels.py, gettext_ (as _) in the routes, _() in templates.
    for msgid in ("In session", "There is no such meeting.", "Skip to main content"):
        assert msgid in found, f"babel.cfg or the keywords no longer extract {msgid!r}"


def test_every_string_is_translated() -> None:
    # A plural entry's id is (singular, plural): it is found by its singular.
    catalog_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in cy_catalog() if m.id}
    found = extracted_msgids()
    missing = {msgid: where for msgid, where in found.items() if msgid not in catalog_ids}
    assert not missing, (
        "Strings without a Welsh translation. Run `scripts/i18n extract`, then translate them "
        f"in {CY_PO_NAME}:\n"
        + "\n".join(f"  {where}: {msgid!r}" for msgid, where in sorted(missing.items()))
    )


def test_welsh_catalog_entries_are_complete() -> None:
    catalog = cy_catalog()
    assert catalog.locale is not None and str(catalog.locale) == "cy"
    assert catalog.num_plurals == 6
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if not all(strings):
            problems.append(f"untranslated: {message.id!r}")
            continue
        for s in strings:
            if placeholders(s) != placeholders(ids[0]):
                problems.append(f"placeholders differ: {message.id!r} -> {s!r}")
    assert not problems, f"Fix in {CY_PO_NAME}:\n" + "\n".join(problems)


def test_gettext_serves_welsh() -> None:
    assert in_language("cy", lambda: i18n.gettext_("In session")) == "Mewn sesiwn"
    assert in_language("en", lambda: i18n.gettext_("In session")) == "In session"
    assert i18n.translate("cy", "Sign in") == "Mewngofnodi"
    assert i18n.translate("cy", "Signed in as %(name)s") % {"name": "Clerk"} == (
        "Wedi mewngofnodi fel Clerk"
    )


def test_labels_are_translated() -> None:
    welsh = in_language("cy", labels.translated)
    english = in_language("en", labels.translated)
    assert english["meeting"]["live"] == "In session"
    catalog = cy_catalog()
    for group, values in english.items():
        for key, source in values.items():
            message = catalog.get(source)
            assert message is not None and message.string, f"label {group}.{key} {source!r}"
            assert welsh[group][key] == message.string
    for group, key in [
        ("meeting", "live"),
        ("meeting", "adjourned"),
        ("meeting", "cancelled"),
        ("item", "pending"),
        ("item", "current"),
        ("item", "done"),
        ("item", "deferred"),
        ("item", "withdrawn"),
        ("connection", "connecting"),
        ("connection", "reconnecting"),
        ("misc", "none_current"),
        ("misc", "outcome"),
    ]:
        assert welsh[group][key] != english[group][key], f"{group}.{key} is still English"


# (Welsh, English) pairs the resident's meeting page shows in one language and not the other.
PAGE_STRINGS = [
    ("Neidio i'r prif gynnwys", "Skip to main content"),
    ("Dan sylw nawr", "Now discussing"),
    ("Gwylio'r gweddarllediad", "Watch the webcast"),
    ("Wedi'i drefnu", "Scheduled"),
    ("Heb ei thrafod eto", "Not yet discussed"),
    ("Hwb y Cyngor", "Council Hub"),
    ("Tachwedd", "November"),  # the seeded meeting's date, in the page's language
]


async def test_meeting_page_in_welsh_and_english(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    path = f"/meetings/{sqlite_seeded.meeting_id}"
    async with http_client(sqlite_server.base_url) as http:
        cy = await http.get(path, params={"lang": "cy"})
    async with http_client(sqlite_server.base_url) as http:
        en = await http.get(path, params={"lang": "en"})
    assert cy.status_code == 200 and en.status_code == 200
    assert '<html lang="cy"' in cy.text
    assert '<html lang="en"' in en.text
    cy_text, en_text = html.unescape(cy.text), html.unescape(en.text)
    for welsh, english in PAGE_STRINGS:
        assert welsh in cy_text, f"Welsh page lacks {welsh!r}"
        assert english not in cy_text, f"Welsh page still shows {english!r}"
        assert english in en_text, f"English page lacks {english!r}"
        assert welsh not in en_text, f"English page shows {welsh!r}"


@pytest.mark.parametrize(
    ("lang", "message"), [("cy", "Nid oes cyfarfod o'r fath."), ("en", "There is no such meeting.")]
)
async def test_not_found_page_is_translated(
    sqlite_server: RunningServer, sqlite_seeded: Seeded, lang: str, message: str
) -> None:
    async with http_client(sqlite_server.base_url) as http:
        r = await http.get("/meetings/999999", params={"lang": lang})
    assert r.status_code == 404
    assert f'<html lang="{lang}"' in r.text
    assert message in html.unescape(r.text)


@pytest.mark.parametrize("https_only", [False, True])
async def test_the_language_cookie_is_secure_under_https_only(
    sqlite_url: str, sqlite_seeded: Seeded, https_only: bool
) -> None:
    settings = settings_for(sqlite_url, https_only=https_only)
    async with run_server(settings) as server, http_client(server.base_url) as http:
        r = await http.get("/", params={"lang": "cy"})
    [cookie] = [c for c in r.headers.get_list("set-cookie") if c.startswith("lang=")]
    assert cookie.startswith("lang=cy;")
    assert ("; Secure" in cookie) is https_only
