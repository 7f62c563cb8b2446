// When the meeting takes comments and questions: hub/policy.py's meeting_window, applied to the
// meeting's public view with the page's own clock. The view changes (a meeting.updated event)
// when a clerk opens or closes the meeting or changes its window, or the council its policy;
// the times in it pass without an event, so the page also re-checks at the next of them.

const ENDED = new Set(["closed", "cancelled"]);
const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout's limit (~24.8 days)

/**
 * Why submissions are closed now ("not_yet" or "meeting_over"), or null when they are open.
 * @param {object} m the meeting's public view
 * @param {number} now milliseconds since the epoch
 */
export function closedReason(m, now) {
  if (ENDED.has(m.status)) return "meeting_over";
  if (m.submissions_close_at && now >= Date.parse(m.submissions_close_at)) return "meeting_over";
  if (m.submissions_open_at) return now >= Date.parse(m.submissions_open_at) ? null : "not_yet";
  if (m.submissions_wait_for_opening) return "not_yet";
  return null;
}

/** Milliseconds until the window's next bound passes, or null if none is ahead. */
export function untilNextBound(m, now) {
  const ahead = [m.submissions_open_at, m.submissions_close_at]
    .filter(Boolean)
    .map((t) => Date.parse(t) - now)
    .filter((ms) => ms > 0);
  return ahead.length ? Math.min(MAX_TIMER_MS, Math.min(...ahead) + 50) : null;
}
