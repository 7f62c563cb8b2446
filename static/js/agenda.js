// Rendering shared by the resident page and the clerk's console.
//
// The markup mirrors hub/templates/_agenda.html and the item <li>s of meeting.html: keep the
// class names in step. Everything is built with createElement/textContent, never innerHTML,
// because titles, descriptions and notes are text typed by people.

/** The parsed content of a <script type="application/json" id="..."> data island. */
export function readJSON(id) {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : null;
}

/** An element with a class and optional text. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function pageLocale() {
  const lang = document.documentElement.lang || "en";
  return [`${lang}-GB`, lang, "en-GB"];
}

/** Formatters for times in the council's zone and the page's language (as the server does). */
export function formatters(timeZone) {
  const locales = pageLocale();
  const make = (options) => {
    try {
      return new Intl.DateTimeFormat(locales, { timeZone, ...options });
    } catch {
      return new Intl.DateTimeFormat("en-GB", options); // unknown zone: better than nothing
    }
  };
  const time = make({ hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const full = make({
    weekday: "long", day: "numeric", month: "long", year: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  return {
    time: (iso) => time.format(new Date(iso)),
    full: (iso) => full.format(new Date(iso)),
  };
}

/** A <time> element for a UTC timestamp. */
export function timeEl(iso, format) {
  const t = el("time", null, format(iso));
  t.dateTime = iso;
  return t;
}

/** The connection indicator: text from labels.connection and a conn--{state} class. */
export function showConnection(state, labels) {
  const node = document.getElementById("connection");
  if (!node) return;
  node.hidden = false;
  node.className = `conn conn--${state}`;
  node.textContent = labels.connection[state] || state;
}

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
  status.append(
    el("span", `badge badge--item badge--${item.status} item__badge`, ctx.labels.item[item.status] || item.status),
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
    meta.append(times);
  }

  if (item.outcome) {
    const outcome = el("p", "item__outcome");
    outcome.append(el("strong", null, `${ctx.labels.misc.outcome}:`), " ", el("span", "item__outcome-text", item.outcome));
    meta.append(outcome);
  }
  return meta;
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
  if (title) title.textContent = item.title;
  const desc = li.querySelector(":scope > .item__desc");
  if (desc) {
    desc.textContent = item.description || "";
    desc.hidden = !item.description;
  }
  const oldMeta = li.querySelector(":scope > .item__meta");
  const meta = itemMeta(item, ctx);
  if (oldMeta) oldMeta.replaceWith(meta);
  else li.querySelector(".item__heading").after(meta);
  flash(li);
}

// A brief highlight on an item that just changed (CSS turns it off for reduced motion).
function flash(node) {
  node.classList.remove("is-updated");
  void node.offsetWidth; // restart the animation
  node.classList.add("is-updated");
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
    link.append(el("span", "now__number", current.number), " ", el("span", "now__title", current.title));
    p.append(link);
  } else {
    p = el("p", "now__none", labels.misc.none_current);
  }
  // Only touch the live region when something changed, so screen readers are not re-told.
  const squash = (text) => text.replace(/\s+/g, " ").trim();
  if (squash(panel.textContent) === squash(p.textContent)) return;
  panel.replaceChildren(p);
}

/** Items in agenda order, grouped under their parents (children of unknown parents go on top). */
export function agendaTree(items) {
  const sorted = [...items].sort((a, b) => a.position - b.position || a.id - b.id);
  const ids = new Set(sorted.map((i) => i.id));
  const children = new Map();
  for (const item of sorted) {
    const parent = ids.has(item.parent_id) ? item.parent_id : null;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(item);
  }
  return children; // parent id (null for the top level) -> its items in order
}
