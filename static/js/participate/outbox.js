// The outbox of the residents' submissions. Every submission is sent as JSON with a random client
// token and waits in localStorage until the server has answered 201 (or a final 4xx); it is
// retried with backoff, on `online`, when the live stream is back and on the next page load,
// with the same token so the server never stores it twice.
// A draft never changes its item by itself: one refused because its item has closed is held
// (kept, not retried) until the resident chooses where it goes (form.js). A 429 is not a
// network fault: nothing is sent again before its Retry-After, whatever wakes the outbox.
// Refused and held drafts stay in localStorage until the resident removes them: a draft is
// never lost.

import { errorMessage, jsonOrNull, sendJSON } from "../dom.js";
import { backoffDelay } from "../stream.js";

const OUTBOX_PREFIX = "councilHub.outbox.";
const RETRY_START_MS = 2_000;
const RETRY_MAX_MS = 60_000;

// 4xx answers are final (the same request would fail again), except these.
const isFinal = (status) => status >= 400 && status < 500 && status !== 408 && status !== 429;
// Kept in storage with their state: the resident decides what becomes of them.
const KEPT = new Set(["held", "failed", "waiting"]);

function randomToken() {
  if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes); // randomUUID needs a secure context; this does not
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function retryAfter(res) {
  const seconds = Number(res.headers.get("retry-after"));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, 10 * RETRY_MAX_MS) : undefined;
}

// An entry as stored: what to send, and for a kept one why it waits.
function stored(e) {
  const kept = KEPT.has(e.state)
    ? { state: e.state, message: e.message, notBefore: e.notBefore, kept: Boolean(e.kept) }
    : {};
  return { client_token: e.client_token, payload: e.payload, at: e.at, ...kept };
}

/**
 * The outbox of one meeting's page; its entries are ctx.state.outbox:
 * {client_token, payload, at, state, message, notBefore, inFlight}; state is sending, unsent
 * (will be retried), waiting (rate-limited until notBefore), held (its item closed: the
 * resident chooses) or failed (refused; kept with the reason until removed).
 * @param {object} ctx   the participation context (see index.js)
 * @param {object} hooks
 * @param {() => void} hooks.changed               an entry changed state or left
 * @param {(own: object|null) => void} hooks.sent  the server stored it (its answer, if JSON)
 * @param {() => void} hooks.retrying              a background send will be retried
 * @param {(entry: object) => void} hooks.refused  a background send was refused for good
 * @param {(entry: object) => void} hooks.held     a send was refused because its item closed
 */
