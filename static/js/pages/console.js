// The clerk's console: sends the console's forms with fetch (so the page stays put) and keeps
// statuses, buttons and the activity log up to date from the staff live stream.
// Without this script every form still works: the server redirects back to the console.

import { LiveStream } from "../stream.js";
import {
  el, formatters, readJSON, sendFormsInPlace, showConnection, textSetter, timeEl,
} from "../dom.js";
import { fillItem, findItem, showMeetingStatus, showNow } from "../agenda.js";

const snap = readJSON("snapshot");
const labels = readJSON("labels");
const strings = readJSON("strings");

const state = { meeting: snap.meeting, items: snap.items };
const ctx = { labels, strings, fmt: formatters(state.meeting.timezone) };
const showError = textSetter("console-error");

// ---- which controls apply --------------------------------------------------------------------

// Meeting actions carry the statuses they are valid from (data-valid-from); item buttons follow
// the rules in hub/actions/meetings.py: only a meeting in session has a current item, and a
// closed or cancelled meeting takes no more outcomes.
function updateControls() {
  const status = state.meeting.status;
  const finished = status === "closed" || status === "cancelled";
  const focused = document.activeElement;
  let lostFocus = false;

  for (const form of document.querySelectorAll("form.meeting-action")) {
    const valid = form.dataset.validFrom.split(" ").includes(status);
    if (!valid && form.contains(focused)) lostFocus = true;
    form.hidden = !valid;
  }
  const none = document.getElementById("meeting-actions-none");
  if (none) none.hidden = !finished;
  // Says why "Make current" is greyed out while the meeting is not in session.
  const needsLive = document.getElementById("current-needs-live");
  if (needsLive) needsLive.hidden = status === "live" || finished;

  for (const item of state.items) {
    const li = document.getElementById(`item-${item.id}`);
    if (!li) continue;
    for (const button of li.querySelectorAll('button[data-role="current"]')) {
      const disabled = status !== "live" || item.status === "current" || item.status === "withdrawn";
      if (disabled && button === focused) lostFocus = true;
      button.disabled = disabled;
    }
    for (const button of li.querySelectorAll('button[data-role="outcome"]')) {
      if (finished && button === focused) lostFocus = true;
      button.disabled = finished;
    }
  }
  // A button that vanished or was disabled under the keyboard: put focus somewhere sensible.
  if (lostFocus) document.getElementById("controls-heading")?.focus();
}

// ---- agenda ------------------------------------------------------------------------------------

// The console is rendered by the server; if the agenda's shape changed (an item we do not have,
// or one that moved) the simplest correct thing is a fresh page. Guarded against reload loops.
function reloadPage() {
  const last = Number(sessionStorage.getItem("councilHubReload") || 0);
  if (Date.now() - last < 30_000) return;
  sessionStorage.setItem("councilHubReload", String(Date.now()));
  location.reload();
}

function applyItem(item) {
  const index = state.items.findIndex((i) => i.id === item.id);
  const li = document.getElementById(`item-${item.id}`);
  const old = index === -1 ? null : state.items[index];
  if (!old || !li || old.parent_id !== item.parent_id || old.position !== item.position) {
    reloadPage();
    return;
  }
  state.items[index] = item;
  fillItem(li, item, ctx);
}

// ---- activity log --------------------------------------------------------------------------------

function activityEntry(envelope) {
  const { action, actor, item_id: itemId, note } = envelope.data;
  const li = el("li", "activity__entry");
  li.dataset.seq = String(envelope.seq);
  li.append(timeEl(envelope.at, ctx.fmt.time), " ", el("span", "activity__actor", actor), " ",
    el("span", "activity__action", strings.actions[action] || action));
  const item = findItem(state.items, itemId);
  const number = item ? item.number : null;
  if (number !== null) {
    li.append(" ", el("span", "activity__item", strings.item_ref.replace("{number}", number)));
  }
  if (note) li.append(" ", el("span", "activity__note", note));
  return li;
}

function addActivity(envelope) {
  document.getElementById("activity").prepend(activityEntry(envelope));
  document.getElementById("activity-empty").hidden = true;
}

function renderActivity(entries) {
  const list = document.getElementById("activity");
  list.replaceChildren(...entries.slice().reverse().map(activityEntry)); // newest first
  document.getElementById("activity-empty").hidden = entries.length > 0;
}

// ---- live updates ------------------------------------------------------------------------------

function applyMeeting(meeting) {
  state.meeting = meeting;
  ctx.fmt = formatters(meeting.timezone);
  showMeetingStatus(meeting.status, labels);
}

function onEvent(envelope) {
  switch (envelope.type) {
    case "meeting.updated":
      applyMeeting(envelope.data.meeting);
      break;
    case "agenda.item.updated":
      applyItem(envelope.data.item);
      showNow(state.items, labels);
      break;
    case "staff.action.recorded":
      addActivity(envelope);
      break;
    default:
      return;
  }
  updateControls();
}

function onSnapshot(fresh) {
  const sameAgenda =
    fresh.items.length === state.items.length &&
    fresh.items.every((item) => document.getElementById(`item-${item.id}`));
  if (!sameAgenda) {
    reloadPage();
    return;
  }
  applyMeeting(fresh.meeting);
  state.items = fresh.items;
  for (const item of fresh.items) fillItem(document.getElementById(`item-${item.id}`), item, ctx);
  showNow(state.items, labels);
  renderActivity(fresh.staff_activity || []);
  updateControls();
}

// ---- forms -------------------------------------------------------------------------------------

sendFormsInPlace("js-action", {
  strings,
  showError,
  clear: () => showError(""),
  // Done: the live stream brings the change to every console, this one included.
  prepare: (form) => () => {
    const note = form.querySelector('input[name="note"]');
    if (note) note.value = "";
  },
});

// ---- start -------------------------------------------------------------------------------------

updateControls();
new LiveStream({
  path: `/staff/api/meetings/${state.meeting.id}/live`,
  snapshotUrl: `/staff/api/meetings/${state.meeting.id}`,
  lastSeq: snap.last_seq,
  onEvent,
  onSnapshot,
  onStatus: (s) => showConnection(s, labels),
}).start();
