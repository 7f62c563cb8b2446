"""Every page says its language: ``<html lang>`` is right in English and in Welsh, chosen by the
council's default (pages about one council) or the deployment's (the rest), and overridden by
the visitor's choice (``?lang=`` and the cookie it leaves); every page carries the switch; text
only in English on a Welsh page is marked ``lang="en"``.

The pages are not listed by hand: every GET route of the running app is requested (as a
deployment admin, who may see every page), and every answer that is an HTML page is checked. A
route added later is therefore checked as soon as it exists; one whose path has a parameter
this test cannot fill fails here until ``PARAMS`` learns it."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
from starlette.routing import Mount, Route

from hub.actions._locks import Actor
from hub.actions.agenda_edit import edit_item
from hub.actions.councils import create_council
from hub.actions.meetings import ItemSpec, create_meeting
from hub.events.publish import writing
from hub.queries.meetings import load_items
from tests.conftest import settings_for
from tests.support import RunningServer, Seeded, http_client, resident, run_server, sign_in

HTML_LANG = re.compile(r'<html lang="([^"]*)"')
# Pages that must be among those found (so the test cannot pass by finding none).
MUST_BE_PAGES = {
    "/",
    "/meetings/{meeting_id:id}",
    "/meetings/{meeting_id:id}/projector",
    "/c/{slug}/privacy",
    "/api/docs",
    "/staff/login",
    "/staff/",
    "/staff/search",
    "/staff/meetings/{meeting_id:id}",
    "/staff/meetings/{meeting_id:id}/moderation",
    "/staff/meetings/{meeting_id:id}/audit",
    "/staff/meetings/{meeting_id:id}/review",
    "/staff/meetings/{meeting_id:id}/briefing",
    "/staff/meetings/{meeting_id:id}/agenda",
    "/staff/councils/{slug}/settings",
    "/staff/councils/{slug}/social",
    "/staff/councils/{slug}/sources",
    "/staff/councils/{slug}/meetings/new",
    # The admin area, council home pages, staff and invitations (issue 15).
    "/c/{slug}",
    "/staff/admin",
    "/staff/councils",
    "/staff/users",
    "/staff/councils/{slug}/staff",
    "/staff/councils/{slug}/audit",
    "/staff/invites/{token}",
}


@dataclass(frozen=True)
class Council:
    slug: str
    language: str
    meeting_id: int
    item_id: int


def fill(path: str, council: Council) -> str:
    """The route's path with its parameters filled for ``council``."""
    values = {
        "meeting_id": council.meeting_id,
        "item_id": council.item_id,
        "slug": council.slug,
        # No such invitation: its page (a 404 saying so) is still a page in a language.
        "token": "no-such-invitation",
    }
    filled = path
    for name, value in values.items():
        filled = re.sub(r"\{" + name + r"(:[a-z]+)?\}", str(value), filled)
    missing = re.findall(r"\{([a-z_]+)", filled)
    assert not missing, (
        f"tests/web/test_page_language.py cannot fill {missing} in {path}: add a value to fill()"
    )
    return filled


def about_a_council(path: str) -> bool:
    """Pages about one council (one of its meetings, or the council itself) are in its language;
    the rest (the meetings list, sign-in, the dashboard...) in the deployment's."""
    return "{meeting_id" in path or "{slug}" in path


def get_routes(app: object) -> list[str]:
    paths: list[str] = []

    def walk(routes: list[object], prefix: str) -> None:
        for route in routes:
            if isinstance(route, Route) and "GET" in (route.methods or set()):
                paths.append(prefix + route.path)
            elif isinstance(route, Mount) and route.path not in ("/static",):
                walk(list(route.routes), prefix + route.path)

    walk(list(app.routes), "")  # type: ignore[attr-defined]
    return paths


