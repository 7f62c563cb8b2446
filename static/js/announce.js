// Polite, batched announcements for a screen reader (issue 15, WCAG 4.1.3).
//
// A busy meeting publishes several comments a minute, and a reconnect replays a burst at once:
// announcing each would talk over everything else the resident is listening to. Instead the
// first news opens a window of BATCH_MS; whatever else arrives in it is counted, and at its end
// the region says it all in one sentence ("New comments: 3. New questions: 1."). The next news
// opens the next window, so there is at most one announcement every BATCH_MS.

import { fill } from "./dom.js";

// Two seconds: long enough to gather a replayed burst and a clerk approving a handful in a
// row, short enough that "new comments" still means what just appeared on the screen.
export const BATCH_MS = 2000;
// Clearing the region before the new text lets a screen reader announce a repeated sentence
// ("New comments: 1" twice in a row); 100 ms is past the next frame on a slow phone.
const CLEAR_MS = 100;

/**
 * @param {HTMLElement} region   an element with aria-live="polite" (and aria-atomic="true")
 * @param {(counts: Map<string, number>) => string} describe  the sentence for the counts
 * @param {number} [waitMs]
 * @returns {{add: (kind: string) => void}}
 */
export function batchedAnnouncer(region, describe, waitMs = BATCH_MS) {
  const counts = new Map();
  let timer = null;
  function flush() {
    timer = null;
    const text = describe(counts);
    counts.clear();
    if (!text) return;
    region.textContent = "";
    setTimeout(() => { region.textContent = text; }, CLEAR_MS);
  }
  return {
    add(kind) {
      counts.set(kind, (counts.get(kind) || 0) + 1);
      if (timer === null) timer = setTimeout(flush, waitMs);
    },
  };
}

// ---- what was just published on the resident page ------------------------------------------------

const KINDS = [["comment", "new_comments"], ["question", "new_questions"], ["post", "new_posts"]];
const news = new WeakMap(); // region -> its announcer, shared by the parts that publish there

/**
 * The resident page's announcer of newly published comments, questions and social media posts:
 * one for the page, so that a burst of all three is one sentence.
 * @param {HTMLElement} region  #contributions-live
 * @param {object} strings      the page's #strings (new_comments, new_questions, new_posts)
 */
export function newsAnnouncer(region, strings) {
  if (!news.has(region)) {
    news.set(region, batchedAnnouncer(region, (counts) => KINDS
      .filter(([kind]) => counts.get(kind))
      .map(([kind, key]) => fill(strings[key], { n: counts.get(kind) }))
      .join(" ")));
  }
  return news.get(region);
}
