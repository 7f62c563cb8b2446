"""The house stays standing: the rooms keep their walls.

- The write and read sides (actions, queries, events, shapes, integrations) never load the live
  seam (uvicorn) or the live package: a poller or importer runs actions without a web server.
- Outside hub/actions and hub/events nothing adds, changes, deletes or commits rows, so a new
  route or command cannot write behind the event log.
- Every setting is documented in the README, every /api route in docs/api.md.
- Routes read requests only through the input layer (hub/web/inputs.py), so none misses a limit.
"""

from __future__ import annotations

import ast
import dataclasses
import pkgutil
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import hub
import integrations
from hub.models import Base
from hub.settings import ENVIRONMENT, Settings
from hub.web.routes import ROUTES

ROOT = Path(__file__).resolve().parent.parent
WRITE_SIDE = ("hub.actions", "hub.queries", "hub.events", "hub.shapes", "integrations")
# Where rows may be written: the actions, and the event log they append to.
WRITERS = (ROOT / "hub" / "actions", ROOT / "hub" / "events")


def _modules(prefixes: tuple[str, ...]) -> list[str]:
    names = []
    for package in (hub, integrations):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name.startswith(prefixes):
                names.append(info.name)
    names.extend(p for p in prefixes if "." not in p or p in ("hub.actions",))
    return sorted(set(names))


def test_write_and_read_sides_never_load_the_live_seam() -> None:
    modules = _modules(WRITE_SIDE)
    assert any(m.startswith("hub.actions.") for m in modules)
    assert any(m.startswith("hub.queries.") for m in modules)
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'uvicorn' "
        "or m == 'hub.live' or m.startswith('hub.live.') or m.startswith('hub.web'))\n"
        "print('\\n'.join(bad))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert found.stdout.strip() == "", f"the write/read side loads: {found.stdout}"


def _column_names() -> set[str]:
    return {c.name for table in Base.metadata.tables.values() for c in table.columns}


SESSION_WRITES = {"add", "add_all", "delete", "merge", "commit", "flush", "begin_nested"}
SQL_WRITES = {"insert", "update", "delete"}


def _writes_in(path: Path, columns: set[str]) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        where = f"{path}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = ast.unparse(node.func.value)
            if node.func.attr in SESSION_WRITES and "session" in receiver.lower():
                found.append(f"{where} {receiver}.{node.func.attr}()")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "setattr"
        ):
            found.append(f"{where} setattr()")
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            for alias in node.names:
                if alias.name in SQL_WRITES:
                    found.append(f"{where} imports sqlalchemy's {alias.name}")
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and target.attr in columns
                and ast.unparse(target.value) != "self"
            ):
                found.append(f"{where} assigns {ast.unparse(target)}")
    return found


def test_only_actions_write() -> None:
    columns = _column_names()
    sources = [
        p
        for folder in (ROOT / "hub", ROOT / "integrations")
        for p in folder.rglob("*.py")
        if not any(p.is_relative_to(w) for w in WRITERS)
    ]
    assert len(sources) > 30
    writes = [w for p in sources for w in _writes_in(p, columns)]
    assert writes == [], "rows written outside hub/actions and hub/events:\n" + "\n".join(writes)


def _found_in(tmp_path: Path, source: str, check: Callable[[Path], list[str]]) -> list[str]:
    """What a check finds in a sample module: a check that finds nothing is vacuous."""
    sample = tmp_path / "probe.py"
    sample.write_text(source)
    return check(sample)


def test_the_write_check_sees_a_write(tmp_path: Path) -> None:
    """The check above is not vacuous: each kind of write it looks for is found."""
    source = (
        "from sqlalchemy import update\n"
        "async def route(session, meeting, w):\n"
        "    session.add(meeting)\n"
        "    await w.session.commit()\n"
        "    meeting.status = 'live'\n"
        "    setattr(meeting, 'title', 'x')\n"
    )
    found = _found_in(tmp_path, source, lambda p: _writes_in(p, _column_names()))
    assert len(found) == 5, found


# What reads a request's query string or body directly, skipping hub/web/inputs.py.
RAW_READS = {"query_params", "form", "body", "json", "stream"}
INPUT_LAYER = (ROOT / "hub" / "web" / "inputs.py", ROOT / "hub" / "web" / "bodies.py")


def _raw_reads_in(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        f"{path}:{node.lineno} {ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in RAW_READS
        and ast.unparse(node.value) in {"request", "websocket", "conn"}
    ]


def test_routes_read_requests_through_the_input_layer() -> None:
    sources = [p for p in (ROOT / "hub" / "web").rglob("*.py") if p not in INPUT_LAYER]
    assert len(sources) > 10
    reads = [r for p in sources for r in _raw_reads_in(p)]
    assert reads == [], "read around hub/web/inputs.py:\n" + "\n".join(reads)


def test_the_raw_read_check_sees_a_read(tmp_path: Path) -> None:
    source = (
        "async def route(request, websocket):\n"
        "    request.query_params.get('page')\n"
        "    await request.form()\n"
        "    await request.body()\n"
        "    websocket.query_params\n"
    )
    found = _found_in(tmp_path, source, _raw_reads_in)
    assert len(found) == 4, found


def test_every_setting_is_in_the_readme() -> None:
    fields = {f.name for f in dataclasses.fields(Settings)}
    assert set(ENVIRONMENT) == fields, "every setting is read from the environment"
    readme = (ROOT / "README.md").read_text()
    rows = set(re.findall(r"^\| `(COUNCIL_HUB_[A-Z_]+)` \|", readme, re.M))
    missing = {var for var, _parse in ENVIRONMENT.values()} - rows
    assert not missing, f"settings without a row in the README's table: {sorted(missing)}"


def _doc_path(path: str) -> str:
    """A route path as docs/api.md writes it."""
    return (
        path.replace("{meeting_id:id}", "{id}")
        .replace("{contribution_id:id}", "{cid}")
        .replace("{item_id:id}", "{item}")
    )


def test_every_api_route_is_documented() -> None:
    doc = (ROOT / "docs" / "api.md").read_text()
    headings = [line for line in doc.splitlines() if line.startswith("#")]
    undocumented = []
    for route in ROUTES:
        path = getattr(route, "path", "")
        if not path.startswith(("/api/", "/staff/api/")):
            continue
        methods = sorted((getattr(route, "methods", None) or {"WS"}) - {"HEAD"})
        for method in methods:
            wanted = _doc_path(path)
            if not any(wanted in h and method in h for h in headings):
                undocumented.append(f"{method} {path}")
    assert not undocumented, f"routes missing from docs/api.md's headings: {undocumented}"