def page_lang(response: httpx.Response) -> str | None:
    """The page's language, or None if the answer is not an HTML page (JSON, CSV, a redirect)."""
    if response.status_code >= 300 and response.status_code < 400:
        return None
    if not response.headers.get("content-type", "").startswith("text/html"):
        return None
    found = HTML_LANG.search(response.text)
    assert found, f"{response.url}: an HTML answer without <html lang>"
    return found.group(1)


def assert_has_switch(response: httpx.Response) -> None:
    text = response.text
    assert 'class="lang-switch' in text, f"{response.url}: no language switch"
    for code in ("en", "cy"):
        assert f'hreflang="{code}"' in text, f"{response.url}: the switch lacks {code}"


async def welsh_council(server: RunningServer) -> Council:
    """A council whose default language is Welsh, with a meeting (only partly in Welsh)."""
    svc = server.services
    async with writing(svc.sessionmaker, svc.broker) as w:
        await create_council(w, slug="cymraeg", name="Cyngor Sir Cymraeg", language="cy")
        meeting = await create_meeting(
            w,
            council_slug="cymraeg",
            title="Cabinet",
            body_name="Cabinet",
            starts_at=datetime(2026, 11, 23, 18, 30, tzinfo=UTC),
            items=[ItemSpec("1", "Apologies"), ItemSpec("2", "Library opening hours")],
        )
    async with svc.sessionmaker() as session:
        items = await load_items(session, meeting.id)
    async with writing(svc.sessionmaker, svc.broker) as w:
        await edit_item(
            w, meeting.id, items[0].id, Actor(0, "Clerk"), number="1", title="Apologies",
            description="", title_cy="Ymddiheuriadau",
        )  # fmt: skip
    return Council("cymraeg", "cy", meeting.id, items[0].id)


