// "From social media" on the resident page: the published posts tagged to the meeting, grouped
// by agenda item (the one being discussed first, "The meeting in general" last), live: a post
// a clerk publishes appears, one taken down or withdrawn goes, one moved changes group. They
// are kept apart from residents' comments and questions (participate/published.js), so a post
// never reads as if a resident wrote it. The markup mirrors the #social section of
// hub/templates/meeting.html and hub/templates/_posts.html.

import { newsAnnouncer } from "./announce.js";
import {
  $, byId, el, fill, flash, getOrCreate, newestFirst, readJSON, setInLanguage, syncChildren,
} from "./dom.js";
import { byPosition, findItem } from "./agenda.js";
import { fillPostEntry, isPost } from "./posts.js";

const PREVIEW = 5; // posts a group that is not being discussed shows before "Show all"

/**
 * @param {object} o
 * @param {object} o.meeting        the meeting's public view (its own hashtags; the council's
 *                                  are in the page's #social-data)
 * @param {() => object[]} o.items  the current agenda items
 * @param {object[]} o.contributions the snapshot's published contributions
 * @param {object} o.labels
 * @param {object} o.strings        the page's #strings
 * @param {() => object} o.fmt      the time formatters in the council's zone
 */
export function socialSection({ meeting, items, contributions, labels, strings, fmt }) {
  const state = {
    meeting,
    posts: byId(contributions.filter(isPost)),
    expanded: new Set(), // group keys showing all their posts
  };
  const councilTags = (readJSON("social-data") || {}).council_hashtags || [];
  const entryEls = new Map(); // contribution id -> <li>
  const groupEls = new Map(); // group key -> {section, heading, list, more}
  const itemById = (id) => findItem(items(), id);

  function entryFor(c) {
    const li = getOrCreate(entryEls, c.id, () => document.getElementById(`post-${c.id}`) || el("li"));
    if (li.dataset.shown !== JSON.stringify(c)) {
      fillPostEntry(li, c, labels, fmt());
      li.dataset.shown = JSON.stringify(c);
    }
    return li;
  }

  function groupsInOrder() {
    const agenda = [...items()].sort(byPosition);
    const current = agenda.find((i) => i.status === "current");
    const keys = [];
    if (current) keys.push(`item-${current.id}`);
    for (const item of agenda) if (item !== current) keys.push(`item-${item.id}`);
    keys.push("general");
    const buckets = new Map();
    for (const c of state.posts.values()) {
      const key = itemById(c.item_id) ? `item-${c.item_id}` : "general";
      if (!buckets.has(key)) buckets.set(key, []);
      buckets.get(key).push(c);
    }
    return keys.filter((k) => buckets.has(k)).map((key) => ({
      key,
      item: key === "general" ? null : itemById(Number(key.slice(5))),
      posts: buckets.get(key).sort(newestFirst),
    }));
  }

  function groupParts(key) {
    let parts = groupEls.get(key);
    if (parts) return parts;
    const section = document.getElementById(`sgroup-${key}`) || el("section");
    section.id = `sgroup-${key}`;
    section.dataset.group = key;
    section.setAttribute("aria-labelledby", `sgroup-${key}-heading`);
    const heading = section.querySelector(".cgroup__heading") || el("h3", "cgroup__heading");
    heading.id = `sgroup-${key}-heading`;
    const list = section.querySelector(".plist") || el("ol", "plist");
    const more = section.querySelector(".cgroup__more") || el("button", "button button--link cgroup__more");
    more.type = "button";
    more.dataset.group = key;
    section.replaceChildren(heading, list, more);
    parts = { section, heading, list, more };
    groupEls.set(key, parts);
    return parts;
  }

  function renderGroup({ key, item, posts }) {
    const parts = groupParts(key);
    const isCurrent = Boolean(item && item.status === "current");
    parts.section.className = `cgroup sgroup${isCurrent ? " cgroup--current" : ""}`;
    const heading = [];
    if (item) heading.push(el("span", "cgroup__number", item.number), " ", setInLanguage(el("span", "cgroup__title"), item));
    else heading.push(el("span", "cgroup__title", labels.misc.general));
    if (isCurrent) heading.push(" ", el("span", "badge badge--current cgroup__now", labels.item.current));
    const probe = el("h3");
    probe.append(...heading);
    if (parts.heading.textContent !== probe.textContent) parts.heading.replaceChildren(...heading);

    const expanded = isCurrent || state.expanded.has(key);
    const nodes = posts.map(entryFor);
    nodes.forEach((li, i) => {
      li.hidden = !expanded && i >= PREVIEW;
    });
    syncChildren(parts.list, nodes);
    const hidden = nodes.filter((li) => li.hidden).length;
    parts.more.hidden = isCurrent || posts.length <= PREVIEW;
    parts.more.setAttribute("aria-expanded", String(hidden === 0));
    parts.more.textContent = hidden > 0 ? fill(strings.show_all, { n: posts.length }) : strings.show_fewer;
    return parts.section;
  }

  function render() {
    const groups = groupsInOrder();
    const sections = groups.map(renderGroup);
    const live = new Set(groups.map((g) => g.key));
    for (const key of [...groupEls.keys()]) if (!live.has(key)) groupEls.delete(key);
    for (const id of [...entryEls.keys()]) if (!state.posts.has(id)) entryEls.delete(id);
    const container = $("social-groups");
    const hadFocus = container.contains(document.activeElement);
    syncChildren(container, sections);
    if (hadFocus && !container.contains(document.activeElement)) $("social-heading").focus();
    $("social-empty").hidden = state.posts.size > 0;
    // Shown once the meeting has hashtags or a post: a council without social media sees none.
    // The council's tags as the page loaded, then the meeting's own (live), each once.
    const seen = new Set();
    const tags = [...councilTags, ...(state.meeting.hashtags || [])].filter((t) => {
      const key = t.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const about = $("social-about");
    about.hidden = tags.length === 0;
    about.textContent = fill(strings.social_about, { tags: tags.join(", ") });
    $("social").hidden = tags.length === 0 && state.posts.size === 0;
  }

  /** A live event: true if it was about a post (handled here), false otherwise. */
  function onEvent(envelope) {
    const data = envelope.data || {};
    switch (envelope.type) {
      case "contribution.published":
      case "contribution.updated": {
        const c = data.contribution;
        if (!c || c.kind !== "post") return false;
        const isNew = !state.posts.has(c.id);
        if (isPost(c)) state.posts.set(c.id, c);
        else state.posts.delete(c.id); // no attribution: never shown unattributed
        render();
        if (isNew && entryEls.has(c.id)) {
          flash(entryEls.get(c.id));
          // Told with residents' news, in the same batched sentence (announce.js).
          const region = document.getElementById("contributions-live");
          if (region) newsAnnouncer(region, strings).add("post");
        }
        return true;
      }
      case "contribution.removed":
      case "contribution.redacted":
        if (!state.posts.delete(data.id)) return false;
        render();
        return true;
      default:
        return false;
    }
  }

  function onSnapshot(fresh) {
    state.meeting = fresh.meeting;
    state.posts = byId((fresh.contributions || []).filter(isPost));
    render();
  }

  function meetingChanged(m) {
    state.meeting = m;
    render();
  }

  $("social-groups").addEventListener("click", (event) => {
    const more = event.target.closest("button.cgroup__more");
    if (!more) return;
    const key = more.dataset.group;
    if (state.expanded.has(key)) state.expanded.delete(key);
    else state.expanded.add(key);
    render();
  });

  render();
  return { onEvent, onSnapshot, meetingChanged, itemsChanged: render };
}
