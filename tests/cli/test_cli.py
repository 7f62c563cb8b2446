"""The operator's CLI, run as operators run it: a subprocess against a fresh SQLite file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path


def _env(db: Path, extra: dict[str, str | None]) -> dict[str, str]:
    """The test's environment for a command: its database, plus ``extra`` (None unsets)."""
    env = {**os.environ, "COUNCIL_HUB_DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    for name, value in extra.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def cli(
    db: Path,
    *args: str,
    input_: str | None = None,
    env: dict[str, str | None] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hub", *args],
        env=_env(db, env or {}),
        capture_output=True,
        text=True,
        input=input_,
        timeout=timeout,
        check=False,
    )


def test_migrate_create_and_list(tmp_path: Path) -> None:
    db = tmp_path / "ops.db"
    assert cli(db, "migrate").returncode == 0
    r = cli(
        db,
        "councils",
        "create",
        "--slug",
        "caerdydd",
        "--name",
        "Cyngor Caerdydd",
        "--language",
        "cy",
    )
    assert r.returncode == 0, r.stderr
    agenda = tmp_path / "agenda.txt"
    agenda.write_text(
        "1 Apologies\n2 Planning applications\n2a 12 High Street\n2b Old Mill\n3 AOB\n"
    )
    r = cli(
        db,
        "meetings",
        "create",
        "--council",
        "caerdydd",
        "--title",
        "Planning",
        "--starts-at",
        "2026-07-01 18:00",
        "--agenda",
        str(agenda),
    )
    assert r.returncode == 0, r.stderr
    r = cli(db, "meetings", "list")
    # 18:00 in Cardiff in July is BST: 17:00 UTC.
    assert "2026-07-01T17:00:00+00:00" in r.stdout and "Planning" in r.stdout
    r = cli(
        db,
        "users",
        "create",
        "--email",
        "Clerk@Caerdydd.invalid",
        "--role",
        "clerk",
        "--council",
        "caerdydd",
        "--password",
        "long enough password",
    )
    assert r.returncode == 0, r.stderr
    r = cli(db, "users", "list")
    assert "clerk@caerdydd.invalid\t-\tcaerdydd:clerk\tactive" in r.stdout
    assert "long enough password" not in r.stdout


def test_council_policy(tmp_path: Path) -> None:
    db = tmp_path / "ops.db"
    cli(db, "migrate")
    cli(db, "councils", "create", "--slug", "mon", "--name", "Monmouth")
    words = tmp_path / "words.txt"
    words.write_text("badword\nother phrase\n")
    r = cli(
        db,
        "councils",
        "policy",
        "--slug",
        "mon",
        "--moderation",
        "post",
        "--max-chars",
        "500",
        "--blocklist-file",
        str(words),
    )
    assert r.returncode == 0, r.stderr
    assert "moderation: post" in r.stdout and "max_chars: 500" in r.stdout
    assert "blocklist: 2 lines" in r.stdout
    r = cli(db, "councils", "policy", "--slug", "mon", "--moderation", "sometimes")
    assert r.returncode != 0 and "pre or post" in r.stderr


def test_council_licence(tmp_path: Path) -> None:
    """A UK council starts under the Open Government Licence, one elsewhere under none; an
    admin names another (both a name and an http(s) URL) or none."""
    db = tmp_path / "ops.db"
    cli(db, "migrate")
    cli(db, "councils", "create", "--slug", "mon", "--name", "Monmouth")
    cli(
        db,
        "councils",
        "create",
        "--slug",
        "spr",
        "--name",
        "Springfield",
        "--timezone",
        "America/Chicago",
    )
    r = cli(db, "councils", "licence", "--slug", "spr", "--none")
    assert r.returncode == 0 and "spr: no licence stated" in r.stdout, r.stderr
    r = cli(db, "councils", "licence", "--slug", "mon", "--none")
    assert "mon: no licence stated" in r.stdout
    r = cli(db, "councils", "licence", "--slug", "mon", "--ogl")
    assert "Open Government Licence v3.0 <https://www.nationalarchives.gov.uk/" in r.stdout
    cc = "https://creativecommons.org/licenses/by/4.0/"
    r = cli(db, "councils", "licence", "--slug", "spr", "--name", "CC BY 4.0", "--url", cc)
    assert r.returncode == 0 and f"spr: CC BY 4.0 <{cc}>" in r.stdout, r.stderr
    for bad, why in (
        (("--name", "CC BY"), "both a name and the URL"),
        (("--name", "X", "--url", "javascript:alert(1)"), "http:// or https://"),
    ):
        r = cli(db, "councils", "licence", "--slug", "spr", *bad)
        assert r.returncode != 0 and why in r.stderr, r.stderr


