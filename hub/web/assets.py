"""The static files (CSS, JavaScript, icons), held in memory, compressed once and fingerprinted.

Starlette's StaticFiles stats and opens the file in a worker thread on every request, behind the
whole middleware stack: ~2.5 ms of the server's CPU a stylesheet (issue 14). Here every file under
static/ is read once when the app is built, gzipped once (level 9, kept only when smaller) and
answered from memory with headers made in advance (hub/web/fast.py routes to it before any
middleware).

Fingerprinting: the templates name assets under ``/static/v/<version>/...`` (``asset_base``),
where the version is a hash of every file's bytes, so any change to any file changes every URL.
One version for the whole tree (rather than a hash per file) because the JavaScript modules import
each other by relative path (``../dom.js``): under the versioned prefix those imports resolve
inside the same version, and a page never mixes modules from two releases. Versioned answers are
``immutable`` for a year; the plain ``/static/...`` names keep working (``no-cache``: revalidated
with their ETag, a 304), and so does an old version's URL (the current bytes, ``no-cache``, never
``immutable``: they are not that version's bytes).
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

PREFIX = "/static/"
VERSIONED = "/static/v/"
IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"
# Below this, gzip's header costs more than it saves.
MIN_GZIP_BYTES = 256
COMPRESSIBLE = ("text/", "application/javascript", "image/svg+xml", "application/json")


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    content_type: bytes
    etag: bytes  # strong, of the uncompressed bytes; the gzipped answer's is suffixed


def _content_type(path: Path) -> str:
    if path.suffix == ".js":
        return "application/javascript; charset=utf-8"
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


def _load(path: Path) -> Asset:
    body = path.read_bytes()
    ctype = _content_type(path)
    gz: bytes | None = None
    if len(body) >= MIN_GZIP_BYTES and ctype.startswith(COMPRESSIBLE):
        # mtime=0: the same bytes every time the app starts, so the ETag holds across restarts.
        packed = gzip.compress(body, compresslevel=9, mtime=0)
        gz = packed if len(packed) < len(body) else None
    digest = hashlib.sha256(body).hexdigest()[:20]
    return Asset(body, gz, ctype.encode(), f'"{digest}"'.encode())


class Assets:
    """Every file under ``directory``, by its path relative to it ("css/hub.css")."""

    def __init__(self, directory: Path) -> None:
        self.files: dict[str, Asset] = {}
        tree = hashlib.sha256()
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            name = path.relative_to(directory).as_posix()
            asset = _load(path)
            self.files[name] = asset
            tree.update(name.encode() + b"\0" + asset.etag)
        self.version = tree.hexdigest()[:12]
        self.base = f"{VERSIONED}{self.version}"

    def find(self, path: str) -> tuple[Asset, bool] | None:
        """The asset a request path names and whether the answer may be immutable, or None
        (not a static path, or no such file: the app's own 404 answers it)."""
        if path.startswith(VERSIONED):
            version, _, name = path[len(VERSIONED) :].partition("/")
            asset = self.files.get(name)
            return None if asset is None else (asset, version == self.version)
        if path.startswith(PREFIX):
            asset = self.files.get(path[len(PREFIX) :])
            return None if asset is None else (asset, False)
        return None
