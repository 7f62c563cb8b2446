// Agenda rendering shared by the resident page and the clerk's console (and the agenda lookups
// the moderation queue and the participation code use).
//
// The markup mirrors hub/templates/_agenda.html and the item <li>s of meeting.html: keep the
// class names in step. Everything is built with createElement/textContent, never innerHTML,
// because titles, descriptions and notes are text typed by people.

import { el, flash, inLanguage, replaceIfChanged, setInLanguage, timeEl } from "./dom.js";

/** The meeting's status badge. */
export function showMeetingStatus(status, labels) {
  const badge = document.getElementById("meeting-status");
  if (!badge || badge.dataset.status === status) return;
  badge.dataset.status = status;
  badge.className = `badge badge--${status}`;
  badge.textContent = labels.meeting[status] || status;
}

/** The status, times and outcome of an item (div.item__meta). ctx: {labels, strings, fmt}. */
export function itemMeta(item, ctx) {
  const meta = el("div", "item__meta");
  const status = el("p", "item__status");
  // The display status: a parent reads "Under way" while its sub-item is current (the server
  // derives it and sends the parent's update too; hub/shapes/public.py display_statuses).
  const shown = item.display_status || item.status;
  status.append(
    el("span", `badge badge--item badge--${shown} item__badge`, ctx.labels.item[shown] || shown),
  );
  meta.append(status);

  if (item.started_at || item.ended_at) {
    const times = el("p", "item__times");
    if (item.started_at) {
      const span = el("span", "item__started", `${ctx.strings.started} `);
      span.append(timeEl(item.started_at, ctx.fmt.time));
      times.append(span);
    }
    if (item.ended_at) {
      if (item.started_at) times.append(" ");
      const span = el("span", "item__ended", `${ctx.strings.ended} `);
      span.append(timeEl(item.ended_at, ctx.fmt.time));
      times.append(span);
    }
    // After the meeting: the recording at the moment the item was taken up (hub/webcast.py).
    const recording = ctx.recordingAt ? ctx.recordingAt(item) : null;
    if (recording) {
      const link = el("a", "item__recording", ctx.strings.recording);
      link.href = recording;
      link.rel = "noopener noreferrer";
      times.append(" ", link);
    }
    meta.append(times);
  }

  if (item.outcome) {
    const outcome = el("p", "item__outcome");
    outcome.append(el("strong", null, `${ctx.labels.misc.outcome}:`), " ", el("span", "item__outcome-text", item.outcome));
    meta.append(outcome);
  }
  return meta;
}

/** The list of an item's documents (links to the council's site), or null when it has none. */
export function itemDocuments(item, ctx) {
  const docs = (item.documents || []).filter((d) => /^https?:\/\//.test(d.url));
  if (!docs.length) return null;
  const ul = el("ul", "docs item__docs");
  const label = ctx.strings.documents_for || "";
  if (label) ul.setAttribute("aria-label", label.split("{number}").join(item.number));
  for (const doc of docs) {
    const a = el("a", null, doc.title);
    a.href = doc.url;
    a.rel = "noopener";
    const li = el("li");
    li.append(a);
    ul.append(li);
  }
  return ul;
}

/** Bring an existing item <li> up to date with `item`, in place. */
export function fillItem(li, item, ctx) {
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
  const desc = li.querySelector(":scope > .item__desc");
  if (desc) {
    setInLanguage(desc, item, "description");
    desc.hidden = !item.description;
  }
  li.querySelector(":scope > .item__docs")?.remove();
  const docs = itemDocuments(item, ctx);
  if (docs) (desc || li.querySelector(".item__heading")).after(docs);
  const oldMeta = li.querySelector(":scope > .item__meta");
  const meta = itemMeta(item, ctx);
  if (oldMeta) oldMeta.replaceWith(meta);
  else li.querySelector(".item__heading").after(meta);
  flash(li);
}

/** The "Now discussing" panel: the item whose status is current, or a line saying none is. */
export function showNow(items, labels) {
  const panel = document.getElementById("now-discussing");
  if (!panel) return;
  const current = items.find((i) => i.status === "current");
  let p;
  if (current) {
    p = el("p", "now__item");
    const link = el("a");
    link.href = `#item-${current.id}`;
    link.append(el("span", "now__number", current.number), " ", setInLanguage(el("span", "now__title"), current));
    p.append(link);
  } else {
    p = el("p", "now__none", labels.misc.none_current);
  }
  // Only touch the live region when something changed, so screen readers are not re-told.
  replaceIfChanged(panel, [p]);
}

/** The item with this id, or null (for no id, or one the agenda does not have). */
export function findItem(items, id) {
  return id === null || id === undefined ? null : items.find((i) => i.id === id) || null;
}

/** An item as it is named in lists: "5a Consultation findings". */
export const itemLabel = (item) => `${item.number} ${inLanguage(item)}`;

/** An item's name, or "The meeting in general" for no item (or an unknown one). */
export function itemName(items, id, labels) {
  const item = findItem(items, id);
  return item ? itemLabel(item) : labels.misc.general;
}

/** Put `item` in place of the one with its id, or at the end; returns the one it replaced. */
export function upsertItem(items, item) {
  const index = items.findIndex((i) => i.id === item.id);
  if (index === -1) {
    items.push(item);
    return null;
  }
  const old = items[index];
  items[index] = item;
  return old;
}

/** Agenda order within one level: by position, then by id. */
export const byPosition = (a, b) => a.position - b.position || a.id - b.id;

/** Items in agenda order, grouped under their parents (children of unknown parents go on top). */
export function agendaTree(items) {
  const sorted = [...items].sort(byPosition);
  const ids = new Set(sorted.map((i) => i.id));
  const children = new Map();
  for (const item of sorted) {
    const parent = ids.has(item.parent_id) ? item.parent_id : null;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(item);
  }
  return children; // parent id (null for the top level) -> its items in order
}
