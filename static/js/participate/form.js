// The "Have your say" form on the meeting page: a comment (for or against) or a question, on an
// item or the meeting in general, sent through the outbox (outbox.js) so nothing typed is lost.
// Without the script the form posts as usual (hub/templates/meeting.html).
// A draft keeps the item it was written for: the item selector never changes under text in the
// box, and a draft the server refused because its item has closed waits for the resident's
// choice (drafts.js). Text over the limit is never cut: the count says how much too long it is.

import { $, fill, optionEl, textSetter } from "../dom.js";
import { byPosition, itemLabel } from "../agenda.js";
import { draftChoices } from "./drafts.js";

const COUNT_ANNOUNCE_MS = 1_000; // screen readers hear the character count after a pause in typing
const DRAFT_PREFIX = "councilHub.draft.";

// Counted as the server counts (hub/actions/participation.py: stripped, in code points).
const length = (text) => Array.from(text.trim()).length;

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
  const draftKey = `${DRAFT_PREFIX}${ctx.meetingId}`;
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
    const left = maxChars - length(textarea.value);
    const text = left >= 0 ? fill(strings.chars_left, { n: left }) : fill(strings.chars_over, { n: -left });
    countBox.hidden = false;
    countBox.textContent = text;
    countBox.classList.toggle("count--over", left < 0);
    if (left < 0) textarea.setAttribute("aria-invalid", "true");
    else textarea.removeAttribute("aria-invalid");
    clearTimeout(countTimer);
    if (announce) countTimer = setTimeout(() => { countLive.textContent = text; }, COUNT_ANNOUNCE_MS);
  }

  // The items a resident can comment on: not finished ones. Keeps the resident's choice; if they
  // have not chosen (and not started writing), follows the item being discussed. Text in the box
  // keeps its item even once that item is finished (shown as such): the server then says whether
  // it still takes it, and the resident chooses (drafts.js); never a silent change of item.
  function updateItemOptions() {
    if (!itemSelect) return;
    const agenda = [...ctx.items()].sort(byPosition);
    const chosen = itemSelect.value;
    const writing = textarea.value.trim() !== "";
    const pinned = writing && chosen !== "" ? agenda.find((i) => String(i.id) === chosen) : undefined;
    const open = agenda.filter((i) => !isClosedItem(i) || i === pinned);
    const current = agenda.find((i) => i.status === "current");
    const label = (i) => (isClosedItem(i) ? fill(strings.item_finished, { item: itemLabel(i) }) : itemLabel(i));
    const options = [optionEl("", labels.misc.general), ...open.map((i) => optionEl(String(i.id), label(i)))];
    const same = itemSelect.options.length === options.length &&
      options.every((o, i) => itemSelect.options[i].value === o.value && itemSelect.options[i].textContent === o.textContent);
    if (!same) itemSelect.replaceChildren(...options);
    let wanted = chosen;
    if (!itemTouched && !writing) wanted = current ? String(current.id) : "";
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
    // The form goes, the resident's unsent text stays: shown with the reason, to copy.
    if (form) drafts.showKept(open ? "" : textarea.value, message || closedNote?.textContent || "");
  }

  // The text in the box is kept in this browser as it is typed, so a reload (or the form closing
  // with the meeting) does not lose it.
  function saveDraft() {
    try {
      if (textarea.value.trim() === "") localStorage.removeItem(draftKey);
      else localStorage.setItem(draftKey, JSON.stringify({ body: textarea.value, item_id: itemSelect?.value ?? "" }));
    } catch {
      // storage blocked: the text is still in the box
    }
  }

  function loadDraft() {
    try {
      const draft = JSON.parse(localStorage.getItem(draftKey) || "null");
      if (!draft || typeof draft.body !== "string" || textarea.value !== "") return;
      textarea.value = draft.body;
      if (itemSelect && typeof draft.item_id === "string") {
        // Its item, even if finished since: updateItemOptions keeps it under the text.
        const item = ctx.items().find((i) => String(i.id) === draft.item_id);
        if (item && ![...itemSelect.options].some((o) => o.value === draft.item_id)) {
          itemSelect.append(optionEl(draft.item_id, itemLabel(item)));
        }
        itemSelect.value = draft.item_id; // kept while there is text in the box
      }
    } catch {
      // storage blocked or corrupt: nothing to restore
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
    saveDraft();
    updateItemOptions(); // an empty box follows the meeting again
  }

  // A background send the server refused for good: put the text back so nothing is lost.
  // If the form is closed, or the resident is writing something else, the entry stays in "Your
  // comments and questions" marked "Not sent", with the server's message and its text.
  function restore(entry) {
    showStatus(""); // not "we will retry" beside the refusal
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
    saveDraft();
    outbox.discard(entry);
  }

  /** What the form says about a send's result (from the form, or a draft's choice). */
  function report(result, entry) {
    if (result.kind === "ok") {
      const published = result.own && result.own.status === "published";
      showStatus(published ? strings.sent_published : strings.sent_pending);
    } else if (result.kind === "wait") {
      // A rate limit: its reason and when it goes (not before: outbox.js), in one message.
      showStatus(waitMessage(result));
    } else if (result.kind === "held") {
      showStatus("");
      drafts.offer(entry);
    } else if (result.kind === "retry") {
      showStatus(strings.retrying);
      outbox.retryLater(result.after);
    }
  }

  function waitMessage(result) {
    const at = ctx.fmt.time(result.until);
    return fill(strings.rate_limited, { reason: result.message || strings.failed, time: at });
  }

  async function onSubmit(event) {
    event.preventDefault();
    if (submitting) return;
    showError("");
    showStatus("");
    clearSent();
    const over = length(textarea.value) - maxChars;
    if (over > 0) {
      // Never cut: say by how much it is too long, and keep every character.
      showError(fill(strings.too_long, { n: over }));
      textarea.focus();
      return;
    }
    const entry = outbox.queue(collect);
    submitting = true;
    form.setAttribute("aria-busy", "true");
    try {
      const result = await outbox.deliver(entry);
      if (result.kind === "final") {
        // Nothing was stored: the text is still in the box; say what to change.
        outbox.discard(entry);
        showError(result.message);
        return;
      }
      // Sent, or safe in the outbox (shown in the list below): the box is free for the next one.
      if (result.kind !== "busy") clearWriting();
      report(result, entry);
    } finally {
      submitting = false;
      form.removeAttribute("aria-busy");
    }
  }

  function clearSent() {
    const line = $("participate-status");
    if (line && [strings.sent_published, strings.sent_pending].includes(line.textContent)) showStatus("");
    const notice = $("mine-sent"); // the no-script form's "Thank you: it has been sent"
    if (notice) notice.hidden = true;
  }

  const drafts = draftChoices(ctx, { outbox, report, showStatus });

  if (form) {
    // Without the script a question with a position is refused; with it, the position is only
    // asked for (and required) for comments.
    for (const radio of form.querySelectorAll('input[name="position"]')) radio.required = true;
    // The limit is counted and said, never enforced by cutting what is typed or pasted.
    textarea.removeAttribute("maxlength");
    form.addEventListener("change", (event) => {
      if (event.target.name === "kind") updateKind();
      if (event.target === itemSelect) {
        itemTouched = true;
        saveDraft();
      }
    });
    textarea.addEventListener("input", () => {
      updateCount(true);
      saveDraft();
      // The last one's "Sent" belongs to the last one: not beside the next attempt.
      clearSent();
    });
    // A send the browser blocks (a required choice missing) is an attempt too.
    form.addEventListener("invalid", clearSent, true);
    form.addEventListener("submit", onSubmit);
    loadDraft();
    updateKind();
    updateCount(false);
    updateItemOptions();
  }

  return { showStatus, restore, updateItemOptions, setOpen, report, offer: (e) => drafts.offer(e), drafts };
}
