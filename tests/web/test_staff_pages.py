"""The staff pages over HTTP: a council admin invites (the link shown once, no mail sent), the
invitee accepts and is signed in with the role; used, revoked and unknown links are refused
clearly; roles change, the last admin stays, deactivation signs out at once; the audit log
reads as sentences in English and Welsh, a page at a time; a person's roles differ per
council; every account for deployment admins only."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from hub.actions.audit import record
from hub.events.publish import writing
from hub.models import Council, StaffUser
from hub.queries.councils import council_by_slug
from tests.support import (
    CSRF_RE,
    PASSWORD,
    RunningServer,
    Seeded,
    StaffClient,
    http_client,
    sign_in,
)

LINK_RE = re.compile(r'id="invite-link"[^>]*value="([^"]+)"')
NEW_PASSWORD = "granite lantern orchard twelve"


async def _invite(admin: StaffClient, email: str, role: str = "clerk") -> str:
    r = await admin.post(
        "/staff/councils/aberglas/staff/invites", {"email": email, "role": role}, json_=False
    )
    assert r.status_code == 201, r.text
    assert "sends no email" in r.text
    found = LINK_RE.search(r.text)
    assert found, "the page shows the link"
    return found.group(1)


async def _accept(http: httpx.AsyncClient, link: str, form: dict[str, str]) -> httpx.Response:
    page = await http.get(link)
    assert page.status_code == 200, page.text
    token = CSRF_RE.search(page.text)
    assert token
    return await http.post(link, data={**form, "csrf_token": token.group(1)})


async def _council(server: RunningServer, slug: str) -> Council:
    async with server.services.sessionmaker() as session:
        council = await council_by_slug(session, slug)
    assert council is not None
    return council


async def test_an_invited_clerk_joins_and_drives_the_meeting(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    admin = await sign_in(sqlite_server.base_url, sqlite_seeded.users["council_admin"])
    link = await _invite(admin, "new.clerk@aberglas.invalid")
    page = await admin.http.get("/staff/councils/aberglas/staff")
    assert "new.clerk@aberglas.invalid" in page.text  # waiting to be accepted
    assert link.split("/")[-1] not in page.text  # the link was shown once, and is not kept
    async with http_client(sqlite_server.base_url, follow_redirects=False) as http:
        r = await _accept(
            http,
            link,
            {"display_name": "Nia", "password": NEW_PASSWORD, "password_again": "other"},
        )
        assert r.status_code == 422 and "not the same" in r.text
        r = await _accept(
            http,
            link,
            {"display_name": "Nia", "password": "password1234", "password_again": "password1234"},
        )
        assert r.status_code == 422 and "too easy to guess" in r.text
        r = await _accept(
            http,
            link,
            {"display_name": "Nia", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
        )
        assert r.status_code == 303 and r.headers["location"] == "/staff/"
        dashboard = await http.get("/staff/")
        assert dashboard.status_code == 200 and "Nia" in dashboard.text
        assert "Your role: Clerk" in dashboard.text
        console = await http.get(f"/staff/meetings/{sqlite_seeded.meeting_id}")
        assert console.status_code == 200
        other = await http.get(f"/staff/meetings/{sqlite_seeded.other_meeting_id}")
        assert other.status_code == 403
        # The link works once.
        again = await http.get(link)
        assert again.status_code == 410 and "used already" in again.text
    # And the new clerk signs in with the password they chose.
    nia = await sign_in(sqlite_server.base_url, "new.clerk@aberglas.invalid", NEW_PASSWORD)
    await nia.http.aclose()
    log = await admin.http.get("/staff/councils/aberglas/audit")
    assert "Invited new.clerk@aberglas.invalid to join as Clerk." in log.text
    assert "Nia (new.clerk@aberglas.invalid) accepted the invitation to join as Clerk." in log.text
    await admin.http.aclose()


async def test_revoked_and_unknown_links_are_refused(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    admin = await sign_in(sqlite_server.base_url, sqlite_seeded.users["council_admin"])
    link = await _invite(admin, "someone@aberglas.invalid", "councillor")
    page = await admin.http.get("/staff/councils/aberglas/staff")
    revoke = re.search(r'action="(/staff/councils/aberglas/staff/invites/\d+/revoke)"', page.text)
    assert revoke
    assert (await admin.post(revoke.group(1), {})).status_code == 200
    async with http_client(sqlite_server.base_url) as http:
        r = await http.get(link)
        assert r.status_code == 410 and "withdrawn" in r.text
        r = await http.get(link + "?lang=cy")
        assert r.status_code == 410 and "wedi’i dynnu’n ôl" in r.text
        r = await http.get("/staff/invites/not-a-token?lang=en")
        assert r.status_code == 404 and "not valid" in r.text
        r = await http.get("/staff/invites/" + "x" * 5000)
        assert r.status_code == 404
    await admin.http.aclose()


async def test_an_invitation_adds_a_role_to_an_existing_account(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    """A clerk of one council becomes a councillor of another: they review its meetings and
    do not drive them."""
    admin = await sign_in(sqlite_server.base_url, sqlite_seeded.users["council_admin"])
    email = sqlite_seeded.users["other_clerk"]
    link = await _invite(admin, email, "councillor")
    async with http_client(sqlite_server.base_url, follow_redirects=False) as http:
        page = await http.get(link)
        assert "enter its password" in page.text and 'name="display_name"' not in page.text
        r = await _accept(http, link, {"password": "not the password at all"})
        assert r.status_code == 401
        r = await _accept(http, link, {"password": PASSWORD})
        assert r.status_code == 303
        dashboard = await http.get("/staff/")
        assert "Aberglas County Council" in dashboard.text
        assert "Elsewhere Borough Council" in dashboard.text
        mid, other = sqlite_seeded.meeting_id, sqlite_seeded.other_meeting_id
        assert (await http.get(f"/staff/meetings/{mid}/review")).status_code == 200
        assert (await http.get(f"/staff/meetings/{mid}")).status_code == 403
        assert (await http.get(f"/staff/meetings/{mid}/moderation")).status_code == 403
        assert (await http.get(f"/staff/meetings/{other}")).status_code == 200
    await admin.http.aclose()


async def test_roles_change_the_last_admin_stays_and_deactivation_signs_out(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    users = sqlite_seeded.users
    admin = await sign_in(sqlite_server.base_url, users["council_admin"])
    councillor = await sign_in(sqlite_server.base_url, users["councillor"])
    page = (await admin.http.get("/staff/councils/aberglas/staff")).text
    ids = dict(
        (email, int(uid))
        for uid, email in re.findall(
            r'<tr id="member-(\d+)">\s*<td>[^<]*</td>\s*<td>([^<]+)</td>', page
        )
    )
    me = ids[users["council_admin"]]
    # The council's only admin cannot step down or leave.
    r = await admin.post(
        f"/staff/councils/aberglas/staff/{me}/role", {"role": "clerk"}, json_=False
    )
    assert r.status_code == 409 and "last admin" in r.text
    r = await admin.post(f"/staff/councils/aberglas/staff/{me}/remove", {})
    assert r.status_code == 409
    # A role changes; an account on another council's staff only is not found here.
    cid = ids[users["councillor"]]
    r = await admin.post(f"/staff/councils/aberglas/staff/{cid}/role", {"role": "clerk"})
    assert r.status_code == 200
    assert (
        await councillor.http.get(f"/staff/meetings/{sqlite_seeded.meeting_id}")
    ).status_code == 200
    async with sqlite_server.services.sessionmaker() as session:
        stranger = await session.scalar(
            select(StaffUser.id).where(StaffUser.email == users["other_clerk"])
        )
    for action in ("role", "remove", "deactivate"):
        r = await admin.post(
            f"/staff/councils/aberglas/staff/{stranger}/{action}", {"role": "clerk"}
        )
        assert r.status_code == 404, action  # not this council's to change
    # Deactivation ends the account's sessions at once.
    r = await admin.post(f"/staff/councils/aberglas/staff/{cid}/deactivate", {})
    assert r.status_code == 200
    r = await councillor.http.get("/staff/")
    assert r.status_code == 303 and "/staff/login" in r.headers["location"]
    log = (await admin.http.get("/staff/councils/aberglas/audit?lang=cy")).text
    assert "Dadactifadodd gyfrif Councillor (councillor@aberglas.invalid)." in log
    assert "Newidiodd rôl Councillor (councillor@aberglas.invalid) o Cynghorydd i Clerc." in log
    await admin.http.aclose()
    await councillor.http.aclose()


async def test_the_audit_log_is_paged_newest_first(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    council = await _council(sqlite_server, "aberglas")
    svc = sqlite_server.services
    async with writing(svc.sessionmaker, svc.broker) as w:
        for n in range(55):
            await record(
                w,
                council_id=council.id,
                actor=None,
                action="agenda_source.added",
                details={"name": f"source-{n:02d}", "kind": "ical"},
            )
    admin = await sign_in(sqlite_server.base_url, sqlite_seeded.users["council_admin"])
    first = (await admin.http.get("/staff/councils/aberglas/audit")).text
    names = re.findall(r"source-(\d\d)", first)
    assert names[0] == "54" and len(names) == 50
    assert "Added the agenda source source-54 (iCalendar)." in first
    assert "The command line" in first and "agenda_source.added" not in first
    older = re.search(r'href="(/staff/councils/aberglas/audit\?before=\d+)"', first)
    assert older
    second = (await admin.http.get(older.group(1).replace("&amp;", "&"))).text
    assert re.findall(r"source-(\d\d)", second) == ["04", "03", "02", "01", "00"]
    bad = await admin.http.get("/staff/councils/aberglas/audit?before=soon")
    assert bad.status_code == 400
    data = (
        await admin.http.get(
            "/staff/councils/aberglas/audit", headers={"Accept": "application/json"}
        )
    ).json()
    assert data["entries"][0]["action"] == "agenda_source.added" and data["older"]
    await admin.http.aclose()


async def test_every_account_for_deployment_admins_only(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    users = sqlite_seeded.users
    admin = await sign_in(sqlite_server.base_url, users["admin"])
    council_admin = await sign_in(sqlite_server.base_url, users["council_admin"])
    assert (await council_admin.http.get("/staff/users")).status_code == 403
    page = (await admin.http.get("/staff/users")).text
    for email in users.values():
        assert email in page
    async with sqlite_server.services.sessionmaker() as session:
        other_id = await session.scalar(
            select(StaffUser.id).where(StaffUser.email == users["other_clerk"])
        )
    off = f"/staff/users/{other_id}/deactivate"
    assert f'action="{off}"' in page, "a deactivate form per account"
    assert (await admin.post(off, {})).status_code == 200
    async with http_client(sqlite_server.base_url) as http:
        page = await http.get("/staff/login")
        token = CSRF_RE.search(page.text)
        assert token
        r = await http.post(
            "/staff/login",
            data={
                "email": users["other_clerk"],
                "password": PASSWORD,
                "csrf_token": token.group(1),
            },
        )
        assert r.status_code == 401
    back = f"/staff/users/{other_id}/reactivate"
    assert (await admin.post(back, {})).status_code == 200
    elsewhere = await sign_in(sqlite_server.base_url, users["other_clerk"])
    await elsewhere.http.aclose()
    # A deployment admin is offered no way to deactivate themselves, and is refused one.
    async with sqlite_server.services.sessionmaker() as session:
        my_id = await session.scalar(select(StaffUser.id).where(StaffUser.email == users["admin"]))
    assert f"/staff/users/{my_id}/deactivate" not in (await admin.http.get("/staff/users")).text
    r = await admin.post(f"/staff/users/{my_id}/deactivate", {})
    assert r.status_code == 409 and "your own account" in r.text
    await admin.http.aclose()
    await council_admin.http.aclose()
