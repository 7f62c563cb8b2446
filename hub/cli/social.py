"""``council-hub social``: a council's social sources (X, Mastodon instances, Bluesky accounts),
their hashtags, a check of their credentials, and one poll on demand.

Credentials are never taken on the command line (it is in the shell's history and in ``ps``):
they come from an environment variable, else a prompt that does not echo them, else a line of
standard input; they are encrypted at once (hub/secrets.py) and never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.actions import ActionError, NotFound
from hub.actions.councils import update_policy
from hub.actions.meetings import update_meeting
from hub.actions.social_sources import add_source, remove_source, set_credentials
from hub.broker import create_broker
from hub.cli._run import act, read
from hub.db import create_engine, create_sessionmaker
from hub.events.publish import Writer
from hub.models import Council, Meeting, SocialSource, utcnow
from hub.queries.councils import council_by_slug
from hub.queries.meetings import load_meeting
from hub.queries.social import (
    council_sources,
    meeting_tags,
    meetings_in_window,
    source_named,
    tags_of,
)
from hub.secrets import Secrets, Unreadable
from hub.settings import Settings
from hub.shapes.staff import source_state
from integrations.social.clients import CREDENTIAL_FIELDS, CannotPoll
from integrations.social.clients import build_source as build
from integrations.social.models import SourceError
from integrations.social.poll import PollReport
from integrations.social.runner import SocialRunner

# Where each secret is read from before a prompt or standard input.
SECRET_INPUTS = {
    "bearer_token": ("COUNCIL_HUB_X_BEARER_TOKEN", "X app bearer token"),
    "app_password": ("COUNCIL_HUB_BLUESKY_APP_PASSWORD", "Bluesky app password"),
}
PREVIEW_CHARS = 80


def _secret(field: str) -> str:
    variable, label = SECRET_INPUTS[field]
    value = os.environ.get(variable)
    if value:
        return value.strip()
    if sys.stdin.isatty():
        return getpass.getpass(f"{label} (not shown): ").strip()
    return sys.stdin.readline().strip()


def _credentials(platform: str, handle: str | None) -> dict[str, str]:
    values: dict[str, str] = {}
    for field in CREDENTIAL_FIELDS.get(platform, ()):
        if field == "handle":
            if not handle:
                raise ActionError("a Bluesky source needs --handle (the account's handle)")
            values[field] = handle.strip().lstrip("@")
        else:
            values[field] = _secret(field)
            if not values[field]:
                raise ActionError(f"no {SECRET_INPUTS[field][1]} was given")
    return values


async def _council(w: Writer, slug: str) -> Council:
    council = await council_by_slug(w.session, slug)
    if council is None:
        raise NotFound(f"no council {slug!r}")
    return council


async def _source(w: Writer, slug: str, name: str) -> SocialSource:
    source = await source_named(w.session, await _council(w, slug), name)
    if source is None:
        raise NotFound(f"the council {slug!r} has no source named {name!r}")
    return source


def cmd_add(settings: Settings, args: argparse.Namespace) -> None:
    secrets = Secrets(settings.credentials_key)
    try:
        values = _credentials(args.platform, args.handle)
        token = secrets.encrypt(values) if values else None
    except ActionError as exc:
        sys.exit(f"error: {exc.message}")

    async def add(w: Writer) -> SocialSource:
        return await add_source(
            w, args.council, args.platform, args.name, base_url=args.base_url, credentials=token
        )

    source = act(settings, add)
    held = "credentials set" if token else "no credentials needed"
    print(f"added {source.platform} source {source.name!r} (id {source.id}, {held})")


def cmd_credentials(settings: Settings, args: argparse.Namespace) -> None:
    secrets = Secrets(settings.credentials_key)

    async def platform_of(session: AsyncSession) -> str | None:
        council = await council_by_slug(session, args.council)
        source = None if council is None else await source_named(session, council, args.name)
        return None if source is None else source.platform

    # Asked for before the transaction: a prompt must not hold the database's write lock.
    platform = read(settings, platform_of)
    if platform is None:
        sys.exit(f"error: the council {args.council!r} has no source named {args.name!r}")
    try:
        values = _credentials(platform, args.handle)
        if not values:
            raise ActionError(f"a {platform} source takes no credentials")
        token = secrets.encrypt(values)
    except ActionError as exc:
        sys.exit(f"error: {exc.message}")

    async def change(w: Writer) -> SocialSource:
        source = await _source(w, args.council, args.name)
        return await set_credentials(w, source.id, token)

    source = act(settings, change)
    print(f"credentials set for {source.name!r}; it polls again")


def cmd_remove(settings: Settings, args: argparse.Namespace) -> None:
    async def remove(w: Writer) -> str:
        source = await _source(w, args.council, args.name)
        await remove_source(w, source.id)
        return source.name

    print(f"removed {act(settings, remove)!r} (its posts stay with their meetings)")


def _when(value: Any) -> str:
    return value.isoformat(timespec="seconds") if value is not None else "-"


def cmd_list(settings: Settings, args: argparse.Namespace) -> None:
    async def rows(session: AsyncSession) -> list[tuple[str, SocialSource]]:
        found: list[tuple[str, SocialSource]] = []
        councils = [await council_by_slug(session, args.council)] if args.council else None
        if councils == [None]:
            raise SystemExit(f"error: no council {args.council!r}")
        for council in councils or list(
            await session.scalars(select(Council).order_by(Council.id))
        ):
            assert council is not None
            found.extend((council.slug, s) for s in await council_sources(session, council.id))
        return found

    for slug, s in read(settings, rows):
        creds = "credentials set" if s.credentials else "no credentials"
        print(
            f"{s.id}\t{slug}\t{s.platform}\t{s.name}\t{s.base_url or 'default'}\t{creds}\t"
            f"{source_state(s)}\tlast success {_when(s.last_success_at)}\t"
            f"posts {s.posts_fetched}\tnext poll {_when(s.next_poll_at)}"
        )
        if s.rate_limit_reset_at is not None:
            print(f"\trate limit resets {_when(s.rate_limit_reset_at)}")
        if s.last_error:
            print(f"\tlast error: {s.last_error}")
        if s.stopped_reason:
            print(f"\tstopped: {s.stopped_reason}")


def cmd_tags(settings: Settings, args: argparse.Namespace) -> None:
    """Show or set the council's hashtags, or one meeting's own."""

    async def apply(w: Writer) -> tuple[str, str | None]:
        council = await _council(w, args.council)
        meeting: Meeting | None = None
        if args.meeting is not None:
            meeting = await load_meeting(w.session, args.meeting)
            if meeting is None or meeting.council_id != council.id:
                raise NotFound(f"the council {args.council!r} has no meeting {args.meeting}")
        if args.set is not None:
            if meeting is not None:
                meeting = await update_meeting(w, meeting.id, hashtags=args.set)
            else:
                council = await update_policy(w, council.slug, {"hashtags": args.set})
        own = None if meeting is None else meeting.hashtags
        return council.hashtags, own

    council_tags, own = act(settings, apply)
    print("council: " + (" ".join("#" + t for t in tags_of(council_tags)) or "(none)"))
    if own is not None:
        print(f"meeting {args.meeting}: " + (" ".join("#" + t for t in tags_of(own)) or "(none)"))


def cmd_check(settings: Settings, args: argparse.Namespace) -> None:
    """Each source of a council: its credentials tried with one real request, and what it
    would fetch now. Nothing is stored and no cursor moves."""
    ok = asyncio.run(_check(settings, args.council))
    if not ok:
        sys.exit(1)


async def _check(settings: Settings, slug: str) -> bool:
    engine = create_engine(settings.database_url)
    secrets = Secrets(settings.credentials_key)
    all_ok = True
    try:
        async with create_sessionmaker(engine)() as session:
            council = await council_by_slug(session, slug)
            if council is None:
                print(f"error: no council {slug!r}", file=sys.stderr)
                return False
            meetings = await meetings_in_window(session, utcnow(), council.id)
            sources = await council_sources(session, council.id)
            council_tags = tags_of(council.hashtags)
        tags = sorted({t for m in meetings for t in meeting_tags(m)} or set(council_tags))
        if meetings:
            for m in meetings:
                listed = " ".join("#" + t for t in meeting_tags(m)) or "(no tags)"
                print(f"meeting {m.id} ({m.title}, {m.status}) is polled for {listed}")
        else:
            print("no meeting is in its polling window now; shown for the council's own tags")
        if not tags:
            print("no hashtags are set: nothing would be fetched (council-hub social tags)")
        if not sources:
            print("the council has no social sources (council-hub social add)")
        for s in sources:
            all_ok = await _check_one(secrets, s, tags) and all_ok
    finally:
        await engine.dispose()
    return all_ok


async def _check_one(secrets: Secrets, s: SocialSource, tags: list[str]) -> bool:
    label = f"{s.name} ({s.platform})"
    try:
        values = secrets.decrypt(s.credentials) if s.credentials else {}
        client = build(s.platform, s.base_url, values)
    except (CannotPoll, Unreadable) as exc:
        print(f"{label}: cannot poll: {exc}")
        return False
    try:
        if not tags:
            print(f"{label}: built, not asked (no tags)")
            return True
        if hasattr(client, "max_pages"):
            client.max_pages = 1  # one request: enough to try the credentials
        result = await client.fetch(tags, None)
    except SourceError as exc:
        print(f"{label}: FAILED: {type(exc).__name__}: {exc}")
        return False
    finally:
        await client.aclose()
    print(f"{label}: ok, {len(result.posts)} recent posts for {' '.join('#' + t for t in tags)}")
    for post in result.posts[:3]:
        text = " ".join(post.text.split())[:PREVIEW_CHARS]
        print(f"    @{post.author_handle}: {text}")
    if s.stopped_reason:
        print(f"    (stopped: {s.stopped_reason}; set its credentials again to restart it)")
    return True


def cmd_poll(settings: Settings, args: argparse.Namespace) -> None:
    if not args.once:
        sys.exit("error: only --once is supported (the running hub polls on its own)")
    reports = asyncio.run(_poll(settings, args.meeting))
    if not reports:
        print(f"nothing to poll for meeting {args.meeting}: no enabled source with tags and a "
              "meeting in its polling window")  # fmt: skip
    for r in reports:
        fetched = f"fetched {r.fetched}" if r.error is None else f"FAILED: {r.error}"
        print(f"{r.name} ({r.platform}): {fetched}" + (" (stopped)" if r.stopped else ""))
        for mid, ids in sorted(r.stored.items()):
            print(f"  meeting {mid}: stored {len(ids)} new post(s): {', '.join(map(str, ids))}")
        for mid, ids in sorted(r.replaced.items()):
            print(
                f"  meeting {mid}: {len(ids)} edited post(s) replaced: {', '.join(map(str, ids))}"
            )
        for mid, ids in sorted(r.withdrawn.items()):
            print(
                f"  meeting {mid}: withdrew {len(ids)} deleted post(s): {', '.join(map(str, ids))}"
            )
        if r.error is None and not r.stored and not r.replaced:
            print("  nothing new")


async def _poll(settings: Settings, meeting_id: int) -> list[PollReport]:
    engine = create_engine(settings.database_url)
    broker = create_broker(settings.broker_url)
    await broker.start()
    sessionmaker = create_sessionmaker(engine)
    runner = SocialRunner(sessionmaker, broker, Secrets(settings.credentials_key))
    try:
        async with sessionmaker() as session:
            if await session.get(Meeting, meeting_id) is None:
                raise SystemExit(f"error: no meeting {meeting_id}")
        return await runner.poll_once(meeting_id)
    finally:
        await runner.close()
        await broker.close()
        await engine.dispose()


def add_commands(sub: Any) -> None:
    social = sub.add_parser(
        "social", help="social media sources: add, list, remove, credentials, tags, check, poll"
    ).add_subparsers(dest="social", required=True)
    sa = social.add_parser(
        "add",
        help="a source for a council; secrets from COUNCIL_HUB_X_BEARER_TOKEN or "
        "COUNCIL_HUB_BLUESKY_APP_PASSWORD, else a prompt, else a line of standard input",
    )
    sa.add_argument("--council", required=True)
    sa.add_argument("--platform", required=True, choices=["x", "mastodon", "bluesky"])
    sa.add_argument("--name", required=True, help="how staff name it, e.g. mastodon.social")
    sa.add_argument("--base-url", help="the Mastodon instance, a Bluesky service, an X proxy")
    sa.add_argument("--handle", help="Bluesky: the account's handle (not secret)")
    sa.set_defaults(func=cmd_add)
    sc = social.add_parser("credentials", help="new credentials for a source (restarts it)")
    sc.add_argument("--council", required=True)
    sc.add_argument("--name", required=True)
    sc.add_argument("--handle", help="Bluesky: the account's handle")
    sc.set_defaults(func=cmd_credentials)
    sl = social.add_parser("list", help="sources and their health (never their credentials)")
    sl.add_argument("--council")
    sl.set_defaults(func=cmd_list)
    sr = social.add_parser("remove", help="remove a source (its posts stay)")
    sr.add_argument("--council", required=True)
    sr.add_argument("--name", required=True)
    sr.set_defaults(func=cmd_remove)
    st = social.add_parser("tags", help="show or set the council's or a meeting's hashtags")
    st.add_argument("--council", required=True)
    st.add_argument("--meeting", type=int, help="a meeting's own tags instead of the council's")
    st.add_argument("--set", help='e.g. "#AberglasCouncil #AberglasCabinet" ("" clears)')
    st.set_defaults(func=cmd_tags)
    sk = social.add_parser("check", help="try each source's credentials; show what it fetches")
    sk.add_argument("--council", required=True)
    sk.set_defaults(func=cmd_check)
    sp = social.add_parser("poll", help="one poll of every source of a meeting's council")
    sp.add_argument("--meeting", type=int, required=True)
    sp.add_argument("--once", action="store_true", help="poll once now and print what was stored")
    sp.set_defaults(func=cmd_poll)
