"""The operator's command line: ``council-hub serve | migrate | demo | users | councils |
meetings | privacy | social | sources | import``. One module per command group; every change
goes through an action."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from hub.cli import councils, meetings, privacy, serve, social, sources, users
from hub.settings import Settings, SettingsError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="council-hub",
        description="Council Hub: public participation in live council meetings.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve.add_commands(sub)
    users.add_commands(sub)
    councils.add_commands(sub)
    meetings.add_commands(sub)
    privacy.add_commands(sub)
    social.add_commands(sub)
    sources.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        sys.exit(f"error: {exc}")
    args.func(settings, args)
