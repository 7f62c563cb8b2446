// The moderation queue's keyboard: one entry in the tab order at a time (a roving tabindex),
// j/k or the arrows to move, a to approve, r to reject, m to move to another item, x to select,
// while the focus is in the
// queue; the clerk can turn the shortcuts off (remembered in localStorage).

import { $ } from "../dom.js";

const SHORTCUTS_KEY = "councilHub.shortcuts";

/**
 * Installs the queue's keyboard handling.
 * @param {object} m the page's context: state (shortcuts), queueEls (id -> queue <li>)
 * @returns {{visibleEntries: () => HTMLElement[], ensureRoving: (preferred?: HTMLElement) => void,
 *            focusEntry: (li: HTMLElement) => void}}
 */
export function queueKeyboard({ state, queueEls }) {
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
      case "m": {
        event.preventDefault();
        const details = entry.querySelector('details[data-role="move-details"]');
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

  return { visibleEntries, ensureRoving, focusEntry };
}
