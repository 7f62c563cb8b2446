// The moderation queue's two lists, "Waiting for moderation" (#queue) and "Recently decided"
// (#decided): entries in order, filtered, rebuilt only when they changed, and the focus kept
// in place when an entry is rebuilt or leaves.

import { $, fill, getOrCreate, syncChildren } from "../dom.js";

/**
 * @param {object} m the page's context: state, strings, queueEls, decidedEls, showStatus
 * @param {object} deps
 * @param {object} deps.entries   the entry builders (entries.js)
 * @param {object} deps.keyboard  the roving focus (keyboard.js)
 * @param {() => void} deps.updateBulk  the bulk form's count and checkboxes (bulk.js)
 */
export function queueLists(m, { entries, keyboard, updateBulk }) {
  const { state, strings, queueEls, decidedEls, showStatus } = m;
  const { queueEntry, decidedEntry, updateWaiting } = entries;
  const { visibleEntries, ensureRoving, focusEntry } = keyboard;

  function matches(c) {
    if (state.filterKind !== "all" && c.kind !== state.filterKind) return false;
    if (state.filterItem === "general") return c.item_id === null || !state.items.some((i) => i.id === c.item_id);
    if (state.filterItem !== "all") return String(c.item_id) === state.filterItem;
    return true;
  }

  // What the queue shows: what waits, and what another clerk decided while this one was
  // working on it (conflicts.js), in its place.
  function sortedPending() {
    const list = [...state.pending.values(), ...[...state.held.values()].map((r) => r.c)];
    list.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
    if (state.sort === "newest") list.reverse();
    return list;
  }

  function renderQueue() {
    const list = $("queue");
    const nodes = [];
    let shown = 0;
    for (const c of sortedPending()) {
      const li = getOrCreate(queueEls, c.id, () => queueEntry(c));
      li.hidden = !matches(c);
      if (!li.hidden && state.pending.has(c.id)) shown += 1; // not one another clerk decided
      nodes.push(li);
    }
    syncChildren(list, nodes);
    updateWaiting(list);
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
      const onScreen = state.spotlightId === c.id;
      const key = JSON.stringify([c, record.action, record.actor, onScreen, onScreen && state.spotlightPinned]);
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
    updateWaiting(list);
    $("decided-empty").hidden = state.decided.length > 0;
  }

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

  function render() {
    renderQueue();
    renderDecided();
  }

  return { renderQueue, renderDecided, render, leaveQueue };
}
