"""The hub's logging: its own lines beside uvicorn's, and no client address in any of them
unless the operator asks for an access log (``serve --access-log``).

A resident's network address is personal data the hub otherwise never keeps. uvicorn writes
it into two kinds of line: the HTTP access log (off unless asked for) and the WebSocket
handshake lines of its error logger ('127.0.0.1:51234 - "WebSocket /api/..." [accepted]'),
which it writes whatever the access-log setting. Without the access log,
``HandshakeLineFilter`` drops the latter: they are access-log lines (one per socket, 5,000 when
a meeting starts, ~5% of a join's CPU), and without the address they said nothing an operator
needs.
"""

from __future__ import annotations

import logging

# How uvicorn's WebSocket protocols start a handshake line: the client address, then the path.
HANDSHAKE_PREFIX = '%s - "WebSocket '


class HandshakeLineFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.msg
        return not (isinstance(msg, str) and msg.startswith(HANDSHAKE_PREFIX))


def configure(access_log: bool) -> None:
    """Called once per worker process (idempotent)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    # httpx logs every request at INFO: a line per social poll, every 30 s per source. The
    # poller logs what matters (failures, the lease changing hands) itself.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # FastSendProtocol's per-socket lines (hub/live/uvicorn_seam.py): not even built unless
    # the access log is on; its warnings and errors still go out through uvicorn's handlers.
    logging.getLogger("uvicorn.error.live").setLevel(
        logging.NOTSET if access_log else logging.WARNING
    )
    uvicorn_errors = logging.getLogger("uvicorn.error")
    present = [f for f in uvicorn_errors.filters if isinstance(f, HandshakeLineFilter)]
    if access_log:
        for f in present:
            uvicorn_errors.removeFilter(f)
    elif not present:
        uvicorn_errors.addFilter(HandshakeLineFilter())
