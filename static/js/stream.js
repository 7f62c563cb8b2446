// A meeting's live event stream over a WebSocket, resuming from the last seq seen.
//
// Frames from the server (hub/events/stream.py, hub/routes/stream.py):
//   {"seq": 42, "type": "...", "at": "...", "data": {...}}  an event: apply it once, in order
//   {"type": "heartbeat"}                                    every ~20 s: the socket is alive
//   {"type": "reset", "reason": "..."}                       too far behind: reload the snapshot
//   [{"seq": 42, ...}, {"seq": 43, ...}]                     a burst: several events, in order
// Close codes: 1013 = over the server's send budget, resume at once from our seq;
// 4400/4401/4403/4404 = this socket can never work (bad request, signed out, refused, no meeting).

import { fetchFresh } from "./dom.js";

const BACKOFF_START_MS = 500;
const BACKOFF_MAX_MS = 10_000;
const SILENCE_LIMIT_MS = 60_000; // heartbeats come every ~20 s: a minute of silence means a dead link
const FATAL_CLOSE_CODES = new Set([4400, 4401, 4403, 4404]);
const RESUME_CLOSE_CODE = 1013;

// What tests (and curious developers) can read: the last seq applied and the connection state.
const debug = (window.__councilHub = window.__councilHub || { lastSeq: 0, state: "connecting" });

/** Exponential backoff with jitter: `startMs` doubling per attempt up to `maxMs`, each delay
 * drawn from [d/2, d] so that many clients dropped at once do not come back at once. */
