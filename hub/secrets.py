"""Social sources' credentials, encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256).

The key comes from settings (``COUNCIL_HUB_CREDENTIALS_KEY``, read once at start-up and passed
here). Several keys, comma-separated, rotate: the first encrypts, any of them decrypts.

With no key configured the hub stores no credentials at all: ``encrypt`` refuses, so a source
that needs them (X, Bluesky) cannot be added, while one that needs none (a Mastodon instance)
can; the demo runs with no setup. A random key per process (as the session key is for the demo)
was rejected: credentials saved through one process would be unreadable by the process that
polls, and by every process after a restart, without anyone being told.

Credentials are write-only: they are decrypted only in the poller (and ``social check``), into
the source objects that send them to the platform, and never returned by a page, an API, an
export, a log line or an event. ``Credentials.__repr__`` hides the values, so a traceback or a
debug print of one shows none of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from hub.actions import Invalid

NO_KEY = (
    "this hub has no key to store credentials with: the operator sets "
    "COUNCIL_HUB_CREDENTIALS_KEY (see docs/social.md)"
)


class Unreadable(Exception):
    """Stored credentials that no configured key decrypts (the key was changed or lost)."""


class Credentials(dict[str, str]):
    """Decrypted credentials: a dict whose repr never shows its values."""

    def __repr__(self) -> str:
        return f"Credentials({sorted(self)}, values hidden)"

    __str__ = __repr__


def valid_key(key: str) -> bool:
    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        return False
    return True


def new_key() -> str:
    return Fernet.generate_key().decode()


class Secrets:
    def __init__(self, keys: tuple[str, ...]) -> None:
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys]) if keys else None

    @property
    def available(self) -> bool:
        return self._fernet is not None

    def encrypt(self, values: Mapping[str, str]) -> str:
        """The stored form of ``values`` (a Fernet token); Invalid when there is no key."""
        if self._fernet is None:
            raise Invalid(NO_KEY)
        plain = json.dumps(dict(values), separators=(",", ":"), sort_keys=True)
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> Credentials:
        if self._fernet is None:
            raise Unreadable("no credentials key is configured")
        try:
            data = json.loads(self._fernet.decrypt(token.encode()))
        except (InvalidToken, ValueError):
            raise Unreadable("no configured key decrypts these credentials") from None
        if not isinstance(data, dict):
            raise Unreadable("the stored credentials are not an object")
        return Credentials({str(k): str(v) for k, v in data.items()})