export function createOutbox(ctx, hooks) {
  const { state, strings } = ctx;
  const outboxKey = `${OUTBOX_PREFIX}${ctx.meetingId}`;
  const finished = new Set(); // tokens this page settled (sent, refused or cancelled)
  let retryTimer = null;
  let attempts = 0;
  let flushing = false;
  let blockedUntil = 0; // a 429's Retry-After: nothing is sent before
  let waitMessage = null; // and the server's reason

  function readStored() {
    try {
      const parsed = JSON.parse(localStorage.getItem(outboxKey) || "[]");
      return Array.isArray(parsed)
        ? parsed.filter((e) => e && typeof e.client_token === "string" && e.payload && typeof e.payload.body === "string")
        : [];
    } catch {
      return []; // storage blocked or corrupt: the outbox lives in memory only
    }
  }

  // Merge with what is stored, so two tabs of the same meeting do not drop each other's entries.
  function save() {
    try {
      const merged = new Map(readStored().map((e) => [e.client_token, e]));
      for (const e of state.outbox) merged.set(e.client_token, stored(e));
      for (const token of finished) merged.delete(token);
      if (merged.size) localStorage.setItem(outboxKey, JSON.stringify([...merged.values()]));
      else localStorage.removeItem(outboxKey);
    } catch {
      // storage blocked: nothing more we can do
    }
  }

  /** A new submission, in the outbox from now on; payload(token) builds what is sent. */
  function queue(payload) {
    const token = randomToken();
    const entry = { client_token: token, payload: payload(token), at: Date.now(), state: "sending", message: null };
    state.outbox.push(entry);
    save();
    return entry;
  }

  function remove(entry) {
    state.outbox = state.outbox.filter((e) => e !== entry);
    finished.add(entry.client_token);
    save();
  }

  /** Give up on an entry (cancelled, or its text is back in the form). */
  function discard(entry) {
    remove(entry);
    hooks.changed();
  }

  function setEntryState(entry, value) {
    entry.state = value;
    hooks.changed();
  }

  /** Milliseconds until the server takes submissions from this resident again (a 429), or 0. */
  function waitLeft() {
    return Math.max(0, blockedUntil - Date.now());
  }

  /** Hold a new entry until the rate limit's time (nothing is sent before it). */
  function hold(entry) {
    entry.state = "waiting";
    entry.notBefore = blockedUntil;
    entry.message = waitMessage;
    save();
    hooks.changed();
    retryLater(waitLeft());
  }

  /** Send a held or refused draft again, changed by the resident's choice (its item). */
  function resend(entry, change) {
    entry.payload = { ...entry.payload, ...change };
    entry.message = null;
    entry.state = "unsent";
    save();
    return deliver(entry);
  }

  /** Try again later: after `delay` ms, or the next step of the backoff. */
  function retryLater(delay) {
    clearTimeout(retryTimer);
    if (delay === undefined) delay = backoffDelay(RETRY_START_MS, RETRY_MAX_MS, attempts);
    attempts += 1;
    retryTimer = setTimeout(flush, Math.max(delay, waitLeft()));
  }

  /**
   * Send one outbox entry: {kind: "ok", own} | {kind: "final", message} | {kind: "retry", after}
   * | {kind: "wait", until, message} (a 429) | {kind: "held", message} (its item closed).
   */
  async function deliver(entry) {
    if (entry.inFlight) return { kind: "busy" };
    if (waitLeft() > 0) {
      hold(entry);
      return { kind: "wait", until: blockedUntil, message: entry.message };
    }
    entry.inFlight = true;
    entry.message = null;
    setEntryState(entry, "sending");
    let res;
    try {
      res = await sendJSON(`/api/meetings/${ctx.meetingId}/contributions`, "POST", entry.payload);
    } catch {
      entry.inFlight = false;
      setEntryState(entry, "unsent");
      return { kind: "retry" };
    }
    entry.inFlight = false;
    if (res.ok) {
      // Not JSON: committed all the same; the live event or the next refresh shows it.
      const own = await jsonOrNull(res);
      remove(entry);
      hooks.sent(own);
      attempts = 0;
      return { kind: "ok", own };
    }
    if (res.status === 429) {
      // Refused for now, with the reason and the time: every entry waits until then.
      blockedUntil = Date.now() + (retryAfter(res) ?? RETRY_MAX_MS);
      entry.message = waitMessage = await errorMessage(res, strings.failed);
      for (const e of state.outbox) {
        if (e.state === "unsent" || e === entry) {
          e.state = "waiting";
          e.notBefore = blockedUntil;
          if (e !== entry) e.message = entry.message;
        }
      }
      save();
      hooks.changed();
      return { kind: "wait", until: blockedUntil, message: entry.message };
    }
    if (!isFinal(res.status)) {
      setEntryState(entry, "unsent");
      return { kind: "retry", after: retryAfter(res) };
    }
    const body = await jsonOrNull(res);
    const message = body && typeof body.message === "string" && body.message ? body.message : strings.failed;
    entry.message = message;
    // Kept (in storage too) until the resident chooses or removes it.
    const held = res.status === 409 && body?.reason === "item_closed" && entry.payload.item_id !== null;
    setEntryState(entry, held ? "held" : "failed");
    save();
    return held ? { kind: "held", message } : { kind: "final", message };
  }

  // Send everything waiting, oldest first; stop at the first failure that is worth retrying.
  async function flush() {
    if (flushing) return;
    flushing = true;
    clearTimeout(retryTimer);
    try {
      if (waitLeft() > 0) {
        retryLater(waitLeft()); // never before the server's Retry-After
        return;
      }
      for (const entry of [...state.outbox]) {
        if (entry.state === "failed" || entry.state === "held" || entry.inFlight || !state.outbox.includes(entry)) continue;
        const result = await deliver(entry);
        if (result.kind === "retry") {
          hooks.retrying();
          retryLater(result.after);
          return;
        }
        if (result.kind === "wait") {
          hooks.waiting(result);
          retryLater(waitLeft());
          return;
        }
        if (result.kind === "held") hooks.held(entry);
        if (result.kind === "final") hooks.refused(entry);
      }
    } finally {
      flushing = false;
    }
  }

  /** Back online (or the stream is live again): send what is waiting, from a fresh backoff. */
  function resume() {
    if (!state.outbox.some((e) => e.state === "unsent" || e.state === "waiting")) return;
    attempts = 0;
    if (waitLeft() > 0) retryLater(waitLeft());
    else flush();
  }

  window.addEventListener("online", resume);

  /** Take up what earlier visits left unacknowledged (they are sent by flush). */
  function load() {
    state.outbox = readStored().map((e) => {
      const kept = KEPT.has(e.state) && e.state !== "waiting";
      return { ...e, state: kept ? e.state : "unsent", message: kept ? e.message || null : null };
    });
    const waiting = readStored().filter((e) => Number(e.notBefore) > Date.now());
    if (waiting.length) {
      blockedUntil = Math.max(...waiting.map((e) => Number(e.notBefore)));
      waitMessage = waiting[0].message || null;
      for (const e of state.outbox) {
        if (waiting.some((w) => w.client_token === e.client_token)) {
          Object.assign(e, { state: "waiting", notBefore: blockedUntil, message: waitMessage });
        }
      }
    }
  }

  return {
    queue, discard, deliver, flush, retryLater, resume, load, resend, save, waitLeft,
  };
}
