"""Invitations to a council's staff: a one-time link instead of a password set by hand.

The inviter is shown the link once, to send it themselves: the hub sends no mail. The link
carries a random token (256 bits); only its SHA-256 is stored. It works once, until it expires
(INVITE_LIFETIME) or is revoked. Opening it, the invitee chooses a name and a password (the
usual strength rules, hub/auth.py) and is signed in; for an email that already has an account,
they sign in with its password instead and the invitation adds the role to that account.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from hub.actions import Conflict, Invalid, NotFound
from hub.actions._locks import Actor
from hub.actions.accounts import checked_role, new_account, user_by_email
from hub.actions.audit import record
from hub.auth import invite_key, normalise_email
from hub.events.publish import Writer
from hub.i18n import gettext_ as _
from hub.models import StaffInvite, StaffMembership, StaffUser, utcnow

# A week: long enough for a new clerk to find the email among others, short enough that a link
# forwarded by mistake soon stops working. Revoking one ends it at once.
INVITE_LIFETIME = timedelta(days=7)
TOKEN_BYTES = 32


@dataclass(frozen=True)
class NewInvite:
    invite: StaffInvite
    token: str  # for the link, shown to the inviter once; never stored


async def create_invite(
    w: Writer, *, council_id: int, email: str, role: str, actor: Actor | None
) -> NewInvite:
    """An invitation to ``role`` in the council. A pending invitation of the same email to the
    same council is revoked (the new link replaces the old)."""
    role_ = checked_role(role)
    email = normalise_email(email)
    existing = await user_by_email(w, email)
    if existing is not None:
        member = await w.session.scalar(
            select(StaffMembership.id).where(
                StaffMembership.user_id == existing.id, StaffMembership.council_id == council_id
            )
        )
        if member is not None:
            raise Conflict(
                _("%(email)s is on this council's staff already: change their role instead.")
                % {"email": email}
            )
    now = utcnow()
    for old in await w.session.scalars(
        select(StaffInvite).where(
            StaffInvite.council_id == council_id,
            StaffInvite.email == email,
            StaffInvite.accepted_at.is_(None),
            StaffInvite.revoked_at.is_(None),
        )
    ):
        old.revoked_at = now
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invite = StaffInvite(
        council_id=council_id,
        email=email,
        role=role_.value,
        token_hash=invite_key(token),
        invited_by=actor.user_id if actor else None,
        created_at=now,
        expires_at=now + INVITE_LIFETIME,
    )
    w.session.add(invite)
    await w.session.flush()
    await record(
        w,
        council_id=council_id,
        actor=actor,
        action="invite.created",
        details={"email": email, "role": role_.value},
    )
    return NewInvite(invite, token)


async def revoke_invite(
    w: Writer, *, council_id: int, invite_id: int, actor: Actor | None
) -> StaffInvite:
    invite = await w.session.get(StaffInvite, invite_id, with_for_update=True)
    if invite is None or invite.council_id != council_id:
        raise NotFound(_("There is no such invitation."))
    if invite.accepted_at is not None or invite.revoked_at is not None:
        raise Conflict(_("This invitation has been used or revoked already."))
    invite.revoked_at = utcnow()
    await w.session.flush()
    await record(
        w,
        council_id=council_id,
        actor=actor,
        action="invite.revoked",
        details={"email": invite.email, "role": invite.role},
    )
    return invite


class InviteRefused(Conflict):
    """The link no longer works (used, revoked or expired): the page says which."""

    status = 410
    code = "invite_gone"

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def refusal(invite: StaffInvite | None) -> InviteRefused | None:
    """Why the invitation cannot be accepted now, or None."""
    if invite is None:
        return InviteRefused("this invitation link is not valid", "unknown")
    if invite.revoked_at is not None:
        return InviteRefused("this invitation has been revoked", "revoked")
    if invite.accepted_at is not None:
        return InviteRefused("this invitation has been used already", "used")
    if invite.expires_at <= utcnow():
        return InviteRefused("this invitation has expired", "expired")
    return None


async def accept_invite(
    w: Writer,
    *,
    token: str,
    display_name: str = "",
    password: str | None = None,
    existing_user_id: int | None = None,
) -> StaffUser:
    """Use the invitation: a new account with ``display_name`` and ``password``, or (for an
    email that has an account) ``existing_user_id``, whose password the caller has checked.
    The role is added in the council; the link stops working."""
    invite = await w.session.scalar(
        select(StaffInvite).where(StaffInvite.token_hash == invite_key(token)).with_for_update()
    )
    refused = refusal(invite)
    if refused is not None:
        raise refused
    assert invite is not None
    existing = await user_by_email(w, invite.email)
    if existing is not None:
        if existing.id != existing_user_id:
            raise Invalid(_("Enter the password of the account this invitation is for."))
        if not existing.is_active:
            raise Conflict(_("This account is deactivated: ask a deployment admin."))
        taken = await w.session.scalar(
            select(StaffMembership.id).where(
                StaffMembership.user_id == existing.id,
                StaffMembership.council_id == invite.council_id,
            )
        )
        if taken is not None:
            raise Conflict(_("You are on this council's staff already."))
        user = existing
    else:
        if password is None:
            raise Invalid(_("Choose a password."))
        user = await new_account(
            w, email=invite.email, display_name=display_name, password=password
        )
    w.session.add(StaffMembership(user_id=user.id, council_id=invite.council_id, role=invite.role))
    invite.accepted_at = utcnow()
    await w.session.flush()
    await record(
        w,
        council_id=invite.council_id,
        actor=Actor(user.id, user.display_name),
        action="invite.accepted",
        details={"name": user.display_name, "email": user.email, "role": invite.role},
    )
    return user
