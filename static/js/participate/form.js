// The "Have your say" form on the meeting page: a comment (for or against) or a question, on an
// item or the meeting in general, sent through the outbox (outbox.js) so nothing typed is lost.
// Without the script the form posts as usual (hub/templates/meeting.html).

import { $, fill, optionEl, textSetter } from "../dom.js";
import { byPosition, itemLabel } from "../agenda.js";

const COUNT_ANNOUNCE_MS = 1_000; // screen readers hear the character count after a pause in typing

const isClosedItem = (item) => ["done", "deferred", "withdrawn"].includes(item.status);

/**
 * The form. ctx: the participation context (see index.js).
 * @param {object} deps
 * @param {object} deps.outbox the outbox (outbox.js)
 */
export function haveYourSay(ctx, { outbox }) {
  const { state, labels, strings, config } = ctx;
  const form = $("participate-form");
  const closedNote = $("participate-closed");
  const textarea = $("body");
  const itemSelect = $("item-select");
  const positionSet = $("position-fieldset");
  const countBox = $("body-count");
  const countLive = $("body-count-live");
  const maxChars = Number(textarea?.dataset.maxChars || config.max_chars || 1000);
  let itemTouched = false;
  let countTimer = null;
  let submitting = false;

  const showError = textSetter("participate-error");
  const showStatus = textSetter("participate-status");

  function kindValue() {
    return form.elements.namedItem("kind")?.value || "comment";
  }

  function updateKind() {
    const question = kindValue() === "question";
    positionSet.hidden = question;
    positionSet.disabled = question; // not sent, and not required, for a question
  }

  function updateCount(announce) {
    const left = maxChars - textarea.value.length;
    const text = left >= 0 ? fill(strings.chars_left, { n: left }) : fill(strings.chars_over, { n: -left });
    countBox.hidden = false;
    countBox.textContent = text;
    countBox.classList.toggle("count--over", left < 0);
    clearTimeout(countTimer);
    if (announce) countTimer = setTimeout(() => { countLive.textContent = text; }, COUNT_ANNOUNCE_MS);
  }

  // The items a resident can comment on: not finished ones. Keeps the resident's choice; if they
  // have not chosen (and not started writing), follows the item being discussed.
  function updateItemOptions() {
    if (!itemSelect) return;
    const agenda = [...ctx.items()].sort(byPosition);
    const open = agenda.filter((i) => !isClosedItem(i));
    const current = agenda.find((i) => i.status === "current");
    const chosen = itemSelect.value;
    const options = [optionEl("", labels.misc.general), ...open.map((i) => optionEl(String(i.id), itemLabel(i)))];
    const same = itemSelect.options.length === options.length &&
      options.every((o, i) => itemSelect.options[i].value === o.value && itemSelect.options[i].textContent === o.textContent);
    if (!same) itemSelect.replaceChildren(...options);
    let wanted = chosen;
    if (!itemTouched && textarea.value.trim() === "") wanted = current ? String(current.id) : "";
    if (!options.some((o) => o.value === wanted)) wanted = current && !isClosedItem(current) ? String(current.id) : "";
    if (itemSelect.value !== wanted) itemSelect.value = wanted;
  }

  function setOpen(open, message) {
    state.open = open;
    if (form) form.hidden = !open;
    if (closedNote) {
      if (message) closedNote.textContent = message;
      closedNote.hidden = open;
    }
  }

  function collect(token) {
    const kind = kindValue();
    const position = kind === "comment" ? form.elements.namedItem("position")?.value || null : null;
    const name = $("display-name").value.trim();
    const area = $("area").value.trim();
    return {
      kind,
      position,
      body: textarea.value,
      item_id: itemSelect.value ? Number(itemSelect.value) : null,
      display_name: name || null,
      area: area || null,
      client_token: token,
    };
  }

  function clearWriting() {
    textarea.value = "";
    for (const radio of form.querySelectorAll('input[name="position"]')) radio.checked = false;
    updateCount(false);
    countLive.textContent = "";
  }

  // A background send the server refused for good: put the text back so nothing is lost.
  // If the form is closed, or the resident is writing something else, the entry stays in "Your
  // comments and questions" marked "Not sent", with the server's message and its text.
  function restore(entry) {
    if (!form || form.hidden || textarea.value.trim() !== "") return;
    showError(entry.message || strings.failed);
    const p = entry.payload;
    textarea.value = p.body;
    const kind = form.querySelector(`input[name="kind"][value="${p.kind === "question" ? "question" : "comment"}"]`);
    if (kind) kind.checked = true;
    for (const radio of form.querySelectorAll('input[name="position"]')) radio.checked = radio.value === p.position;
    if (p.item_id !== null && [...itemSelect.options].some((o) => o.value === String(p.item_id))) {
      itemSelect.value = String(p.item_id);
      itemTouched = true;
    }
    updateKind();
    updateCount(false);
    outbox.discard(entry);
  }

  async function onSubmit(event) {
    event.preventDefault();
    if (submitting) return;
    showError("");
    showStatus("");
    const entry = outbox.queue(collect);
    submitting = true;
    form.setAttribute("aria-busy", "true");
    try {
      const result = await outbox.deliver(entry);
      if (result.kind === "ok") {
        clearWriting();
        const published = result.own && result.own.status === "published";
        showStatus(published ? strings.sent_published : strings.sent_pending);
      } else if (result.kind === "final") {
        // Nothing was stored: the text is still in the box; say what to change.
        outbox.discard(entry);
        showError(result.message);
      } else if (result.kind === "retry") {
        // Safe in the outbox (and shown in the list below): the box is free for the next one.
        clearWriting();
        showStatus(strings.retrying);
        outbox.retryLater(result.after);
      }
    } finally {
      submitting = false;
      form.removeAttribute("aria-busy");
    }
  }

  if (form) {
    // Without the script a question with a position is refused; with it, the position is only
    // asked for (and required) for comments.
    for (const radio of form.querySelectorAll('input[name="position"]')) radio.required = true;
    form.addEventListener("change", (event) => {
      if (event.target.name === "kind") updateKind();
      if (event.target === itemSelect) itemTouched = true;
    });
    textarea.addEventListener("input", () => updateCount(true));
    form.addEventListener("submit", onSubmit);
    updateKind();
    updateCount(false);
    updateItemOptions();
  }

  return { showStatus, restore, updateItemOptions, setOpen };
}
