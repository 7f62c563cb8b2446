// The moderation queue: sends the queue's forms with fetch, keeps the queue and "Recently
// decided" up to date from the staff live stream (so a submission one clerk acts on leaves every
// other clerk's queue at once), and adds filters, sorting, bulk actions and keyboard shortcuts.
// Without this script every entry's forms still work: the server redirects back to the page.
// The markup mirrors hub/templates/staff/_moderation.html. Bodies, names and areas are
// residents' text: everything is built with createElement/textContent, never innerHTML.

import { LiveStream } from "../stream.js";
import {
  $, byId, csrfToken, el, fetchFresh, fill, formatters, jsonOrNull, optionEl, postForm, readJSON,
  sendFormsInPlace, showConnection, syncChildren, textSetter, timeEl,
} from "../dom.js";
import { itemLabel, itemName as agendaItemName, upsertItem } from "../agenda.js";

const data = readJSON("moderation-data");
const labels = readJSON("labels");
const strings = readJSON("strings");
const csrf = csrfToken();
const meetingId = data.meeting.id;
const DECIDED_MAX = 200;
const SHORTCUTS_KEY = "councilHub.shortcuts";

const state = {
  items: data.items,
  reasons: data.reasons,
  pending: byId(data.pending),
  // Newest decision first: {c, action, actor, at}
  decided: data.decided.slice().reverse().map((c) => ({ c, action: null, actor: null })),
  spotlightId: data.spotlight_id,
  spotlightSeq: data.spotlight_known ? data.last_seq : -1,
  selected: new Set(),
  filterItem: "all",
  filterKind: "all",
  sort: "oldest",
  shortcuts: true,
};
const fmt = formatters(data.meeting.timezone);
const showError = textSetter("moderation-error");
const showStatus = textSetter("moderation-status");

// ---- entries -------------------------------------------------------------------------------------

const itemName = (id) => agendaItemName(state.items, id, labels);

function forId(id) {
  return el("span", "visually-hidden", ` ${fill(strings.for_id, { id })}`);
}

function titleEl(c, prefix) {
  const h = el("h3", "mentry__title");
  h.id = `${prefix}-${c.id}-title`;
  h.append(el("span", "mentry__number", `#${c.id}`), " ", el("span", "mentry__kind", labels.kind[c.kind] || c.kind));
  if (c.kind === "comment" && c.position) {
    h.append(" ", el("span", `badge badge--position badge--${c.position}`, labels.position[c.position] || c.position));
  }
  if (c.kind === "question" && c.answered) h.append(" ", el("span", "badge badge--answered", strings.answered));
  return h;
}

function fact(term, value, className) {
  const div = el("div");
  const dd = el("dd", className);
  if (value instanceof Node) dd.append(value);
  else dd.textContent = value;
  div.append(el("dt", null, term), dd);
  return div;
}

function factsEls(c) {
  const out = [];
  if (c.screening) {
    const p = el("p", "mentry__flags");
    p.append(el("strong", null, strings.held), " ");
    c.screening.split(",").forEach((flag, i) => {
      if (i > 0) p.append(", ");
      const span = el("span", "flag", labels.screening[flag] || flag);
      span.dataset.flag = flag;
      p.append(span);
    });
    out.push(p);
  }
  const dl = el("dl", "mentry__facts");
  dl.append(fact(strings.item, itemName(c.item_id), "mentry__item"));
  dl.append(fact(strings.name, c.display_name ? c.display_name : el("span", "muted", strings.no_name), "mentry__name"));
  dl.append(fact(strings.participant, c.participant, "mentry__participant"));
  if (c.area) dl.append(fact(strings.area, c.area, "mentry__area"));
  dl.append(fact(strings.sent, timeEl(c.created_at, fmt.time, "mentry__time")));
  if (c.kind === "question" && c.status !== "pending") dl.append(fact(strings.votes_label, String(c.votes), "mentry__votes"));
  out.push(dl, el("p", "mentry__body", c.body));
  return out;
}

function actionUrl(c) {
  return `/staff/meetings/${meetingId}/contributions/${c.id}/moderate`;
}

function csrfInput() {
  const input = el("input");
  input.type = "hidden";
  input.name = "csrf_token";
  input.value = csrf;
  return input;
}

function actionForm(c, action, text, cls, confirmText) {
  const form = el("form", "js-moderate inline-form");
  form.method = "post";
  form.setAttribute("action", actionUrl(c));
  form.dataset.action = action;
  const button = el("button", `button ${cls || ""}`.trim(), text);
  button.type = "submit";
  button.name = "action";
  button.value = action;
  button.dataset.role = action;
  if (confirmText) button.dataset.confirm = confirmText;
  button.append(forId(c.id));
  form.append(csrfInput(), button);
  return form;
}

