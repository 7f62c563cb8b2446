"""Settings, read once from the environment at start-up and passed explicitly.

Backends are chosen by URL: ``sqlite+aiosqlite://`` or ``postgresql+asyncpg://`` for the
database, ``memory://`` or ``redis://`` for the broker. Nothing reads the environment after
``Settings.from_env`` returns (house style 7).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./council-hub.db"
DEFAULT_BROKER_URL = "memory://"

# A resident socket may have this many bytes queued in its transport (on top of a kernel send
# buffer capped at 128 KiB, hub/serving.py) before it is closed with 1013 and asked to resume.
# 1 MiB holds ~4,000 typical agenda frames (~250 B), far more than any live reader falls behind
# by, and bounds memory to ~1.1 GiB at 1,000 stuck sockets.
DEFAULT_SOCKET_BUDGET = 1 << 20


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    broker_url: str = DEFAULT_BROKER_URL
    # Signs session and participant cookies. A random key is fine for a demo (sessions do not
    # survive a restart); production sets COUNCIL_HUB_SECRET_KEY.
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
    debug: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        base = cls()
        origins = tuple(
            o.strip() for o in env.get("COUNCIL_HUB_TRUSTED_ORIGINS", "").split(",") if o.strip()
        )
        return replace(
            base,
            database_url=env.get("COUNCIL_HUB_DATABASE_URL") or base.database_url,
            broker_url=env.get("COUNCIL_HUB_BROKER_URL") or base.broker_url,
            secret_key=env.get("COUNCIL_HUB_SECRET_KEY") or base.secret_key,
            https_only=_bool(env.get("COUNCIL_HUB_HTTPS_ONLY"), base.https_only),
            socket_budget_bytes=int(
                env.get("COUNCIL_HUB_SOCKET_BUDGET") or base.socket_budget_bytes
            ),
            default_language=env.get("COUNCIL_HUB_LANGUAGE") or base.default_language,
            coalesce_ms=int(env.get("COUNCIL_HUB_COALESCE_MS") or base.coalesce_ms),
            heartbeat_seconds=float(
                env.get("COUNCIL_HUB_HEARTBEAT_SECONDS") or base.heartbeat_seconds
            ),
            trusted_origins=origins,
            debug=_bool(env.get("COUNCIL_HUB_DEBUG"), False),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
