"""The admin area over HTTP: an admin creates a council and configures it section by section;
refusals come back as the page with what was typed and why (or JSON); a clerk sees and
configures only their own council; councils' home pages, their colours and their own host
names."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hub.actions.meetings import create_meeting
from hub.events.publish import writing
from hub.queries.councils import council_by_slug
from tests.support import RunningServer, Seeded, contribute, http_client, resident, sign_in

NEW = {
    "name": "Cyngor Ynys Môn",
    "slug": "ynys-mon",
    "timezone": "Europe/London",
    "default_language": "cy",
    "offer_en": "1",
    "offer_cy": "1",
    "moderation": "pre",
}


def _field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, name
    return found.group(1)


async def test_an_admin_creates_a_council_and_others_may_not(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    server = sqlite_server
    admin = await sign_in(server.base_url, sqlite_seeded.users["admin"])
    home = await admin.http.get("/staff/admin")
    assert home.status_code == 200
    assert 'href="/staff/councils/aberglas/settings"' in home.text
    assert "<option selected>Europe/London</option>" in home.text

    r = await admin.post("/staff/admin/councils", NEW, json_=False)
    assert r.status_code == 303 and r.headers["location"] == "/staff/councils/ynys-mon/settings"
    async with server.services.sessionmaker() as session:
        council = await council_by_slug(session, "ynys-mon")
    assert council is not None
    assert (council.default_language, council.languages, council.moderation) == (
        "cy",
        "en cy",
        "pre",
    )
    settings = await admin.http.get(r.headers["location"])
    assert settings.status_code == 200 and "Cyngor Ynys Môn" in settings.text

    # Refused: the page again with what was typed and why; the same in JSON.
    r = await admin.post("/staff/admin/councils", {**NEW, "slug": "Ynys Môn!"}, json_=False)
    assert r.status_code == 422 and "lower-case letters, digits and hyphens" in r.text
    assert _field(r.text, "slug") == "Ynys Môn!" and _field(r.text, "name") == "Cyngor Ynys Môn"
    r = await admin.post("/staff/admin/councils", NEW)
    assert r.status_code == 409 and "already a council" in r.json()["message"]
    r = await admin.post("/staff/admin/councils", {**NEW, "slug": "x", "offer_cy": ""})
    assert r.status_code == 422 and "default language" in r.json()["message"]
    r = await admin.post("/staff/admin/councils", {**NEW, "slug": "x", "timezone": "Mars/Base"})
    assert r.status_code == 422 and "time zone" in r.json()["message"]

    # A clerk (of any council) may neither see the admin's page nor create a council.
    clerk = await sign_in(server.base_url, sqlite_seeded.users["clerk"])
    assert (await clerk.http.get("/staff/admin")).status_code == 403
    r = await clerk.post("/staff/admin/councils", {**NEW, "slug": "by-a-clerk"})
    assert r.status_code == 403
    async with server.services.sessionmaker() as session:
        assert await council_by_slug(session, "by-a-clerk") is None
    # Without the CSRF token, or from another site: refused before anything is read.
    r = await admin.http.post("/staff/admin/councils", data={**NEW, "slug": "no-token"})
    assert r.status_code == 403
    r = await admin.http.post(
        "/staff/admin/councils",
        data={**NEW, "slug": "cross-site", "csrf_token": admin.csrf},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403
    for client in (admin, clerk):
        await client.http.aclose()


async def test_each_person_lists_the_councils_they_manage(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    shown = {}
    for role in ("admin", "clerk", "other_clerk", "councillor"):
        staff = await sign_in(sqlite_server.base_url, sqlite_seeded.users[role])
        page = (await staff.http.get("/staff/councils")).text
        shown[role] = set(re.findall(r'href="/staff/councils/([a-z0-9-]+)/settings"', page))
        assert ('href="/staff/admin"' in page) is (role == "admin")
        await staff.http.aclose()
    assert shown == {
        "admin": {"aberglas", "elsewhere"},
        "clerk": {"aberglas"},
        "other_clerk": {"elsewhere"},
        "councillor": set(),
    }


async def test_every_section_of_the_settings_saves_and_refuses(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    server = sqlite_server
    # The council's admin saves every section (its clerks only participation and social
    # media: checked at the end).
    clerk = await sign_in(server.base_url, sqlite_seeded.users["council_admin"])
    base = "/staff/councils/aberglas/settings"
    page = (await clerk.http.get(base)).text
    for section in ("identity", "colours", "languages", "participation", "social", "privacy"):
        assert f'id="{section}"' in page
    assert 'href="/staff/councils/aberglas/social"' in page
    assert 'href="/staff/councils/aberglas/sources"' in page

    saves = {
        "identity": {
            "name": "Aberglas Council",
            "logo_url": "https://www.aberglas.gov.uk/logo.svg",
            "host_name": "meetings.aberglas.gov.uk",
        },
        "colours": {"brand_colour": "#8A1538", "brand_text_colour": "#fff"},
        "languages": {"timezone": "Europe/Dublin", "default_language": "cy", "offer_cy": "1"},
        "participation": {
            "moderation": "post",
            "submissions_open": "meeting",
            "max_chars": "500",
            "max_links": "0",
            "rate_per_participant": "3",
            "rate_per_address": "20",
            "blocklist": "spam\nscam",
            "rejection_reasons": "repeat: Already asked",
        },
        "privacy": {"retention_days": "90", "privacy_notice": "Aberglas is the controller."},
        "licence": {
            "licence_name": "CC BY 4.0",
            "licence_url": "https://creativecommons.org/licenses/by/4.0/",
        },
    }
    for section, form in saves.items():
        r = await clerk.post(f"{base}/{section}", form, json_=False)
        assert r.status_code == 303, (section, r.text[:300])
        assert r.headers["location"] == f"{base}?saved={section}#{section}"
    # Welsh only: a resident's earlier choice of English gives way to it, and the language
    # switch offers only what the council offers.
    async with http_client(server.base_url) as http:
        page = (await http.get("/c/aberglas?lang=en")).text
        assert '<html lang="cy">' in page
        assert 'hreflang="cy"' in page and 'hreflang="en"' not in page
    shown = (await clerk.http.get(f"{base}?saved=licence")).text
    assert 'id="licence-saved"' in shown
    async with server.services.sessionmaker() as session:
        council = await council_by_slug(session, "aberglas")
    assert council is not None
    assert (council.name, council.host_name, council.brand_colour) == (
        "Aberglas Council",
        "meetings.aberglas.gov.uk",
        "#8a1538",
    )
    assert (council.timezone, council.default_language, council.languages) == (
        "Europe/Dublin",
        "cy",
        "cy",
    )
    assert (council.moderation, council.submissions_open, council.close_items_when_done) == (
        "post",
        "meeting",
        False,
    )
    assert (council.max_chars, council.max_links, council.rate_per_address) == (500, 0, 20)
    assert council.blocklist == "spam\nscam" and council.retention_days == 90
    assert council.licence_name == "CC BY 4.0"

    # Refused: 422 with the reason in its section and what was typed. (The council is Welsh by
    # default now, and so are its staff pages: this admin chooses English, as the switch does.)
    await clerk.http.get(f"{base}?lang=en")
    r = await clerk.post(
        f"{base}/colours", {"brand_colour": "#777", "brand_text_colour": "#fff"}, json_=False
    )
    assert r.status_code == 422
    assert "contrast ratio of 4.48:1; WCAG AA needs at least 4.5:1" in r.text
    assert 'id="colours-error"' in r.text and _field(r.text, "brand_colour") == "#777"
    r = await clerk.post(f"{base}/participation", {**saves["participation"], "max_chars": "9"})
    assert r.status_code == 422
    assert r.json()["message"] == (
        "Most characters in a contribution is a whole number from 10 to 10000."
    )
    for field, value in (("moderation", "meeting"), ("submissions_open", "pre")):
        r = await clerk.post(f"{base}/participation", {**saves["participation"], field: value})
        assert r.status_code == 422
        assert r.json()["message"] == "Choose one of the options offered."
    r = await clerk.post(f"{base}/privacy", {"retention_days": "7", "privacy_notice": ""})
    assert r.status_code == 422 and "Days personal data is kept" in r.json()["message"]
    r = await clerk.post(
        f"{base}/languages",
        {"timezone": "Europe/London", "default_language": "en", "offer_cy": "1"},
    )
    assert r.status_code == 422 and "default language" in r.json()["message"]
    r = await clerk.post(f"{base}/identity", {"name": "X", "host_name": "not a host"}, json_=False)
    assert r.status_code == 422 and 'id="identity-error"' in r.text
    r = await clerk.post(f"{base}/licence", {"licence_name": "CC BY", "licence_url": ""})
    assert r.status_code == 422

    # Another council's settings: refused, and unchanged.
    r = await clerk.post("/staff/councils/elsewhere/settings/identity", {"name": "Taken over"})
    assert r.status_code == 403
    r = await clerk.post("/staff/councils/nowhere/settings/identity", {"name": "X"})
    assert r.status_code == 404
    await clerk.http.aclose()

    # A clerk of the council: participation yes; its identity, languages, privacy notice and
    # licence are its admins' (shown, in a disabled fieldset, and refused if posted).
    real_clerk = await sign_in(server.base_url, sqlite_seeded.users["clerk"])
    page = (await real_clerk.http.get(f"{base}?lang=en")).text
    assert "Only the council's admins can change" in page
    assert page.count('<fieldset class="unboxed" disabled>') == 5
    for section in ("identity", "colours", "languages", "privacy", "licence"):
        r = await real_clerk.post(f"{base}/{section}", saves[section], json_=False)
        assert r.status_code == 403, section
    r = await real_clerk.post(f"{base}/participation", saves["participation"], json_=False)
    assert r.status_code == 303
    await real_clerk.http.aclose()


async def _meetings(server: RunningServer, n: int) -> None:
    async with writing(server.services.sessionmaker, server.services.broker) as w:
        for i in range(n):
            await create_meeting(
                w,
                council_slug="aberglas",
                title=f"Past meeting {i:02d}",
                body_name="Planning",
                starts_at=datetime(2025, 1, 1 + i, 18, 0, tzinfo=UTC),
            )


async def test_a_council_home_page(sqlite_server: RunningServer, sqlite_seeded: Seeded) -> None:
    server = sqlite_server
    await _meetings(server, 12)
    clerk = await sign_in(server.base_url, sqlite_seeded.users["council_admin"])
    mid = sqlite_seeded.meeting_id
    assert (
        await clerk.post(f"/staff/meetings/{mid}/status", {"action": "open"})
    ).status_code == 200
    async with resident(server.base_url) as someone:
        assert (await contribute(someone, mid, "Will the library open?")).status_code == 201
    async with http_client(server.base_url) as http:
        r = await http.get("/c/aberglas")
        assert r.status_code == 200 and '<html lang="en">' in r.text
        assert "Aberglas County Council" in r.text
        live = r.text.split('id="live-meetings"')[1].split("</ul>")[0]
        assert f'href="/meetings/{mid}"' in live
        assert 'id="figure-pending">1<' in r.text  # pre-moderation: waiting for a clerk
        assert 'href="/c/aberglas/privacy"' in r.text
        assert "theme.css" not in r.text  # the hub's own colours
        # Twelve past meetings: ten on the first page, latest first, two on the second.
        assert len(re.findall(r"Past meeting \d\d", r.text)) == 10 and "Past meeting 11" in r.text
        second = await http.get("/c/aberglas?page=2")
        assert (
            len(re.findall(r"Past meeting \d\d", second.text)) == 2
            and "Past meeting 00" in second.text
        )
        assert 'rel="prev" href="/c/aberglas?page=1#past"' in second.text
        for bad in ("0", "x", "99999999999999999999", "１"):
            assert (await http.get(f"/c/aberglas?page={bad}")).status_code == 400
        assert (await http.get("/c/nowhere")).status_code == 404
        assert (await http.get("/c/nowhere/theme.css")).status_code == 404
        # The resident's choice of language wins over the council's default.
        assert '<html lang="cy">' in (await http.get("/c/aberglas?lang=cy")).text

        # In Welsh by default, in its colours, with its logo (allowed by the page's CSP).
        base = "/staff/councils/aberglas/settings"
        for section, form in (
            (
                "languages",
                {
                    "timezone": "Europe/London",
                    "default_language": "cy",
                    "offer_cy": "1",
                    "offer_en": "1",
                },
            ),
            ("colours", {"brand_colour": "#8a1538", "brand_text_colour": "#ffffff"}),
            (
                "identity",
                {
                    "name": "Aberglas County Council",
                    "logo_url": "https://www.aberglas.gov.uk/logo.svg",
                    "host_name": "",
                },
            ),
        ):
            assert (await clerk.post(f"{base}/{section}", form)).status_code == 200
        fresh = http_client(server.base_url)
        r = await fresh.get("/c/aberglas")
        assert '<html lang="cy">' in r.text
        theme = re.search(
            r'<link rel="stylesheet" href="(/c/aberglas/theme\.css\?v=[0-9a-f]+)">', r.text
        )
        assert theme, "no theme stylesheet"
        assert (
            "img-src 'self' data: https://www.aberglas.gov.uk;"
            in r.headers["content-security-policy"]
        )
        assert "style-src 'self';" in r.headers["content-security-policy"]
        assert 'src="https://www.aberglas.gov.uk/logo.svg"' in r.text
        # The council's other public pages: its language and colours too (no logo there).
        for path in (f"/meetings/{mid}", "/c/aberglas/privacy"):
            other = await fresh.get(path)
            assert '<html lang="cy">' in other.text, path
            assert f'href="{theme.group(1)}"' in other.text, path
        css = await fresh.get(theme.group(1))
        assert css.headers["content-type"].startswith("text/css")
        assert "--brand: #8a1538;" in css.text and "--on-brand: #ffffff;" in css.text
        await fresh.aclose()
    await clerk.http.aclose()


async def test_a_council_on_its_own_host_name(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    server = sqlite_server
    admin = await sign_in(server.base_url, sqlite_seeded.users["admin"])
    r = await admin.post(
        "/staff/councils/aberglas/settings/identity",
        {
            "name": "Aberglas County Council",
            "logo_url": "",
            "host_name": "meetings.aberglas.gov.uk",
        },
    )
    assert r.status_code == 200
    async with http_client(server.base_url) as http:
        deployment = await http.get("/")
        assert 'href="/c/aberglas"' in deployment.text and 'href="/c/elsewhere"' in deployment.text
        own = await http.get("/", headers={"Host": "meetings.aberglas.gov.uk:8443"})
        assert own.status_code == 200 and 'id="council-name">Aberglas County Council<' in own.text
        assert 'href="/c/elsewhere"' not in own.text
        assert (
            await http.get("/?page=0", headers={"Host": "meetings.aberglas.gov.uk"})
        ).status_code == 400
        other = await http.get("/", headers={"Host": "other.example.org"})
        assert 'href="/c/elsewhere"' in other.text
    # A form posted from a page on the council's own host passes the origin check there.
    r = await admin.http.post(
        "/staff/councils/aberglas/settings/privacy",
        data={"retention_days": "120", "privacy_notice": "", "csrf_token": admin.csrf},
        headers={"Host": "meetings.aberglas.gov.uk", "Origin": "https://meetings.aberglas.gov.uk"},
    )
    assert r.status_code == 303
    await admin.http.aclose()
