// The councillors' review, kept up to date: it follows the meeting's public stream (which
// carries everything the review shows: published feedback, the agenda; councillors may not
// follow the staff stream, which carries the queue) and, once per burst of events, fetches the
// server-rendered part again (the charts are drawn on the server). Without this script the page
// shows the state it was rendered with, and "Reload" is the browser's.

import { LiveStream } from "../stream.js";
import { $, fetchFresh, readJSON, showConnection } from "../dom.js";

const data = readJSON("review-data");
const labels = readJSON("labels");
const BURST_MS = 800; // one fetch for a burst (a bulk approval publishes dozens at once)
const RELEVANT = /^(contribution\.|agenda\.|meeting\.)/;

function partialUrl() {
  const url = new URL(window.location.href);
  url.searchParams.set("partial", "1");
  return url.pathname + url.search;
}

let timer = null;
let again = false;
function refresh() {
  if (timer !== null) {
    again = true;
    return;
  }
  timer = setTimeout(async () => {
    again = false;
    try {
      const res = await fetchFresh(partialUrl());
      if (res.ok) {
        const doc = new DOMParser().parseFromString(await res.text(), "text/html");
        const body = $("review-body");
        // Keep open what the reader opened (a figures table) across the update.
        const open = new Set([...body.querySelectorAll("details[open]")].map((d) => d.closest("[id]")?.id));
        body.replaceChildren(...doc.body.childNodes);
        for (const d of body.querySelectorAll("details")) if (open.has(d.closest("[id]")?.id)) d.open = true;
      }
    } catch {
      // the next event or reconnection fetches it again
    } finally {
      timer = null;
      if (again) refresh();
    }
  }, BURST_MS);
}

new LiveStream({
  path: `/api/meetings/${data.meeting_id}/live`,
  snapshotUrl: `/api/meetings/${data.meeting_id}`,
  lastSeq: data.last_seq,
  onEvent: (envelope) => {
    if (RELEVANT.test(envelope.type)) refresh();
  },
  onSnapshot: refresh,
  onStatus: (state) => showConnection(state, labels),
}).start();
