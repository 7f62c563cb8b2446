// The clerk's console: sends the console's forms with fetch (so the page stays put), keeps
// statuses, the fitting buttons, the versions the forms carry and the activity log up to date
// from the staff live stream, and keeps the current item at the top.
// Without this script every form still works: the server redirects back to the console (or,
// if another clerk acted first, explains on a page that links back).

import { LiveStream } from "../stream.js";
import {
  el, errorMessage, fill, formatters, postForm, readJSON, setInLanguage, showConnection, textSetter,
  timeEl,
} from "../dom.js";
import { itemMeta, showMeetingStatus, showNow } from "../agenda.js";
import { SocialHealth } from "../social-health.js";

const snap = readJSON("snapshot");
const labels = readJSON("labels");
const strings = readJSON("strings");

const state = { meeting: snap.meeting, items: snap.items };
const ctx = { labels, strings, fmt: formatters(state.meeting.timezone) };
const showError = textSetter("console-error");
const socialData = readJSON("social-data");
const social = new SocialHealth(document.getElementById("social-health"), {
  words: socialData.words, needs: socialData.needs, fmt: ctx.fmt,
});

// Times in the activity log, to the second, in the council's zone (as the server writes them).
function secondsFormatter(timeZone) {
  const options = { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" };
  const locales = [`${document.documentElement.lang || "en"}-GB`, "en-GB"];
  try {
    return new Intl.DateTimeFormat(locales, { timeZone, ...options });
  } catch {
    return new Intl.DateTimeFormat("en-GB", options); // unknown zone: better than nothing
  }
}
let clock = secondsFormatter(state.meeting.timezone);

const fits = (node, status) => (node.dataset.fits || "").split(" ").includes(status);

// ---- which controls apply --------------------------------------------------------------------

// Meeting actions carry the statuses they are valid from (data-valid-from), item controls the
// item statuses they fit (data-fits), following the rules in hub/actions: only a meeting in
// session has a current item, and a closed or cancelled meeting takes no more outcomes. Every
// form carries the version of what it acts on, kept here as events arrive, so a click acts on
// what the clerk sees; one made against an older state is refused (409) and said beside it.
function updateControls() {
  const status = state.meeting.status;
  const finished = status === "closed" || status === "cancelled";
  const focused = document.activeElement;
  let lostFocus = null;
  const lose = (node, fallback) => {
    if (node.contains(focused)) lostFocus = fallback;
  };
  const heading = document.getElementById("controls-heading");

  for (const form of document.querySelectorAll("form.meeting-action")) {
    const valid = form.dataset.validFrom.split(" ").includes(status);
    if (!valid) lose(form, heading);
    form.hidden = !valid;
  }
  for (const input of document.querySelectorAll("input.js-meeting-version")) {
    input.value = String(state.meeting.status_version);
  }
  const none = document.getElementById("meeting-actions-none");
  if (none) none.hidden = !finished;
  // Says why "Make current" is greyed out while the meeting is not in session.
  const needsLive = document.getElementById("current-needs-live");
  if (needsLive) needsLive.hidden = status === "live" || finished;

  const current = state.items.find((i) => i.status === "current");
  for (const item of state.items) {
    const li = document.getElementById(`item-${item.id}`);
    if (!li) continue;
    const summary = li.querySelector("summary");
    for (const input of li.querySelectorAll("input.js-item-version")) input.value = String(item.version);
    for (const input of li.querySelectorAll("input.js-current-was")) input.value = String(current ? current.id : 0);
    for (const node of li.querySelectorAll("[data-fits]")) {
      const show = fits(node, item.status);
      if (!show) lose(node, summary);
      node.hidden = !show;
    }
    for (const button of li.querySelectorAll('button[data-role="current"]')) {
      const disabled = status !== "live";
      if (disabled) lose(button, summary);
      button.disabled = disabled;
    }
    for (const button of li.querySelectorAll('button[data-role="outcome"]')) {
      if (finished) lose(button, summary);
      button.disabled = finished;
    }
  }
  // A control that vanished or was disabled under the keyboard: put focus somewhere sensible.
  if (lostFocus) lostFocus.focus();
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

// The current item at the top, open; the rest in agenda order below, folded (an item the clerk
// opened stays open unless it stops being current).
function placeItems() {
  const slot = document.getElementById("current-slot");
  const agenda = document.getElementById("agenda");
  const focused = document.activeElement;
  const wasOnTop = new Set(slot.children);
  const ordered = [...state.items].sort((a, b) => a.position - b.position || a.id - b.id);
  const rest = [];
  let top = null;
  for (const item of ordered) {
    const li = document.getElementById(`item-${item.id}`);
    if (!li) continue;
    const details = li.querySelector("details");
    if (item.status === "current") {
      top = li;
      if (!wasOnTop.has(li) && details) details.open = true;
    } else {
      // Leaving the top: fold it, unless the clerk has typed a note there or is being told
      // something about it (a refused action): that stays in view.
      const typed = li.querySelector('input[name="note"]')?.value;
      const told = li.querySelector(".citem__error")?.textContent;
      if (wasOnTop.has(li) && details && !typed && !told) details.open = false;
      rest.push(li);
    }
  }
  if (top ? slot.children.length !== 1 || slot.firstElementChild !== top : slot.children.length) {
    slot.replaceChildren(...(top ? [top] : []));
  }
  const children = agenda.children;
  if (children.length !== rest.length || rest.some((li, i) => children[i] !== li)) {
    agenda.replaceChildren(...rest);
  }
  // Moving a focused element drops its focus: put it back so keyboard users keep their place.
  if (focused && focused !== document.body && focused.isConnected && document.activeElement !== focused) {
    focused.focus({ preventScroll: true });
  }
}

function fillConsoleItem(li, item) {
  for (const cls of [...li.classList]) {
    if (cls.startsWith("item--")) li.classList.remove(cls);
  }
  li.classList.add(`item--${item.status}`);
  if (item.status === "current") li.setAttribute("aria-current", "true");
  else li.removeAttribute("aria-current");
  const number = li.querySelector(".item__number");
  if (number) number.textContent = item.number;
  const title = li.querySelector(".item__title");
  if (title) setInLanguage(title, item);
  const badge = li.querySelector(".citem__badge");
  if (badge) {
    const shown = item.display_status || item.status; // a parent reads "Under way" (shapes/public.py)
    badge.className = `badge badge--item badge--${shown} citem__badge`;
    badge.textContent = labels.item[shown] || shown;
  }
  const oldMeta = li.querySelector(".citem__body > .item__meta");
  const meta = itemMeta(item, ctx);
  if (oldMeta) oldMeta.replaceWith(meta);
  else li.querySelector(".citem__body")?.prepend(meta);
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
  fillConsoleItem(li, item);
}

// ---- activity log --------------------------------------------------------------------------------

// The same sentence the server writes (hub/web/staff/activity.py), from the same translated
// templates (strings.activity): keep the two in step.
function activitySentence(envelope) {
  const words = strings.activity;
  const data = envelope.data || {};
  const actor = data.actor || words.someone;
  const numberOf = (id) => {
    if (id === null || id === undefined) return "";
    const item = state.items.find((i) => i.id === id);
    return item ? item.number : "?";
  };
  if (envelope.type === "moderation.item") {
    const c = data.contribution || {};
    const kind = c.kind === "question" || c.kind === "post" ? c.kind : "comment";
    const scope = `${kind}.${c.item_id === null || c.item_id === undefined ? "general" : "item"}`;
    const number = numberOf(c.item_id);
    // A post's author is no resident: unnamed (a redacted one), they are "someone".
    const name = c.display_name || (kind === "post" ? words.someone_lower : words.a_resident);
    const values = {
      actor,
      resident: c.display_name || (kind === "post" ? words.someone : words.A_resident),
      what: fill(strings.activity_what[scope], { number }),
      what_by: fill(strings.activity_what[`${scope}.by`], { number, name }),
      what_to: fill(strings.activity_what[`${scope}.to`], { number, name }),
    };
    return fill(words[`moderation.${data.action}`] || words.other, values);
  }
  let sentence = fill(words[data.action] || words.other, { actor, number: numberOf(data.item_id) });
  if (data.note) sentence = fill(words.with_note, { sentence, note: data.note });
  return sentence;
}

function activityEntry(envelope) {
  const li = el("li", "activity__entry");
  li.dataset.seq = String(envelope.seq);
  li.append(timeEl(envelope.at, (iso) => clock.format(new Date(iso))), " ",
    el("span", "activity__text", activitySentence(envelope)));
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
  clock = secondsFormatter(meeting.timezone);
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
      placeItems();
      break;
    case "agenda.item.removed": // made private in the agenda editor: the agenda changed shape
      reloadPage();
      return;
    case "staff.action.recorded":
    case "moderation.item":
      addActivity(envelope);
      return;
    case "social.source.health":
      social.apply(envelope.data.source, envelope.data.removed);
      return;
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
  for (const item of fresh.items) fillConsoleItem(document.getElementById(`item-${item.id}`), item);
  showNow(state.items, labels);
  placeItems();
  renderActivity(fresh.staff_activity || []);
  if (fresh.social_sources) social.render(fresh.social_sources);
  updateControls();
}

// ---- forms -------------------------------------------------------------------------------------

// Where a refusal is said: beside the item the form acts on (or the meeting's controls), where
// the clerk is looking, not at the top of the page.
function errorPlace(form) {
  const li = form.closest("li[data-item-id]");
  return document.getElementById(li ? `item-error-${li.dataset.itemId}` : "meeting-error");
}

const busy = new WeakSet(); // forms with a request in flight: ignore double clicks

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.classList.contains("js-action")) return;
  event.preventDefault();
  if (busy.has(form)) return;
  const submitter = event.submitter;
  const confirmText = submitter?.dataset.confirm;
  if (confirmText && !window.confirm(confirmText)) return;
  submit(form, submitter);
});

async function submit(form, submitter) {
  const place = errorPlace(form);
  const say = (message) => {
    if (place) place.textContent = message;
    else showError(message);
  };
  say("");
  showError("");
  const body = new URLSearchParams(new FormData(form));
  if (submitter && submitter.name) body.set(submitter.name, submitter.value);
  busy.add(form);
  form.setAttribute("aria-busy", "true");
  try {
    // getAttribute, not form.action: the meeting forms have a control named "action".
    const res = await postForm(form.getAttribute("action"), body);
    if (!res.ok) {
      // The note typed stays in its field: the clerk may still want it.
      say(await errorMessage(res, strings.failed));
      return;
    }
    // Done: the live stream brings the change to every console, this one included.
    const note = form.querySelector('input[name="note"]');
    if (note) note.value = "";
  } catch {
    say(strings.network_error);
  } finally {
    busy.delete(form);
    form.removeAttribute("aria-busy");
  }
}

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
