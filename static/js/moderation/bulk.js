// The moderation queue's bulk actions: select entries (their checkboxes, "Select all shown" or
// x), then approve them, or reject them with one reason, in one request.

import { $, fill, jsonOrNull, postForm } from "../dom.js";

/**
 * Installs the bulk form.
 * @param {object} m the page's context: state, strings, csrf, queueEls, showError, showStatus
 * @param {object} deps
 * @param {() => HTMLElement[]} deps.visibleEntries  the queue entries shown (keyboard.js)
 * @param {(id: number, announce: string|null) => void} deps.leaveQueue
 * @param {() => void} deps.renderQueue
 * @param {(li: HTMLElement, message: string) => void} deps.entryError  a refusal beside its entry
 * @returns {{update: () => void}} brings the count and the checkboxes up to date
 */
export function bulkActions(m, { visibleEntries, leaveQueue, renderQueue, entryError }) {
  const { state, strings, csrf, queueEls, showError, showStatus } = m;
  const shownIds = () => visibleEntries().map((li) => Number(li.dataset.contributionId));

  function updateBulk() {
    const n = state.selected.size;
    $("bulk-count").textContent = fill(strings.selected, { n });
    const shown = shownIds();
    const all = $("select-all");
    all.checked = shown.length > 0 && shown.every((id) => state.selected.has(id));
    all.indeterminate = !all.checked && shown.some((id) => state.selected.has(id));
    for (const [id, li] of queueEls) {
      const box = li.querySelector("input.mentry__select");
      if (box) box.checked = state.selected.has(id);
    }
  }

  $("queue").addEventListener("change", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.classList.contains("mentry__select")) return;
    const id = Number(box.value);
    if (box.checked) state.selected.add(id);
    else state.selected.delete(id);
    updateBulk();
  });

  $("select-all").addEventListener("change", (event) => {
    for (const id of shownIds()) {
      if (event.target.checked) state.selected.add(id);
      else state.selected.delete(id);
    }
    updateBulk();
  });

  let bulkBusy = false;

  async function submitBulk(submitter) {
    if (bulkBusy) return;
    const action = submitter?.value === "reject" ? "reject" : "approve";
    // Only what is selected and still shown: a filter change must not act on hidden entries.
    const shown = new Set(shownIds());
    const ids = [...state.selected].filter((id) => shown.has(id));
    showError("");
    showStatus("");
    if (!ids.length) {
      showError(strings.bulk_none);
      return;
    }
    const reason = $("bulk-reason");
    if (action === "reject" && !reason.value) {
      reason.required = true;
      reason.reportValidity();
      reason.required = false;
      return;
    }
    const body = new URLSearchParams();
    body.set("csrf_token", csrf);
    body.set("ids", ids.join(","));
    body.set("action", action);
    if (action === "reject") body.set("reason", reason.value);
    bulkBusy = true;
    $("bulk-form").setAttribute("aria-busy", "true");
    try {
      const res = await postForm($("bulk-form").getAttribute("action"), body);
      const answer = await jsonOrNull(res);
      if (!res.ok || !answer || !Array.isArray(answer.results)) {
        showError((answer && answer.message) || strings.failed);
        return;
      }
      const done = answer.results.filter((r) => r.ok);
      const failed = answer.results.filter((r) => !r.ok);
      for (const r of done) {
        state.selected.delete(r.id);
        if (state.pending.delete(r.id)) leaveQueue(r.id, null);
      }
      renderQueue();
      showStatus(fill(strings.bulk_done, { n: done.length }));
      // Each refusal beside its entry; only those whose entry is gone at the top.
      const elsewhere = [];
      for (const r of failed) {
        const li = queueEls.get(r.id);
        if (li) entryError(li, r.message || strings.failed);
        else elsewhere.push(`#${r.id}: ${r.message || strings.failed}`);
      }
      if (elsewhere.length) showError(elsewhere.join(" "));
    } catch {
      showError(strings.network_error);
    } finally {
      bulkBusy = false;
      $("bulk-form").removeAttribute("aria-busy");
    }
  }

  // The bulk form acts on the selected entries (see submitBulk).
  $("bulk-form").addEventListener("submit", (event) => {
    event.preventDefault();
    submitBulk(event.submitter);
  });

  return { update: updateBulk };
}
