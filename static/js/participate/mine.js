// "Your comments and questions" on the meeting page: what the resident sent, newest first, with
// its status (pending, published, rejected with the reason...), updated by `contribution.mine`
// events (which only reach this resident's socket); above them, what still waits in the outbox
// (sending, not sent yet, waiting out a rate limit, held because its item closed, or refused),
// with a button to give up on it (and, for a held one put aside, to choose again).
// The markup mirrors own_entry in hub/templates/_participate.html. Bodies are residents' text:
// everything is built with createElement/textContent, never innerHTML.

import { $, el, fetchFresh, fill, getOrCreate, syncChildren } from "../dom.js";
import { itemName } from "../agenda.js";
import { positionBadge } from "./published.js";

const STATUS_RANK = { pending: 0, published: 1, rejected: 2, hidden: 2 };

/**
 * The resident's own list. ctx: the participation context (see index.js).
 * @param {object} deps
 * @param {object} deps.outbox              the outbox (outbox.js)
 * @param {(entry: object) => void} deps.choose offer the choice for a held draft again
 * @param {() => void} deps.renderPublished the published list, for votes fetched afresh
 * @param {boolean} deps.knownParticipant   whether the page already has a participant cookie
 */
export function ownContributions(ctx, { outbox, choose, renderPublished, knownParticipant }) {
  const { state, labels, strings, config } = ctx;
  const ownEls = new Map(); // contribution id -> <li>
  const outboxEls = new Map(); // client token -> <li>

  function ownMeta(kind, position, itemId) {
    const meta = el("p", "own__meta");
    meta.append(el("span", "own__kind", labels.kind[kind] || kind));
    if (kind === "comment" && position) meta.append(" ", positionBadge(labels, position));
    meta.append(" ", el("span", "own__item", fill(strings.about, { item: itemName(ctx.items(), itemId, labels) })));
    return meta;
  }

  function ownNode(c) {
    // The first time, adopt the server's markup.
    const li = getOrCreate(ownEls, c.id, () => document.getElementById(`own-${c.id}`) || el("li"));
    const sent = li.classList.contains("own--sent") || (config.sent !== null && String(config.sent) === String(c.id));
    li.className = `own${sent ? " own--sent" : ""}`;
    li.id = `own-${c.id}`;
    li.dataset.contributionId = String(c.id);
    li.dataset.status = c.status;
    const stateLine = el("p", "own__state");
    stateLine.append(el("span", `badge badge--c-${c.status} own__status`, labels.contribution[c.status] || c.status));
    stateLine.lastChild.dataset.status = c.status;
    if ((c.status === "rejected" || c.status === "hidden") && c.reason_label) {
      stateLine.append(" ", el("span", "own__reason", fill(strings.reason, { reason: c.reason_label })));
    }
    li.replaceChildren(ownMeta(c.kind, c.position, c.item_id), el("p", "own__body", c.body), stateLine);
    return li;
  }

  function outboxNode(entry) {
    const li = getOrCreate(outboxEls, entry.client_token, () => el("li"));
    const key = `${entry.state}|${entry.message || ""}|${entry.kept}|${entry.notBefore}`;
    if (li.dataset.rendered === key) return li;
    li.dataset.rendered = key;
    const hadFocus = li.contains(document.activeElement);
    li.className = `own own--outbox own--${entry.state}`;
    li.dataset.clientToken = entry.client_token;
    li.dataset.status = entry.state; // sending | unsent | waiting | held | failed
    const p = entry.payload;
    const text = {
      sending: strings.sending,
      unsent: strings.unsent,
      waiting: strings.unsent,
      held: entry.kept ? strings.held_kept : strings.held,
      failed: strings.not_sent,
    }[entry.state];
    const stateLine = el("p", "own__state");
    const status = el("span", `badge badge--c-${entry.state === "waiting" ? "unsent" : entry.state} own__status`, text);
    status.dataset.status = entry.state;
    stateLine.append(status);
    // A held draft's reason is in the choice above the form until it is put aside.
    if (entry.message && !(entry.state === "held" && !entry.kept)) {
      stateLine.append(" ", el("span", "own__reason", entry.message));
    }
    if (entry.state === "waiting" && entry.notBefore) {
      const at = ctx.fmt.time(entry.notBefore);
      stateLine.append(" ", el("span", "own__when", fill(strings.send_at, { time: at })));
    }
    if (entry.state === "held" && entry.kept) {
      const again = el("button", "button button--small button--link own__choose", strings.draft_choose_again);
      again.type = "button";
      again.dataset.clientToken = entry.client_token;
      stateLine.append(" ", again);
    }
    if (entry.state !== "sending") {
      const button = el("button", "button button--small button--link own__cancel",
        entry.state === "failed" || entry.state === "held" ? strings.remove : strings.dont_send);
      button.type = "button";
      button.dataset.clientToken = entry.client_token;
      stateLine.append(" ", button);
    }
    li.replaceChildren(ownMeta(p.kind, p.position, p.item_id), el("p", "own__body", p.body), stateLine);
    if (hadFocus) li.querySelector("button")?.focus({ preventScroll: true });
    return li;
  }

  function render() {
    const nodes = [...state.outbox].reverse().map(outboxNode);
    for (const token of [...outboxEls.keys()]) {
      if (!state.outbox.some((e) => e.client_token === token)) outboxEls.delete(token);
    }
    const own = [...state.own.values()].sort((a, b) => b.id - a.id);
    nodes.push(...own.map(ownNode));
    const list = $("mine-list");
    const hadFocus = list.contains(document.activeElement);
    syncChildren(list, nodes);
    if (hadFocus && !list.contains(document.activeElement)) $("mine").focus();
    $("mine-empty").hidden = nodes.length > 0;
  }

  function upsert(c) {
    const old = state.own.get(c.id);
    // Statuses only move forward (pending -> published/rejected, published -> hidden): never let
    // an older copy (a slow fetch) undo a newer one (a live event).
    if (old && (STATUS_RANK[old.status] ?? 0) > (STATUS_RANK[c.status] ?? 0)) return old;
    state.own.set(c.id, c);
    return old;
  }

  function announce(c) {
    const text = {
      published: strings.now_published,
      rejected: strings.now_rejected,
      hidden: strings.now_hidden,
    }[c.status];
    if (!text) return;
    const reason = c.reason_label ? ` ${fill(strings.reason, { reason: c.reason_label })}` : "";
    $("mine-live").textContent = text + reason;
  }

  $("mine-list").addEventListener("click", (event) => {
    const chooseButton = event.target.closest("button.own__choose");
    if (chooseButton) {
      const held = state.outbox.find((e) => e.client_token === chooseButton.dataset.clientToken);
      if (held) choose(held);
      return;
    }
    const button = event.target.closest("button.own__cancel");
    if (!button) return;
    const entry = state.outbox.find((e) => e.client_token === button.dataset.clientToken);
    if (!entry || entry.inFlight) return;
    outbox.discard(entry);
  });

  async function refresh() {
    try {
      const res = await fetchFresh(`/api/meetings/${ctx.meetingId}/contributions/mine`);
      if (!res.ok) return;
      const fresh = await res.json();
      for (const c of fresh.contributions || []) upsert(c);
      state.votes = new Set(fresh.votes || []);
      render();
      renderPublished();
    } catch {
      // offline: the next reconnect tries again
    }
  }

  // The first submission or vote may have just set the participant cookie: reconnect the socket
  // once so it carries it (and with it this resident's own events), then catch up.
  function noteParticipant() {
    if (knownParticipant) return;
    knownParticipant = true;
    if (ctx.stream) {
      ctx.stream.reconnectNow();
      refresh();
    }
  }

  return {
    render,
    upsert,
    announce,
    refresh,
    noteParticipant,
    isKnown: () => knownParticipant,
  };
}
