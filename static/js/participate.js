// Residents' comments and questions on the meeting page (issue 4):
//   - the "Have your say" form, sent as JSON with a random client token per submission. Every
//     submission waits in an outbox in localStorage until the server has answered 201 (or a
//     final 4xx), and is retried with backoff, on `online` and on the next page load, with the
//     same token so the server never stores it twice;
//   - "Your comments and questions": the resident's own submissions and their status, updated
//     by `contribution.mine` events (which only reach this resident's socket);
//   - the published comments and questions, grouped by agenda item (the one being discussed
//     first), with upvotes on questions.
// The markup mirrors hub/templates/_participate.html. Names and bodies are residents' text:
// everything is built with createElement/textContent, never innerHTML.

import {
  $, byId, el, errorMessage, fetchFresh, fill, flash, formatters, jsonOrNull, newestFirst, optionEl,
  readJSON, sendJSON, syncChildren, textSetter, timeEl,
} from "./dom.js";
import { byPosition, findItem, itemLabel, itemName as agendaItemName } from "./agenda.js";
import { backoffDelay } from "./stream.js";

const OUTBOX_PREFIX = "councilHub.outbox.";
const RETRY_START_MS = 2_000;
const RETRY_MAX_MS = 60_000;
const PREVIEW = 5; // entries per list a group that is not being discussed shows before "Show all"
const COUNT_ANNOUNCE_MS = 1_000; // screen readers hear the character count after a pause in typing
const STATUS_RANK = { pending: 0, published: 1, rejected: 2, hidden: 2 };

// 4xx answers are final (the same request would fail again), except these.
const isFinal = (status) => status >= 400 && status < 500 && status !== 408 && status !== 429;

function randomToken() {
  if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes); // randomUUID needs a secure context; this does not
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Start the participation parts of the page.
 * @param {object} o
 * @param {object} o.meeting       the meeting's public view
 * @param {() => object[]} o.items the current agenda items (the page keeps them up to date)
 * @param {object} o.snap          the page's snapshot (contributions, spotlight)
 * @param {object} o.labels        hub.labels
 * @param {object} o.strings       the page's #strings
 */
