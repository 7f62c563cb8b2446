"""The poller: one task per social source (a council's X, each Mastodon instance, each Bluesky
account), in one process of however many run, storing what it fetches through hub/actions.

- **One process polls.** A lease in the database (hub/leadership.py) names the process that
  polls; the others wait, and take over within the lease's lifetime (45 s) when its holder
  dies. It is claimed only while some source has something to poll (and handed back after),
  so a hub with no source in use writes nothing for it. Every write of a poll renews the
  lease in the same transaction and is refused if it was lost (a fence), so a process that
  lost it mid-poll stores nothing.
- **When.** A source polls while its council has a meeting in its window (hub/queries/social.py:
  from ``social_window_minutes`` before the start, while live or adjourned, until that long
  after it closed), every ``social_poll_seconds``; polling stops when no meeting is left.
- **What.** One request per source per poll covers every tag of every meeting in the window
  (X bills each post read: each post is read once); each post goes to the meetings whose tags
  it carries. When the tags change (another meeting came into its window) or a meeting entered
  its window after the last poll, the source starts again from that meeting's window start
  (X by ``start_time``, Mastodon by a ``min_id`` made from the time, Bluesky by ``since``): what
  was already stored comes again and is skipped (posts are stored once per meeting by uri).
- **Resuming.** The cursor is stored with the posts in one transaction (store_poll), so a
  restart or a takeover resumes where the last committed poll ended: no duplicate, no gap.
- **Failing.** A 401/403 stops the source with the platform's reason until staff change its
  credentials; a 429 waits for the reset the platform announced (or, without one, backs off:
  never sooner than a normal poll); anything else backs off exponentially with full jitter
  (integrations/backoff.py). A failing source never raises into the meeting: its task records
  the failure (health) and waits.
- **Deleted at the source.** While a meeting is in session, its published Mastodon and Bluesky
  posts are re-checked (the least recently checked first, a batch per poll) and the ones gone are
  withdrawn (hub/actions/social_withdrawal.py's withdraw_gone: an event takes them off every page).
- **Health.** Each poll writes the source's health (last success, posts fetched, next poll,
  rate-limit reset, last error, stopped reason); the consoles of the meetings polled get a
  ``social.source.health`` event when it changes, when posts were stored, and otherwise at most
  every ``HEALTH_REFRESH``.

``poll_once`` runs one poll of every source now, without the lease or the schedule (the CLI's
``social poll --once``, and tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from hub.models import SocialSource, utcnow
from hub.queries.social import pollable_sources
from integrations.social.clients import close_source
from integrations.social.poll import LostLease, SourcePoller

logger = logging.getLogger(__name__)


class SocialRunner(SourcePoller):
    """The schedule and the lease around SourcePoller's one poll (integrations/social/poll.py)."""

    def start(self) -> None:
        self._main = asyncio.create_task(self._lead(), name="council-hub-social-poller")

    @property
    def polling(self) -> list[int]:
        """The ids of the sources this process has a polling task for."""
        return sorted(sid for sid, task in self._tasks.items() if not task.done())

    async def close(self) -> None:
        if self._main is not None:
            self._main.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._main
            self._main = None
        await self._stop_tasks()
        await self.leadership.give_up()

    async def _lead(self) -> None:
        while True:
            try:
                # The lease is wanted only while there is something to poll: a hub with no
                # source in use writes nothing (no lease renewal every 15 s on SQLite's one
                # writer), and one that had some hands the lease back when they are done.
                async with self._sessionmaker() as session:
                    wanted = set(await pollable_sources(session, self._clock()))
                if not wanted:
                    await self._stop_tasks()
                    await self.leadership.give_up()
                elif await self.leadership.renew():
                    await self._reconcile(wanted)
                else:
                    await self._stop_tasks()
            except Exception:
                logger.exception("the social poller's round failed; trying again")
            await asyncio.sleep(self.leadership.renew_every_s)

    async def _reconcile(self, wanted: set[int]) -> None:
        """A task for each source that has something to poll, none for the others."""
        for sid, task in list(self._tasks.items()):
            if sid not in wanted or task.done():
                await self._stop_task(sid)
        for sid in sorted(wanted - set(self._tasks)):
            self._tasks[sid] = asyncio.create_task(
                self._run_source(sid), name=f"council-hub-social-source-{sid}"
            )

    async def _stop_task(self, sid: int) -> None:
        task = self._tasks.pop(sid, None)
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        client = self._clients.pop(sid, None)
        if client is not None:
            await close_source(client.source)

    async def _stop_tasks(self) -> None:
        for sid in list(self._tasks):
            await self._stop_task(sid)
        for sid in list(self._clients):
            await close_source(self._clients.pop(sid).source)

    async def _run_source(self, sid: int) -> None:
        """Poll one source whenever it is due, while this process holds the lease."""
        troubles = 0
        while self.leadership.held:
            try:
                async with self._sessionmaker() as session:
                    source = await session.get(SocialSource, sid)
                    due = source.next_poll_at if source is not None else None
                if source is None:
                    return
                wait = (due - utcnow()).total_seconds() if due is not None else 0.0
                if wait > 0:
                    # In steps, so new credentials (which make it due now) are noticed.
                    await asyncio.sleep(min(wait, self.leadership.renew_every_s))
                    continue
                report = await self.poll_source(sid, fence=True)
                troubles = 0
                if report is None or report.stopped:
                    return
            except LostLease:
                logger.info("the polling lease went to another process; source %s waits", sid)
                self.leadership.held = False
                return
            except Exception:
                # A bug or the database down: never raised into the meeting; back off.
                troubles += 1
                logger.exception("polling source %s failed; backing off", sid)
                await asyncio.sleep(self.poll_s + self._backoff(troubles))