async def test_every_page_sets_its_language(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    welsh = await welsh_council(sqlite_server)
    english = Council("aberglas", "en", sqlite_seeded.meeting_id, sqlite_seeded.item_ids[0])
    admin = await sign_in(sqlite_server.base_url, sqlite_seeded.users["admin"])
    pages: set[str] = set()
    try:
        for path in get_routes(sqlite_server.app):
            council_page = about_a_council(path)
            # The council's default (Welsh here) or the deployment's (English).
            url = fill(path, welsh)
            admin.http.cookies.delete("lang")
            r = await admin.http.get(url)
            lang = page_lang(r)
            if lang is None:
                continue
            pages.add(path)
            expected = "cy" if council_page else "en"
            assert lang == expected, f"{url}: lang={lang!r} by default, expected {expected!r}"
            assert_has_switch(r)
            # The visitor's choice beats the council's default, and is remembered.
            r = await admin.http.get(url, params={"lang": "en"})
            assert page_lang(r) == "en", f"{url}?lang=en"
            r = await admin.http.get(url)
            assert page_lang(r) == "en", f"{url}: the choice of English was not remembered"
            # ... both ways: Welsh chosen on an English council's page.
            url = fill(path, english)
            r = await admin.http.get(url, params={"lang": "cy"})
            assert page_lang(r) == "cy", f"{url}?lang=cy"
            admin.http.cookies.delete("lang")
            r = await admin.http.get(url)
            assert page_lang(r) == "en", f"{url}: an English council's page by default"
    finally:
        await admin.http.aclose()
    assert pages >= MUST_BE_PAGES, f"pages not found as HTML: {MUST_BE_PAGES - pages}"


@pytest.mark.parametrize(
    ("signed_in", "path"),
    [
        (False, "/no/such/page"),
        (False, "/meetings/999999"),
        (False, "/c/no-such-council/privacy"),
        (True, "/staff/meetings/999999"),
        (True, "/staff/councils/no-such-council/settings"),
    ],
)
async def test_error_pages_set_their_language(
    sqlite_server: RunningServer, sqlite_seeded: Seeded, signed_in: bool, path: str
) -> None:
    if signed_in:
        client = (await sign_in(sqlite_server.base_url, sqlite_seeded.users["clerk"])).http
    else:
        client = http_client(sqlite_server.base_url, follow_redirects=False)
    try:
        for lang in ("cy", "en"):
            r = await client.get(path, params={"lang": lang})
            assert r.status_code == 404
            assert page_lang(r) == lang
            assert_has_switch(r)
            if lang == "cy":  # never Starlette's English reason phrase
                assert "Not Found" not in r.text
            if lang == "cy" and path == "/no/such/page":
                assert "Nid oes tudalen yn y cyfeiriad hwn" in html.unescape(r.text)
    finally:
        await client.aclose()


async def test_a_refusal_is_in_the_deployments_language(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    welsh = await welsh_council(sqlite_server)
    other = await sign_in(sqlite_server.base_url, sqlite_seeded.users["other_clerk"])
    try:
        r = await other.http.get(f"/staff/meetings/{welsh.meeting_id}")
    finally:
        await other.http.aclose()
    # Not the council's page (its language is the council's business, not the refused
    # visitor's): the deployment's language, or the visitor's own choice.
    assert r.status_code == 403 and page_lang(r) == "en"
    assert_has_switch(r)


async def test_the_deployment_default_language(sqlite_url: str, sqlite_seeded: Seeded) -> None:
    settings = settings_for(sqlite_url, default_language="cy")
    async with run_server(settings) as server, http_client(server.base_url) as http:
        for path in ("/", "/staff/login", "/api/docs", "/no/such/page"):
            r = await http.get(path)
            assert page_lang(r) == "cy", path
        # A council's own default wins over the deployment's on its pages.
        r = await http.get(f"/meetings/{sqlite_seeded.meeting_id}")
        assert page_lang(r) == "en"


async def test_english_only_text_on_a_welsh_page_is_marked(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    welsh = await welsh_council(sqlite_server)
    async with http_client(sqlite_server.base_url) as http:
        r = await http.get(f"/meetings/{welsh.meeting_id}")
        english = await http.get(f"/meetings/{welsh.meeting_id}", params={"lang": "en"})
    assert page_lang(r) == "cy"
    text = html.unescape(r.text)
    # The meeting's title exists only in English: shown, and marked so.
    assert '<h1 id="meeting-title" lang="en">Cabinet</h1>' in text
    # Item 1 has its Welsh title: shown unmarked (it is the page's language) ...
    assert '<span class="item__title">Ymddiheuriadau</span>' in text
    # ... item 2 has none: the English, marked.
    assert '<span class="item__title" lang="en">Library opening hours</span>' in text
    # In English, the English titles, unmarked.
    en_text = html.unescape(english.text)
    assert '<span class="item__title">Apologies</span>' in en_text
    assert '<h1 id="meeting-title">Cabinet</h1>' in en_text
    assert ">Ymddiheuriadau<" not in en_text  # (the data island carries both)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("cy", "Ysgrifennwch eich sylw neu'ch cwestiwn yn gyntaf."),
        ("en", "Write your comment or question first."),
        (None, "Write your comment or question first."),  # the deployment's default
    ],
)
async def test_json_answers_to_a_pages_script_are_in_the_pages_language(
    sqlite_server: RunningServer, sqlite_seeded: Seeded, header: str | None, message: str
) -> None:
    """A Welsh page (chosen, or its council's default) sends its language with its script's
    requests (X-Hub-Language, static/js/dom.js); the refusal it shows is then in Welsh."""
    headers = {"X-Hub-Language": header} if header else {}
    async with resident(sqlite_server.base_url) as http:
        await http.get(f"/meetings/{sqlite_seeded.meeting_id}")  # the participant cookie
        r = await http.post(
            f"/api/meetings/{sqlite_seeded.meeting_id}/contributions",
            json={"kind": "question", "body": "  ", "client_token": "t-1"},
            headers=headers,
        )
        assert r.status_code == 422 and r.json()["message"] == message
        # The header is no choice to remember: no cookie is set by it.
        assert "lang" not in http.cookies
