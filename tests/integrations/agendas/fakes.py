"""Local fakes of agenda sources over real HTTP (Starlette under uvicorn on 127.0.0.1, the
FakeApi of the social tests), optionally over TLS with a self-signed certificate (which a
client that verifies, as the importers do, must refuse)."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from tests.integrations.social.fakes import SAMPLES, FakeApi, Seen
from tests.support import free_port, serving

__all__ = ["SAMPLES", "FakeApi", "Seen", "serve", "xml", "html_challenge", "sample_text"]

XML_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<getmeetings><committee><committeetitle>&lol3;</committeetitle></committee></getmeetings>"""

# What a bot-protection service or a proxy serves with status 200 instead of the API's XML.
CHALLENGE = b"""<!DOCTYPE html>
<html lang="en"><head><title>Just a moment...</title></head>
<body><h1>Checking your browser before accessing democracy.example.gov.uk</h1></body></html>"""


def sample_text(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def xml(body: str | bytes, status: int = 200) -> Response:
    return Response(body, status_code=status, media_type="text/xml; charset=utf-8")


def html_challenge() -> Response:
    return Response(CHALLENGE, media_type="text/html; charset=utf-8")


def self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@contextlib.asynccontextmanager
async def serve(tls_dir: Path | None = None) -> AsyncIterator[FakeApi]:
    fake = FakeApi()
    app = Starlette(routes=[Route("/{path:path}", fake._endpoint, methods=["GET", "POST"])])
    port = free_port()
    ssl: dict[str, str] = {}
    if tls_dir is not None:
        cert, key = self_signed(tls_dir)
        ssl = {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="critical", lifespan="off", **ssl
    )
    async with serving(config):
        fake.base_url = f"{'https' if ssl else 'http'}://127.0.0.1:{port}"
        yield fake
