"""Roles per council, invitations and the council audit log, at the actions: a person can
hold different roles in different councils; no council loses its last admin and the
deployment its last admin; an invitation works once, until it expires or is revoked, and only
its hash is stored; every change is in the council's audit log with who made it, and no
secret is."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.actions import Conflict, Invalid
from hub.actions._locks import Actor
from hub.actions.accounts import deactivate, reactivate, set_password
from hub.actions.audit import record
from hub.actions.councils import set_licence, update_policy
from hub.actions.invites import InviteRefused, accept_invite, create_invite, revoke_invite
from hub.actions.memberships import remove_member, set_role
from hub.actions.social_sources import add_source, remove_source, set_credentials
from hub.auth import invite_key
from hub.broker.memory import MemoryBroker
from hub.events.publish import writing
from hub.models import Council, CouncilAuditEntry, StaffInvite, StaffMembership, StaffUser, utcnow
from tests.support import PASSWORD, Seeded

Sessions = async_sessionmaker[AsyncSession]


async def _ids(sm: Sessions) -> tuple[dict[str, int], dict[str, int]]:
    async with sm() as session:
        users = {u.email: u.id for u in await session.scalars(select(StaffUser))}
        councils = {c.slug: c.id for c in await session.scalars(select(Council))}
    return users, councils


async def _audit(sm: Sessions, council_id: int) -> list[tuple[str, str | None, dict[str, object]]]:
    async with sm() as session:
        rows = await session.scalars(
            select(CouncilAuditEntry)
            .where(CouncilAuditEntry.council_id == council_id)
            .order_by(CouncilAuditEntry.id)
        )
        return [(e.action, e.actor_name, json.loads(e.details)) for e in rows]


async def _roles(sm: Sessions, user_id: int) -> dict[int, str]:
    async with sm() as session:
        rows = await session.execute(
            select(StaffMembership.council_id, StaffMembership.role).where(
                StaffMembership.user_id == user_id
            )
        )
        return {c: r for c, r in rows}


async def test_roles_differ_per_council_and_each_change_is_audited(
    sessionmaker: Sessions, seeded: Seeded
) -> None:
    broker = MemoryBroker()
    users, councils = await _ids(sessionmaker)
    admin = Actor(users["admin@aberglas.invalid"], "Council Admin")
    clerk = users["clerk@elsewhere.invalid"]
    async with writing(sessionmaker, broker) as w:
        await set_role(
            w, council_id=councils["aberglas"], user_id=clerk, role="councillor", actor=admin
        )
    assert await _roles(sessionmaker, clerk) == {
        councils["elsewhere"]: "clerk",
        councils["aberglas"]: "councillor",
    }
    async with writing(sessionmaker, broker) as w:
        await set_role(w, council_id=councils["aberglas"], user_id=clerk, role="clerk", actor=admin)
        await remove_member(w, council_id=councils["aberglas"], user_id=clerk, actor=admin)
    assert await _roles(sessionmaker, clerk) == {councils["elsewhere"]: "clerk"}
    audit = await _audit(sessionmaker, councils["aberglas"])
    assert [(a, who) for a, who, _ in audit[-3:]] == [
        ("staff.added", "Council Admin"),
        ("staff.role_changed", "Council Admin"),
        ("staff.removed", "Council Admin"),
    ]
    assert audit[-2][2] == {
        "name": "Other Clerk",
        "email": "clerk@elsewhere.invalid",
        "role": "clerk",
        "previous": "councillor",
    }
    # Nothing of it in the other council's log.
    assert not any(
        a.startswith("staff.") for a, _, _ in await _audit(sessionmaker, councils["elsewhere"])
    )


async def test_no_council_loses_its_last_admin(sessionmaker: Sessions, seeded: Seeded) -> None:
    broker = MemoryBroker()
    users, councils = await _ids(sessionmaker)
    only = users["admin@aberglas.invalid"]
    home = councils["aberglas"]
    for change in (
        lambda w: set_role(w, council_id=home, user_id=only, role="clerk", actor=None),
        lambda w: remove_member(w, council_id=home, user_id=only, actor=None),
        lambda w: deactivate(w, only, actor=None),
    ):
        with pytest.raises(Conflict, match="last admin"):
            async with writing(sessionmaker, broker) as w:
                await change(w)
    # With a second admin, the first may step down.
    async with writing(sessionmaker, broker) as w:
        await set_role(
            w, council_id=home, user_id=users["clerk@aberglas.invalid"], role="admin", actor=None
        )
        await set_role(w, council_id=home, user_id=only, role="clerk", actor=None)
    assert (await _roles(sessionmaker, only))[home] == "clerk"


async def test_deactivation_rules(sessionmaker: Sessions, seeded: Seeded) -> None:
    broker = MemoryBroker()
    users, councils = await _ids(sessionmaker)
    deployment = users["admin@hub.invalid"]
    me = Actor(deployment, "Admin")
    with pytest.raises(Conflict, match="your own account"):
        async with writing(sessionmaker, broker) as w:
            await deactivate(w, deployment, actor=me)
    with pytest.raises(Conflict, match="last active deployment admin"):
        async with writing(sessionmaker, broker) as w:
            await deactivate(w, deployment, actor=None)
    # A council's admin deactivates only accounts that serve that council alone.
    clerk = users["clerk@elsewhere.invalid"]
    async with writing(sessionmaker, broker) as w:
        await set_role(w, council_id=councils["aberglas"], user_id=clerk, role="clerk", actor=None)
    with pytest.raises(Conflict, match="other councils too"):
        async with writing(sessionmaker, broker) as w:
            await deactivate(w, clerk, actor=None, within=councils["aberglas"])
    async with writing(sessionmaker, broker) as w:
        await deactivate(w, users["councillor@aberglas.invalid"], within=councils["aberglas"])
        await deactivate(w, clerk, actor=me)
    audit = await _audit(sessionmaker, councils["elsewhere"])
    assert audit[-1] == (
        "staff.deactivated",
        "Admin",
        {"name": "Other Clerk", "email": "clerk@elsewhere.invalid"},
    )
    async with writing(sessionmaker, broker) as w:
        await reactivate(w, clerk, actor=me)
        await set_password(w, clerk, "another long password for them", actor=me)
    actions = [a for a, _, _ in await _audit(sessionmaker, councils["aberglas"])]
    assert actions[-2:] == ["staff.reactivated", "staff.password_set"]
    async with sessionmaker() as session:
        assert (await session.get(StaffUser, clerk)).is_active  # type: ignore[union-attr]


async def test_an_invitation_works_once(sessionmaker: Sessions, seeded: Seeded) -> None:
    broker = MemoryBroker()
    users, councils = await _ids(sessionmaker)
    admin = Actor(users["admin@aberglas.invalid"], "Council Admin")
    home = councils["aberglas"]
    async with writing(sessionmaker, broker) as w:
        made = await create_invite(
            w, council_id=home, email=" New.Clerk@Aberglas.invalid ", role="clerk", actor=admin
        )
    async with sessionmaker() as session:
        stored = await session.scalar(select(StaffInvite))
    assert stored is not None and stored.email == "new.clerk@aberglas.invalid"
    assert stored.token_hash == invite_key(made.token) and made.token not in stored.token_hash
    with pytest.raises(Invalid, match="too easy"):
        async with writing(sessionmaker, broker) as w:
            await accept_invite(w, token=made.token, display_name="New", password="password1234")
    async with writing(sessionmaker, broker) as w:
        user = await accept_invite(w, token=made.token, display_name="New Clerk", password=PASSWORD)
        user_id = user.id
    assert await _roles(sessionmaker, user_id) == {home: "clerk"}
    with pytest.raises(InviteRefused, match="used already"):
        async with writing(sessionmaker, broker) as w:
            await accept_invite(w, token=made.token, display_name="Again", password=PASSWORD)
    with pytest.raises(InviteRefused, match="not valid"):
        async with writing(sessionmaker, broker) as w:
            await accept_invite(w, token=made.token + "x", display_name="X", password=PASSWORD)
    # Revoked, and expired, links are refused too.
    async with writing(sessionmaker, broker) as w:
        revoked = await create_invite(
            w, council_id=home, email="r@aberglas.invalid", role="clerk", actor=admin
        )
        expired = await create_invite(
            w, council_id=home, email="e@aberglas.invalid", role="clerk", actor=admin
        )
        await revoke_invite(w, council_id=home, invite_id=revoked.invite.id, actor=admin)
        await w.session.execute(
            update(StaffInvite)
            .where(StaffInvite.id == expired.invite.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    for made_, why in ((revoked, "revoked"), (expired, "expired")):
        with pytest.raises(InviteRefused, match=why):
            async with writing(sessionmaker, broker) as w:
                await accept_invite(w, token=made_.token, display_name="X", password=PASSWORD)
    audit = await _audit(sessionmaker, home)
    assert [a for a, _, _ in audit[-5:]] == [
        "invite.created",
        "invite.accepted",
        "invite.created",
        "invite.created",
        "invite.revoked",
    ]
    assert audit[-4] == (
        "invite.accepted",
        "New Clerk",
        {"name": "New Clerk", "email": "new.clerk@aberglas.invalid", "role": "clerk"},
    )
    assert not any(made.token in json.dumps(d) for _, _, d in audit)


async def test_an_invitation_for_an_existing_account_adds_the_role(
    sessionmaker: Sessions, seeded: Seeded
) -> None:
    broker = MemoryBroker()
    users, councils = await _ids(sessionmaker)
    other = users["clerk@elsewhere.invalid"]
    async with writing(sessionmaker, broker) as w:
        made = await create_invite(
            w,
            council_id=councils["aberglas"],
            email="clerk@elsewhere.invalid",
            role="councillor",
            actor=None,
        )
    with pytest.raises(Invalid, match="password of the account"):
        async with writing(sessionmaker, broker) as w:
            await accept_invite(w, token=made.token, password=PASSWORD)  # no proof of the account
    async with writing(sessionmaker, broker) as w:
        await accept_invite(w, token=made.token, existing_user_id=other)
    assert await _roles(sessionmaker, other) == {
        councils["elsewhere"]: "clerk",
        councils["aberglas"]: "councillor",
    }
    with pytest.raises(Conflict, match="staff already"):
        async with writing(sessionmaker, broker) as w:
            await create_invite(
                w,
                council_id=councils["aberglas"],
                email="clerk@elsewhere.invalid",
                role="clerk",
                actor=None,
            )


async def test_council_changes_are_audited_without_secrets(
    sessionmaker: Sessions, seeded: Seeded
) -> None:
    broker = MemoryBroker()
    _users, councils = await _ids(sessionmaker)
    clerk = Actor(_users["clerk@aberglas.invalid"], "Clerk")
    secret = "gAAAA-encrypted-credentials-SECRET"
    async with writing(sessionmaker, broker) as w:
        await update_policy(w, "aberglas", {"max_chars": 500, "moderation": "pre"}, actor=clerk)
        await update_policy(w, "aberglas", {"max_chars": 500}, actor=clerk)  # no change: no entry
        await set_licence(w, "aberglas", "CC BY 4.0", "https://example.org/by", actor=clerk)
        source = await add_source(w, "aberglas", "mastodon", "social.example", actor=clerk)
        await set_credentials(w, source.id, secret, actor=clerk)
        await remove_source(w, source.id, actor=clerk)
    audit = await _audit(sessionmaker, councils["aberglas"])
    assert [(a, who, d) for a, who, d in audit][-5:] == [
        ("council.policy_changed", "Clerk", {"fields": ["max_chars"]}),
        ("council.licence_set", "Clerk", {"name": "CC BY 4.0"}),
        ("social_source.added", "Clerk", {"name": "social.example", "platform": "mastodon"}),
        ("social_source.credentials_set", "Clerk", {"name": "social.example"}),
        ("social_source.removed", "Clerk", {"name": "social.example"}),
    ]
    assert secret not in json.dumps(audit)
    with pytest.raises(ValueError, match="carries no"):
        async with writing(sessionmaker, broker) as w:
            await record(
                w,
                council_id=councils["aberglas"],
                actor=None,
                action="social_source.added",
                details={"name": "x", "token": secret},
            )
