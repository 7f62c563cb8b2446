"""The pages scenario's reference: a bare Starlette app on the same uvicorn serving the same bytes.

    python -m bench.bare_pages --port 8123 --manifest /tmp/pages.json

The manifest maps each path to the file holding the body the hub sent for it and its content
type. Each path is one ``Route`` answering ``Response(body, media_type=...)`` from memory: no
middleware, no database, no template, no file system, no cookie. uvicorn is started the way
``council-hub serve`` starts it (its default HTTP implementation, lifespan on, access log off), so
the gap between the two is the hub's own work per request.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def build(manifest: dict[str, dict[str, str]]) -> Starlette:
    routes = []
    for path, entry in manifest.items():
        body = Path(entry["file"]).read_bytes()
        media_type = entry["content_type"]

        def endpoint(
            request: Request, body: bytes = body, media_type: str = media_type
        ) -> Response:
            return Response(body, media_type=media_type)

        # Async like the hub's routes (a sync endpoint would run in a thread).
        async def handler(request: Request, endpoint=endpoint) -> Response:  # type: ignore[no-untyped-def]
            return endpoint(request)

        routes.append(Route(path.split("?")[0], handler))
    return Starlette(routes=routes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--manifest", required=True)
    args = parser.parse_args()
    app = build(json.loads(Path(args.manifest).read_text()))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