function reasonSelect(id) {
  const div = el("div", "field");
  const label = el("label", null, strings.reason_label);
  label.htmlFor = id;
  const select = el("select");
  select.id = id;
  select.name = "reason";
  select.required = true;
  select.append(optionEl("", strings.choose_reason));
  for (const [code, text] of Object.entries(state.reasons)) select.append(optionEl(code, text));
  div.append(label, select);
  return div;
}

function reasonAction(c, action, summaryText, buttonText) {
  const details = el("details", "mentry__reason");
  details.dataset.role = `${action}-details`;
  const summary = el("summary", "button button--danger", summaryText);
  summary.append(forId(c.id));
  const form = el("form", "js-moderate reason-form");
  form.method = "post";
  form.setAttribute("action", actionUrl(c));
  form.dataset.action = action;
  const hidden = el("input");
  hidden.type = "hidden";
  hidden.name = "action";
  hidden.value = action;
  const button = el("button", "button button--danger", buttonText);
  button.type = "submit";
  button.dataset.role = `${action}-confirm`;
  button.append(forId(c.id));
  form.append(csrfInput(), hidden, reasonSelect(`${action}-reason-${c.id}`), button);
  details.append(summary, form);
  return details;
}

function queueEntry(c) {
  const li = el("li", "mentry qentry");
  li.id = `q-${c.id}`;
  li.tabIndex = -1;
  li.setAttribute("aria-labelledby", `q-${c.id}-title`);
  fillQueueEntry(li, c);
  return li;
}

// What the filters, shortcuts and tests read on an entry.
function setEntryData(li, c) {
  li.dataset.contributionId = String(c.id);
  li.dataset.kind = c.kind;
  li.dataset.itemId = c.item_id === null || c.item_id === undefined ? "" : String(c.item_id);
  li.dataset.status = c.status;
}

function fillQueueEntry(li, c) {
  setEntryData(li, c);
  li.dataset.createdAt = c.created_at;
  const head = el("div", "mentry__head");
  const box = el("input", "mentry__select");
  box.type = "checkbox";
  box.id = `select-${c.id}`;
  box.value = String(c.id);
  box.checked = state.selected.has(c.id);
  const label = el("label", "mentry__select-label");
  label.htmlFor = box.id;
  label.append(el("span", "visually-hidden", fill(strings.select, { id: c.id })));
  head.append(box, label, titleEl(c, "q"));
  const actions = el("div", "mentry__actions");
  actions.append(
    actionForm(c, "approve", strings.approve, "button--primary"),
    reasonAction(c, "reject", strings.reject_open, strings.reject),
    actionForm(c, "block", strings.block, "button--quiet", strings.block_confirm),
  );
  li.replaceChildren(head, ...factsEls(c), actions);
}

// Rebuild a queue entry, keeping the focus on the same control if it was inside.
function refill(li, c) {
  const focused = li.contains(document.activeElement) ? document.activeElement : null;
  const role = focused?.dataset?.role;
  const fid = focused && focused !== li ? focused.id : "";
  const open = li.querySelector("details[open]")?.dataset.role;
  const reason = li.querySelector('select[name="reason"]')?.value || "";
  fillQueueEntry(li, c);
  if (open) li.querySelector(`details[data-role="${open}"]`)?.setAttribute("open", "");
  const select = li.querySelector('select[name="reason"]');
  if (select) select.value = reason;
  if (!focused) return;
  const again = (fid && document.getElementById(fid)) || (role && li.querySelector(`[data-role="${role}"]`)) || li;
  again.focus({ preventScroll: true });
}

