"""``council-hub social``, run as an operator runs it (a subprocess on a SQLite file) against
local fakes of Mastodon, Bluesky and X: adding sources with their secrets from the environment
or standard input (never echoed), listing their health, checking credentials, tags, and
``poll --once`` printing what it stored."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hub.secrets import Secrets, new_key
from tests.cli.test_cli import cli
from tests.integrations.social.platforms import World

KEY = new_key()
APP_PASSWORD = "bsky-app-pw-never-shown"
BEARER = "x-bearer-never-shown"


async def run(db: Path, *args: str, **kwargs: object) -> tuple[int, str, str]:
    """A command in a thread, so the fakes in this event loop can answer it."""
    env = {"COUNCIL_HUB_CREDENTIALS_KEY": KEY, **kwargs.pop("env", {})}  # type: ignore[dict-item]
    r = await asyncio.to_thread(cli, db, *args, env=env, **kwargs)  # type: ignore[arg-type]
    return r.returncode, r.stdout, r.stderr


async def test_social_commands(tmp_path: Path, world: World) -> None:
    db = tmp_path / "ops.db"
    base = world.api.base_url
    assert (await run(db, "migrate"))[0] == 0
    await run(db, "councils", "create", "--slug", "aberglas", "--name", "Aberglas")
    starts = datetime.now(ZoneInfo("Europe/London")) + timedelta(minutes=10)
    code, out, err = await run(
        db, "meetings", "create", "--council", "aberglas", "--title", "Cabinet",
        "--starts-at", starts.strftime("%Y-%m-%d %H:%M"),
    )  # fmt: skip
    assert code == 0, err
    code, out, err = await run(
        db, "social", "tags", "--council", "aberglas", "--set", "#AberglasCouncil"
    )
    assert out.strip() == "council: #aberglascouncil", err
    code, out, err = await run(
        db, "social", "tags", "--council", "aberglas", "--meeting", "1", "--set", "AberglasCabinet"
    )
    assert out.splitlines() == ["council: #aberglascouncil", "meeting 1: #aberglascabinet"]

    # Sources: Mastodon needs nothing; Bluesky's app password from the environment; X's
    # bearer token from standard input.
    outputs: list[str] = []
    for args, extra in (
        (["--platform", "mastodon", "--name", "social.example"], {}),
        (
            ["--platform", "bluesky", "--name", "bluesky", "--handle", "aberglas.gov.example"],
            {"env": {"COUNCIL_HUB_BLUESKY_APP_PASSWORD": APP_PASSWORD}},
        ),
        (["--platform", "x", "--name", "x"], {"input_": BEARER + "\n"}),
    ):
        code, out, err = await run(
            db, "social", "add", "--council", "aberglas", "--base-url", base, *args, **extra
        )
        assert code == 0, err
        outputs += [out, err]
    assert "credentials set" in outputs[2] and "no credentials needed" in outputs[0]

    # Without a key, no credentials can be stored: said, and nothing added.
    code, out, err = await run(
        db, "social", "add", "--council", "aberglas", "--platform", "x", "--name", "x2",
        input_="another-token\n", env={"COUNCIL_HUB_CREDENTIALS_KEY": None},
    )  # fmt: skip
    assert code != 0 and "COUNCIL_HUB_CREDENTIALS_KEY" in err

    now = datetime.now(ZoneInfo("UTC"))
    world.mastodon.post("A toot about the cabinet #AberglasCabinet", now, ["AberglasCabinet"])
    world.bluesky.post("A skeet about the council #AberglasCouncil", now, ["AberglasCouncil"])
    world.x.post("A post on X #AberglasCabinet", now, ["AberglasCabinet"])

    code, out, err = await run(db, "social", "check", "--council", "aberglas")
    assert code == 0, out + err
    assert "meeting 1 (Cabinet, scheduled) is polled for #aberglascouncil #aberglascabinet" in out
    for name in ("social.example (mastodon)", "bluesky (bluesky)", "x (x)"):
        assert f"{name}: ok, 1 recent posts" in out, out
    assert "@res@social.example: A toot about the cabinet #AberglasCabinet" in out
    outputs += [out, err]

    code, out, err = await run(db, "social", "poll", "--meeting", "1", "--once")
    assert code == 0, err
    assert out.count("stored 1 new post(s)") == 3, out
    assert "x (x): fetched 1" in out
    code, again, err = await run(db, "social", "poll", "--meeting", "1", "--once")
    assert again.count("nothing new") == 3 and "stored" not in again, again
    outputs += [out, err, again, err]

    code, out, err = await run(db, "social", "list", "--council", "aberglas")
    assert code == 0 and out.count("credentials set") == 2 and "\tok\t" in out, out
    outputs += [out, err]
    code, out, err = await run(db, "social", "remove", "--council", "aberglas", "--name", "x")
    assert code == 0 and "removed 'x'" in out
    assert "\tx\t" not in (await run(db, "social", "list"))[1]

    # The secrets were never printed, and the database holds them only encrypted.
    for text in outputs:
        assert APP_PASSWORD not in text and BEARER not in text
    with sqlite3.connect(db) as conn:
        (token,) = conn.execute(
            "SELECT credentials FROM social_sources WHERE name='bluesky'"
        ).fetchone()
    assert APP_PASSWORD not in token
    assert Secrets((KEY,)).decrypt(token) == {
        "handle": "aberglas.gov.example",
        "app_password": APP_PASSWORD,
    }
    for path in tmp_path.iterdir():
        if path.name.startswith("ops.db"):
            data = path.read_bytes()
            assert APP_PASSWORD.encode() not in data and BEARER.encode() not in data
