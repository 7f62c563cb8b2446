// The moderation log, kept up to date. For the clerks who moderate, each clerk's action arrives
// on the staff live stream, and the log is read again from the server (one read per burst), so
// the page shows exactly the rows the log holds (a block that rejects what waits adds several).
// Councillors may not follow the staff stream (it carries the queue): their page reads the log
// again every POLL_MS while it is visible.
// The markup mirrors hub/templates/staff/audit.html; text is set with textContent only.

import { LiveStream } from "../stream.js";
import { $, el, fetchFresh, formatters, readJSON, showConnection, timeEl } from "../dom.js";

const data = readJSON("audit-data");
const labels = readJSON("labels");
const fmt = formatters(data.timezone);
const logUrl = `/staff/meetings/${data.meeting_id}/audit`;
const POLL_MS = 10_000;

function row(e) {
  const tr = el("tr");
  tr.dataset.entryId = String(e.id);
  tr.dataset.action = e.action;
  const at = el("td");
  at.append(timeEl(e.at, fmt.full));
  const submission = el("td");
  if (e.contribution_id !== null && e.contribution_id !== undefined) submission.textContent = `#${e.contribution_id}`;
  else submission.append(el("span", "muted", data.none));
  tr.append(
    at,
    el("td", null, e.actor),
    el("td", null, data.actions[e.action] || e.action),
    submission,
  );
  if (data.show_participant) tr.append(el("td", null, e.participant || ""));
  // A reason from the council's list, where a move went, or a reason the hub gives itself.
  const reason = e.reason
    ? data.reasons[e.reason] || data.destinations[e.reason] || labels.system_reason[e.reason] || e.reason
    : "";
  tr.append(el("td", null, reason));
  return tr;
}

function render(entries) {
  const body = $("audit-rows");
  const have = [...body.children].map((tr) => tr.dataset.entryId).join(",");
  if (have !== entries.map((e) => String(e.id)).join(",")) body.replaceChildren(...entries.map(row));
  $("audit-wrap").hidden = entries.length === 0;
  $("audit-empty").hidden = entries.length > 0;
}

// One read of the log per burst of actions, however many arrive together.
let pending = null;
let again = false; // an action arrived while the log was being read
function reload() {
  if (pending !== null) {
    again = true;
    return;
  }
  pending = setTimeout(async () => {
    again = false; // what arrived until now, this read includes
    try {
      const res = await fetchFresh(logUrl);
      if (res.ok) render((await res.json()).entries);
    } catch {
      // the next action or reconnection reads it again
    } finally {
      pending = null;
      if (again) reload();
    }
  }, 150);
}

function onEvent(envelope) {
  // Every clerk's action on a submission is one (or, for a block, several) rows of the log; a
  // resident's submission is none.
  if (envelope.type === "moderation.item" && envelope.data.action !== "submitted") reload();
}

if (data.live) {
  new LiveStream({
    path: `/staff/api/meetings/${data.meeting_id}/live`,
    snapshotUrl: logUrl,
    lastSeq: data.last_seq,
    onEvent,
    onSnapshot: (fresh) => render(fresh.entries),
    onStatus: (s) => showConnection(s, labels),
  }).start();
} else {
  setInterval(() => {
    if (document.visibilityState === "visible") reload();
  }, POLL_MS);
}
