"""Residents' pseudonymous participant ids, carried in a signed cookie.

No account, no email: a random id ties one browser's submissions and votes together, so a
resident sees their own submissions' status and votes once per question. The cookie is signed
(itsdangerous, with the deployment's secret) so nobody can pose as another participant. The id
is personal data: it is never published, and staff see only a one-way pseudonym of it.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import HTTPConnection
from starlette.responses import Response

COOKIE = "council_hub_participant"
# A year: a resident who comes back to next month's meeting keeps their votes' identity.
MAX_AGE_S = 365 * 24 * 3600
_SALT = "council-hub.participant"


@functools.lru_cache(maxsize=8)
def _serializer(secret: str) -> URLSafeSerializer:
    # One per secret: building it (its signer's keys) cost as much as signing (issue 14).
    return URLSafeSerializer(secret, salt=_SALT)


def participant_of(conn: HTTPConnection, secret: str) -> str | None:
    raw = conn.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        value = _serializer(secret).loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, str) and 16 <= len(value) <= 64 else None


def new_participant() -> str:
    return secrets.token_urlsafe(24)


def set_cookie(response: Response, participant: str, secret: str, secure: bool) -> None:
    # What Response.set_cookie(COOKIE, value, max_age=MAX_AGE_S, httponly=True, samesite="lax",
    # secure=secure) writes, without its SimpleCookie (a fifth of a first visit's cost): the
    # value is URL-safe base64 and dots, which a cookie takes unquoted.
    value = _serializer(secret).dumps(participant)
    flags = "; Secure" if secure else ""
    cookie = f"{COOKIE}={value}; HttpOnly; Max-Age={MAX_AGE_S}; Path=/; SameSite=lax{flags}"
    response.raw_headers.append((b"set-cookie", cookie.encode("latin-1")))


def form_token(participant: str, secret: str) -> str:
    """CSRF token for the no-JavaScript submission form, bound to the participant."""
    return hmac.new(secret.encode(), f"form:{participant}".encode(), hashlib.sha256).hexdigest()


def form_token_valid(participant: str, secret: str, token: str | None) -> bool:
    # As bytes: compare_digest raises TypeError on str holding anything but ASCII.
    expected = form_token(participant, secret).encode()
    return bool(token) and hmac.compare_digest(expected, (token or "").encode())
