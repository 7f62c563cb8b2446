// The chamber's projector screen: the item being discussed, the spotlighted question and the
// latest published comments, kept up to date from the public live stream. The markup mirrors
// hub/templates/projector.html. Residents' text is set with textContent only, never innerHTML.

import { LiveStream } from "../stream.js";
import {
  $, byId, el, fill, formatters, newestFirst, readJSON, replaceIfChanged, setInLanguage,
  showConnection,
} from "../dom.js";
import { findItem, upsertItem } from "../agenda.js";
import { byLine, isPost, postContent } from "../posts.js";

const snap = readJSON("snapshot");
const labels = readJSON("labels");
const strings = readJSON("strings");
const LATEST = 5;
const fmt = formatters(snap.meeting.timezone);

const state = {
  meeting: snap.meeting,
  items: snap.items,
  contributions: byId(snap.contributions || []),
  spotlight: snap.spotlight || null,
};

function renderMeeting() {
  $("projector-council").textContent = state.meeting.council_name;
  setInLanguage($("projector-meeting"), state.meeting);
}

function renderItem() {
  const current = state.items.find((i) => i.status === "current");
  let p;
  if (current) {
    p = el("p", "pitem");
    p.append(el("span", "pitem__number", current.number), " ", setInLanguage(el("span", "pitem__title"), current));
  } else {
    p = el("p", "pitem pitem--none", labels.misc.none_current);
  }
  replaceIfChanged($("projector-item"), [p]);
}

function renderSpotlight() {
  const section = $("projector-spotlight");
  const box = $("projector-question");
  const q = state.spotlight;
  section.hidden = !q;
  if (!q) {
    box.replaceChildren();
    delete box.dataset.contributionId;
    return;
  }
  box.dataset.contributionId = String(q.id);
  // A social media post: attributed (author, handle, platform), its warning above its text.
  const post = q.kind === "post";
  const heading = post ? strings.spotlight_post : strings.spotlight_question;
  if ($("projector-spotlight-heading").textContent !== heading) $("projector-spotlight-heading").textContent = heading;
  box.className = `spotlight${post ? " spotlight--post" : ""}`;
  if (post) {
    if (!isPost(q)) {
      section.hidden = true; // never shown without its attribution
      return;
    }
    replaceIfChanged(box, [byLine(q, labels, fmt), ...postContent(q, labels, false)]);
    return;
  }
  const votes = el("p", "spotlight__votes", fill(strings.votes, { n: q.votes }));
  if (q.answered) votes.append(" ", el("span", "pbadge pbadge--answered", strings.answered));
  replaceIfChanged(box, [
    el("p", "spotlight__asker", fill(strings.asks, { name: q.display_name || labels.misc.anonymous })),
    el("p", "spotlight__body", q.body),
    votes,
  ]);
}

// "Latest" follows the meeting: the current item's comments (with no item current, those about
// the meeting in general), never another item's. Re-rendered when the current item changes.
function renderComments() {
  const current = state.items.find((i) => i.status === "current");
  const itemId = current ? current.id : null;
  const latest = [...state.contributions.values()]
    .filter((c) => c.kind === "comment" && (c.item_id ?? null) === itemId)
    .sort(newestFirst)
    .slice(0, LATEST);
  const list = $("projector-comments");
  const nodes = latest.map((c) => {
    const li = el("li", "pcomment");
    li.dataset.contributionId = String(c.id);
    const meta = el("p", "pcomment__meta");
    if (c.position) meta.append(el("span", `pbadge pbadge--${c.position}`, labels.position[c.position] || c.position), " ");
    const item = findItem(state.items, c.item_id);
    meta.append(
      el("span", "pcomment__name", c.display_name || labels.misc.anonymous), " ",
      el("span", "pcomment__item", item ? fill(strings.item_ref, { number: item.number }) : strings.general),
    );
    li.append(meta, el("p", "pcomment__body", c.body));
    return li;
  });
  const same = list.children.length === nodes.length &&
    nodes.every((n, i) => list.children[i].dataset.contributionId === n.dataset.contributionId &&
      list.children[i].textContent === n.textContent);
  if (!same) list.replaceChildren(...nodes);
  $("projector-comments-empty").hidden = nodes.length > 0;
}

function render() {
  renderMeeting();
  renderItem();
  renderSpotlight();
  renderComments();
}

function onEvent(envelope) {
  const data = envelope.data || {};
  switch (envelope.type) {
    case "meeting.updated":
      state.meeting = data.meeting;
      renderMeeting();
      break;
    case "agenda.item.updated":
      upsertItem(state.items, data.item);
      renderItem();
      renderComments();
      break;
    case "agenda.item.removed": // made private
      state.items = state.items.filter((i) => i.id !== data.id);
      renderItem();
      renderComments();
      break;
    case "contribution.published":
    case "contribution.updated":
      state.contributions.set(data.contribution.id, data.contribution);
      if (state.spotlight && state.spotlight.id === data.contribution.id) state.spotlight = data.contribution;
      renderSpotlight();
      renderComments();
      break;
    case "contribution.removed":
    case "contribution.redacted":
      state.contributions.delete(data.id);
      if (state.spotlight && state.spotlight.id === data.id) state.spotlight = null;
      renderSpotlight();
      renderComments();
      break;
    case "meeting.spotlight":
      state.spotlight = data.contribution || null;
      renderSpotlight();
      break;
    default:
      break;
  }
}

function onSnapshot(fresh) {
  state.meeting = fresh.meeting;
  state.items = fresh.items;
  state.contributions = byId(fresh.contributions || []);
  state.spotlight = fresh.spotlight || null;
  render();
}

// Full screen needs a click (browsers allow it only from a user's action).
const fullscreen = $("projector-fullscreen");
if (fullscreen && document.fullscreenEnabled) {
  fullscreen.hidden = false;
  fullscreen.addEventListener("click", () => {
    document.documentElement.requestFullscreen().catch(() => {});
  });
  document.addEventListener("fullscreenchange", () => {
    fullscreen.hidden = Boolean(document.fullscreenElement);
  });
}

render();
new LiveStream({
  path: `/api/meetings/${state.meeting.id}/live`,
  snapshotUrl: `/api/meetings/${state.meeting.id}`,
  lastSeq: snap.last_seq,
  onEvent,
  onSnapshot,
  onStatus: (s) => showConnection(s, labels),
}).start();
