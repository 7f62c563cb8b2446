// Two clerks on one queue: what one does must not pull the entry the other is working on from
// under them. An entry the clerk is working on (focus inside, a disclosure open, a reason chosen)
// stays in place when another clerk decides it, marked with what happened ("Published by Alice
// Jones just now"), until the clerk dismisses it or moves on to another entry. A refusal (the
// server's 409 when someone else decided first) is shown beside the entry it is about, not at
// the top of the page. The forms of the queue are sent from here.

import { el, fill, jsonOrNull, postForm } from "../dom.js";

/**
 * @param {object} m the page's context: state (pending, held), strings, queueEls, showError,
 *   showStatus
 * @param {object} deps
 * @param {(id: number, announce: string|null) => void} deps.leaveQueue
 * @param {() => void} deps.renderQueue
 */
export function queueConflicts(m, { leaveQueue, renderQueue }) {
  const { state, strings, queueEls, showError, showStatus } = m;

  // Is the clerk in the middle of something on this entry?
  function isWorking(li) {
    if (li.contains(document.activeElement)) return true;
    if (li.querySelector("details[open]")) return true;
    return [...li.querySelectorAll('select[name="reason"]')].some((s) => s.value !== "");
  }

  /** Show (or clear, with "") a refusal beside the entry it is about. */
  function entryError(li, message) {
    let box = li.querySelector(".mentry__error");
    if (!message) {
      box?.remove();
      return;
    }
    if (!box) {
      box = el("p", "alert mentry__error");
      box.setAttribute("role", "alert");
      li.append(box);
    }
    box.textContent = message;
  }

  /**
   * Another clerk decided a submission that was waiting. Keeps its entry in place, marked, if
   * this clerk is working on it; returns whether it did.
   */
  function hold(id, record) {
    const li = queueEls.get(id);
    if (!li || !isWorking(li)) return false;
    state.held.set(id, record);
    const { c, actor } = record;
    const template = strings.moved[c.status] || strings.moved.rejected;
    const text = fill(template, { name: actor || "" });
    li.dataset.status = c.status;
    li.classList.add("qentry--moved");
    let mark = li.querySelector(".mentry__moved");
    if (!mark) {
      mark = el("div", "note mentry__moved");
      const p = el("p");
      p.setAttribute("role", "status");
      const dismiss = el("button", "button button--quiet", strings.dismiss);
      dismiss.type = "button";
      dismiss.dataset.role = "dismiss";
      mark.append(p, dismiss);
      li.querySelector(".mentry__head").after(mark);
    }
    mark.querySelector("p").textContent = text;
    return true;
  }

  function release(id) {
    if (!state.held.delete(id)) return;
    leaveQueue(id, null);
    renderQueue();
  }

  // Dismissed, or the clerk moved on to another entry.
  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest('button[data-role="dismiss"]') : null;
    const li = button?.closest("li.qentry");
    if (li) release(Number(li.dataset.contributionId));
  });
  document.addEventListener("focusin", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target?.closest("#queue > li.qentry")) return;
    for (const id of [...state.held.keys()]) {
      if (!queueEls.get(id)?.contains(target)) release(id);
    }
  });

  const busy = new WeakSet(); // forms with a request in flight: ignore double clicks

  /**
   * Send the queue's forms with fetch, so the page stays put (without the script they post and
   * the server redirects back). `done(action, id, body)` runs once the server has agreed.
   */
  function sendForms(done) {
    document.addEventListener("submit", (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.classList.contains("js-moderate")) return;
      event.preventDefault();
      if (busy.has(form)) return;
      const submitter = event.submitter;
      const confirmText = submitter?.dataset.confirm;
      if (confirmText && !window.confirm(confirmText)) return;
      submit(form, submitter, done);
    });
  }

  async function submit(form, submitter, done) {
    const body = new URLSearchParams(new FormData(form));
    if (submitter && submitter.name) body.set(submitter.name, submitter.value);
    const action = body.get("action");
    // The entry may be rebuilt while the request is in flight: find it again by id afterwards.
    const entry = form.closest("li.mentry");
    const id = entry ? Number(entry.dataset.contributionId) : null;
    const where = () => (entry && entry.isConnected ? entry : document.getElementById(entry?.id || ""));
    const refuse = (message) => {
      const li = where();
      if (li) entryError(li, message);
      else showError(message);
    };
    showError("");
    showStatus("");
    if (entry) entryError(entry, "");
    busy.add(form);
    form.setAttribute("aria-busy", "true");
    try {
      // getAttribute, not form.action: the forms have a control named "action".
      const res = await postForm(form.getAttribute("action"), body);
      if (!res.ok) {
        const answer = await jsonOrNull(res);
        refuse((answer && answer.message) || strings.failed);
        return;
      }
      done(action, id, body);
    } catch {
      refuse(strings.network_error);
    } finally {
      busy.delete(form);
      form.removeAttribute("aria-busy");
    }
  }

  return { hold, release, entryError, sendForms };
}