function decidedEntry(record) {
  const { c } = record;
  const li = el("li", `mentry dentry dentry--${c.status}`);
  li.id = `d-${c.id}`;
  setEntryData(li, c);
  li.setAttribute("aria-labelledby", `d-${c.id}-title`);

  const head = el("div", "mentry__head");
  head.append(titleEl(c, "d"));
  const outcome = el("p", "dentry__outcome");
  const status = el("span", `badge badge--c-${c.status} dentry__status`, labels.contribution[c.status] || c.status);
  status.dataset.status = c.status;
  outcome.append(status);
  // The latest action, when a live event told us (answered, spotlighted...), and who took it.
  const action = record.action && record.action !== "submitted" ? strings.actions[record.action] || record.action : null;
  if (action) outcome.append(" ", el("span", "dentry__action", action));
  else if (record.action === "submitted" && c.status === "published") outcome.append(" ", el("span", "dentry__action", strings.actions.submitted));
  const who = record.actor || c.moderated_by;
  if (who) outcome.append(" ", el("span", "dentry__by", fill(strings.by, { name: who })));
  if (c.moderated_at) outcome.append(" ", timeEl(c.moderated_at, fmt.time, "dentry__time"));
  if (c.reason) outcome.append(" ", el("span", "dentry__reason", fill(strings.reason_is, { reason: state.reasons[c.reason] || c.reason })));
  const onScreen = state.spotlightId !== null && state.spotlightId === c.id;
  if (onScreen) outcome.append(" ", el("span", "badge badge--spotlight dentry__spotlight", strings.on_screen));

  const parts = [head, outcome, ...factsEls(c)];
  if (c.status === "published") {
    const actions = el("div", "mentry__actions");
    if (c.kind === "question") {
      actions.append(c.answered
        ? actionForm(c, "unanswer", strings.unanswer, "")
        : actionForm(c, "answer", strings.answer, ""));
      actions.append(onScreen
        ? actionForm(c, "unspotlight", strings.unspotlight, "")
        : actionForm(c, "spotlight", strings.spotlight, ""));
    }
    actions.append(
      reasonAction(c, "hide", strings.hide_open, strings.hide),
      actionForm(c, "block", strings.block, "button--quiet", strings.block_confirm),
    );
    parts.push(actions);
  }
  li.replaceChildren(...parts);
  return li;
}

// ---- rendering -----------------------------------------------------------------------------------

const queueEls = new Map(); // id -> <li>
const decidedEls = new Map(); // id -> {li, key}

function matches(c) {
  if (state.filterKind !== "all" && c.kind !== state.filterKind) return false;
  if (state.filterItem === "general") return c.item_id === null || !state.items.some((i) => i.id === c.item_id);
  if (state.filterItem !== "all") return String(c.item_id) === state.filterItem;
  return true;
}

function sortedPending() {
  const list = [...state.pending.values()];
  list.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
  if (state.sort === "newest") list.reverse();
  return list;
}

function renderQueue() {
  const list = $("queue");
  const nodes = [];
  let shown = 0;
  for (const c of sortedPending()) {
    let li = queueEls.get(c.id);
    if (!li) {
      li = queueEntry(c);
      queueEls.set(c.id, li);
    }
    li.hidden = !matches(c);
    if (!li.hidden) shown += 1;
    nodes.push(li);
  }
  syncChildren(list, nodes);
  const total = state.pending.size;
  $("queue-count").textContent = `(${total})`;
  $("queue-empty").hidden = total > 0;
  const filtered = $("queue-filtered");
  filtered.hidden = shown === total;
  filtered.textContent = fill(strings.showing, { shown, total });
  for (const id of [...state.selected]) if (!state.pending.has(id)) state.selected.delete(id);
  updateBulk();
  ensureRoving();
}

function renderDecided() {
  const list = $("decided");
  const nodes = [];
  const keep = new Set();
  for (const record of state.decided) {
    const { c } = record;
    const key = JSON.stringify([c, record.action, record.actor, state.spotlightId === c.id]);
    let entry = decidedEls.get(c.id);
    if (!entry || entry.key !== key) {
      const li = decidedEntry(record);
      const old = entry?.li;
      const hadFocus = old && old.contains(document.activeElement) ? document.activeElement : null;
      if (old && old.isConnected) old.replaceWith(li);
      if (hadFocus) {
        // Same control in the new entry (by role), or the entry's first button.
        const role = hadFocus.dataset?.role;
        const again = (role && li.querySelector(`[data-role="${role}"]`)) || li.querySelector("button, summary");
        again?.focus({ preventScroll: true });
      }
      entry = { li, key };
      decidedEls.set(c.id, entry);
    }
    entry.li.hidden = !matches(c);
    keep.add(c.id);
    nodes.push(entry.li);
  }
  for (const id of [...decidedEls.keys()]) if (!keep.has(id)) decidedEls.delete(id);
  syncChildren(list, nodes);
  $("decided-empty").hidden = state.decided.length > 0;
}

// ---- roving focus and shortcuts ------------------------------------------------------------------

function visibleEntries() {
  return [...$("queue").children].filter((li) => !li.hidden);
}

// One queue entry is in the tab order (tabindex 0), the rest are reached with j/k or arrows.
function ensureRoving(preferred) {
  const entries = visibleEntries();
  let active = preferred || entries.find((li) => li.tabIndex === 0);
  if (!active || !entries.includes(active)) active = entries[0];
  for (const li of queueEls.values()) li.tabIndex = li === active ? 0 : -1;
}

