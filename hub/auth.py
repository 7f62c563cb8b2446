"""Staff authentication: argon2id passwords, signed session cookies, roles and CSRF. Accounts
themselves are created and changed by hub/actions/accounts.py.

The session cookie (Starlette's SessionMiddleware: itsdangerous-signed, HttpOnly, SameSite=Lax)
holds the user id, the user's ``session_version`` and a CSRF token. Bumping ``session_version``
(password change, deactivation) ends every session of that user at once.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from hub.actions import Invalid
from hub.models import Role, StaffUser

# argon2-cffi's defaults (RFC 9106 low-memory profile: t=3, m=64 MiB, p=4): ~50 ms a login here.
_hasher = PasswordHasher()
# A hash of a random password, verified against when the email is unknown, so a login for a
# non-existent account takes as long as one with a wrong password (no user enumeration by timing).
DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

MIN_PASSWORD_CHARS = 12
EMAIL_MAX_CHARS = 254  # staff_users.email
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise Invalid(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    return _hasher.hash(password)


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > EMAIL_MAX_CHARS:
        raise Invalid("enter a valid email address")
    return email


@dataclass(frozen=True)
class Verified:
    """A staff member whose password matched; ``new_hash`` when it should be stored again."""

    user_id: int
    session_version: int
    new_hash: str | None


async def authenticate(session: AsyncSession, email: str, password: str) -> Verified | None:
    """Check a sign-in (reads only: hub/actions/accounts.record_sign_in records it)."""
    try:
        email = normalise_email(email)
    except Invalid:
        await asyncio.to_thread(verify_password, DUMMY_HASH, password)
        return None
    user = (
        await session.execute(select(StaffUser).where(StaffUser.email == email))
    ).scalar_one_or_none()
    # argon2 costs ~50 ms of CPU: verify in a thread so the event loop keeps streaming.
    if user is None or not user.is_active:
        await asyncio.to_thread(verify_password, DUMMY_HASH, password)
        return None
    if not await asyncio.to_thread(verify_password, user.password_hash, password):
        return None
    new_hash = None
    if needs_rehash(user.password_hash):
        new_hash = await asyncio.to_thread(hash_password, password)
    return Verified(user.id, user.session_version, new_hash)


@dataclass(frozen=True)
class StaffIdentity:
    """The signed-in staff member, as routes see them."""

    user_id: int
    display_name: str
    role: Role
    council_id: int | None

    def can_drive(self, council_id: int) -> bool:
        """Clerks drive their own council's meetings; admins drive any."""
        if self.role is Role.ADMIN:
            return True
        return self.role is Role.CLERK and self.council_id == council_id

    def can_review(self, council_id: int) -> bool:
        if self.role is Role.ADMIN:
            return True
        return self.council_id == council_id


def login(conn: HTTPConnection, user: Verified) -> None:
    conn.session.clear()  # a fresh session on login: no fixation
    conn.session["uid"] = user.user_id
    conn.session["ver"] = user.session_version
    conn.session["csrf"] = secrets.token_urlsafe(32)


def logout(conn: HTTPConnection) -> None:
    conn.session.clear()


async def current_staff(conn: HTTPConnection, session: AsyncSession) -> StaffIdentity | None:
    uid = conn.session.get("uid")
    if not isinstance(uid, int):
        return None
    user = await session.get(StaffUser, uid)
    if user is None or not user.is_active or user.session_version != conn.session.get("ver"):
        conn.session.clear()
        return None
    return StaffIdentity(user.id, user.display_name, Role(user.role), user.council_id)


def csrf_token(conn: HTTPConnection) -> str:
    token = conn.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        conn.session["csrf"] = token
    return token


def csrf_valid(conn: HTTPConnection, submitted: str | None) -> bool:
    expected = conn.session.get("csrf")
    if not isinstance(expected, str) or not submitted:
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())
