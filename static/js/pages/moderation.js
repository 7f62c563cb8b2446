// The moderation queue: sends the queue's forms with fetch, keeps the queue and "Recently
// decided" up to date from the staff live stream (so a submission one clerk acts on leaves every
// other clerk's queue at once), and adds filters, sorting, bulk actions and keyboard shortcuts.
// Without this script every entry's forms still work: the server redirects back to the page.
// This entry module holds the page's state and applies the live events; the parts are in
// static/js/moderation/: entries.js (building entries), lists.js (the two lists), keyboard.js
// (roving focus and shortcuts), bulk.js (bulk actions) and conflicts.js (sending the forms; an
// entry another clerk decided while this one works on it; refusals beside their entry).
// The markup mirrors hub/templates/staff/_moderation.html. Bodies, names and areas are
// residents' text: everything is built with createElement/textContent, never innerHTML.

import { LiveStream } from "../stream.js";
import {
  $, byId, csrfToken, el, fetchFresh, fill, formatters, optionEl, readJSON, showConnection,
  textSetter,
} from "../dom.js";
import { itemLabel, upsertItem } from "../agenda.js";
import { bulkActions } from "../moderation/bulk.js";
import { queueConflicts } from "../moderation/conflicts.js";
import { entryBuilders } from "../moderation/entries.js";
import { queueKeyboard } from "../moderation/keyboard.js";
import { queueLists } from "../moderation/lists.js";

const data = readJSON("moderation-data");
const labels = readJSON("labels");
const strings = readJSON("strings");
const csrf = csrfToken();
const meetingId = data.meeting.id;
const DECIDED_MAX = 200;

// Newest decision first: {c, action, actor}
const decidedRecords = (contributions) =>
  contributions.slice().reverse().map((c) => ({ c, action: null, actor: null }));

const state = {
  items: data.items,
  reasons: data.reasons,
  pending: byId(data.pending),
  decided: decidedRecords(data.decided),
  spotlightId: data.spotlight_id,
  spotlightPinned: Boolean(data.spotlight_pinned),
  held: new Map(), // id -> {c, action, actor}: decided by another clerk, kept while worked on
  spotlightSeq: data.spotlight_known ? data.last_seq : -1,
  selected: new Set(),
  filterItem: "all",
  filterKind: "all",
  sort: "oldest",
  shortcuts: true,
};
const showError = textSetter("moderation-error");
const showStatus = textSetter("moderation-status");

// What the parts share.
const m = {
  state, labels, strings, meetingId, csrf, showError, showStatus,
  fmt: formatters(data.meeting.timezone),
  queueEls: new Map(), // id -> <li>
  decidedEls: new Map(), // id -> {li, key}
};
const { queueEls, decidedEls } = m;
const entries = entryBuilders(m);
const { refill, itemName, updateWaiting } = entries;
const keyboard = queueKeyboard(m);
const { renderQueue, renderDecided, render, leaveQueue } = queueLists(m, {
  entries,
  keyboard,
  updateBulk: () => bulk.update(), // bulk is made next: called only once the page runs
});
const conflicts = queueConflicts(m, { leaveQueue, renderQueue });
const bulk = bulkActions(m, {
  visibleEntries: keyboard.visibleEntries, leaveQueue, renderQueue, entryError: conflicts.entryError,
});

// ---- applying changes --------------------------------------------------------------------------------

// A block marks every entry of that participant (their view says so from now on).
function markBlocked(participant) {
  for (const [id, p] of state.pending) {
    if (p.participant !== participant || p.blocked) continue;
    const c = { ...p, blocked: true };
    state.pending.set(id, c);
    const li = queueEls.get(id);
    if (li) refill(li, c);
  }
  for (const r of state.decided) if (r.c.participant === participant) r.c = { ...r.c, blocked: true };
}

