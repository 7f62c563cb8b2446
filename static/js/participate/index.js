// Residents' comments and questions on the meeting page (issue 4), started by pages/meeting.js:
//   - the "Have your say" form (form.js), sent as JSON with a random client token per
//     submission through the outbox (outbox.js): localStorage until the server has answered,
//     retried with backoff, never stored twice;
//   - "Your comments and questions" (mine.js): the resident's own submissions and their status,
//     updated by `contribution.mine` events (which only reach this resident's socket);
//   - the published comments and questions (published.js), grouped by agenda item (the one
//     being discussed first), with upvotes on questions.
// This module holds what they share (the context below) and the hooks the page calls.
// The markup mirrors hub/templates/_participate.html. Names and bodies are residents' text:
// everything is built with createElement/textContent, never innerHTML.

import { byId, formatters, readJSON } from "../dom.js";
import { haveYourSay } from "./form.js";
import { ownContributions } from "./mine.js";
import { createOutbox } from "./outbox.js";
import { publishedContributions } from "./published.js";
import { closedReason, untilNextBound } from "./window.js";

// Residents' comments and questions only: social media posts have a section of their own
// (static/js/social.js), so that none reads as if a resident wrote it.
const residents = (contributions) => (contributions || []).filter((c) => c.kind !== "post");

/**
 * Start the participation parts of the page.
 * @param {object} o
 * @param {object} o.meeting       the meeting's public view
 * @param {() => object[]} o.items the current agenda items (the page keeps them up to date)
 * @param {object} o.snap          the page's snapshot (contributions, spotlight)
 * @param {object} o.labels        hub.labels
 * @param {object} o.strings       the page's #strings
 */
export function startParticipation({ meeting, items, snap, labels, strings }) {
  const config = readJSON("participation") || { open: false, premoderated: true, max_chars: 1000 };
  const mineData = readJSON("mine-data") || { contributions: [], votes: [] };
  const state = {
    published: byId(residents(snap.contributions)),
    votes: new Set(mineData.votes),
    own: byId(mineData.contributions),
    outbox: [], // see outbox.js
    sort: "votes",
    expanded: new Set(), // group keys showing all their entries
    open: Boolean(config.open),
  };
  // What the parts share: fmt follows the meeting's zone, stream is the page's live stream.
  const ctx = {
    meetingId: meeting.id, items, labels, strings, config, state,
    fmt: formatters(meeting.timezone),
    stream: null,
  };

  // The parts call each other only once the page is running, so each may name the ones after it.
  const published = publishedContributions(ctx, { noteParticipant: () => mine.noteParticipant() });
  // Any outbox change: the own list, and the choice for a draft whose item closed.
  ctx.changed = () => {
    mine.render();
    form.drafts.render();
  };
  const outbox = createOutbox(ctx, {
    changed: () => ctx.changed(),
    sent: (own) => {
      if (own && typeof own.id === "number") mine.upsert(own);
      mine.render();
      published.render(); // an own question shows no upvote button
      mine.noteParticipant();
    },
    retrying: () => form.showStatus(strings.retrying),
    waiting: (result) => form.report(result),
    held: (entry) => form.report({ kind: "held" }, entry),
    refused: (entry) => form.restore(entry),
  });
  const mine = ownContributions(ctx, {
    outbox,
    choose: (entry) => form.offer(entry),
    renderPublished: published.render,
    // Without a participant cookie the socket cannot carry this resident's own events; the first
    // submission or vote sets the cookie, after which we reconnect once (see noteParticipant).
    // (The route says so with participation.participant_known when it set the cookie itself.)
    knownParticipant: config.participant_known === true ||
      mineData.contributions.length > 0 || mineData.votes.length > 0,
  });
  const form = haveYourSay(ctx, { outbox });

  // ---- hooks for the page --------------------------------------------------------------------------

  function onEvent(envelope) {
    const data = envelope.data || {};
    switch (envelope.type) {
      case "contribution.published":
        if (data.contribution.kind === "post") return false;
        published.apply(data.contribution, !state.published.has(data.contribution.id));
        return true;
      case "contribution.updated":
        if (data.contribution.kind === "post") return false;
        published.apply(data.contribution, false);
        return true;
      case "contribution.removed":
        state.published.delete(data.id);
        published.render();
        return true;
      case "contribution.mine": {
        const c = data.contribution;
        const old = mine.upsert(c);
        mine.render();
        if (!old) published.render(); // an own question shows no upvote button
        if (old && old.status !== c.status && state.own.get(c.id) === c) mine.announce(c);
        return true;
      }
      case "meeting.spotlight":
        return true; // shown on the chamber's projector, not here
      default:
        return false;
    }
  }

  function onSnapshot(fresh) {
    state.published = byId(residents(fresh.contributions));
    published.render();
    if (state.own.size || state.votes.size || mine.isKnown()) mine.refresh();
  }

  let everLive = false;
  function onStatus(status) {
    if (status !== "live") return;
    // Back after a break: own events from before the reconnect may have been missed.
    if (everLive && (state.own.size || state.votes.size)) mine.refresh();
    everLive = true;
    outbox.resume();
  }

  function itemsChanged() {
    form.updateItemOptions();
    form.drafts.render();
    published.render();
    mine.render();
  }

  // The form follows the meeting's submission window (window.js): opened or closed by an event,
  // and again when one of the window's times passes.
  let windowTimer = null;
  function meetingChanged(m) {
    ctx.fmt = formatters(m.timezone);
    const reason = closedReason(m, Date.now());
    if (reason === null) form.setOpen(true);
    else form.setOpen(false, (config.closed_messages || {})[reason] || strings.meeting_over);
    clearTimeout(windowTimer);
    const wait = untilNextBound(m, Date.now());
    if (wait !== null) windowTimer = setTimeout(() => meetingChanged(m), wait);
  }

  // ---- start -----------------------------------------------------------------------------------------

  outbox.load();
  meetingChanged(meeting);
  published.render();
  mine.render();
  form.drafts.render(); // a draft held on an earlier visit still waits for a choice
  if (state.outbox.length) outbox.flush(); // sent on an earlier visit but never acknowledged

  return {
    onEvent,
    onSnapshot,
    onStatus,
    itemsChanged,
    meetingChanged,
    attach(liveStream) {
      ctx.stream = liveStream;
    },
  };
}
