"""``council-hub sources`` and ``council-hub import`` as operators run them (a subprocess
against a SQLite file), importing from a local fake Modern.gov over real HTTP and from an OCD
file: progress on the terminal, a summary, a failed meeting named with why (exit 1), the
source's health in ``sources list``."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.integrations.agendas.fakes import SAMPLES, html_challenge, sample_text, serve, xml

ASMX = "/mgWebService.asmx"


async def cli(db: Path, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "COUNCIL_HUB_DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hub", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_sources_and_an_import_with_progress_and_a_summary(tmp_path: Path) -> None:
    db = tmp_path / "ops.db"
    assert (await cli(db, "migrate"))[0] == 0
    code, _, err = await cli(
        db, "councils", "create", "--slug", "manchester", "--name", "Manchester City Council"
    )
    assert code == 0, err
    pages = {"4966": xml(sample_text("moderngov-getmeeting-cancelled.xml")),
             "4967": xml(sample_text("moderngov-getmeeting.xml"))}  # fmt: skip
    async with serve() as fake:
        fake.on(f"{ASMX}/GetMeetings", lambda _: xml(sample_text("moderngov-getmeetings.xml")))
        fake.on(f"{ASMX}/GetMeeting", lambda seen: pages[seen.param("lMeetingId") or ""])
        code, out, err = await cli(
            db, "sources", "add", "--council", "manchester", "--name", "moderngov",
            "--kind", "moderngov", "--url", fake.base_url,
        )  # fmt: skip
        assert code == 0, err
        code, _, err = await cli(
            db, "sources", "add", "--council", "manchester", "--name", "export",
            "--kind", "ocd", "--url", str(SAMPLES / "ocd-event.json"),
        )  # fmt: skip
        assert code == 0, err
        code, out, err = await cli(
            db, "import", "--council", "manchester", "--source", "moderngov",
            "--from", "2026-01-01", "--to", "2026-03-31",
        )  # fmt: skip
        assert code == 0, err
        assert "  new       2026-01-13 10:00 Audit Committee (cancelled): 0 items" in err
        assert "  new       2026-02-10 10:00 Audit Committee: 2 items" in err
        assert "[2 fetched, 2 items, 0 failed]" in err
        assert out.strip() == (
            "manchester / moderngov: 2 meetings fetched (2 new, 0 updated, 0 unchanged), "
            "2 items, 0 failed"
        )
        # Again, with one meeting behind a bot challenge: the other is still read.
        pages["4967"] = html_challenge()
        code, out, err = await cli(
            db, "import", "--council", "manchester", "--from", "2026-01-01", "--to", "2026-03-31"
        )
        assert code == 1
        assert (
            "  FAILED  Audit Committee on 10/02/2026 [4967]: Modern.gov GetMeeting sent an HTML"
            in err
        )
        assert "manchester / moderngov: 2 meetings fetched (0 new, 0 updated, 1 unchanged)" in out
        assert "  failed: manchester / moderngov / Audit Committee on 10/02/2026 [4967]" in out
        # The OCD export holds the same meeting under another source: a meeting of its own.
        assert "manchester / export: 1 meetings fetched (1 new" in out
        code, out, _ = await cli(db, "sources", "list", "--council", "manchester")
        assert code == 0
        lines = out.strip().splitlines()
        assert lines[0].startswith("manchester\texport\tocd\t")
        assert lines[1].startswith(f"manchester\tmoderngov\tmoderngov\t{fake.base_url}")
        assert (
            "last error: Audit Committee on 10/02/2026: Modern.gov GetMeeting sent an HTML"
            in lines[1]
        )
        # The whole source failing: nothing imported, said so.
        fake.on(f"{ASMX}/GetMeetings", lambda _: xml("Service Unavailable", 503))
        code, out, _ = await cli(
            db, "import", "--council", "manchester", "--source", "moderngov",
            "--from", "2026-01-01", "--to", "2026-03-31",
        )  # fmt: skip
        assert code == 1
        assert "FAILED, nothing imported: Modern.gov GetMeetings answered HTTP 503" in out
    code, out, _ = await cli(db, "sources", "remove", "--council", "manchester", "--name", "export")
    assert code == 0 and "its meetings stay" in out
    code, out, _ = await cli(db, "meetings", "list")
    assert out.count("Audit Committee") == 3
    code, _, err = await cli(
        db, "sources", "add", "--council", "manchester", "--name", "bad", "--kind", "legistar"
    )
    assert code != 0 and "client name" in err


async def test_a_legistar_token_is_stored_encrypted_and_sent_only_to_legistar(
    tmp_path: Path,
) -> None:
    """The token goes through the command line into the database encrypted (hub/secrets.py),
    never as itself, and is decrypted only into the requests to Legistar. Without a key the
    hub refuses to store one, saying why."""
    import sqlite3

    from hub.secrets import NO_KEY, new_key
    from tests.integrations.agendas.test_legistar import MOUNTAIN_VIEW, paged

    token = "legistar-token-never-stored-as-itself-4f1c"
    db = tmp_path / "ops.db"
    assert (await cli(db, "migrate"))[0] == 0
    code, _, err = await cli(db, "councils", "create", "--slug", "mv", "--name", "Mountain View")
    assert code == 0, err
    async with serve() as fake:
        fake.on("/v1/mountainview/events", paged([MOUNTAIN_VIEW]))
        fake.on("/v1/mountainview/events/896/eventitems", paged([]))
        add = ("sources", "add", "--council", "mv", "--name", "legistar", "--kind", "legistar",
               "--url", f"{fake.base_url}/v1", "--client", "mountainview",
               "--token", token)  # fmt: skip
        code, out, err = await cli(db, *add)
        assert code != 0 and NO_KEY in err, (out, err)
        os.environ["COUNCIL_HUB_CREDENTIALS_KEY"] = new_key()
        try:
            code, _, err = await cli(db, *add)
            assert code == 0, err
            code, _, err = await cli(
                db, "import", "--council", "mv", "--from", "2014-01-01", "--to", "2014-01-31"
            )
            assert code == 0, err
            asked = {r.param("token") for r in fake.requests}
        finally:
            del os.environ["COUNCIL_HUB_CREDENTIALS_KEY"]
        assert asked == {token}
        # Without the key, the import says the token cannot be read, and sends nothing.
        before = len(fake.requests)
        code, out, _ = await cli(
            db, "import", "--council", "mv", "--from", "2014-01-01", "--to", "2014-01-31"
        )
        assert code == 1 and "stored API token cannot be read" in out
        assert len(fake.requests) == before
    with sqlite3.connect(db) as conn:
        (stored,) = conn.execute("SELECT token FROM agenda_sources").fetchone()
        dump = "\n".join(conn.iterdump())
    assert stored and stored.startswith("gAAAA") and token not in dump
