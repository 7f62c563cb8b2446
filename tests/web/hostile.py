"""What tests/web/test_hostile_input.py throws, and how it goes on the wire: the routes as
cases (from hub.web.routes.ROUTES), hostile values, plausible values for every field, and
encoders that keep hostile bytes hostile (a lone surrogate is sent as bytes that are not
UTF-8, not refused by the client)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_from_bytes

from hypothesis import strategies as st
from starlette.routing import BaseRoute, Route, WebSocketRoute
from websockets.exceptions import ConnectionClosed, InvalidStatus

from hub.web.inputs import Takes, takes_of
from hub.web.routes import ROUTES
from tests.support import PASSWORD, ws_connect


@dataclass(frozen=True)
class Case:
    method: str  # "WS" for a socket
    path: str
    takes: Takes


def cases(routes: list[BaseRoute]) -> list[Case]:
    found = []
    for route in routes:
        if isinstance(route, WebSocketRoute):
            found.append(Case("WS", route.path, takes_of(route.endpoint)))
        elif isinstance(route, Route):
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                found.append(Case(method, route.path, takes_of(route.endpoint)))
        else:
            raise AssertionError(f"a kind of route this suite cannot fuzz yet: {route!r}")
    return found


CASES = cases(ROUTES)

# ---- values -------------------------------------------------------------------------------

SPECIMENS = [
    "", " ", "\x00", "a\x00b", "\x00" * 70, "\ud800", "x\udfffy", "\x1b[2J", "\u202e\u2066",
    "\ufeff", "\u2028", "²", "１２", "٣", "𝟙𝟚", "1²", "-1", "+1", "0", "007", " 1", "1.0",
    "1e309", "NaN", "Infinity", str(2**31 - 1), str(2**31), str(2**62), str(2**63), str(2**64),
    "9" * 18, "9" * 19, "9" * 40, "9" * 5000, "%00", "%ff", "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd", "\r\n\r\n", "current", "approve", "off_topic", "//evil.example",
]  # fmt: skip
# Every code point but private-use and unassigned ones: surrogates and controls included.
CHARS = st.characters(exclude_categories=["Co", "Cn"])
RAW_JSON = [
    b"", b"null", b"[]", b'"x"', b"1", b"{", b'{"kind": "question"', b"\xff\xfe{}",
    "{}".encode("utf-16"), b"\xef\xbb\xbf{}", b'{"a": 1, "a": {"a": []}}',
    b"[" * 5000 + b"]" * 5000, b'{"body": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    b'{"item_id": ' + b"9" * 5000 + b"}", b'{"item_id": 1e999, "kind": NaN}',
    b'{"body": "\\ud800", "kind": "\\u0000"}', b"{}" + b" " * 17_000,
]  # fmt: skip
JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
CONTENT_TYPES = [
    "application/json", "application/x-www-form-urlencoded", "multipart/form-data",
    "multipart/form-data; boundary=", "multipart/form-data; boundary=zz", "text/plain", "",
    "application/json; charset=utf-16", "application/x-www-form-urlencoded; charset=latin-1",
    "application/json;;", "ÿ/ÿ",
]  # fmt: skip
ACCEPTS = [None, "application/json", "text/html", "*/*", "application/json;q=0, text/*", "ÿ"]
ORIGINS = [None, "https://evil.example", "null", "http://[", "http://]::1[", "", "ÿ://ÿ"]


def hostile_text(limit: int | None, longest: int = 17_000) -> st.SearchStrategy[str]:
    """Text of every kind; at and past ``limit``; up to ``longest`` (past the body limit)."""
    lengths = [limit, limit + 1] if limit else []
    return st.one_of(
        st.sampled_from(SPECIMENS),
        st.text(CHARS, max_size=30),
        st.builds(
            lambda char, n: char * n,
            st.sampled_from(["x", "é", "𝟙", "\x00", " ", "9"]),
            st.sampled_from([*lengths, 300, longest]),
        ),
    )


def specimens(limit: int) -> list[str]:
    return [
        "\x00", "a\x00b", "\ud800", "²", "１２", "𝟙", "-1", " ", "1e309", "9" * 18, str(2**31),
        str(2**63), "x" * limit, "x" * (limit + 1), "é" * (limit + 1),
    ]  # fmt: skip


HEADER_SPECIMENS = {
    "Origin": ORIGINS[1:],
    "Accept": [a for a in ACCEPTS if a],
    "Cookie": ["council_hub_participant=x.y", "council_hub_session=e30=.x.y", "lang=ÿ", ""],
    "X-CSRF-Token": ["x", "ÿÿ", ""],
}
WRONG_JSON_TYPES: list[Any] = [None, True, 2**63, -1, 1.5, float("nan"), [], {"a": 1}, ["x"]]


# ---- plausible values, so a hostile one gets past the first check ---------------------------

PLAUSIBLE: dict[str, list[str]] = {
    "kind": ["question", "comment"],
    "position": ["support", "oppose"],
    "body": ["Will the library open on Sundays?"],
    "item_id": [""],  # the meeting in general (JSON gets a number or null, below)
    "display_name": ["Sam"],
    "area": ["North ward"],
    "client_token": ["hostile-1", "hostile-2"],
    "action": ["open", "adjourn", "close", "approve", "reject", "hide", "answer", "block"],
    "status": ["done", "current", "deferred", "pending"],
    "note": ["Agreed, 7 votes to 2"],
    "reason": ["off_topic", "other"],
    "ids": ["1, 2", "1"],
    "email": ["clerk@aberglas.invalid"],
    "password": [PASSWORD, "not the password"],
    "next": ["/staff/"],
    "council": ["aberglas"],
    "page": ["1", "2"],
    "after": ["0", "1"],
    "limit": ["10"],
    "sent": ["1"],
    "signed_out": ["everywhere"],
    # The versions console forms carry: "" (no check), a stale one, the first.
    "version": ["", "0", "1"],
    "current_was": ["", "0"],
    "pin": ["1", ""],
    "reject_pending": ["1", ""],
    # Search and the review's filters.
    "q": ["library", "mobile library Sunday"],
    "since": ["18:30", ""],
    "until": ["21:00", ""],
    "partial": ["1", ""],
    # A council's social sources (hub/web/staff/social.py): no credentials key in these tests,
    # so X and Bluesky are refused; a Mastodon instance is added (and never polled: no tags).
    "platform": ["mastodon", "x", "bluesky"],
    "name": ["hostile instance", "moderngov", "feed"],
    "base_url": ["https://social.example", ""],
    "handle": ["aberglas.bsky.social"],
    "bearer_token": ["a-bearer-token"],
    "app_password": ["abcd-efgh-ijkl-mnop"],
    # The agenda editor, new meetings and agenda sources.
    "title": ["Budget 2027", "Library opening hours"],
    "body_name": ["Cabinet"],
    "starts_at": ["2026-11-23T18:30", ""],
    "location": ["Council Chamber"],
    "webcast_url": ["https://example.org/live", ""],
    "open_at": ["", "2026-11-20T09:00"],
    "close_at": ["", "2026-11-23T21:00"],
    "number": ["5", "5a"],
    "description": ["A report from the director.", ""],
    "parent_id": [""],
    "private": ["1", "0"],
    "move": ["up", "down", "indent", "outdent"],
    "withdrawn": ["1", "0"],
    "url": ["https://democracy.example.invalid", ""],
    "client": ["", "oakland"],
    "token": [""],
    "committees": ["", "144"],
    "welsh_url": ["", "https://democratiaeth.example.invalid"],
    # Welsh titles (the agenda editor).
    "title_cy": ["Cyllideb 2027", ""],
    "description_cy": ["Adroddiad gan y cyfarwyddwr.", ""],
    "hashtags": ["#AberglasCabinet", ""],
    "social_allowlist": ["x:AberglasCouncil", ""],
    "social_window_minutes": ["30", "0"],
    # A council's staff (hub/web/staff/members.py), invitations and the audit log.
    "role": ["clerk", "councillor", "admin"],
    "password_again": [PASSWORD, "not the password"],
    "before": ["1", "100", ""],
    "saved": ["1", "identity"],
    # The admin area and a council's settings (hub/web/staff/admin.py, council_settings.py).
    # Values the stage's own steps survive: pre-moderation (it approves a question), rate
    # limits as high as the module sets them.
    "slug": ["hostile-council", "aberglas"],
    "timezone": ["Europe/London", "Europe/Dublin"],
    "default_language": ["en", "cy"],
    "offer_en": ["1", ""],
    "offer_cy": ["1", ""],
    "moderation": ["pre"],
    "logo_url": ["https://www.aberglas.gov.uk/logo.svg", ""],
    "host_name": ["meetings.aberglas.gov.uk", ""],
    "brand_colour": ["#8a1538", "#777"],
    "brand_text_colour": ["#ffffff", "#fff"],
    "submissions_open": ["publication"],
    "close_items_when_done": ["1", ""],
    "max_chars": ["1000"],
    "max_links": ["1", "5"],
    "rate_per_participant": ["10000"],
    "rate_per_address": ["100000"],
    "blocklist": ["", "spam"],
    "rejection_reasons": ["", "repeat: Already asked"],
    "retention_days": ["365", "30"],
    "privacy_notice": ["Aberglas County Council is the controller.", ""],
    "licence_name": ["Open Government Licence v3.0", ""],
    "licence_url": [
        "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "",
    ],
}
# Where a field means something else. For moderation, actions that store the reason (answer,
# block, unanswer), so a hostile reason reaches the database.
PLAUSIBLE_ON: dict[str, dict[str, list[str]]] = {
    "/moderate": {
        "action": [
            "answer",
            "block",
            "unanswer",
            "spotlight",
            "approve",
            "hide",
            "move",
            "withdraw",
        ]
    },
    "/bulk": {"action": ["approve", "reject"]},
    "{meeting_id:id}/status": {"action": ["adjourn", "resume", "open", "close"]},
    "/sources": {"kind": ["moderngov", "legistar", "ical"]},
    # Someone new (an invitation is made) and someone on the staff already (refused).
    "/staff/invites": {"email": ["new@aberglas.invalid", "clerk@aberglas.invalid"]},
}


# ---- on the wire ---------------------------------------------------------------------------


def encoded(value: str | bytes) -> bytes:
    # A lone surrogate becomes bytes that are not UTF-8: hostile on the wire too.
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def urlencoded(fields: dict[str, str | bytes]) -> bytes:
    return b"&".join(
        quote_from_bytes(encoded(k)).encode() + b"=" + quote_from_bytes(encoded(v)).encode()
        for k, v in fields.items()
    )


def multipart(fields: dict[str, str | bytes], with_file: bool) -> bytes:
    parts = [
        b'--zz\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (encoded(k).replace(b'"', b""), encoded(v))
        for k, v in fields.items()
    ]
    if with_file:
        parts.append(b'--zz\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\nx\r\n')
    return b"".join(parts) + b"--zz--\r\n"


async def open_socket(url: str, headers: dict[str, str], wait_s: float) -> None:
    """A socket opened, refused (a close code that is not an error, or a 4xx) or following:
    never a server error (1011), a broken connection (1006) or a refused handshake's 5xx."""
    try:
        async with ws_connect(url, additional_headers=headers) as ws:
            try:
                while True:
                    await asyncio.wait_for(ws.recv(), wait_s)
            except TimeoutError:
                return  # following the stream
            except ConnectionClosed:
                pass
            assert ws.close_code not in (1006, 1011), (url, ws.close_code, ws.close_reason)
    except InvalidStatus as exc:
        assert exc.response.status_code < 500, (url, exc.response.status_code)