function focusEntry(li) {
  if (!li) return;
  ensureRoving(li);
  li.focus();
}

function move(from, step) {
  const entries = visibleEntries();
  if (!entries.length) return;
  const index = from ? entries.indexOf(from) : -1;
  const next = entries[Math.min(entries.length - 1, Math.max(0, index + step))];
  focusEntry(next);
}

function isTyping(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !["checkbox", "radio", "button", "submit"].includes(target.type);
  return false;
}

document.addEventListener("keydown", (event) => {
  if (!state.shortcuts || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  const target = event.target;
  if (isTyping(target)) return;
  // Only while the focus is in the queue (WCAG 2.1.4): elsewhere letters are left alone.
  const entry = target instanceof Element ? target.closest("#queue > li.qentry") : null;
  if (!entry) return;
  switch (event.key) {
    case "j":
    case "ArrowDown":
      event.preventDefault();
      move(entry, 1);
      break;
    case "k":
    case "ArrowUp":
      event.preventDefault();
      move(entry, -1);
      break;
    case "a": {
      event.preventDefault();
      const button = entry.querySelector('button[data-role="approve"]');
      if (button) button.form.requestSubmit(button);
      break;
    }
    case "r": {
      event.preventDefault();
      const details = entry.querySelector('details[data-role="reject-details"]');
      if (details) {
        details.open = true;
        details.querySelector("select")?.focus();
      }
      break;
    }
    case "x": {
      event.preventDefault();
      const box = entry.querySelector("input.mentry__select");
      if (box) {
        box.checked = !box.checked;
        box.dispatchEvent(new Event("change", { bubbles: true }));
      }
      break;
    }
    default:
      break;
  }
});

// A click or tab into an entry makes it the one in the tab order.
$("queue").addEventListener("focusin", (event) => {
  const entry = event.target.closest("#queue > li.qentry");
  if (entry && entry.tabIndex !== 0) ensureRoving(entry);
});

// ---- applying changes --------------------------------------------------------------------------------

// The queue entry about to leave holds the focus: hand it to its neighbour so the clerk keeps
// their place (and say why it went, if another clerk took it).
function leaveQueue(id, announce) {
  const li = queueEls.get(id);
  if (!li) return;
  const hadFocus = li.contains(document.activeElement);
  let next = null;
  if (hadFocus) {
    const entries = visibleEntries();
    const index = entries.indexOf(li);
    next = entries[index + 1] || entries[index - 1] || null;
  }
  queueEls.delete(id);
  li.remove();
  if (hadFocus) {
    if (next) focusEntry(next);
    else $("queue-heading").focus();
    if (announce) showStatus(announce);
  }
}

function applyModeration(envelope) {
  const { contribution: c, action, actor } = envelope.data;
  if (c.status === "pending") {
    const before = state.pending.get(c.id);
    state.pending.set(c.id, c);
    const li = queueEls.get(c.id);
    if (li && JSON.stringify(before) !== JSON.stringify(c)) refill(li, c);
    state.decided = state.decided.filter((r) => r.c.id !== c.id);
  } else {
    const wasPending = state.pending.delete(c.id);
    if (wasPending) {
      const text = actor ? fill(strings.acted, { id: c.id, action: strings.actions[action] || action, name: actor }) : null;
      leaveQueue(c.id, text);
    }
    state.decided = [{ c, action, actor }, ...state.decided.filter((r) => r.c.id !== c.id)].slice(0, DECIDED_MAX);
  }
  renderQueue();
  renderDecided();
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
  renderQueue();
  renderDecided();
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
      break;
    case "meeting.spotlight":
      if (envelope.seq > state.spotlightSeq) {
        state.spotlightId = envelope.data.contribution ? envelope.data.contribution.id : null;
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
    else leaveQueue(id, null);
  }
  state.decided = fresh.decided.slice().reverse().map((c) => ({ c, action: null, actor: null }));
  decidedEls.clear();
  renderQueue();
  renderDecided();
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
    state.spotlightSeq = snap.last_seq;
    renderDecided();
  } catch {
    // the next reset tries again
  }
}

// ---- forms -----------------------------------------------------------------------------------------

sendFormsInPlace("js-moderate", {
  strings,
  showError,
  clear: () => {
    showError("");
    showStatus("");
  },
  prepare: (form, body) => {
    const action = body.get("action");
    const entry = form.closest("li.mentry");
    const id = entry ? Number(entry.dataset.contributionId) : null;
    return () => {
      showStatus(fill(strings.done, { id }));
      // The live event moves it to "Recently decided"; take it out of the queue now in case the
      // stream is slow, keeping the focus in the queue.
      if ((action === "approve" || action === "reject") && state.pending.has(id)) {
        state.pending.delete(id);
        leaveQueue(id, null);
        renderQueue();
      }
    };
  },
});

