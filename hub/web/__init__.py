"""The web layer: routes that parse and authorise, then call an action or a query.

- ``public/``: residents' pages, the public JSON API, submissions and votes, the projector.
- ``staff/``: sign-in, the clerk's console, moderation, councillors' review.
- ``live.py``: the WebSocket streams. ``health.py``: the load balancer's check.
- ``inputs.py``: the one input layer (ids, seqs, JSON bodies, forms, submissions), behind
  ``bodies.py``: every request body bounded before any route reads it.
- ``guards.py``: the one origin policy and the one staff + meeting + role guard.
- ``errors.py``: the one error renderer (JSON or an HTML page, by one rule).
- ``routes.py``: every route, in one table (the app mounts it; docs and tests read it).

A route never writes rows itself: a test fails if anything here adds, changes or commits one.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

from hub.services import Services


def services(conn: HTTPConnection) -> Services:
    svc: Services = conn.app.state.services
    return svc