def test_cli_errors_are_clear(tmp_path: Path) -> None:
    db = tmp_path / "ops.db"
    cli(db, "migrate")
    r = cli(db, "councils", "create", "--slug", "Bad Slug!", "--name", "X")
    assert r.returncode != 0 and "short name is lower-case letters" in r.stderr
    r = cli(
        db,
        "councils",
        "create",
        "--slug",
        "x",
        "--name",
        "X",
        "--language",
        "cy",
        "--languages",
        "en",
    )
    assert r.returncode != 0 and "default language must be one the council offers" in r.stderr
    r = cli(
        db,
        "councils",
        "create",
        "--slug",
        "ynys",
        "--name",
        "Ynys",
        "--language",
        "cy",
        "--languages",
        "cy",
        "--moderation",
        "post",
    )
    assert r.returncode == 0, r.stderr
    r = cli(db, "councils", "policy", "--slug", "ynys")
    assert "moderation: post" in r.stdout
    for flags, password, why in (
        (("--role", "clerk", "--council", "nope"), "long enough password", "no council"),
        (("--role", "admin"), "short", "12 characters"),
        (("--role", "admin"), "password1234", "too easy to guess"),
    ):
        r = cli(db, "users", "create", "--email", "a@b.invalid", "--password", password, *flags)
        assert r.returncode != 0 and why in r.stderr, r.stderr


def test_demo_sets_up_and_prints_logins(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    r = cli(db, "demo", "--no-serve")
    assert r.returncode == 0, r.stderr
    assert "Resident page:   http://127.0.0.1:8000/meetings/1" in r.stdout
    assert "clerk@demo.invalid / " in r.stdout
    # Idempotent: a second run reuses the meeting and gives new passwords.
    again = cli(db, "demo", "--no-serve")
    assert "/meetings/1" in again.stdout and again.stdout != r.stdout
    listed = cli(db, "meetings", "list").stdout.strip().splitlines()
    assert len(listed) == 1


def _serve_and_ask(db: Path, *flags: str, env: dict[str, str | None] | None = None) -> str:
    """Run ``serve`` (with ``flags``), ask it for /healthz, open a live socket, stop it; return
    what it printed."""
    import time

    import httpx

    from tests.support import free_port

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hub", "serve", "--port", str(port), *flags],
        env=_env(db, env or {}),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, "serve did not start"
            time.sleep(0.05)
        from websockets.sync.client import connect

        with connect(f"ws://127.0.0.1:{port}/api/meetings/1/live") as ws:
            ws.recv(timeout=5)  # the meeting does not exist: closed 4404, after the handshake
    except Exception as exc:
        if "4404" not in str(exc):
            raise
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=20)
    return output


def test_serve_keeps_no_access_log_unless_asked(tmp_path: Path) -> None:
    db = tmp_path / "ops.db"
    assert cli(db, "migrate").returncode == 0
    quiet = _serve_and_ask(db)
    assert "Application startup complete" in quiet  # it did log, just not requests
    assert "/healthz" not in quiet and '"GET ' not in quiet
    # uvicorn logs every WebSocket handshake, access log or not: those lines are dropped too.
    assert '"WebSocket /api/meetings/1/live"' not in quiet
    assert not re.search(r"\d+\.\d+\.\d+\.\d+:\d+ - ", quiet), quiet
    logged = _serve_and_ask(db, "--access-log")
    assert '"GET /healthz HTTP/1.1" 200' in logged
    assert re.search(r'127\.0\.0\.1:\d+ - "WebSocket /api/meetings/1/live"', logged)