// The bulk form acts on the selected entries (see submitBulk).
$("bulk-form").addEventListener("submit", (event) => {
  event.preventDefault();
  submitBulk(event.submitter);
});

// ---- bulk actions ----------------------------------------------------------------------------------

function updateBulk() {
  const n = state.selected.size;
  $("bulk-count").textContent = fill(strings.selected, { n });
  const shown = visibleEntries().map((li) => Number(li.dataset.contributionId));
  const all = $("select-all");
  all.checked = shown.length > 0 && shown.every((id) => state.selected.has(id));
  all.indeterminate = !all.checked && shown.some((id) => state.selected.has(id));
  for (const [id, li] of queueEls) {
    const box = li.querySelector("input.mentry__select");
    if (box) box.checked = state.selected.has(id);
  }
}

$("queue").addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.classList.contains("mentry__select")) return;
  const id = Number(box.value);
  if (box.checked) state.selected.add(id);
  else state.selected.delete(id);
  updateBulk();
});

$("select-all").addEventListener("change", (event) => {
  for (const li of visibleEntries()) {
    const id = Number(li.dataset.contributionId);
    if (event.target.checked) state.selected.add(id);
    else state.selected.delete(id);
  }
  updateBulk();
});

let bulkBusy = false;

async function submitBulk(submitter) {
  if (bulkBusy) return;
  const action = submitter?.value === "reject" ? "reject" : "approve";
  // Only what is selected and still shown: a filter change must not act on hidden entries.
  const shown = new Set(visibleEntries().map((li) => Number(li.dataset.contributionId)));
  const ids = [...state.selected].filter((id) => shown.has(id));
  showError("");
  showStatus("");
  if (!ids.length) {
    showError(strings.bulk_none);
    return;
  }
  const reason = $("bulk-reason");
  if (action === "reject" && !reason.value) {
    reason.required = true;
    reason.reportValidity();
    reason.required = false;
    return;
  }
  const body = new URLSearchParams();
  body.set("csrf_token", csrf);
  body.set("ids", ids.join(","));
  body.set("action", action);
  if (action === "reject") body.set("reason", reason.value);
  bulkBusy = true;
  $("bulk-form").setAttribute("aria-busy", "true");
  try {
    const res = await postForm($("bulk-form").getAttribute("action"), body);
    const answer = await jsonOrNull(res);
    if (!res.ok || !answer || !Array.isArray(answer.results)) {
      showError((answer && answer.message) || strings.failed);
      return;
    }
    const done = answer.results.filter((r) => r.ok);
    const failed = answer.results.filter((r) => !r.ok);
    for (const r of done) {
      state.selected.delete(r.id);
      if (state.pending.delete(r.id)) leaveQueue(r.id, null);
    }
    renderQueue();
    showStatus(fill(strings.bulk_done, { n: done.length }));
    if (failed.length) showError(failed.map((r) => `#${r.id}: ${r.message || strings.failed}`).join(" "));
  } catch {
    showError(strings.network_error);
  } finally {
    bulkBusy = false;
    $("bulk-form").removeAttribute("aria-busy");
  }
}

// ---- filters and settings ------------------------------------------------------------------------------

$("queue-tools").addEventListener("change", (event) => {
  const target = event.target;
  if (target.id === "filter-item") state.filterItem = target.value;
  else if (target.id === "filter-kind") state.filterKind = target.value;
  else if (target.id === "sort-order") state.sort = target.value === "newest" ? "newest" : "oldest";
  renderQueue();
  renderDecided();
});

try {
  state.shortcuts = localStorage.getItem(SHORTCUTS_KEY) !== "off";
} catch {
  state.shortcuts = true;
}
$("shortcuts-on").checked = state.shortcuts;
$("shortcuts-on").addEventListener("change", (event) => {
  state.shortcuts = event.target.checked;
  try {
    localStorage.setItem(SHORTCUTS_KEY, state.shortcuts ? "on" : "off");
  } catch {
    // not remembered
  }
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
renderQueue();
renderDecided();
if (!data.spotlight_known) loadSpotlight();

new LiveStream({
  path: `/staff/api/meetings/${meetingId}/live`,
  snapshotUrl: `/staff/api/meetings/${meetingId}/moderation`,
  lastSeq: data.last_seq,
  onEvent,
  onSnapshot,
  onStatus: (s) => showConnection(s, labels),
}).start();