export function startParticipation({ meeting, items, snap, labels, strings }) {
  const config = readJSON("participation") || { open: false, premoderated: true, max_chars: 1000 };
  const mineData = readJSON("mine-data") || { contributions: [], votes: [] };
  const meetingId = meeting.id;
  const initialStatus = meeting.status;
  let fmt = formatters(meeting.timezone);
  let stream = null;
  // Without a participant cookie the socket cannot carry this resident's own events; the first
  // submission or vote sets the cookie, after which we reconnect once (see noteParticipant).
  // (The route says so with participation.participant_known when it set the cookie itself.)
  let knownParticipant = config.participant_known === true ||
    mineData.contributions.length > 0 || mineData.votes.length > 0;

  const state = {
    published: byId(snap.contributions || []),
    votes: new Set(mineData.votes),
    own: byId(mineData.contributions),
    outbox: [], // {client_token, payload, at, state: sending|unsent|failed, message, inFlight}
    sort: "votes",
    expanded: new Set(), // group keys showing all their entries
    open: Boolean(config.open),
  };

  // ---- agenda helpers --------------------------------------------------------------------------

  const itemById = (id) => findItem(items(), id);
  const itemName = (id) => agendaItemName(items(), id, labels);
  const isClosedItem = (item) => ["done", "deferred", "withdrawn"].includes(item.status);

  function positionBadge(position) {
    return el("span", `badge badge--position badge--${position} contribution__position`,
      labels.position[position] || position);
  }

  // ---- published comments and questions ----------------------------------------------------------

  const entryEls = new Map(); // contribution id -> <li>
  const groupEls = new Map(); // group key -> {section, heading, qSub, qList, cSub, cList, more}

  function fillPublished(li, c) {
    li.className = `contribution contribution--${c.kind}${c.answered ? " contribution--answered" : ""}`;
    li.id = `c-${c.id}`;
    li.dataset.contributionId = String(c.id);
    li.dataset.kind = c.kind;
    li.dataset.votes = String(c.votes);
    li.dataset.answered = String(Boolean(c.answered));
    li.dataset.publishedAt = c.published_at || "";

    const meta = el("p", "contribution__meta");
    meta.append(el("span", "contribution__name", c.display_name || labels.misc.anonymous));
    if (c.kind === "comment" && c.position) meta.append(" ", positionBadge(c.position));
    if (c.kind === "question" && c.answered) {
      meta.append(" ", el("span", "badge badge--answered contribution__answered", strings.answered));
    }
    if (c.published_at) {
      meta.append(" ", timeEl(c.published_at, fmt.time, "contribution__time"));
    }
    const body = el("p", "contribution__body", c.body);

    const oldMeta = li.querySelector(":scope > .contribution__meta");
    const oldBody = li.querySelector(":scope > .contribution__body");
    if (oldMeta) oldMeta.replaceWith(meta);
    else li.append(meta);
    if (oldBody) oldBody.replaceWith(body);
    else meta.after(body);

    if (c.kind !== "question") return;
    // The votes line is updated in place, so a focused vote button keeps its focus.
    let votes = li.querySelector(":scope > .contribution__votes");
    if (!votes) {
      votes = el("p", "contribution__votes");
      const count = el("span", "contribution__count");
      count.id = `c-${c.id}-votes`;
      const button = el("button", "button button--small vote", strings.upvote);
      button.type = "button";
      button.dataset.contributionId = String(c.id);
      button.setAttribute("aria-describedby", count.id);
      votes.append(count, " ", button);
      li.append(votes);
    }
    const countText = fill(strings.votes, { n: c.votes });
    const count = votes.querySelector(".contribution__count");
    if (count.textContent !== countText) count.textContent = countText;
    const button = votes.querySelector("button.vote");
    button.hidden = false;
    button.setAttribute("aria-pressed", String(state.votes.has(c.id)));
  }

  function entryFor(c) {
    let li = entryEls.get(c.id);
    if (!li) {
      li = document.getElementById(`c-${c.id}`) || el("li"); // adopt the server's markup
      entryEls.set(c.id, li);
    }
    fillPublished(li, c);
    return li;
  }

  const mostVotes = (a, b) => b.votes - a.votes || b.id - a.id;

  function groupsInOrder() {
    const agenda = [...items()].sort(byPosition);
    const current = agenda.find((i) => i.status === "current");
    const keys = [];
    if (current) keys.push(`item-${current.id}`);
    for (const item of agenda) if (item !== current) keys.push(`item-${item.id}`);
    keys.push("general");
    const buckets = new Map();
    for (const c of state.published.values()) {
      const key = itemById(c.item_id) ? `item-${c.item_id}` : "general";
      if (!buckets.has(key)) buckets.set(key, []);
      buckets.get(key).push(c);
    }
    return keys.filter((k) => buckets.has(k)).map((key) => {
      const item = key === "general" ? null : itemById(Number(key.slice(5)));
      return { key, item, entries: buckets.get(key) };
    });
  }

  function groupParts(key) {
    let parts = groupEls.get(key);
    if (parts) return parts;
    const existing = document.getElementById(`cgroup-${key}`);
    const section = existing || el("section");
    if (!existing) {
      section.id = `cgroup-${key}`;
      section.dataset.group = key;
      section.setAttribute("aria-labelledby", `cgroup-${key}-heading`);
    }
    const need = (selector, make) => section.querySelector(selector) || make();
    const heading = need(".cgroup__heading", () => {
      const h = el("h3", "cgroup__heading");
      h.id = `cgroup-${key}-heading`;
      return h;
    });
    const qSub = need(".cgroup__sub--questions", () => el("h4", "cgroup__sub cgroup__sub--questions", strings.questions));
    const qList = need(".clist--questions", () => el("ol", "clist clist--questions"));
    const cSub = need(".cgroup__sub--comments", () => el("h4", "cgroup__sub cgroup__sub--comments", strings.comments));
    const cList = need(".clist--comments", () => el("ol", "clist clist--comments"));
    const more = need(".cgroup__more", () => {
      const b = el("button", "button button--link cgroup__more");
      b.type = "button";
      b.dataset.group = key;
      return b;
    });
    section.replaceChildren(heading, qSub, qList, cSub, cList, more);
    parts = { section, heading, qSub, qList, cSub, cList, more };
    groupEls.set(key, parts);
    return parts;
  }

  function renderGroup({ key, item, entries }) {
    const parts = groupParts(key);
    const isCurrent = Boolean(item && item.status === "current");
    parts.section.className = `cgroup${isCurrent ? " cgroup--current" : ""}`;

    const heading = [];
    if (item) heading.push(el("span", "cgroup__number", item.number), " ", el("span", "cgroup__title", item.title));
    else heading.push(el("span", "cgroup__title", labels.misc.general));
    if (isCurrent) heading.push(" ", el("span", "badge badge--current cgroup__now", labels.item.current));
    const probe = el("h3");
    probe.append(...heading);
    if (parts.heading.textContent !== probe.textContent) parts.heading.replaceChildren(...heading);

    const questions = entries.filter((c) => c.kind === "question")
      .sort(state.sort === "votes" ? mostVotes : newestFirst);
    const comments = entries.filter((c) => c.kind !== "question").sort(newestFirst);
    const expanded = isCurrent || state.expanded.has(key);
    let hiddenCount = 0;
    for (const [list, sub, group] of [[parts.qList, parts.qSub, questions], [parts.cList, parts.cSub, comments]]) {
      const nodes = group.map(entryFor);
      nodes.forEach((li, i) => {
        li.hidden = !expanded && i >= PREVIEW;
        if (li.hidden) hiddenCount += 1;
      });
      syncChildren(list, nodes);
      list.hidden = sub.hidden = nodes.length === 0;
    }
    const total = questions.length + comments.length;
    const collapsible = !isCurrent && (questions.length > PREVIEW || comments.length > PREVIEW);
    parts.more.hidden = !collapsible;
    parts.more.setAttribute("aria-expanded", String(hiddenCount === 0));
    parts.more.textContent = hiddenCount > 0 ? fill(strings.show_all, { n: total }) : strings.show_fewer;
    return parts.section;
  }

  function renderPublished() {
    const groups = groupsInOrder();
    const sections = groups.map(renderGroup);
    const live = new Set(groups.map((g) => g.key));
    for (const key of [...groupEls.keys()]) if (!live.has(key)) groupEls.delete(key);
    for (const id of [...entryEls.keys()]) if (!state.published.has(id)) entryEls.delete(id);
    const container = $("contribution-groups");
    const hadFocus = container.contains(document.activeElement);
    syncChildren(container, sections);
    if (hadFocus && !container.contains(document.activeElement)) $("contributions-heading").focus();
    $("contributions-empty").hidden = state.published.size > 0;
  }

  function applyPublished(c, isNew) {
    state.published.set(c.id, c);
    renderPublished();
    if (isNew) flash(entryEls.get(c.id));
  }

  // ---- voting ------------------------------------------------------------------------------------

  const voting = new Set();

  const showContributionsError = textSetter("contributions-error");

  function setVoted(id, up) {
    if (up) state.votes.add(id);
    else state.votes.delete(id);
    const c = state.published.get(id);
    if (c) fillPublished(entryEls.get(id) || entryFor(c), c);
  }

  async function toggleVote(button) {
    const id = Number(button.dataset.contributionId);
    const c = state.published.get(id);
    if (!c || voting.has(id)) return;
    const up = !state.votes.has(id);
    voting.add(id);
    showContributionsError("");
    // Show the vote at once; the server's answer (and the live event) bring the real count.
    state.published.set(id, { ...c, votes: Math.max(0, c.votes + (up ? 1 : -1)) });
    setVoted(id, up);
    try {
      const res = await sendJSON(`/api/meetings/${meetingId}/contributions/${id}/vote`, up ? "POST" : "DELETE", {});
      if (!res.ok) {
        const latest = state.published.get(id);
        if (latest) state.published.set(id, { ...latest, votes: c.votes });
        setVoted(id, !up);
        showContributionsError(await errorMessage(res, strings.failed));
        return;
      }
      const answer = await res.json();
      if (answer.contribution) state.published.set(id, answer.contribution);
      setVoted(id, Boolean(answer.voted));
      renderPublished();
      noteParticipant();
    } catch {
      const latest = state.published.get(id);
      if (latest) state.published.set(id, { ...latest, votes: c.votes });
      setVoted(id, !up);
      showContributionsError(strings.network_error);
    } finally {
      voting.delete(id);
    }
  }

  $("contribution-groups").addEventListener("click", (event) => {
    const vote = event.target.closest("button.vote");
    if (vote) {
      toggleVote(vote);
      return;
    }
    const more = event.target.closest("button.cgroup__more");
    if (more) {
      const key = more.dataset.group || more.closest(".cgroup")?.dataset.group;
      if (state.expanded.has(key)) state.expanded.delete(key);
      else state.expanded.add(key);
      renderPublished();
    }
  });

  const sortBox = $("question-sort");
  if (sortBox) {
    sortBox.hidden = false;
    sortBox.addEventListener("change", (event) => {
      if (event.target.name !== "question-sort") return;
      state.sort = event.target.value === "newest" ? "newest" : "votes";
      renderPublished();
    });
  }

  // ---- the resident's own submissions --------------------------------------------------------------

  const ownEls = new Map(); // contribution id -> <li>
  const outboxEls = new Map(); // client token -> <li>

  function ownMeta(kind, position, itemId) {
    const meta = el("p", "own__meta");
    meta.append(el("span", "own__kind", labels.kind[kind] || kind));
    if (kind === "comment" && position) meta.append(" ", positionBadge(position));
    meta.append(" ", el("span", "own__item", fill(strings.about, { item: itemName(itemId) })));
    return meta;
  }

  function ownNode(c) {
    let li = ownEls.get(c.id);
    if (!li) {
      li = document.getElementById(`own-${c.id}`) || el("li"); // adopt the server's markup
      ownEls.set(c.id, li);
    }
    const sent = li.classList.contains("own--sent") || (config.sent !== null && String(config.sent) === String(c.id));
    li.className = `own${sent ? " own--sent" : ""}`;
    li.id = `own-${c.id}`;
    li.dataset.contributionId = String(c.id);
    li.dataset.status = c.status;
    const stateLine = el("p", "own__state");
    stateLine.append(el("span", `badge badge--c-${c.status} own__status`, labels.contribution[c.status] || c.status));
    stateLine.lastChild.dataset.status = c.status;
    if ((c.status === "rejected" || c.status === "hidden") && c.reason_label) {
      stateLine.append(" ", el("span", "own__reason", fill(strings.reason, { reason: c.reason_label })));
    }
    li.replaceChildren(ownMeta(c.kind, c.position, c.item_id), el("p", "own__body", c.body), stateLine);
    return li;
  }

  function outboxNode(entry) {
    let li = outboxEls.get(entry.client_token);
    if (!li) {
      li = el("li");
      outboxEls.set(entry.client_token, li);
    }
    const key = `${entry.state}|${entry.message || ""}`;
    if (li.dataset.rendered === key) return li;
    li.dataset.rendered = key;
    const hadFocus = li.contains(document.activeElement);
    li.className = `own own--outbox own--${entry.state}`;
    li.dataset.clientToken = entry.client_token;
    li.dataset.status = entry.state; // sending | unsent | failed
    const p = entry.payload;
    const text = { sending: strings.sending, unsent: strings.unsent, failed: strings.not_sent }[entry.state];
    const stateLine = el("p", "own__state");
    const status = el("span", `badge badge--c-${entry.state} own__status`, text);
    status.dataset.status = entry.state;
    stateLine.append(status);
    if (entry.message) stateLine.append(" ", el("span", "own__reason", entry.message));
    if (entry.state !== "sending") {
      const button = el("button", "button button--small button--link own__cancel",
        entry.state === "failed" ? strings.remove : strings.dont_send);
      button.type = "button";
      button.dataset.clientToken = entry.client_token;
      stateLine.append(" ", button);
    }
    li.replaceChildren(ownMeta(p.kind, p.position, p.item_id), el("p", "own__body", p.body), stateLine);
    if (hadFocus) li.querySelector("button")?.focus({ preventScroll: true });
    return li;
  }

  function renderOwn() {
    const nodes = [...state.outbox].reverse().map(outboxNode);
    for (const token of [...outboxEls.keys()]) {
      if (!state.outbox.some((e) => e.client_token === token)) outboxEls.delete(token);
    }
    const own = [...state.own.values()].sort((a, b) => b.id - a.id);
    nodes.push(...own.map(ownNode));
    const list = $("mine-list");
    const hadFocus = list.contains(document.activeElement);
    syncChildren(list, nodes);
    if (hadFocus && !list.contains(document.activeElement)) $("mine").focus();
    $("mine-empty").hidden = nodes.length > 0;
  }

  function upsertOwn(c) {
    const old = state.own.get(c.id);
    // Statuses only move forward (pending -> published/rejected, published -> hidden): never let
    // an older copy (a slow fetch) undo a newer one (a live event).
    if (old && (STATUS_RANK[old.status] ?? 0) > (STATUS_RANK[c.status] ?? 0)) return old;
    state.own.set(c.id, c);
    return old;
  }

  function announceOwn(c) {
    const text = {
      published: strings.now_published,
      rejected: strings.now_rejected,
      hidden: strings.now_hidden,
    }[c.status];
    if (!text) return;
    const reason = c.reason_label ? ` ${fill(strings.reason, { reason: c.reason_label })}` : "";
    $("mine-live").textContent = text + reason;
  }

  $("mine-list").addEventListener("click", (event) => {
    const button = event.target.closest("button.own__cancel");
    if (!button) return;
    const entry = state.outbox.find((e) => e.client_token === button.dataset.clientToken);
    if (!entry || entry.inFlight) return;
    removeFromOutbox(entry);
    renderOwn();
  });

  async function refreshMine() {
    try {
      const res = await fetchFresh(`/api/meetings/${meetingId}/contributions/mine`);
      if (!res.ok) return;
      const fresh = await res.json();
      for (const c of fresh.contributions || []) upsertOwn(c);
      state.votes = new Set(fresh.votes || []);
      renderOwn();
      renderPublished();
    } catch {
      // offline: the next reconnect tries again
    }
  }

  // The first submission or vote may have just set the participant cookie: reconnect the socket
  // once so it carries it (and with it this resident's own events), then catch up.
  function noteParticipant() {
    if (knownParticipant) return;
    knownParticipant = true;
    if (stream) {
      stream.reconnectNow();
      refreshMine();
    }
  }

  // ---- the outbox ----------------------------------------------------------------------------------

  const outboxKey = `${OUTBOX_PREFIX}${meetingId}`;
  const finished = new Set(); // tokens this page settled (sent, refused or cancelled)

  function readStored() {
    try {
      const parsed = JSON.parse(localStorage.getItem(outboxKey) || "[]");
      return Array.isArray(parsed)
        ? parsed.filter((e) => e && typeof e.client_token === "string" && e.payload && typeof e.payload.body === "string")
        : [];
    } catch {
      return []; // storage blocked or corrupt: the outbox lives in memory only
    }
  }

  // Merge with what is stored, so two tabs of the same meeting do not drop each other's entries.
  function saveOutbox() {
    try {
      const merged = new Map(readStored().map((e) => [e.client_token, e]));
      for (const e of state.outbox) {
        if (e.state !== "failed") merged.set(e.client_token, { client_token: e.client_token, payload: e.payload, at: e.at });
      }
      for (const token of finished) merged.delete(token);
      if (merged.size) localStorage.setItem(outboxKey, JSON.stringify([...merged.values()]));
      else localStorage.removeItem(outboxKey);
    } catch {
      // storage blocked: nothing more we can do
    }
  }

  function removeFromOutbox(entry) {
    state.outbox = state.outbox.filter((e) => e !== entry);
    finished.add(entry.client_token);
    saveOutbox();
  }

  function setEntryState(entry, value) {
    entry.state = value;
    renderOwn();
  }

  let retryTimer = null;
  let attempts = 0;
  let flushing = false;

  function retryAfter(res) {
    const seconds = Number(res.headers.get("retry-after"));
    return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, 10 * RETRY_MAX_MS) : undefined;
  }

  function scheduleRetry(delay) {
    clearTimeout(retryTimer);
    if (delay === undefined) delay = backoffDelay(RETRY_START_MS, RETRY_MAX_MS, attempts);
    attempts += 1;
    retryTimer = setTimeout(flush, delay);
  }

  /** Send one outbox entry: {kind: "ok", own} | {kind: "final", message} | {kind: "retry", after}. */
  async function deliver(entry) {
    if (entry.inFlight) return { kind: "busy" };
    entry.inFlight = true;
    entry.message = null;
    setEntryState(entry, "sending");
    let res;
    try {
      res = await sendJSON(`/api/meetings/${meetingId}/contributions`, "POST", entry.payload);
    } catch {
      entry.inFlight = false;
      setEntryState(entry, "unsent");
      return { kind: "retry" };
    }
    entry.inFlight = false;
    if (res.ok) {
      // Not JSON: committed all the same; the live event or the next refresh shows it.
      const own = await jsonOrNull(res);
      removeFromOutbox(entry);
      if (own && typeof own.id === "number") upsertOwn(own);
      renderOwn();
      noteParticipant();
      attempts = 0;
      return { kind: "ok", own };
    }
    if (!isFinal(res.status)) {
      setEntryState(entry, "unsent");
      return { kind: "retry", after: retryAfter(res) };
    }
    const message = await errorMessage(res, strings.failed);
    entry.message = message;
    finished.add(entry.client_token);
    setEntryState(entry, "failed");
    saveOutbox();
    return { kind: "final", message };
  }

  // Send everything waiting, oldest first; stop at the first failure that is worth retrying.
  async function flush() {
    if (flushing) return;
    flushing = true;
    clearTimeout(retryTimer);
    try {
      for (const entry of [...state.outbox]) {
        if (entry.state === "failed" || entry.inFlight || !state.outbox.includes(entry)) continue;
        const result = await deliver(entry);
        if (result.kind === "retry") {
          showStatus(strings.retrying);
          scheduleRetry(result.after);
          return;
        }
        if (result.kind === "final") restoreToForm(entry);
      }
    } finally {
      flushing = false;
    }
  }

  window.addEventListener("online", () => {
    if (!state.outbox.some((e) => e.state === "unsent")) return;
    attempts = 0;
    flush();
  });

  // ---- the form ----------------------------------------------------------------------------------

  const form = $("participate-form");
  const closedNote = $("participate-closed");
  const textarea = $("body");
  const itemSelect = $("item-select");
  const positionSet = $("position-fieldset");
  const countBox = $("body-count");
  const countLive = $("body-count-live");
  const maxChars = Number(textarea?.dataset.maxChars || config.max_chars || 1000);
  let itemTouched = false;
  let countTimer = null;
  let submitting = false;

  const showError = textSetter("participate-error");
  const showStatus = textSetter("participate-status");

  function kindValue() {
    return form.elements.namedItem("kind")?.value || "comment";
  }

  function updateKind() {
    const question = kindValue() === "question";
    positionSet.hidden = question;
    positionSet.disabled = question; // not sent, and not required, for a question
  }

  function updateCount(announce) {
    const left = maxChars - textarea.value.length;
    const text = left >= 0 ? fill(strings.chars_left, { n: left }) : fill(strings.chars_over, { n: -left });
    countBox.hidden = false;
    countBox.textContent = text;
    countBox.classList.toggle("count--over", left < 0);
    clearTimeout(countTimer);
    if (announce) countTimer = setTimeout(() => { countLive.textContent = text; }, COUNT_ANNOUNCE_MS);
  }

  // The items a resident can comment on: not finished ones. Keeps the resident's choice; if they
  // have not chosen (and not started writing), follows the item being discussed.
  function updateItemOptions() {
    if (!itemSelect) return;
    const agenda = [...items()].sort(byPosition);
    const open = agenda.filter((i) => !isClosedItem(i));
    const current = agenda.find((i) => i.status === "current");
    const chosen = itemSelect.value;
    const options = [optionEl("", labels.misc.general), ...open.map((i) => optionEl(String(i.id), itemLabel(i)))];
    const same = itemSelect.options.length === options.length &&
      options.every((o, i) => itemSelect.options[i].value === o.value && itemSelect.options[i].textContent === o.textContent);
    if (!same) itemSelect.replaceChildren(...options);
    let wanted = chosen;
    if (!itemTouched && textarea.value.trim() === "") wanted = current ? String(current.id) : "";
    if (!options.some((o) => o.value === wanted)) wanted = current && !isClosedItem(current) ? String(current.id) : "";
    if (itemSelect.value !== wanted) itemSelect.value = wanted;
  }

  function setOpen(open, message) {
    state.open = open;
    if (form) form.hidden = !open;
    if (closedNote) {
      if (message) closedNote.textContent = message;
      closedNote.hidden = open;
    }
  }

  function collect(token) {
    const kind = kindValue();
    const position = kind === "comment" ? form.elements.namedItem("position")?.value || null : null;
    const name = $("display-name").value.trim();
    const area = $("area").value.trim();
    return {
      kind,
      position,
      body: textarea.value,
      item_id: itemSelect.value ? Number(itemSelect.value) : null,
      display_name: name || null,
      area: area || null,
      client_token: token,
    };
  }

  function clearWriting() {
    textarea.value = "";
    for (const radio of form.querySelectorAll('input[name="position"]')) radio.checked = false;
    updateCount(false);
    countLive.textContent = "";
  }

  // A background send the server refused for good: put the text back so nothing is lost.
  // If the form is closed, or the resident is writing something else, the entry stays in "Your
  // comments and questions" marked "Not sent", with the server's message and its text.
  function restoreToForm(entry) {
    if (!form || form.hidden || textarea.value.trim() !== "") return;
    showError(entry.message || strings.failed);
    const p = entry.payload;
    textarea.value = p.body;
    const kind = form.querySelector(`input[name="kind"][value="${p.kind === "question" ? "question" : "comment"}"]`);
    if (kind) kind.checked = true;
    for (const radio of form.querySelectorAll('input[name="position"]')) radio.checked = radio.value === p.position;
    if (p.item_id !== null && [...itemSelect.options].some((o) => o.value === String(p.item_id))) {
      itemSelect.value = String(p.item_id);
      itemTouched = true;
    }
    updateKind();
    updateCount(false);
    removeFromOutbox(entry);
    renderOwn();
  }

  async function onSubmit(event) {
    event.preventDefault();
    if (submitting) return;
    showError("");
    showStatus("");
    const token = randomToken();
    const entry = { client_token: token, payload: collect(token), at: Date.now(), state: "sending", message: null };
    state.outbox.push(entry);
    saveOutbox();
    submitting = true;
    form.setAttribute("aria-busy", "true");
    try {
      const result = await deliver(entry);
      if (result.kind === "ok") {
        clearWriting();
        const published = result.own && result.own.status === "published";
        showStatus(published ? strings.sent_published : strings.sent_pending);
      } else if (result.kind === "final") {
        // Nothing was stored: the text is still in the box; say what to change.
        removeFromOutbox(entry);
        renderOwn();
        showError(result.message);
      } else if (result.kind === "retry") {
        // Safe in the outbox (and shown in the list below): the box is free for the next one.
        clearWriting();
        showStatus(strings.retrying);
        scheduleRetry(result.after);
      }
    } finally {
      submitting = false;
      form.removeAttribute("aria-busy");
    }
  }

  if (form) {
    // Without the script a question with a position is refused; with it, the position is only
    // asked for (and required) for comments.
    for (const radio of form.querySelectorAll('input[name="position"]')) radio.required = true;
    form.addEventListener("change", (event) => {
      if (event.target.name === "kind") updateKind();
      if (event.target === itemSelect) itemTouched = true;
    });
    textarea.addEventListener("input", () => updateCount(true));
    form.addEventListener("submit", onSubmit);
    updateKind();
    updateCount(false);
    updateItemOptions();
  }

  // ---- hooks for the page --------------------------------------------------------------------------

  function onEvent(envelope) {
    const data = envelope.data || {};
    switch (envelope.type) {
      case "contribution.published":
        applyPublished(data.contribution, !state.published.has(data.contribution.id));
        return true;
      case "contribution.updated":
        applyPublished(data.contribution, false);
        return true;
      case "contribution.removed":
        state.published.delete(data.id);
        renderPublished();
        return true;
      case "contribution.mine": {
        const c = data.contribution;
        const old = upsertOwn(c);
        renderOwn();
        if (old && old.status !== c.status && state.own.get(c.id) === c) announceOwn(c);
        return true;
      }
      case "meeting.spotlight":
        return true; // shown on the chamber's projector, not here
      default:
        return false;
    }
  }

  function onSnapshot(fresh) {
    state.published = byId(fresh.contributions || []);
    renderPublished();
    if (state.own.size || state.votes.size || knownParticipant) refreshMine();
  }

  let everLive = false;
  function onStatus(status) {
    if (status !== "live") return;
    // Back after a break: own events from before the reconnect may have been missed.
    if (everLive && (state.own.size || state.votes.size)) refreshMine();
    everLive = true;
    if (state.outbox.some((e) => e.state === "unsent")) {
      attempts = 0;
      flush();
    }
  }

  function itemsChanged() {
    updateItemOptions();
    renderPublished();
    renderOwn();
  }

  function meetingChanged(m) {
    fmt = formatters(m.timezone);
    if (m.status === "closed" || m.status === "cancelled") setOpen(false, strings.meeting_over);
    else if (!state.open && initialStatus === "scheduled" && m.status === "live") setOpen(true);
  }

  // ---- start -----------------------------------------------------------------------------------------

  state.outbox = readStored().map((e) => ({ ...e, state: "unsent", message: null }));
  renderPublished();
  renderOwn();
  if (state.outbox.length) flush(); // sent on an earlier visit but never acknowledged

  return {
    onEvent,
    onSnapshot,
    onStatus,
    itemsChanged,
    meetingChanged,
    attach(liveStream) {
      stream = liveStream;
    },
  };
}
