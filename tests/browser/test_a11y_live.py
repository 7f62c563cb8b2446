"""Live regions on the resident page (issue 15, WCAG 4.1.3): the item being discussed and newly
published comments and questions are told to a screen reader politely, and a burst of news is
one announcement, not one per comment (static/js/announce.js). The test records every text the
regions take while events arrive, in English and in Welsh."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from hub.actions.agenda import set_current_item
from hub.actions.moderation import moderate
from hub.actions.social import store_poll
from hub.events.publish import writing
from hub.queries.meetings import load_items
from integrations.social.models import FetchResult, Post
from tests.browser.a11y import CLERK, MODULE_LOOP, Stage, a11y_browser, a11y_stage, publish
from tests.browser.support import eventually

pytestmark = [pytest.mark.browser, MODULE_LOOP]
__all__ = ["a11y_browser", "a11y_stage"]  # fixtures, used by name

# Every non-empty text each region takes, in order.
RECORD = """() => {
  window.__said = {news: [], now: []};
  const watch = (id, into) => {
    const node = document.getElementById(id);
    new MutationObserver(() => {
      const text = node.textContent.replace(/\\s+/g, " ").trim();
      if (text) into.push(text);
    }).observe(node, {childList: true, characterData: true, subtree: true});
  };
  watch("contributions-live", window.__said.news);
  watch("now-discussing", window.__said.now);
}"""

EXPECTED = {
    "en": (
        "New comments: 3. New questions: 1. New posts from social media: 1.",
        "New comments: 1.",
    ),
    "cy": (
        "Sylwadau newydd: 3. Cwestiynau newydd: 1. Negeseuon newydd o'r cyfryngau cymdeithasol: 1.",
        "Sylwadau newydd: 1.",
    ),
}


async def _said(page: Any) -> dict[str, list[str]]:
    return dict(await page.evaluate("window.__said"))


async def test_news_and_the_current_item_are_announced_politely_and_in_batches(
    a11y_stage: Stage,
) -> None:
    stage = a11y_stage
    mid = int(stage.ids["live"])
    pages = {}
    for lang in EXPECTED:
        page = await stage.open("resident", lang, "/meetings/{live}", live=True)
        for region in ("#contributions-live", "#now-discussing"):
            assert await page.get_attribute(region, "aria-live") == "polite", region
            assert await page.get_attribute(region, "aria-atomic") == "true", region
        await page.evaluate(RECORD)
        pages[lang] = page

    # A burst: three comments, a question and a social media post published one after another.
    item = int(stage.ids["item"])
    for n, kind in enumerate(["comment", "question", "comment", "post", "comment"], start=50):
        if kind == "post":
            await _post(stage, mid, n)
        else:
            await publish(stage.server, mid, n, item, kind, f"Burst {n}")
    for lang, page in pages.items():
        first = EXPECTED[lang][0]
        await eventually(lambda p=page: _has_news(p, 1))
        said = await _said(page)
        assert said["news"] == [first], (lang, said)  # one sentence for the four, nothing else

    # The next item: told once, in the region that shows it.
    svc = stage.server.services
    async with svc.sessionmaker() as session:
        items = await load_items(session, mid)
    minutes = next(i for i in items if i.title == "Minutes")
    async with writing(svc.sessionmaker, svc.broker) as w:
        await set_current_item(w, mid, minutes.id, CLERK)
    for page in pages.values():
        await eventually(lambda p=page: _now_says(p, "Minutes"))

    # Later news is a new announcement; the same sentence twice would be too.
    await publish(stage.server, mid, 60, minutes.id, "comment", "After the burst")
    for lang, page in pages.items():
        await eventually(lambda p=page: _has_news(p, 2))
        said = await _said(page)
        assert said["news"] == list(EXPECTED[lang]), (lang, said)
        assert len(said["now"]) == 1 and "Minutes" in said["now"][0], (lang, said)
        await page.close()


async def _post(stage: Stage, mid: int, n: int) -> None:
    """A Mastodon post tagged to the meeting, stored as a poll stores it, then published."""
    svc = stage.server.services
    now = datetime.now(UTC)
    post = Post(
        platform="mastodon",
        external_id=str(n),
        uri=f"https://social.example/users/cerys/statuses/{n}",
        url=f"https://social.example/@cerys/{n}",
        author_handle="cerys@social.example",
        author_name="Cerys Morgan",
        text=f"Post {n} #a11y",
        language="en",
        created_at=now,
        hashtags=("a11y",),
    )
    source = int(stage.ids["social_source"])
    async with writing(svc.sessionmaker, svc.broker) as w:
        stored = await store_poll(w, source, FetchResult((post,), str(n)), {mid: ("a11y",)}, now)
    async with writing(svc.sessionmaker, svc.broker) as w:
        await moderate(w, mid, stored.new[mid][0], "approve", CLERK)


async def _has_news(page: Any, n: int) -> bool:
    return len((await _said(page))["news"]) >= n


async def _now_says(page: Any, text: str) -> bool:
    return text in (await page.text_content("#now-discussing") or "")