export function backoffDelay(startMs, maxMs, attempts) {
  const ceiling = Math.min(maxMs, startMs * 2 ** attempts);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

export class LiveStream {
  /**
   * @param {object} options
   * @param {string} options.path         socket path, e.g. "/api/meetings/7/live"
   * @param {string} options.snapshotUrl  where to reload the state after a reset
   * @param {number} options.lastSeq      the seq the page's state reflects
   * @param {(envelope: object) => void} options.onEvent     each new event, in seq order
   * @param {(snapshot: object) => void} options.onSnapshot  a fresh snapshot replacing all state
   * @param {(state: string) => void} [options.onStatus]     connecting|live|reconnecting|offline
   */
  constructor({ path, snapshotUrl, lastSeq, onEvent, onSnapshot, onStatus = () => {} }) {
    this.path = path;
    this.snapshotUrl = snapshotUrl;
    this.lastSeq = lastSeq;
    this.onEvent = onEvent;
    this.onSnapshot = onSnapshot;
    this.onStatus = onStatus;
    this.ws = null;
    this.state = null;
    this.failures = 0; // consecutive failed attempts, for the backoff
    this.needsSnapshot = false; // set by a reset: reload the snapshot before reconnecting
    this.stopped = false;
    this.retryTimer = null;
    this.silenceTimer = null;
    this.lastFrameAt = 0;
    this.loading = false;
    debug.lastSeq = lastSeq;
  }

  start() {
    window.addEventListener("online", () => {
      if (!this.isOpen()) this.reconnectNow();
    });
    window.addEventListener("offline", () => this.drop());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState !== "visible") return;
      // Timers are throttled in hidden tabs and sleeping laptops: check the link ourselves.
      const silent = Date.now() - this.lastFrameAt > SILENCE_LIMIT_MS;
      if (!this.isOpen() || silent) this.reconnectNow();
    });
    // Leave quietly when the page is put in the back/forward cache; resume if it comes back.
    window.addEventListener("pagehide", () => this.detach(1000, "page hidden"));
    window.addEventListener("pageshow", (ev) => {
      if (ev.persisted) this.reconnectNow();
    });
    this.setStatus("connecting");
    this.connect();
  }

  isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  setStatus(state) {
    if (state === this.state) return;
    this.state = state;
    debug.state = state;
    this.onStatus(state);
  }

  async connect() {
    this.clearTimers();
    if (this.stopped) return;
    if (this.needsSnapshot) {
      if (this.loading) return; // a reload in flight connects when it is done
      this.loading = true;
      const loaded = await this.reloadSnapshot();
      this.loading = false;
      if (!loaded) {
        this.scheduleReconnect();
        return;
      }
      if (this.stopped || this.ws) return; // stopped or connected meanwhile
    }
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}${this.path}?after=${this.lastSeq}`);
    this.ws = ws;
    ws.onopen = () => {
      this.setStatus("live");
      this.noteFrame();
    };
    ws.onmessage = (ev) => this.handleFrame(ev.data);
    ws.onclose = (ev) => this.handleClose(ev);
    // An error is always followed by a close event: nothing to do here.
  }

  handleFrame(raw) {
    this.noteFrame();
    let frame;
    try {
      frame = JSON.parse(raw);
    } catch {
      return; // not ours to understand
    }
    // In a burst the server sends several events in one frame: a JSON array, in seq order.
    for (const message of Array.isArray(frame) ? frame : [frame]) this.handleMessage(message);
  }

  handleMessage(frame) {
    if (frame === null || typeof frame !== "object") return;
    if (typeof frame.seq === "number") {
      this.failures = 0;
      if (frame.seq <= this.lastSeq) return; // a replayed event we already applied
      try {
        this.onEvent(frame);
      } catch (err) {
        console.error("council hub: could not apply event", frame, err); // keep the stream going
      }
      this.lastSeq = frame.seq;
      debug.lastSeq = frame.seq;
    } else if (frame.type === "heartbeat") {
      this.failures = 0;
    } else if (frame.type === "reset") {
      // The server closes the socket next; reload the state, then resume from its seq.
      // A second reset soon after the first backs off, so a confused server is not hammered.
      this.needsSnapshot = true;
      this.detach(1000, "reset");
      this.setStatus("reconnecting");
      this.scheduleReconnect(this.failures === 0 ? 0 : undefined);
      if (this.failures === 0) this.failures = 1;
    }
  }

  handleClose(ev) {
    this.ws = null;
    this.clearTimers();
    if (this.stopped) return;
    if (FATAL_CLOSE_CODES.has(ev.code)) {
      this.stop();
      this.setStatus("offline");
      return;
    }
    this.setStatus("reconnecting");
    if (ev.code === RESUME_CLOSE_CODE && this.failures < 3) {
      // Only our send queue overflowed: resume right away (the seq keeps our place).
      this.failures += 1;
      this.scheduleReconnect(100 + Math.random() * 400);
    } else {
      this.scheduleReconnect();
    }
  }

  async reloadSnapshot() {
    try {
      const res = await fetchFresh(this.snapshotUrl);
      if (!res.ok) throw new Error(`snapshot: HTTP ${res.status}`);
      const snap = await res.json();
      this.needsSnapshot = false;
      this.lastSeq = snap.last_seq;
      debug.lastSeq = snap.last_seq;
      this.onSnapshot(snap);
      return true;
    } catch (err) {
      console.warn("council hub: could not reload the meeting", err);
      return false;
    }
  }

  // Restart the silence watchdog: no frame for a minute means the link is dead.
  noteFrame() {
    this.lastFrameAt = Date.now();
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => this.drop(), SILENCE_LIMIT_MS);
  }

  // Abandon the current socket (without waiting for its close event) and try again.
  drop() {
    if (this.stopped) return;
    this.detach(4000, "no heartbeat");
    this.setStatus("reconnecting");
    this.scheduleReconnect();
  }

  reconnectNow() {
    if (this.stopped) return;
    this.detach(4000, "reconnecting");
    this.failures = 0;
    this.connect();
  }

  // Close the socket and stop listening to it, so its late events change nothing.
  detach(code, reason) {
    const ws = this.ws;
    this.ws = null;
    this.clearTimers();
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    try {
      ws.close(code, reason);
    } catch {
      // already closing
    }
  }

  // Exponential backoff with jitter: 0.5 s doubling to 10 s.
  scheduleReconnect(delay) {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    if (delay === undefined) {
      delay = backoffDelay(BACKOFF_START_MS, BACKOFF_MAX_MS, this.failures);
      this.failures += 1;
    }
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  clearTimers() {
    clearTimeout(this.retryTimer);
    clearTimeout(this.silenceTimer);
    this.retryTimer = this.silenceTimer = null;
  }

  stop() {
    this.stopped = true;
    this.detach(1000, "stopped");
  }
}
