"""Pages (issue 14): the moment everyone opens the meeting's page, against a bare Starlette app
serving the same bytes on the same uvicorn.

Per database (SQLite, then PostgreSQL in a fresh database ``council_hub_bench_pages``, skipped
with a note when PostgreSQL does not answer): the hub (``hub_target``: the demo meeting opened by
the clerk, whose staff socket keeps the meeting's live channel open, as during a meeting) on two
processes sharing the database: process A is measured; process B has no socket and is asked
only for fresh renders (the checks). The bodies A sends for each path are captured and served by
``bench/bare_pages.py``; then, path by path, ``wrk -t1 -c32 -d{s}s`` (or the Python client,
``bench/http_load.py``) against A and against the bare app, one after the other:

- ``page``: ``GET /meetings/{id}`` as a first-time visitor (no cookie);
- ``snapshot``: ``GET /api/meetings/{id}``;
- ``health``: ``GET /healthz``;
- ``static``: the stylesheet the page links to (as the page names it).

Then ``arrivals``: ``pages_arrivals`` page loads spread evenly over ``pages_arrival_s`` seconds
(5,000 over 60 s), each on a new connection; p99 from scheduled start to last byte (goal < 1 s).

Checks (correctness, in the quick run too): a page and a snapshot from A equal a fresh render by
B at the same seq; after an event (seen on the staff socket, so the live channel has it) A's page
and snapshot carry it (``last_seq`` at least the event's); ``If-None-Match`` with the current ETag
gets a 304 without a body, and the old ETag after the event a 200; a resident with a cookie gets
a ``private`` page that is never one shared with others, and a visitor without one a page with
no ``Set-Cookie``; the Welsh page differs from the English one; the stylesheet gzip-encoded
decodes to the same bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from bench import http_load, profile
from bench.context import Context, Row, ScenarioResult
from bench.hub_server import Database, HubTarget, current_item_cycle, hub_target, postgres_database
from bench.measure import Check
from bench.procs import Child, cpu_seconds, free_port, python_module

NAME = "pages"
PG_PAGES_DATABASE = "council_hub_bench_pages"
GOALS = {"page": 0.5, "snapshot": 0.5, "health": 0.8, "static": 0.8}
ARRIVAL_P99_GOAL_MS = 1000.0
SNAPSHOT_RE = re.compile(r'<script type="application/json" id="snapshot">(.*?)</script>', re.S)
STYLESHEET_RE = re.compile(r'<link rel="stylesheet" href="(/static/[^"]*hub[^"]*\.css)"')


@dataclass
class Problems:
    label: str
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    def expect(self, ok: bool, what: str) -> None:
        self.checked += 1
        if not ok:
            self.problems.append(what)

    def check(self) -> Check:
        return Check(
            self.label,
            sockets=1,
            ok=0 if self.problems else 1,
            expected_frames=self.checked,
            delivered=self.checked,
            problems=self.problems,
        )


def page_seq(html: str) -> int:
    m = SNAPSHOT_RE.search(html)
    if m is None:
        raise AssertionError("the page has no snapshot")
    return int(json.loads(m[1])["last_seq"])


PERSONAL_RE = [
    (re.compile(r'name="form_token" value="[0-9a-f]{64}"'), 'name="form_token" value="T"'),
    (re.compile(r'value="nojs-[0-9a-f]{8}-'), 'value="nojs-T-'),
    (
        re.compile(r'<span class="code">[A-Z2-7]{5}-[A-Z2-7]{5}</span>'),
        '<span class="code">C</span>',
    ),
]


def impersonal(html: str) -> str:
    """A first visit's page without its visitor's own values (form token, participant code)."""
    for pattern, repl in PERSONAL_RE:
        html = pattern.sub(repl, html)
    return html


def own_values_valid(r: Any, probs: Problems, what: str) -> None:
    """The page's form token is the one its participant cookie's id gives (the hub's HMAC)."""
    from bench.hub_server import SECRET_KEY
    from hub.web.participants import COOKIE, form_token, participant_of

    raw = r.cookies.get(COOKIE)
    probs.expect(raw is not None, f"{what}: no participant cookie")
    if raw is None:
        return

    class Conn:
        cookies = {COOKIE: raw}

    participant = participant_of(Conn(), SECRET_KEY)  # type: ignore[arg-type]
    probs.expect(participant is not None, f"{what}: the cookie does not verify")
    if participant:
        token = form_token(participant, SECRET_KEY)
        probs.expect(f'name="form_token" value="{token}"' in r.text, f"{what}: not its own token")
        probs.expect(f'value="nojs-{token[:8]}-' in r.text, f"{what}: not its own no-JS token")


async def correctness(target: HubTarget, probs: Problems) -> None:
    """Pages and snapshots served by A equal B's fresh renders, before and after an event."""
    import httpx

    a, b = target.deployment.hosts
    mid = target.meeting_id
    page, snap = f"/meetings/{mid}", f"/api/meetings/{mid}"
    async with (
        httpx.AsyncClient(base_url=f"http://{a}", timeout=30) as ha,
        httpx.AsyncClient(base_url=f"http://{b}", timeout=30) as hb,
    ):
        tokens = set()
        for _ in range(2):  # the second is served from whatever the first left behind
            ra, rb = await ha.get(page), await hb.get(page)
            probs.expect(ra.status_code == 200, f"{page}: {ra.status_code}")
            probs.expect(
                impersonal(ra.text) == impersonal(rb.text), "A's page differs from B's fresh one"
            )
            own_values_valid(ra, probs, "a first visit")
            tokens.add(ra.cookies.get("council_hub_participant"))
            cc = ra.headers.get("cache-control", "")
            probs.expect("no-store" in cc, f"a first visit's page may be stored ({cc!r})")
            ha.cookies.clear()
            hb.cookies.clear()
            sa, sb = await ha.get(snap), await hb.get(snap)
            probs.expect(sa.content == sb.content, "A's snapshot differs from B's fresh one")
            probs.expect("set-cookie" not in sa.headers, "a cookie with the snapshot")
        probs.expect(len(tokens) == 2, "two first visits got the same participant")
        first = await ha.get(page)
        ha.cookies.clear()
        first_snap = await ha.get(snap)
        etag = first_snap.headers.get("etag")
        probs.expect(etag is not None, "the snapshot has no ETag")
        cc = first_snap.headers.get("cache-control", "")
        probs.expect(cc.startswith("public"), f"the snapshot is not public ({cc!r})")
        if etag:
            again = await ha.get(snap, headers={"If-None-Match": etag})
            probs.expect(again.status_code == 304, f"If-None-Match: {again.status_code}, not 304")
            probs.expect(again.content == b"", "a 304 with a body")
        welsh = await ha.get(page, headers={"Cookie": "lang=cy"})
        ha.cookies.clear()
        probs.expect(impersonal(welsh.text) != impersonal(first.text), "the Welsh page is English")
        probs.expect('<html lang="cy"' in welsh.text, "the Welsh page is not marked cy")
        welsh_b = await hb.get(page, headers={"Cookie": "lang=cy"})
        hb.cookies.clear()
        probs.expect(
            impersonal(welsh.text) == impersonal(welsh_b.text), "A's Welsh page != B's fresh one"
        )

        # A returning resident (their cookie): their own page, rendered for them.
        jar = first.cookies.get("council_hub_participant")
        if jar:
            own = await ha.get(page, headers={"Cookie": f"council_hub_participant={jar}"})
            ha.cookies.clear()
            cc = own.headers.get("cache-control", "")
            probs.expect("public" not in cc and "no-store" in cc, f"their page: {cc!r}")
            probs.expect("set-cookie" not in own.headers, "a returning resident got a new cookie")
            probs.expect(
                first_token(first.text) == first_token(own.text), "not the resident's own token"
            )

        # An event: A's page and snapshot carry it once the live channel has it.
        target.script = current_item_cycle(mid, target.item_ids)
        target.step = 1 + int(target.last_seq) % len(target.item_ids)
        before = page_seq(first.text)
        fired = await target.fire()
        seq = fired.seqs[-1] if fired.seqs else target.last_seq
        after_page, after_snap = await ha.get(page), await ha.get(snap)
        ha.cookies.clear()
        probs.expect(
            page_seq(after_page.text) >= seq, f"page at {page_seq(after_page.text)} < {seq}"
        )
        probs.expect(after_snap.json()["last_seq"] >= seq, "snapshot older than the event")
        probs.expect(page_seq(after_page.text) > before, "the page did not move on")
        fresh_page, fresh_snap = await hb.get(page), await hb.get(snap)
        hb.cookies.clear()
        probs.expect(
            impersonal(after_page.text) == impersonal(fresh_page.text), "page after event != fresh"
        )
        probs.expect(after_snap.content == fresh_snap.content, "snapshot after the event != fresh")
        if etag:
            stale = await ha.get(snap, headers={"If-None-Match": etag})
            probs.expect(stale.status_code == 200, f"the old ETag got {stale.status_code}")

        # The stylesheet, compressed and not.
        m = STYLESHEET_RE.search(first.text)
        probs.expect(m is not None, "the page links no stylesheet")
        if m:
            plain = await ha.get(m[1], headers={"Accept-Encoding": "identity"})
            gz = await ha.get(m[1], headers={"Accept-Encoding": "gzip"})
            probs.expect(plain.status_code == 200, f"{m[1]}: {plain.status_code}")
            probs.expect(gz.headers.get("content-encoding") == "gzip", f"{m[1]} is not gzipped")
            probs.expect(gz.content == plain.content, f"{m[1]}: gzip decodes to other bytes")
            probs.expect(
                "content-security-policy" in plain.headers, f"{m[1]} lost the security headers"
            )
            probs.expect(
                "immutable" in plain.headers.get("cache-control", ""), f"{m[1]} is not immutable"
            )
            old = await ha.get("/static/css/hub.css")
            probs.expect(old.content == plain.content, "the old stylesheet name does not work")


def first_token(html: str) -> str | None:
    m = re.search(r'name="form_token" value="([0-9a-f]{64})"', html)
    return m[1] if m else None


async def start_bare(
    ctx: Context, bodies: dict[str, tuple[bytes, str]], tag: str
) -> tuple[Child, str]:
    manifest: dict[str, dict[str, str]] = {}
    for i, (path, (body, ctype)) in enumerate(bodies.items()):
        f = ctx.tmp / f"pages-{tag}-{i}.body"
        f.write_bytes(body)
        manifest[path] = {"file": str(f), "content_type": ctype}
    mf = ctx.tmp / f"pages-{tag}.json"
    mf.write_text(json.dumps(manifest))
    port = free_port()
    child = Child(
        f"bare-pages-{tag}",
        python_module("bench.bare_pages", "--port", str(port), "--manifest", str(mf)),
    )
    import httpx

    host = f"127.0.0.1:{port}"
    async with httpx.AsyncClient(timeout=2) as http:
        for _ in range(300):
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"http://{host}/healthz")).status_code == 200:
                    return child, host
            await asyncio.sleep(0.05)
    child.stop()
    raise RuntimeError(f"the bare pages app did not start:\n{child.tail()}")


