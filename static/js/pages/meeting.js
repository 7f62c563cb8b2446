// The resident's meeting page: keeps the server-rendered agenda up to date from the live stream.
// Without this script the page still shows the state it was rendered with.

import { LiveStream } from "../stream.js";
import { el, formatters, readJSON, setInLanguage, showConnection } from "../dom.js";
import { agendaTree, fillItem, itemDocuments, itemMeta, showMeetingStatus, showNow, upsertItem } from "../agenda.js";
import { startParticipation } from "../participate/index.js";
import { startWebcast } from "../webcast.js";
import { socialSection } from "../social.js";

const snap = readJSON("snapshot");
const labels = readJSON("labels");
const strings = readJSON("strings");

const state = { meeting: snap.meeting, items: snap.items };
const recording = readJSON("recording");
const ctx = {
  labels,
  strings,
  fmt: formatters(state.meeting.timezone),
  // The recording's link at an item's start, once the meeting is over (null: none).
  recordingAt: (item) => {
    if (!recording || !item.started_at || state.meeting.status !== "closed") return null;
    const seconds = Math.max(0, Math.floor((Date.parse(item.started_at) - Date.parse(recording.opened_at)) / 1000));
    return recording.at_template.replace("{s}", String(seconds));
  },
};
startWebcast();

// Comments and questions (static/js/participate/): the form, "Your comments and questions"
// and the published ones. It reads the agenda from our state, which stays current.
const participation = startParticipation({
  meeting: state.meeting,
  items: () => state.items,
  snap,
  labels,
  strings,
});

// "From social media": the published posts, apart from residents' comments and questions.
const social = socialSection({
  meeting: state.meeting,
  items: () => state.items,
  contributions: snap.contributions || [],
  labels,
  strings,
  fmt: () => ctx.fmt,
});

// ---- meeting details ---------------------------------------------------------------------------

function setText(id, text) {
  const node = document.getElementById(id);
  if (node && node.textContent !== text) node.textContent = text;
}

function safeUrl(url) {
  return typeof url === "string" && /^https?:\/\//i.test(url) ? url : "";
}

function renderMeeting() {
  const m = state.meeting;
  ctx.fmt = formatters(m.timezone);
  showMeetingStatus(m.status, labels);
  setText("meeting-council", m.council_name);
  const title = document.getElementById("meeting-title");
  if (title) setInLanguage(title, m);
  setText("meeting-body", m.body_name);
  // The committee's name, unless it is the title already ("Cabinet", "Cabinet").
  const body = document.getElementById("meeting-body");
  if (body) body.hidden = m.body_name.trim().toLowerCase() === m.title.trim().toLowerCase();

  const starts = document.getElementById("meeting-starts");
  if (starts && starts.dateTime !== m.starts_at) {
    starts.dateTime = m.starts_at;
    starts.textContent = ctx.fmt.full(m.starts_at);
  }
  setText("meeting-location", m.location || "");
  const locationRow = document.getElementById("meeting-location-row");
  if (locationRow) locationRow.hidden = !m.location;

  const webcast = safeUrl(m.webcast_url);
  const webcastRow = document.getElementById("meeting-webcast-row");
  const webcastLink = document.getElementById("meeting-webcast");
  if (webcastRow && webcastLink) {
    webcastRow.hidden = !webcast;
    webcastLink.href = webcast || "#";
  }
}

// ---- agenda --------------------------------------------------------------------------------------

// One item <li>, as meeting.html renders it; `level` is its heading level (h3 on top).
function renderItem(item, tree, level) {
  const li = el("li", `item item--${item.status}`);
  li.id = `item-${item.id}`;
  li.dataset.itemId = String(item.id);
  if (item.status === "current") li.setAttribute("aria-current", "true");

  const heading = el(`h${Math.min(level, 6)}`, "item__heading");
  heading.append(el("span", "item__number", item.number), " ", setInLanguage(el("span", "item__title"), item));
  const desc = setInLanguage(el("p", "item__desc"), item, "description");
  desc.hidden = !item.description;
  li.append(heading, desc);
  const docs = itemDocuments(item, ctx);
  if (docs) li.append(docs);
  li.append(itemMeta(item, ctx));

  const children = tree.get(item.id);
  if (children) {
    const ol = el("ol", "agenda agenda--sub");
    for (const child of children) ol.append(renderItem(child, tree, level + 1));
    li.append(ol);
  }
  return li;
}

// The agenda's "Go to the item being discussed now": points at the current item, if any.
function showJump() {
  const current = state.items.find((i) => i.status === "current");
  const jump = document.getElementById("agenda-jump");
  const link = document.getElementById("agenda-jump-link");
  if (!jump || !link) return;
  jump.hidden = !current;
  if (current) link.setAttribute("href", `#item-${current.id}`);
}

// Rebuild the whole agenda from state (after a snapshot, or when items moved or appeared).
function renderAgenda() {
  const list = document.getElementById("agenda");
  const tree = agendaTree(state.items);
  list.replaceChildren(...(tree.get(null) || []).map((item) => renderItem(item, tree, 3)));
  const empty = document.getElementById("agenda-empty");
  if (empty) empty.hidden = state.items.length > 0;
  showNow(state.items, labels);
  showJump();
}

function applyItem(item) {
  const old = upsertItem(state.items, item);
  const li = document.getElementById(`item-${item.id}`);
  const moved = !old || old.parent_id !== item.parent_id || old.position !== item.position;
  if (!li || moved) {
    renderAgenda();
  } else {
    fillItem(li, item, ctx);
    showNow(state.items, labels);
    showJump();
  }
}

// ---- live updates ------------------------------------------------------------------------------

function onEvent(envelope) {
  switch (envelope.type) {
    case "meeting.updated": {
      const was = state.meeting.status;
      state.meeting = envelope.data.meeting;
      renderMeeting();
      // Closed: the items' links to the recording appear (ctx.recordingAt), all at once.
      if (recording && (was === "closed") !== (state.meeting.status === "closed")) renderAgenda();
      participation.meetingChanged(state.meeting);
      social.meetingChanged(state.meeting);
      break;
    }
    case "agenda.item.updated":
      applyItem(envelope.data.item);
      participation.itemsChanged();
      social.itemsChanged();
      break;
    case "agenda.item.removed": // made private: it leaves the page
      state.items = state.items.filter((i) => i.id !== envelope.data.id);
      renderAgenda();
      participation.itemsChanged();
      break;
    default:
      // A social post, or else comments and questions, or a type this page ignores.
      if (!social.onEvent(envelope)) participation.onEvent(envelope);
      break;
  }
}

function onSnapshot(fresh) {
  state.meeting = fresh.meeting;
  state.items = fresh.items;
  renderMeeting();
  renderAgenda();
  participation.meetingChanged(state.meeting);
  participation.itemsChanged();
  participation.onSnapshot(fresh);
  social.onSnapshot(fresh);
}

const stream = new LiveStream({
  path: `/api/meetings/${state.meeting.id}/live`,
  snapshotUrl: `/api/meetings/${state.meeting.id}`,
  lastSeq: snap.last_seq,
  onEvent,
  onSnapshot,
  onStatus: (s) => {
    showConnection(s, labels);
    participation.onStatus(s);
  },
});
participation.attach(stream);
stream.start();