function applyModeration(envelope) {
  const { contribution: c, action, actor } = envelope.data;
  if (action === "block") markBlocked(c.participant);
  if (c.status === "pending") {
    const before = state.pending.get(c.id);
    state.pending.set(c.id, c);
    const li = queueEls.get(c.id);
    if (li && JSON.stringify(before) !== JSON.stringify(c)) refill(li, c);
    state.decided = state.decided.filter((r) => r.c.id !== c.id);
  } else {
    const wasPending = state.pending.delete(c.id);
    // Another clerk's decision on the entry this clerk is working on: it stays, marked.
    const record = { c, action, actor };
    if (wasPending && (actor === data.me || !conflicts.hold(c.id, record))) {
      const text = actor ? fill(strings.acted, { id: c.id, action: strings.actions[action] || action, name: actor }) : null;
      leaveQueue(c.id, text);
    }
    state.decided = [{ c, action, actor }, ...state.decided.filter((r) => r.c.id !== c.id)].slice(0, DECIDED_MAX);
  }
  render();
}

// Votes and the answered mark also change through public events: keep the decided entry current.
function applyPublicUpdate(view) {
  const record = state.decided.find((r) => r.c.id === view.id);
  if (!record) return;
  record.c = { ...record.c, votes: view.votes, answered: view.answered };
  renderDecided();
}

// Items change status all through a meeting: only their names matter here, updated in place so
// a clerk working in an entry keeps the focus and what they chose.
function applyItem(item) {
  upsertItem(state.items, item);
  updateItemFilter();
  for (const li of document.querySelectorAll("li.mentry")) {
    const raw = li.dataset.itemId;
    const name = itemName(raw === "" ? null : Number(raw));
    const dd = li.querySelector(".mentry__item");
    if (dd && dd.textContent !== name) dd.textContent = name;
  }
  render();
}

function updateItemFilter() {
  const select = $("filter-item");
  const chosen = select.value;
  const options = [["all", select.options[0].textContent], ["general", labels.misc.general]];
  for (const item of [...state.items].sort((a, b) => a.position - b.position)) {
    options.push([String(item.id), itemLabel(item)]);
  }
  select.replaceChildren(...options.map(([value, text]) => optionEl(value, text)));
  select.value = options.some(([v]) => v === chosen) ? chosen : "all";
  state.filterItem = select.value;
}

function onEvent(envelope) {
  switch (envelope.type) {
    case "moderation.item":
      applyModeration(envelope);
      if (envelope.data.action === "submitted") refreshAreas();
      break;
    case "meeting.spotlight":
      if (envelope.seq > state.spotlightSeq) {
        state.spotlightId = envelope.data.contribution ? envelope.data.contribution.id : null;
        state.spotlightPinned = Boolean(envelope.data.pinned);
        state.spotlightSeq = envelope.seq;
        renderDecided();
      }
      break;
    case "contribution.updated":
      applyPublicUpdate(envelope.data.contribution);
      break;
    case "agenda.item.updated":
      applyItem(envelope.data.item);
      break;
    default:
      break;
  }
}

function onSnapshot(fresh) {
  state.reasons = fresh.reasons || state.reasons;
  state.pending = byId(fresh.pending);
  for (const [id, li] of [...queueEls]) {
    if (state.pending.has(id)) refill(li, state.pending.get(id));
    else if (!state.held.has(id)) leaveQueue(id, null);
  }
  state.decided = decidedRecords(fresh.decided);
  decidedEls.clear();
  render();
  renderAreas(fresh.areas);
  loadSpotlight();
}

// The queue's state does not say which question is on the screen: the public snapshot does.
async function loadSpotlight() {
  try {
    const res = await fetchFresh(`/api/meetings/${meetingId}`);
    if (!res.ok) return;
    const snap = await res.json();
    if (snap.last_seq <= state.spotlightSeq) return; // a live event was newer
    state.spotlightId = snap.spotlight ? snap.spotlight.id : null;
    state.spotlightPinned = Boolean(snap.spotlight_pinned);
    state.spotlightSeq = snap.last_seq;
    renderDecided();
  } catch {
    // the next reset tries again
  }
}

