"""Settings, read once from the environment at start-up and passed explicitly.

Backends are chosen by URL: ``sqlite+aiosqlite://`` or ``postgresql+asyncpg://`` for the
database, ``memory://`` or ``redis://`` for the broker. Nothing reads the environment after
``Settings.from_env`` returns (house style 7).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./council-hub.db"
DEFAULT_BROKER_URL = "memory://"

# A resident socket may have this many bytes queued in its transport (on top of a kernel send
# buffer capped at 128 KiB, hub/live/uvicorn_seam.py) before it is closed with 1013 and asked to
# resume.
# 1 MiB holds ~4,000 typical agenda frames (~250 B), far more than any live reader falls behind
# by, and bounds memory to ~1.1 GiB at 1,000 stuck sockets.
DEFAULT_SOCKET_BUDGET = 1 << 20
# A session-signing key shorter than this is refused: it signs every staff session and
# resident's cookie, so it must not be guessable (secrets.token_urlsafe(32) gives 43).
MIN_SECRET_KEY_CHARS = 32


class SettingsError(ValueError):
    """The environment describes a deployment that must not start; the message says why."""


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _origins(value: str) -> tuple[str, ...]:
    return tuple(o.strip() for o in value.split(",") if o.strip())


def _keys(value: str) -> tuple[str, ...]:
    return tuple(k.strip() for k in value.split(",") if k.strip())


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    broker_url: str = DEFAULT_BROKER_URL
    # Signs session and participant cookies. A random key is fine for a demo (sessions do not
    # survive a restart); production sets COUNCIL_HUB_SECRET_KEY (from_env insists under
    # HTTPS_ONLY).
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    # Secure cookies (HTTPS only). Off for the local demo on plain http://127.0.0.1.
    https_only: bool = False
    socket_budget_bytes: int = DEFAULT_SOCKET_BUDGET
    # Largest frame a client may send on a live socket; residents send nothing there.
    ws_max_frame_bytes: int = 4096
    default_language: str = "en"
    # Seconds between heartbeats on live sockets; each also checks the log for news a broker
    # lost. 20 s keeps idle sockets open through proxies that time out at 60 s.
    heartbeat_seconds: float = 20.0
    # Events within this many milliseconds of the last frame share the next one (bursts).
    coalesce_ms: int = 200
    # Origins allowed to open staff sockets besides the page's own host (comma-separated).
    trusted_origins: tuple[str, ...] = ()
    # Log every request and socket with the client's address (personal data): off by default;
    # ``serve --access-log`` turns it on.
    access_log: bool = False
    # Keep imported meetings in step with their agenda sources (hub/agenda_sync.py): one process
    # of several does it (a lease). Off: this process never syncs (e.g. one that only serves).
    agenda_sync: bool = True
    debug: bool = False
    # Fernet keys for social sources' credentials (hub/secrets.py): the first encrypts, every
    # one decrypts (put a new key first to rotate). None set: credentials cannot be stored, and
    # only sources that need none (Mastodon) can be added.
    credentials_key: tuple[str, ...] = ()
    # Whether this process takes part in polling social sources (one process of several polls,
    # by a lease in the database: integrations/social/runner.py).
    social_polling: bool = True
    # Seconds between two polls of a healthy source while a meeting is in its window.
    social_poll_seconds: float = 30.0
    # How long the polling lease lasts unrenewed: another process takes over within this long
    # of its holder dying (renewed every third of it).
    lease_seconds: float = 45.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values = {}
        for name, (variable, parse) in ENVIRONMENT.items():
            raw = env.get(variable)
            if raw:  # unset or empty: the default
                values[name] = parse(raw)
        _check_secret_key(env.get(ENVIRONMENT["secret_key"][0]), values.get("https_only", False))
        _check_credentials_keys(values.get("credentials_key", ()))
        return replace(cls(), **values)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _check_secret_key(given: str | None, https_only: bool) -> None:
    variable = ENVIRONMENT["secret_key"][0]
    if not given:
        if https_only:
            # A random key per process: a restart signs every clerk out and residents lose
            # their own submissions' list; several processes cannot read each other's cookies.
            raise SettingsError(
                f"{variable} is not set: with COUNCIL_HUB_HTTPS_ONLY=true the hub needs a lasting "
                "key, the same in every process. Create one with: python3 -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'"
            )
        return
    if len(given) < MIN_SECRET_KEY_CHARS:
        raise SettingsError(
            f"{variable} is too weak: use at least {MIN_SECRET_KEY_CHARS} characters "
            "(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )


def _check_credentials_keys(keys: tuple[str, ...]) -> None:
    from hub.secrets import valid_key

    variable = ENVIRONMENT["credentials_key"][0]
    for key in keys:
        if not valid_key(key):
            raise SettingsError(
                f"{variable} holds something that is not a Fernet key: create one with "
                "python3 -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'"
            )


def _positive(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise SettingsError(f"expected a number of seconds above 0, got {value!r}")
    return number


# Each setting's environment variable and how its text is read. The README's settings table has
# a row for each (tests/test_house.py checks both).
ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any]]] = {
    "database_url": ("COUNCIL_HUB_DATABASE_URL", str),
    "broker_url": ("COUNCIL_HUB_BROKER_URL", str),
    "secret_key": ("COUNCIL_HUB_SECRET_KEY", str),
    "https_only": ("COUNCIL_HUB_HTTPS_ONLY", _flag),
    "socket_budget_bytes": ("COUNCIL_HUB_SOCKET_BUDGET", int),
    "ws_max_frame_bytes": ("COUNCIL_HUB_WS_MAX_FRAME_BYTES", int),
    "default_language": ("COUNCIL_HUB_LANGUAGE", str),
    "heartbeat_seconds": ("COUNCIL_HUB_HEARTBEAT_SECONDS", float),
    "coalesce_ms": ("COUNCIL_HUB_COALESCE_MS", int),
    "trusted_origins": ("COUNCIL_HUB_TRUSTED_ORIGINS", _origins),
    "access_log": ("COUNCIL_HUB_ACCESS_LOG", _flag),
    "agenda_sync": ("COUNCIL_HUB_AGENDA_SYNC", _flag),
    "debug": ("COUNCIL_HUB_DEBUG", _flag),
    "credentials_key": ("COUNCIL_HUB_CREDENTIALS_KEY", _keys),
    "social_polling": ("COUNCIL_HUB_SOCIAL_POLLING", _flag),
    "social_poll_seconds": ("COUNCIL_HUB_SOCIAL_POLL_SECONDS", _positive),
    "lease_seconds": ("COUNCIL_HUB_LEASE_SECONDS", _positive),
}
