// Drafts that could not go where they were written for, above the "Have your say" form:
//   - a draft the server refused because its item has closed (a 409 with reason "item_closed":
//     hub/policy.py's item_window, which follows the council's policy) keeps its item and waits
//     for the resident: send it about the meeting in general, about the item being discussed
//     now, or keep it unsent (in "Your comments and questions", to choose again later);
//   - the text in the box when the form closes (the meeting ended, the window shut) stays on
//     the page with the reason, to read and copy.
// Bodies are residents' text: built with createElement/textContent, never innerHTML.

import { $, el, fill } from "../dom.js";
import { itemLabel, itemName } from "../agenda.js";

const isOpenItem = (item) => !["done", "deferred", "withdrawn"].includes(item.status);

/**
 * ctx: the participation context (see index.js).
 * @param {object} deps
 * @param {object} deps.outbox                    the outbox (outbox.js)
 * @param {(result: object, entry: object) => void} deps.report the form's word on a send
 * @param {(text: string) => void} deps.showStatus the form's status line
 */
export function draftChoices(ctx, { outbox, report, showStatus }) {
  const { state, labels, strings } = ctx;
  const form = $("participate-form");
  let panel = null; // the choice for a held draft
  let kept = null; // the text left in the box when the form closed
  let shown = null; // the entry the panel shows
  let busy = false;

  function panelEl() {
    if (panel) return panel;
    panel = el("div", "draft");
    panel.id = "draft-choice";
    panel.setAttribute("role", "group");
    panel.setAttribute("aria-labelledby", "draft-choice-message");
    panel.hidden = true;
    form?.before(panel);
    panel.addEventListener("click", onChoice);
    return panel;
  }

  function button(text, choice) {
    const b = el("button", `button${choice === "keep" ? "" : " button--primary"} draft__choice`, text);
    b.type = "button";
    b.dataset.choice = choice;
    return b;
  }

  /** Show the first held draft the resident has not put aside, or nothing. */
  function render() {
    const entry = state.outbox.find((e) => e.state === "held" && !e.kept) || null;
    const p = panelEl();
    if (!entry) {
      p.hidden = true;
      p.replaceChildren();
      shown = null;
      return;
    }
    const current = ctx.items().find((i) => i.status === "current");
    const item = itemName(ctx.items(), entry.payload.item_id, labels);
    const key = `${entry.client_token}|${current ? current.id : ""}|${item}|${busy}`;
    if (shown === key && !p.hidden) return;
    shown = key;
    const kind = labels.kind[entry.payload.kind] || entry.payload.kind;
    const message = el("p", "draft__message", fill(strings.draft_item_closed, { item, kind }));
    message.id = "draft-choice-message";
    message.setAttribute("role", "alert");
    const body = el("p", "draft__body", entry.payload.body);
    const actions = el("div", "draft__actions");
    actions.append(button(strings.draft_general, "general"));
    if (current && isOpenItem(current) && current.id !== entry.payload.item_id) {
      actions.append(button(fill(strings.draft_current, { item: itemLabel(current) }), "current"));
    }
    actions.append(button(strings.draft_keep, "keep"));
    for (const b of actions.querySelectorAll("button")) b.disabled = busy;
    p.replaceChildren(message, body, el("p", "draft__ask", strings.draft_choose), actions);
    p.dataset.clientToken = entry.client_token;
    p.hidden = false;
  }

  async function onChoice(event) {
    const b = event.target.closest("button[data-choice]");
    const entry = state.outbox.find((e) => e.client_token === panel.dataset.clientToken);
    if (!b || !entry || busy) return;
    if (b.dataset.choice === "keep") {
      // Put aside, unsent, with its item: "Your comments and questions" lists it.
      entry.kept = true;
      outbox.save();
      render();
      ctx.changed();
      showStatus(strings.draft_kept);
      return;
    }
    const current = ctx.items().find((i) => i.status === "current");
    const item_id = b.dataset.choice === "current" && current ? current.id : null;
    busy = true;
    render();
    try {
      const result = await outbox.resend(entry, { item_id });
      report(result, entry);
    } finally {
      busy = false;
      render();
    }
  }

  /** Offer the choice for a draft refused because its item closed. */
  function offer(entry) {
    entry.kept = false;
    render();
  }

  // ---- the text left in a form that closed ---------------------------------------------------------

  function keptEl() {
    if (kept) return kept;
    kept = el("div", "draft draft--kept");
    kept.id = "participate-kept";
    kept.hidden = true;
    const message = el("p", "draft__message");
    message.id = "kept-message";
    const body = el("p", "draft__body");
    body.id = "kept-text";
    const copy = el("button", "button draft__copy", strings.copy_text);
    copy.type = "button";
    copy.id = "kept-copy";
    const copied = el("p", "status-line");
    copied.id = "kept-copied";
    copied.setAttribute("role", "status");
    kept.append(message, body, copy, copied);
    form?.before(kept);
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(body.textContent);
        copied.textContent = strings.copied;
      } catch {
        // No clipboard here (an insecure origin, a refusal): select it for the resident.
        window.getSelection()?.selectAllChildren(body);
        copied.textContent = strings.copy_select;
      }
    });
    return kept;
  }

  /** The unsent text of a form that closed (with the reason), or "" to hide it. */
  function showKept(text, reason) {
    if (!text.trim()) {
      if (kept) kept.hidden = true;
      return;
    }
    const k = keptEl();
    k.querySelector("#kept-message").textContent = fill(strings.kept_closed, { reason });
    k.querySelector("#kept-text").textContent = text;
    k.querySelector("#kept-copied").textContent = "";
    k.hidden = false;
  }

  return { render, offer, showKept };
}