// ---- forms -----------------------------------------------------------------------------------------

conflicts.sendForms((action, id, body) => {
  showStatus(fill(strings.done, { id }));
  if (action === "move") {
    // Said where it went; the live event brings its new item to every clerk's entry.
    const raw = body.get("item_id") || "";
    showStatus(fill(strings.moved_to, { id, item: itemName(raw === "" ? null : Number(raw)) }));
    for (const li of document.querySelectorAll(`li.mentry[data-contribution-id="${id}"]`)) {
      const details = li.querySelector('details[data-role="move-details"]');
      if (!details) continue;
      const hadFocus = details.contains(document.activeElement);
      details.open = false;
      if (hadFocus) details.querySelector("summary").focus();
    }
    return;
  }
  // The live event moves it to "Recently decided"; take it out of the queue now in case the
  // stream is slow, keeping the focus in the queue.
  if (action === "approve" || action === "reject" || action === "block" || action === "withdraw") {
    const held = state.held.delete(id);
    if (state.pending.delete(id) || held) {
      leaveQueue(id, null);
      renderQueue();
    }
  }
});

// ---- where submissions come from ------------------------------------------------------------

// Residents' areas in totals only. A submission that arrives changes them: fetch them again,
// at most once a second however fast submissions come.
let areasTimer = null;
let areasAgain = false; // a submission arrived while the totals were being read
function refreshAreas() {
  if (areasTimer !== null) {
    areasAgain = true;
    return;
  }
  areasTimer = setTimeout(async () => {
    areasAgain = false; // what arrived until now, this read includes
    try {
      const res = await fetchFresh(`/staff/api/meetings/${meetingId}/moderation`);
      if (res.ok) renderAreas((await res.json()).areas);
    } catch {
      // the next submission tries again
    } finally {
      areasTimer = null;
      if (areasAgain) refreshAreas();
    }
  }, 1000);
}

function renderAreas(areas) {
  if (!Array.isArray(areas)) return;
  const rows = areas.map(({ area, count }) => {
    const tr = el("tr");
    tr.append(el("td", null, area), el("td", null, String(count)));
    return tr;
  });
  const body = $("areas-rows");
  const same = body.children.length === rows.length &&
    rows.every((tr, i) => body.children[i].textContent === tr.textContent);
  if (!same) body.replaceChildren(...rows);
  $("areas").hidden = rows.length === 0;
  $("areas-empty").hidden = rows.length > 0;
}

// ---- filters ------------------------------------------------------------------------------

$("queue-tools").addEventListener("change", (event) => {
  const target = event.target;
  if (target.id === "filter-item") state.filterItem = target.value;
  else if (target.id === "filter-kind") state.filterKind = target.value;
  else if (target.id === "sort-order") state.sort = target.value === "newest" ? "newest" : "oldest";
  render();
});

// ---- start -------------------------------------------------------------------------------------------

// Adopt the server's entries (same markup) so nothing flickers; the script's own copies replace
// them when they change.
for (const li of $("queue").querySelectorAll(":scope > li.qentry")) {
  const id = Number(li.dataset.contributionId);
  if (state.pending.has(id)) queueEls.set(id, li);
}
for (const li of $("queue").querySelectorAll("input.mentry__select, label.mentry__select-label")) li.hidden = false;
for (const id of ["queue-tools", "shortcuts", "bulk-form"]) $(id).hidden = false;
updateItemFilter();
render();
if (!data.spotlight_known) loadSpotlight();

new LiveStream({
  path: `/staff/api/meetings/${meetingId}/live`,
  snapshotUrl: `/staff/api/meetings/${meetingId}/moderation`,
  lastSeq: data.last_seq,
  onEvent,
  onSnapshot,
  onStatus: (s) => showConnection(s, labels),
}).start();
