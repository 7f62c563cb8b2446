"""Residents' pseudonymous participant ids, carried in a signed cookie.

No account, no email: a random id ties one browser's submissions and votes together, so a
resident sees their own submissions' status and votes once per question. The cookie is signed
(itsdangerous, with the deployment's secret) so nobody can pose as another participant. The id
is personal data: it is never published, and staff see only a one-way pseudonym of it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer
from itsdangerous.signer import HMACAlgorithm
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


@dataclass(frozen=True)
class _Signing:
    """The serializer's HMAC with its key derived once: ``dumps`` and ``loads`` make a signer and
    derive its key on every call, 10 of their 15 us (issue 14; a new participant's cookie is
    written on every first submission)."""

    mac: hmac.HMAC

    def signature(self, payload: bytes) -> bytes:
        mac = self.mac.copy()
        mac.update(payload)
        return _b64(mac.digest())


def _b64(data: bytes) -> bytes:
    # itsdangerous.encoding.base64_encode: URL-safe, unpadded.
    return base64.urlsafe_b64encode(data).rstrip(b"=")


@functools.lru_cache(maxsize=8)
def _signing(secret: str) -> _Signing:
    signer = _serializer(secret).make_signer()
    assert isinstance(signer.algorithm, HMACAlgorithm) and signer.sep == b"."
    return _Signing(hmac.new(signer.derive_key(), digestmod=signer.algorithm.digest_method))


def cookie_value(participant: str, secret: str) -> str:
    """``_serializer(secret).dumps(participant)`` made with the derived key: the compact JSON
    string, base64, a dot and the signature of that. ``dumps`` would compress the JSON if that
    saved two bytes, which 32 random characters (``new_participant``) do with a chance far below
    any collision's; ``loads`` reads either spelling, so cookies stay what they were."""
    payload = _b64(json.dumps(participant, separators=(",", ":")).encode())
    return (payload + b"." + _signing(secret).signature(payload)).decode("ascii")


def read_cookie(raw: str, secret: str) -> object:
    """What ``_serializer(secret).loads(raw)`` gives (raises BadSignature alike). A value this
    module wrote is checked here with the derived key; anything else (a bad signature, another
    spelling of one) is left to itsdangerous, so what is accepted does not change."""
    payload, dot, signature = raw.encode("latin-1", "replace").rpartition(b".")
    if dot and hmac.compare_digest(_signing(secret).signature(payload), signature):
        return _serializer(secret).load_payload(payload)  # what loads does after the check
    return _serializer(secret).loads(raw)


def participant_of(conn: HTTPConnection, secret: str) -> str | None:
    raw = conn.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        value = read_cookie(raw, secret)
    except BadSignature:
        return None
    return value if isinstance(value, str) and 16 <= len(value) <= 64 else None


def new_participant() -> str:
    return secrets.token_urlsafe(24)


def set_cookie(response: Response, participant: str, secret: str, secure: bool) -> None:
    # What Response.set_cookie(COOKIE, value, max_age=MAX_AGE_S, httponly=True, samesite="lax",
    # secure=secure) writes, without its SimpleCookie (a fifth of a first visit's cost): the
    # value is URL-safe base64 and dots, which a cookie takes unquoted.
    value = cookie_value(participant, secret)
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
