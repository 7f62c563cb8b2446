// The moderation queue's entries: a submission waiting in the queue (approve, reject with a
// reason, block) and a decided one in "Recently decided" (its outcome and, once published,
// answer, spotlight, hide, block). Each action is a real form, so it works without the script.
// The markup mirrors hub/templates/staff/_moderation.html. Bodies, names and areas are
// residents' text: everything is built with createElement/textContent, never innerHTML.

import { el, fill, optionEl, timeEl } from "../dom.js";
import { byPosition, itemLabel, itemName as agendaItemName } from "../agenda.js";
import { authorOf, handleOf, originalLink, platformName, postContent } from "../posts.js";

/** A post whose author opted out of public display: never published (the server refuses it). */
export const notPublic = (c) => c.kind === "post" && (c.screening || "").split(",").includes("not_public");

/** A reason's label: the council's, else one the hub gives itself ("Deleted at its source"). */
export const reasonText = (code, reasons, labels) => reasons[code] || labels.system_reason[code] || code;

/**
 * Builders for the page's entries.
 * @param {object} m the page's context: state, labels, strings, fmt, meetingId, csrf
 */
export function entryBuilders({ state, labels, strings, fmt, meetingId, csrf }) {
  const itemName = (id) => agendaItemName(state.items, id, labels);

  function forId(id) {
    return el("span", "visually-hidden", ` ${fill(strings.for_id, { id })}`);
  }

  function titleEl(c, prefix) {
    const h = el("h3", "mentry__title");
    h.id = `${prefix}-${c.id}-title`;
    h.append(el("span", "mentry__number", `#${c.id}`), " ", el("span", "mentry__kind", labels.kind[c.kind] || c.kind));
    if (c.post) {
      const badge = el("span", "badge badge--platform mentry__platform", platformName(c.post, labels));
      badge.dataset.platform = c.post.platform;
      h.append(" ", badge);
    }
    if (c.kind === "comment" && c.position) {
      h.append(" ", el("span", `badge badge--position badge--${c.position}`, labels.position[c.position] || c.position));
    }
    if (c.kind === "question" && c.answered) h.append(" ", el("span", "badge badge--answered", strings.answered));
    if (c.blocked) h.append(" ", el("span", "badge badge--c-rejected mentry__blocked", strings.blocked));
    return h;
  }

  function fact(term, value, className) {
    const div = el("div");
    const dd = el("dd", className);
    if (value instanceof Node) dd.append(value);
    else dd.textContent = value;
    div.append(el("dt", null, term), dd);
    return div;
  }

  function factsEls(c) {
    const out = [];
    if (c.screening) {
      const p = el("p", "mentry__flags");
      p.append(el("strong", null, strings.held), " ");
      c.screening.split(",").forEach((flag, i) => {
        if (i > 0) p.append(", ");
        const span = el("span", "flag", labels.screening[flag] || flag);
        span.dataset.flag = flag;
        p.append(span);
      });
      out.push(p);
    }
    const dl = el("dl", "mentry__facts");
    dl.append(fact(strings.item, itemName(c.item_id), "mentry__item"));
    if (c.post) {
      // "Jane Jones @jane@social.example on Mastodon": never read as a resident's name.
      const who = el("span");
      who.append(
        el("span", "mentry__author", authorOf(c.post)), " ", el("span", "mentry__handle", handleOf(c.post)), " ",
        el("span", "mentry__on", fill(labels.post.on_platform, { platform: platformName(c.post, labels) })),
      );
      dl.append(fact(strings.author, who, "mentry__name"));
    } else {
      dl.append(fact(strings.name, c.display_name ? c.display_name : el("span", "muted", strings.no_name), "mentry__name"));
    }
    dl.append(fact(strings.participant, c.participant, "mentry__participant"));
    if (c.area) dl.append(fact(strings.area, c.area, "mentry__area"));
    if (c.post && c.post.posted_at) dl.append(fact(strings.posted, timeEl(c.post.posted_at, fmt.time, "mentry__time")));
    else dl.append(fact(strings.sent, timeEl(c.created_at, fmt.time, "mentry__time")));
    if (c.kind === "question" && c.status !== "pending") dl.append(fact(strings.votes_label, String(c.votes), "mentry__votes"));
    out.push(dl);
    if (c.post) {
      // Staff read everything before they decide: the warning shown above the text, unfolded.
      const box = el("div", "mentry__post");
      box.append(...postContent(c, labels, false), ...originalLink(c, labels));
      out.push(box);
    } else {
      out.push(el("p", "mentry__body", c.body));
    }
    return out;
  }

  function hiddenInput(name, value) {
    const input = el("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    return input;
  }

  // A form taking one moderation action on `c`, with the CSRF token (it posts without the script).
  function moderateForm(c, action, className) {
    const form = el("form", `js-moderate ${className}`);
    form.method = "post";
    form.setAttribute("action", `/staff/meetings/${meetingId}/contributions/${c.id}/moderate`);
    form.dataset.action = action;
    form.append(hiddenInput("csrf_token", csrf));
    return form;
  }

  function actionForm(c, action, text, cls, confirmText) {
    const form = moderateForm(c, action, "inline-form");
    const button = el("button", `button ${cls || ""}`.trim(), text);
    button.type = "submit";
    button.name = "action";
    button.value = action;
    button.dataset.role = action;
    if (confirmText) button.dataset.confirm = confirmText;
    button.append(forId(c.id));
    form.append(button);
    return form;
  }

  function reasonSelect(id, required = true) {
    const div = el("div", "field");
    const label = el("label", null, strings.reason_label);
    label.htmlFor = id;
    const select = el("select");
    select.id = id;
    select.name = "reason";
    select.required = required;
    select.append(optionEl("", strings.choose_reason));
    for (const [code, text] of Object.entries(state.reasons)) select.append(optionEl(code, text));
    div.append(label, select);
    return div;
  }

  function reasonAction(c, action, summaryText, buttonText) {
    const details = el("details", "mentry__reason");
    details.dataset.role = `${action}-details`;
    const summary = el("summary", "button button--danger", summaryText);
    summary.append(forId(c.id));
    const form = moderateForm(c, action, "reason-form");
    const button = el("button", "button button--danger", buttonText);
    button.type = "submit";
    button.dataset.role = `${action}-confirm`;
    button.append(forId(c.id));
    form.append(hiddenInput("action", action), reasonSelect(`${action}-reason-${c.id}`), button);
    details.append(summary, form);
    return details;
  }

  // How many of this participant's submissions wait in the queue (offered for rejection when
  // blocking them).
  function waitingOf(participant) {
    let n = 0;
    for (const p of state.pending.values()) if (p.participant === participant) n += 1;
    return n;
  }

  // Block the participant and (ticked by default) reject what they still have waiting. `prefix`
  // keeps ids unique when the entry is in both lists (decided while a clerk worked on it).
  function blockAction(c, prefix = "") {
    const details = el("details", "mentry__reason");
    details.dataset.role = "block-details";
    const summary = el("summary", "button button--quiet", strings.block_open);
    summary.append(forId(c.id));
    const form = moderateForm(c, "block", "reason-form");
    const row = el("div", "check");
    row.dataset.role = "block-reject-row";
    const box = el("input");
    box.type = "checkbox";
    box.id = `${prefix}block-reject-${c.id}`;
    box.name = "reject_pending";
    box.value = "1";
    box.checked = true;
    const label = el("label");
    label.htmlFor = box.id;
    row.append(box, label);
    setWaiting(row, waitingOf(c.participant));
    const button = el("button", "button button--danger", strings.block);
    button.type = "submit";
    button.dataset.role = "block-confirm";
    button.append(forId(c.id));
    form.append(hiddenInput("action", "block"), row, reasonSelect(`${prefix}block-reason-${c.id}`, false), button);
    details.append(summary, form);
    return details;
  }

  function setWaiting(row, n) {
    const text = fill(strings.block_reject, { n });
    const label = row.querySelector("label");
    if (label.textContent !== text) label.textContent = text;
    row.hidden = n === 0;
  }

  // The counts on every entry's block form, as submissions come and go.
  function updateWaiting(root) {
    for (const row of root.querySelectorAll('[data-role="block-reject-row"]')) {
      const li = row.closest("li.mentry");
      if (li) setWaiting(row, waitingOf(li.dataset.participant));
    }
  }

  // Move to another item, or to the meeting in general. `prefix` as for blockAction.
  function moveAction(c, prefix = "") {
    const details = el("details", "mentry__reason");
    details.dataset.role = "move-details";
    const summary = el("summary", "button button--quiet", strings.move_open);
    summary.append(forId(c.id));
    const form = moderateForm(c, "move", "reason-form");
    const div = el("div", "field");
    const label = el("label", null, strings.move_to);
    const select = el("select");
    select.id = `${prefix}move-to-${c.id}`;
    select.name = "item_id";
    label.htmlFor = select.id;
    select.append(optionEl("", labels.misc.general));
    for (const item of [...state.items].sort(byPosition)) select.append(optionEl(String(item.id), itemLabel(item)));
    select.value = c.item_id === null || c.item_id === undefined ? "" : String(c.item_id);
    div.append(label, select);
    const button = el("button", "button", strings.move);
    button.type = "submit";
    button.dataset.role = "move-confirm";
    button.append(forId(c.id));
    form.append(hiddenInput("action", "move"), div, button);
    details.append(summary, form);
    return details;
  }

  function spotlightForm(c) {
    const form = moderateForm(c, "spotlight", "inline-form spotlight-form");
    const button = el("button", "button", strings.spotlight);
    button.type = "submit";
    button.name = "action";
    button.value = "spotlight";
    button.dataset.role = "spotlight";
    button.append(forId(c.id));
    const check = el("span", "check");
    const box = el("input");
    box.type = "checkbox";
    box.id = `pin-${c.id}`;
    box.name = "pin";
    box.value = "1";
    box.dataset.role = "pin";
    const label = el("label", null, strings.pin);
    label.htmlFor = box.id;
    label.append(forId(c.id));
    check.append(box, label);
    form.append(button, check);
    return form;
  }

  function queueEntry(c) {
    const li = el("li", "mentry qentry");
    li.id = `q-${c.id}`;
    li.tabIndex = -1;
    li.setAttribute("aria-labelledby", `q-${c.id}-title`);
    fillQueueEntry(li, c);
    return li;
  }

  // What the filters, shortcuts and tests read on an entry.
  function setEntryData(li, c) {
    li.dataset.contributionId = String(c.id);
    li.dataset.kind = c.kind;
    li.dataset.itemId = c.item_id === null || c.item_id === undefined ? "" : String(c.item_id);
    li.dataset.status = c.status;
    li.dataset.participant = c.participant;
    if (c.blocked) li.dataset.blocked = "true";
    else delete li.dataset.blocked;
  }

  function fillQueueEntry(li, c) {
    setEntryData(li, c);
    li.dataset.createdAt = c.created_at;
    const head = el("div", "mentry__head");
    const box = el("input", "mentry__select");
    box.type = "checkbox";
    box.id = `select-${c.id}`;
    box.value = String(c.id);
    box.checked = state.selected.has(c.id);
    const label = el("label", "mentry__select-label");
    label.htmlFor = box.id;
    label.append(el("span", "visually-hidden", fill(strings.select, { id: c.id })));
    head.append(box, label, titleEl(c, "q"));
    const actions = el("div", "mentry__actions");
    // A blocked participant's submission is not published, nor a post whose author opted out
    // of public display (the server refuses both too).
    const hiddenAuthor = notPublic(c);
    if (!c.blocked && !hiddenAuthor) actions.append(actionForm(c, "approve", strings.approve, "button--primary"));
    actions.append(reasonAction(c, "reject", strings.reject_open, strings.reject));
    actions.append(moveAction(c));
    if (c.post) actions.append(actionForm(c, "withdraw", strings.withdraw, "button--quiet"));
    if (!c.blocked) actions.append(blockAction(c));
    const note = [];
    if (c.blocked) note.push(el("p", "note mentry__blocked-note", strings.blocked_note));
    if (hiddenAuthor) note.push(el("p", "note mentry__not-public", strings.not_public_note));
    li.replaceChildren(head, ...factsEls(c), ...note, actions);
  }

  // Rebuild a queue entry, keeping the focus on the same control if it was inside, what the
  // clerk chose (open disclosures, reasons, ticks) and a refusal shown beside it.
  function refill(li, c) {
    const focused = li.contains(document.activeElement) ? document.activeElement : null;
    const role = focused?.dataset?.role;
    const fid = focused && focused !== li ? focused.id : "";
    const open = [...li.querySelectorAll("details[open]")].map((d) => d.dataset.role);
    const chosen = [...li.querySelectorAll("select[id], input[type=checkbox][id]")]
      .map((x) => [x.id, x.type === "checkbox" ? x.checked : x.value]);
    const refusal = li.querySelector(".mentry__error");
    fillQueueEntry(li, c);
    for (const r of open) li.querySelector(`details[data-role="${r}"]`)?.setAttribute("open", "");
    for (const [id, value] of chosen) {
      const x = document.getElementById(id);
      if (!x || !li.contains(x)) continue;
      if (typeof value === "boolean") x.checked = value;
      else x.value = value;
    }
    if (refusal) li.append(refusal);
    if (!focused) return;
    const again = (fid && document.getElementById(fid)) || (role && li.querySelector(`[data-role="${role}"]`)) || li;
    again.focus({ preventScroll: true });
  }

  function decidedEntry(record) {
    const { c } = record;
    const li = el("li", `mentry dentry dentry--${c.status}`);
    li.id = `d-${c.id}`;
    setEntryData(li, c);
    li.setAttribute("aria-labelledby", `d-${c.id}-title`);

    const head = el("div", "mentry__head");
    head.append(titleEl(c, "d"));
    const outcome = el("p", "dentry__outcome");
    const status = el("span", `badge badge--c-${c.status} dentry__status`, labels.contribution[c.status] || c.status);
    status.dataset.status = c.status;
    outcome.append(status);
    // The latest action, when a live event told us (answered, spotlighted...), and who took it.
    const action = record.action && record.action !== "submitted" ? strings.actions[record.action] || record.action : null;
    if (action) outcome.append(" ", el("span", "dentry__action", action));
    else if (record.action === "submitted" && c.status === "published") outcome.append(" ", el("span", "dentry__action", strings.actions.submitted));
    const who = record.actor || c.moderated_by;
    if (who) outcome.append(" ", el("span", "dentry__by", fill(strings.by, { name: who })));
    if (c.moderated_at) outcome.append(" ", timeEl(c.moderated_at, fmt.time, "dentry__time"));
    if (c.reason) outcome.append(" ", el("span", "dentry__reason", fill(strings.reason_is, { reason: reasonText(c.reason, state.reasons, labels) })));
    const onScreen = state.spotlightId !== null && state.spotlightId === c.id;
    if (onScreen) {
      const text = state.spotlightPinned ? strings.on_screen_pinned : strings.on_screen;
      outcome.append(" ", el("span", "badge badge--spotlight dentry__spotlight", text));
    }

    const parts = [head, outcome, ...factsEls(c)];
    if (c.status === "published") {
      const actions = el("div", "mentry__actions");
      if (c.kind === "question") {
        actions.append(c.answered
          ? actionForm(c, "unanswer", strings.unanswer, "")
          : actionForm(c, "answer", strings.answer, ""));
      }
      if (c.kind === "question" || c.kind === "post") {
        actions.append(onScreen
          ? actionForm(c, "unspotlight", strings.unspotlight, "")
          : spotlightForm(c));
      }
      actions.append(moveAction(c, "d-"));
      actions.append(reasonAction(c, "hide", strings.hide_open, strings.hide));
      if (c.post) actions.append(actionForm(c, "withdraw", strings.withdraw, "button--quiet"));
      if (!c.blocked) actions.append(blockAction(c, "d-"));
      parts.push(actions);
    }
    li.replaceChildren(...parts);
    return li;
  }

  return { queueEntry, refill, decidedEntry, itemName, updateWaiting };
}
