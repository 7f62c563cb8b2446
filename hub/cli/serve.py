"""``council-hub serve``, ``migrate`` and ``demo``: running the hub and its database."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from typing import Any

from hub import demo
from hub.cli._run import act
from hub.migrate import upgrade
from hub.settings import Settings


def run_server(
    settings: Settings, host: str, port: int, workers: int, access_log: bool = False
) -> None:
    import uvicorn

    if workers > 1 and settings.broker_url.startswith("memory://"):
        sys.exit("several workers need a shared broker: set COUNCIL_HUB_BROKER_URL=redis://...")
    # Every worker reads the environment; they must share the session-signing key.
    os.environ.setdefault("COUNCIL_HUB_SECRET_KEY", settings.secret_key)
    access_log = access_log or settings.access_log
    os.environ["COUNCIL_HUB_ACCESS_LOG"] = "true" if access_log else "false"
    uvicorn.run(
        "hub.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # Non-awaiting fan-out (hub/live/uvicorn_seam.py); compression off on the live stream:
        # it doubles CPU per delivery and costs tens of KiB per socket (issue 3).
        ws="hub.live.uvicorn_seam:FastSendProtocol",
        ws_per_message_deflate=False,
        ws_max_size=settings.ws_max_frame_bytes,
        proxy_headers=True,
        lifespan="on",
        log_level="info",
        # Off unless asked for: a line per request names every resident's address (personal
        # data the hub otherwise never keeps), and the reverse proxy logs requests already.
        access_log=access_log,
    )


def cmd_demo(settings: Settings, args: argparse.Namespace) -> None:
    os.environ.setdefault("COUNCIL_HUB_SECRET_KEY", secrets.token_urlsafe(32))
    settings = Settings.from_env()
    upgrade(settings.database_url)
    logins: demo.DemoLogins = act(settings, demo.seed)
    base = f"http://{args.host}:{args.port}"
    print(
        f"""
Council Hub demo is ready.

  Resident page:   {base}/meetings/{logins.meeting_id}
  Clerk console:   {base}/staff/meetings/{logins.meeting_id}
  All meetings:    {base}/

  Clerk login:       {demo.CLERK_EMAIL} / {logins.clerk_password}
  Councillor login:  {demo.COUNCILLOR_EMAIL} / {logins.councillor_password}
  Admin login:       {demo.ADMIN_EMAIL} / {logins.admin_password}
  (new passwords each time the demo starts)

Open the resident page in one window and the clerk console in another.
""",
        flush=True,
    )
    if not args.no_serve:
        run_server(settings, args.host, args.port, 1)


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> None:
    upgrade(settings.database_url)
    print("database is up to date")


def add_commands(sub: Any) -> None:
    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="processes (needs redis:// broker)")
    serve.add_argument(
        "--access-log",
        action="store_true",
        help="log every request with the client's address (off: residents' addresses are "
        "personal data)",
    )
    serve.set_defaults(func=lambda s, a: run_server(s, a.host, a.port, a.workers, a.access_log))

    migrate = sub.add_parser("migrate", help="create or upgrade the database schema")
    migrate.set_defaults(func=cmd_migrate)

    demo_ = sub.add_parser("demo", help="migrate, add the demo council and meeting, and serve")
    demo_.add_argument("--host", default="127.0.0.1")
    demo_.add_argument("--port", type=int, default=8000)
    demo_.add_argument("--no-serve", action="store_true", help="set up and exit")
    demo_.set_defaults(func=cmd_demo)
