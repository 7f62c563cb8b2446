"""Staff authentication: argon2id passwords, server-side sessions, roles and CSRF. Accounts and
sessions are created and ended by hub/actions (accounts.py, sessions.py).

The session cookie (Starlette's SessionMiddleware: itsdangerous-signed, HttpOnly, SameSite=Lax)
holds a random session id and a CSRF token. The id names a row of ``staff_sessions`` (by its
hash), looked up on every staff request: signing out, "sign out everywhere", a password change
and a deactivation delete rows, so a copied cookie stops working at once, not when it expires.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection
from zxcvbn import zxcvbn

from hub.actions import Invalid
from hub.models import Role, StaffMembership, StaffSession, StaffUser, utcnow

# argon2-cffi's defaults (RFC 9106 low-memory profile: t=3, m=64 MiB, p=4): ~50 ms a login here.
_hasher = PasswordHasher()
# A hash of a random password (thrown away), verified against when the email is unknown, so a
# login for a non-existent account takes as long as one with a wrong password (no user
# enumeration by timing). Written out rather than made at import, which cost every process
# importing this module (each CLI command) ~250 ms of CPU; tests/web/test_auth.py checks that
# it has the hasher's parameters, so it costs what a real one does.
DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$OrIZrBVdItLN43ZINw6OOw"
    "$KXd82VMTwLIfdO/dhgm/pNCI+nqDXUDIRC4GXJ7SGCo"
)

MIN_PASSWORD_CHARS = 12
# zxcvbn's scores run 0-4; 3 means an estimated 10^8 guesses or more ("safely unguessable"
# behind a slow hash such as argon2), and refuses "password1234", "aaaaaaaaaaaa", keyboard walks
# and the account's own email.
MIN_PASSWORD_SCORE = 3
ZXCVBN_MAX_CHARS = 72
EMAIL_MAX_CHARS = 254  # staff_users.email
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
# One long meeting day. The cookie's max-age is the same, but the row decides.
SESSION_LIFETIME = timedelta(hours=12)
# A session's last-seen time is written at most this often: a write per session every few
# minutes, not one per request (SQLite has one writer at a time).
SEEN_EVERY = timedelta(minutes=5)


def check_strength(password: str, user_inputs: Sequence[str] = ()) -> None:
    """Refuse a password too short, or that zxcvbn (its lists of common passwords, names and
    words, and its patterns: repeats, sequences, keyboard walks, dates) rates as guessable.
    ``user_inputs`` (the account's email and name) count as known words."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise Invalid(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    # zxcvbn's time grows fast with length and it refuses more than 72 characters; a password
    # whose first 72 are strong is strong.
    rating = zxcvbn(password[:ZXCVBN_MAX_CHARS], user_inputs=list(user_inputs))
    if rating["score"] < MIN_PASSWORD_SCORE:
        why = (rating["feedback"]["warning"] or "It follows a common pattern").rstrip(".")
        raise Invalid(
            f"that password is too easy to guess ({why[:1].lower()}{why[1:]}): use a longer "
            "phrase of unrelated words, or let the hub generate one"
        )


def hash_password(password: str, user_inputs: Sequence[str] = ()) -> str:
    """The hash of a new password, once it passes ``check_strength``."""
    check_strength(password, user_inputs)
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
        # The password is already the account's: a stronger hash of it, without judging it.
        new_hash = await asyncio.to_thread(_hasher.hash, password)
    return Verified(user.id, new_hash)


@dataclass(frozen=True)
class StaffIdentity:
    """The signed-in staff member, as routes see them: their role in each council they serve
    (``roles``: council id -> role), or every council for a deployment admin."""

    user_id: int
    display_name: str
    is_deployment_admin: bool
    roles: Mapping[int, Role]
    session_key: str  # the session row's id_hash
    last_seen_at: datetime

    @property
    def seen_long_ago(self) -> bool:
        """Whether the session's last-seen time is old enough to be written again."""
        return utcnow() - self.last_seen_at >= SEEN_EVERY

    def role_in(self, council_id: int) -> Role | None:
        """Their role in the council (a deployment admin is every council's admin)."""
        if self.is_deployment_admin:
            return Role.ADMIN
        return self.roles.get(council_id)

    def can_drive(self, council_id: int) -> bool:
        """The council's clerks and admins drive and moderate its meetings."""
        return self.role_in(council_id) in (Role.ADMIN, Role.CLERK)

    def can_review(self, council_id: int) -> bool:
        """Anyone on the council's staff reads its staff record."""
        return self.role_in(council_id) is not None

    def can_manage(self, council_id: int) -> bool:
        """The council's admins manage its staff and read its audit log."""
        return self.role_in(council_id) is Role.ADMIN

    def council_ids(self) -> list[int] | None:
        """The councils they serve; None: every council (a deployment admin)."""
        return None if self.is_deployment_admin else sorted(self.roles)


def session_key(session_id: str) -> str:
    """What ``staff_sessions`` stores for a session id: its SHA-256 (the id is 256 random bits,
    so a fast hash is enough; nothing in the table can be replayed as a cookie)."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def invite_key(token: str) -> str:
    """What ``staff_invites`` stores for an invitation link's token: its SHA-256 (the token is
    256 random bits, so a fast hash is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


def session_id(conn: HTTPConnection) -> str | None:
    """The session id the request's cookie carries, if any."""
    value = conn.session.get("sid")
    return value if isinstance(value, str) else None


def login(conn: HTTPConnection, new_session_id: str) -> None:
    """Put a session (started by hub/actions/sessions.start_session) in the cookie."""
    conn.session.clear()  # a fresh cookie on login: no fixation
    conn.session["sid"] = new_session_id
    conn.session["csrf"] = secrets.token_urlsafe(32)


def logout(conn: HTTPConnection) -> None:
    conn.session.clear()


async def current_staff(conn: HTTPConnection, session: AsyncSession) -> StaffIdentity | None:
    sid = session_id(conn)
    if sid is None:
        return None
    found = (
        await session.execute(
            select(StaffSession, StaffUser)
            .join(StaffUser, StaffUser.id == StaffSession.user_id)
            .where(StaffSession.id_hash == session_key(sid))
        )
    ).one_or_none()
    if found is None or found[0].expires_at <= utcnow() or not found[1].is_active:
        conn.session.clear()
        return None
    row, user = found
    roles = {
        council_id: Role(role)
        for council_id, role in await session.execute(
            select(StaffMembership.council_id, StaffMembership.role).where(
                StaffMembership.user_id == user.id
            )
        )
    }
    return StaffIdentity(
        user.id,
        user.display_name,
        user.is_deployment_admin,
        MappingProxyType(roles),
        row.id_hash,
        row.last_seen_at,
    )


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