def test_serve_over_https_needs_a_lasting_key(tmp_path: Path) -> None:
    """A random key under HTTPS_ONLY would sign everyone out at each restart (and differ
    between processes): serve refuses to start without a real one."""
    from tests.support import free_port

    db = tmp_path / "ops.db"
    assert cli(db, "migrate").returncode == 0
    for key, expected in ((None, "COUNCIL_HUB_SECRET_KEY is not set"), ("short", "32 characters")):
        r = cli(
            db,
            "serve",
            "--port",
            str(free_port()),
            env={"COUNCIL_HUB_HTTPS_ONLY": "true", "COUNCIL_HUB_SECRET_KEY": key},
            timeout=20,
        )
        assert r.returncode != 0 and expected in r.stderr, r.stderr
        assert "Traceback" not in r.stderr
    served = _serve_and_ask(
        db, env={"COUNCIL_HUB_HTTPS_ONLY": "true", "COUNCIL_HUB_SECRET_KEY": "k" * 32}
    )
    assert "Application startup complete" in served


def test_roles_per_council_and_invitations_from_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "ops.db"
    cli(db, "migrate")
    for slug in ("aberglas", "elsewhere"):
        assert cli(db, "councils", "create", "--slug", slug, "--name", slug).returncode == 0
    password = "long enough password"
    r = cli(
        db,
        "users",
        "create",
        "--email",
        "boss@hub.invalid",
        "--deployment-admin",
        "--password",
        password,
    )
    assert r.returncode == 0 and "created deployment admin boss@hub.invalid" in r.stdout, r.stderr
    r = cli(
        db,
        "users",
        "create",
        "--email",
        "sam@hub.invalid",
        "--role",
        "clerk",
        "--council",
        "aberglas",
        "--password",
        password,
    )
    assert r.returncode == 0, r.stderr
    r = cli(
        db,
        "users",
        "grant",
        "--email",
        "sam@hub.invalid",
        "--council",
        "elsewhere",
        "--role",
        "councillor",
    )
    assert r.returncode == 0, r.stderr
    listed = cli(db, "users", "list").stdout
    assert "boss@hub.invalid\tdeployment-admin\t-\tactive" in listed
    assert "sam@hub.invalid\t-\taberglas:clerk,elsewhere:councillor\tactive" in listed
    r = cli(db, "users", "revoke", "--email", "sam@hub.invalid", "--council", "elsewhere")
    assert r.returncode == 0, r.stderr
    assert "sam@hub.invalid\t-\taberglas:clerk\tactive" in cli(db, "users", "list").stdout
    r = cli(
        db,
        "users",
        "invite",
        "--email",
        "new@hub.invalid",
        "--council",
        "aberglas",
        "--role",
        "admin",
        "--base-url",
        "https://hub.example/",
    )
    assert r.returncode == 0, r.stderr
    assert re.search(r"^https://hub\.example/staff/invites/[A-Za-z0-9_-]{43}$", r.stdout, re.M)
    # The last deployment admin stays; another account goes and comes back.
    r = cli(db, "users", "deactivate", "--email", "boss@hub.invalid")
    assert r.returncode != 0 and "last active deployment admin" in r.stderr
    assert cli(db, "users", "deactivate", "--email", "sam@hub.invalid").returncode == 0
    assert "aberglas:clerk\tdisabled" in cli(db, "users", "list").stdout
    assert cli(db, "users", "reactivate", "--email", "sam@hub.invalid").returncode == 0
    assert "aberglas:clerk\tactive" in cli(db, "users", "list").stdout