async def measure_backend(ctx: Context, db: Database, name: str, result: ScenarioResult) -> None:
    import httpx

    sizes = ctx.sizes
    async with hub_target(db, processes=2) as target:
        host = target.deployment.hosts[0]
        mid = target.meeting_id
        probs = Problems(f"pages {name}: fresh, 304, private, no stale after an event")
        try:
            await correctness(target, probs)
        except Exception as exc:  # a check that cannot even run is a failed check
            probs.problems.append(f"{type(exc).__name__}: {exc}")
        result.checks.append(probs.check())

        async with httpx.AsyncClient(base_url=f"http://{host}", timeout=30) as http:
            first = await http.get(f"/meetings/{mid}")
            m = STYLESHEET_RE.search(first.text)
            paths = {
                "page": f"/meetings/{mid}",
                "snapshot": f"/api/meetings/{mid}",
                "health": "/healthz",
                "static": m[1] if m else "/static/css/hub.css",
            }
            bodies: dict[str, tuple[bytes, str]] = {}
            for path in paths.values():
                r = await http.get(path, headers={"Accept-Encoding": "identity"})
                bodies[path] = (r.content, r.headers.get("content-type", "text/html"))
        bare, bare_host = await start_bare(ctx, bodies, name)
        try:
            pids = {"hub": target.deployment.pids[0], "bare": bare.pid}
            hosts = {"hub": host, "bare": bare_host}
            for label, path in paths.items():
                runs: dict[str, list[tuple[http_load.Load, float]]] = {"hub": [], "bare": []}
                for r in range(sizes.pages_rounds):
                    # hub, bare, then bare, hub: drift in the machine's load falls on both.
                    for who in ("hub", "bare") if r % 2 == 0 else ("bare", "hub"):
                        h, pid = hosts[who], pids[who]
                        await http_load.throughput(h, path, seconds=0.5)  # warm up
                        prof = f"pages-{name}-{label}-{who}-{r}"
                        cpu0 = cpu_seconds(pid)
                        with profile.maybe_record(ctx.profile_dir, pid, prof):
                            load = await http_load.throughput(h, path, seconds=sizes.pages_seconds)
                        cpu = (cpu_seconds(pid) - cpu0) / max(1, load.requests) * 1e6
                        runs[who].append((load, cpu))
                        ctx.log(
                            f"pages {name} {label} {who}: {load.rps:,.0f} req/s, p99 "
                            f"{load.p99_ms:.1f} ms, {cpu:.0f} µs CPU/request ({load.client}, "
                            f"{load.errors} errors)"
                        )
                # The best round of each: on a shared machine, the one least disturbed.
                hub, hub_cpu = max(runs["hub"], key=lambda x: x[0].rps)
                ref, ref_cpu = max(runs["bare"], key=lambda x: x[0].rps)
                size = f"{name}, 32 conn"
                row = Row(NAME, size, f"{label} req/s", hub.rps, ref.rps, "bare", digits=0)
                row.goal = f">= {GOALS[label]}x"
                row.met = row.ratio is not None and row.ratio >= GOALS[label]
                result.rows += [
                    row,
                    Row(NAME, size, f"{label} p99 (ms)", hub.p99_ms, ref.p99_ms, "bare"),
                    Row(
                        NAME,
                        size,
                        f"{label} server CPU per request (µs)",
                        hub_cpu,
                        ref_cpu,
                        "bare",
                        digits=0,
                    ),
                ]
                result.notes.append(
                    f"pages {name} {label} ({path}), {hub.client}: hub "
                    + ", ".join(f"{x.rps:,.0f}" for x, _ in runs["hub"])
                    + " req/s; bare "
                    + ", ".join(f"{x.rps:,.0f}" for x, _ in runs["bare"])
                    + f" req/s; errors hub {sum(x.errors for x, _ in runs['hub'])}, "
                    f"bare {sum(x.errors for x, _ in runs['bare'])}"
                )
                failed = sum(x.errors for x, _ in runs["hub"])
                if failed:
                    probs.problems.append(f"{label}: {failed} failed requests under load")
            n, secs = sizes.pages_arrivals, sizes.pages_arrival_s
            arr = await http_load.arrivals(host, paths["page"], n, secs)
            ref_arr = await http_load.arrivals(bare_host, paths["page"], n, secs)
            size = f"{name}, {n:,} in {secs:g} s"
            row = Row(NAME, size, "page load p99 (ms)", arr.p99_ms, ref_arr.p99_ms, "bare")
            row.goal = f"< {ARRIVAL_P99_GOAL_MS:,.0f} ms"
            row.met = arr.p99_ms < ARRIVAL_P99_GOAL_MS and arr.requests == n
            result.rows += [
                row,
                Row(NAME, size, "page load p50 (ms)", arr.p50_ms, ref_arr.p50_ms, "bare"),
            ]
            if arr.errors or arr.requests != n:
                probs.problems.append(
                    f"arrivals: {arr.requests} of {n} answered, {arr.errors} errors"
                )
            ctx.log(f"pages {name} arrivals: p50 {arr.p50_ms:.0f} ms, p99 {arr.p99_ms:.0f} ms")
        finally:
            await asyncio.to_thread(bare.stop)


async def run(ctx: Context) -> ScenarioResult:
    from bench.scenarios.ingest import postgres_available

    result = ScenarioResult(NAME)
    if http_load.WRK is None:
        result.notes.append(
            "wrk is not installed: the Python client measured (apt-get install wrk)"
        )
    for backend in ctx.pages_backends:
        if backend == "sqlite":
            ctx.log("pages: SQLite")
            await measure_backend(ctx, await ctx.sqlite.copy(), "SQLite", result)
        elif backend == "postgresql":
            why = await postgres_available(ctx)
            if why is not None:
                result.notes.append(f"pages on PostgreSQL skipped: {why}")
                continue
            ctx.log("pages: PostgreSQL")
            db = await postgres_database(ctx.postgres_url, ctx.pg_pages_database)
            try:
                await measure_backend(ctx, db, "PostgreSQL", result)
            finally:
                await db.drop()
        else:
            raise ValueError(f"unknown pages backend {backend!r}")
    return result
