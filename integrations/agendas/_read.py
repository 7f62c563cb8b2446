"""Reading a feed or export that is a file on this machine or a URL (OCD, iCalendar)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import unquote, urlparse
from zoneinfo import ZoneInfo

import httpx

from integrations.agendas import _http
from integrations.agendas.models import Refused, Unreachable


def is_url(location: str) -> bool:
    return location.startswith(("https://", "http://"))


def local_path(location: str) -> Path:
    if location.startswith("file://"):
        return Path(unquote(urlparse(location).path))
    return Path(location)


async def read(http: httpx.AsyncClient, location: str, *, what: str, expect: str) -> bytes:
    if is_url(location):
        return await _http.get(http, location, what=what, expect=expect)
    path = local_path(location)
    try:
        size = await asyncio.to_thread(lambda: path.stat().st_size)
        if size > _http.MAX_BODY:
            raise Refused(f"{what}: {path} is larger than {_http.MAX_BODY // (1024 * 1024)} MB")
        return await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        raise Unreachable(f"{what}: cannot read {path} ({exc.strerror or exc})") from exc


class LocatedSource:
    """A source read whole from one location (a file or a URL), its times in a council's zone:
    the OCD and iCalendar sources share this set-up and differ in how they read the body."""

    def __init__(
        self,
        location: str,
        zone: str,
        *,
        timeout: httpx.Timeout | float = _http.TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.location = location
        self.zone = ZoneInfo(zone)
        self._http = _http.client(timeout, transport=transport)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def read(self, *, what: str, expect: str) -> bytes:
        return await read(self._http, self.location, what=what, expect=expect)
