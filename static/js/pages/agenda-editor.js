// The staff agenda editor (hub/templates/staff/agenda.html). Without this script every form
// posts and the server redirects back to the item; with it, forms are sent in place and the
// editor is refreshed from the server's page (one source of markup), and items reorder by
// keyboard (an item's "Move" button takes the arrow keys) and by drag.

import { $, errorMessage, fill, languageHeader, postForm, readJSON } from "../dom.js";

const strings = readJSON("editor-strings");
const SECTIONS = ["details", "window", "hashtags", "agenda-editor"];
let busy = false;

function say(text) {
  const status = $("editor-status");
  if (!status) return;
  status.textContent = "";
  // A fresh text in a new frame, so a screen reader announces a repeated message too.
  requestAnimationFrame(() => {
    status.textContent = text;
  });
}

/** Replace the editor's sections with the server's page as it is now; focus `focusId`. */
async function refresh(focusId) {
  const res = await fetch(window.location.pathname, {
    credentials: "same-origin",
    cache: "no-store",
    headers: { Accept: "text/html", ...languageHeader() },
  });
  if (!res.ok) throw new Error(String(res.status));
  const doc = new DOMParser().parseFromString(await res.text(), "text/html");
  for (const id of SECTIONS) {
    const fresh = doc.getElementById(id);
    const old = $(id);
    if (fresh && old) old.replaceWith(document.adoptNode(fresh));
  }
  enhance();
  const target = focusId && $(focusId);
  if (target) target.focus();
}

/** POST a form's fields; true when the server agreed (else the reason is announced). */
async function send(url, body) {
  try {
    const res = await postForm(url, body);
    if (!res.ok) {
      say(await errorMessage(res, strings.failed));
      return false;
    }
    return true;
  } catch {
    say(strings.network_error);
    return false;
  }
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.classList.contains("js-editor")) return;
  event.preventDefault();
  if (busy) return;
  busy = true;
  form.setAttribute("aria-busy", "true");
  const submitter = event.submitter;
  try {
    const ok = await send(form.getAttribute("action"), new URLSearchParams(new FormData(form)));
    if (!ok) return;
    // Keep the keyboard where it was: the same button if it is still there, else its item.
    const item = form.closest("[data-item-id]");
    const focusId = submitter?.id && submitter.id.match(/^(up|down|indent|outdent)-/)
      ? `handle-${item?.dataset.itemId}`
      : submitter?.id || null;
    await refresh(focusId);
    const move = form.querySelector('input[name="move"]')?.value;
    say(move && item ? fill(strings.moved[move], { number: item.dataset.number }) : strings.saved);
  } catch {
    say(strings.failed);
  } finally {
    busy = false;
    form.removeAttribute("aria-busy");
  }
});

/** One move of one item (the server checks it is possible), then the editor refreshed. */
async function move(li, direction, times = 1) {
  if (busy) return;
  busy = true;
  try {
    const meeting = window.location.pathname.split("/")[3];
    const url = `/staff/meetings/${meeting}/items/${li.dataset.itemId}/move`;
    let moved = 0;
    for (let i = 0; i < times; i++) {
      if (!(await send(url, new URLSearchParams({ move: direction })))) break;
      moved++;
    }
    if (moved) {
      await refresh(`handle-${li.dataset.itemId}`);
      say(fill(strings.moved[direction], { number: li.dataset.number }));
    }
  } catch {
    say(strings.failed);
  } finally {
    busy = false;
  }
}

const KEYS = { ArrowUp: "up", ArrowDown: "down", ArrowRight: "indent", ArrowLeft: "outdent" };

function siblings(li) {
  return [...document.querySelectorAll("#editor-items > li")].filter(
    (other) => other.dataset.parentId === li.dataset.parentId,
  );
}

let dragged = null;

function enhance() {
  for (const handle of document.querySelectorAll(".drag-handle")) {
    handle.hidden = false;
    const li = handle.closest("li");
    li.draggable = true;
  }
}

document.addEventListener("keydown", (event) => {
  const handle = event.target;
  if (!(handle instanceof HTMLElement) || !handle.classList.contains("drag-handle")) return;
  const direction = KEYS[event.key];
  if (!direction || event.altKey || event.ctrlKey || event.metaKey) return;
  event.preventDefault();
  move(handle.closest("li"), direction);
});

document.addEventListener("dragstart", (event) => {
  const li = event.target instanceof HTMLElement ? event.target.closest("#editor-items > li") : null;
  if (!li) return;
  dragged = li;
  li.classList.add("editor-item--dragging");
  event.dataTransfer.effectAllowed = "move";
  event.dataTransfer.setData("text/plain", li.dataset.itemId);
  say(fill(strings.dragging, { number: li.dataset.number }));
});

document.addEventListener("dragend", () => {
  dragged?.classList.remove("editor-item--dragging");
  dragged = null;
});

document.addEventListener("dragover", (event) => {
  const li = event.target instanceof HTMLElement ? event.target.closest("#editor-items > li") : null;
  if (dragged && li && li !== dragged && li.dataset.parentId === dragged.dataset.parentId) {
    event.preventDefault(); // a drop among its own siblings only
    event.dataTransfer.dropEffect = "move";
  }
});

document.addEventListener("drop", (event) => {
  const li = event.target instanceof HTMLElement ? event.target.closest("#editor-items > li") : null;
  if (!dragged || !li || li === dragged) return;
  event.preventDefault();
  const order = siblings(dragged);
  const steps = order.indexOf(li) - order.indexOf(dragged);
  if (steps) move(dragged, steps < 0 ? "up" : "down", Math.abs(steps));
});

enhance();
