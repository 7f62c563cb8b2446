// Helpers every page's script shares: the page's data islands, building elements, times in the
// council's zone, live regions and focus, and talking to the server with fetch. One copy each.
//
// Layout of static/js/: pages/*.js is each page's entry module (the one its template loads);
// stream.js the resuming live-stream client; agenda.js the agenda rendering the resident page
// and the clerk's console share; participate/ the resident's comments and questions;
// moderation/ the parts of the moderation queue. Everything is built with createElement and
// textContent, never innerHTML, because titles, names and bodies are text typed by people.

// ---- reading and building ------------------------------------------------------------------------

/** The parsed content of a <script type="application/json" id="..."> data island. */
export function readJSON(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

/** The element with this id, or null. */
export const $ = (id) => document.getElementById(id);

/** An element with a class and optional text. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

/** An <option> with its value and text. */
export function optionEl(value, text) {
  const option = el("option", null, text);
  option.value = value;
  return option;
}

/** A translated string with its {placeholders} filled in: fill("Votes: {n}", {n: 3}). */
export const fill = (template, values) =>
  Object.entries(values).reduce((text, [k, v]) => text.split(`{${k}}`).join(String(v)), template);

/** What `cache` holds for `key`, made by make() (and kept) the first time it is asked for. */
export function getOrCreate(cache, key, make) {
  let value = cache.get(key);
  if (!value) {
    value = make();
    cache.set(key, value);
  }
  return value;
}

/** A Map from id to record, for a list of records with ids. */
export const byId = (records) => new Map(records.map((r) => [r.id, r]));

/** Published comments and questions, newest first (ties: the later id first). */
export const newestFirst = (a, b) =>
  (b.published_at || "").localeCompare(a.published_at || "") || b.id - a.id;

// ---- text in two languages ----------------------------------------------------------------------

// A meeting's or an item's title and description can carry Welsh beside the English
// (``title_cy``, ``description_cy``): a Welsh page shows the Welsh where there is some, and else
// the English marked lang="en". The same rule as hub/web/templating.py's in_language / lang_of.
const WELSH = { title: "title_cy", description: "description_cy" };
const pageLang = () => document.documentElement.lang || "en";

/** `obj`'s `name` ("title" or "description") in the page's language. */
export function inLanguage(obj, name = "title") {
  const welsh = WELSH[name];
  if (welsh && pageLang() === "cy" && obj[welsh]) return obj[welsh];
  return obj[name] || "";
}

/** Set `node`'s text to `obj`'s `name` in the page's language, with lang="en" on a page in
 * another language where only the English exists (and no lang where it matches the page). */
export function setInLanguage(node, obj, name = "title") {
  node.textContent = inLanguage(obj, name);
  const welsh = WELSH[name];
  if (welsh && pageLang() !== "en" && !obj[welsh] && obj[name]) node.lang = "en";
  else node.removeAttribute("lang");
  return node;
}

// ---- times ---------------------------------------------------------------------------------------

function pageLocale() {
  const lang = document.documentElement.lang || "en";
  return [`${lang}-GB`, lang, "en-GB"];
}

/** Formatters for times in the council's zone and the page's language (as the server does).
 * Intl converts to the zone; the words of a full date come from the page (#date-names, the
 * server's babel names): browsers' own locale data often lacks Welsh (Chromium writes a cy
 * date in English), so it spells them as hub/web/templating.py's local_datetime does,
 * "Dydd Llun 23 Tachwedd 2026, 18:30". */
export function formatters(timeZone) {
  const locales = pageLocale();
  const make = (loc, options) => {
    try {
      return new Intl.DateTimeFormat(loc, { timeZone, ...options });
    } catch {
      return new Intl.DateTimeFormat("en-GB", options); // unknown zone: better than nothing
    }
  };
  const time = make(locales, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const names = readJSON("date-names");
  const numeric = make("en-GB", {
    year: "numeric", month: "numeric", day: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  const fallback = make(locales, {
    weekday: "long", day: "numeric", month: "long", year: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  const full = (iso) => {
    if (!names) return fallback.format(new Date(iso));
    const p = Object.fromEntries(numeric.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
    const [y, m, d] = [Number(p.year), Number(p.month), Number(p.day)];
    const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
    return `${names.days[weekday]} ${d} ${names.months[m - 1]} ${y}, ${p.hour}:${p.minute}`;
  };
  return {
    time: (iso) => time.format(new Date(iso)),
    full,
  };
}

/** A <time> element for a UTC timestamp. */
export function timeEl(iso, format, className) {
  const t = el("time", className, format(iso));
  t.dateTime = iso;
  return t;
}

// ---- updating the page -----------------------------------------------------------------------------

/** A function that sets the text of the element with this id (an alert or a status line). */
export function textSetter(id) {
  const node = document.getElementById(id);
  return (message) => {
    if (node) node.textContent = message;
  };
}

// A brief highlight on something that just changed (CSS turns it off for reduced motion).
export function flash(node) {
  node.classList.remove("is-updated");
  void node.offsetWidth; // restart the animation
  node.classList.add("is-updated");
}

/** Put `nodes` in `parent` in that order, touching the DOM only if the order changed. */
export function syncChildren(parent, nodes) {
  const current = parent.children;
  if (current.length === nodes.length && nodes.every((node, i) => current[i] === node)) return;
  const active = document.activeElement;
  parent.replaceChildren(...nodes);
  // Moving a focused element drops its focus: put it back so keyboard users keep their place.
  if (active && active !== document.body && document.activeElement !== active && active.isConnected) {
    active.focus({ preventScroll: true });
  }
}

const squash = (text) => text.replace(/\s+/g, " ").trim();

/** Replace a live region's content only if its text changed, so it is not re-announced. */
export function replaceIfChanged(node, children) {
  const probe = el("div");
  probe.append(...children);
  if (squash(probe.textContent) === squash(node.textContent)) return false;
  node.replaceChildren(...probe.childNodes);
  return true;
}

/** The connection indicator: text from labels.connection and a conn--{state} class. */
export function showConnection(state, labels) {
  const node = document.getElementById("connection");
  if (!node) return;
  node.hidden = false;
  node.className = `conn conn--${state}`;
  node.textContent = labels.connection[state] || state;
}

// ---- talking to the server -------------------------------------------------------------------------

/** The staff pages' CSRF token (<meta name="csrf-token">); "" on the public pages. */
export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content || "";
}

/** A response's JSON body, or null if it has none. */
export async function jsonOrNull(res) {
  try {
    return await res.json();
  } catch {
    return null; // not JSON
  }
}

/** The message of an error answer ({"message": "..."}), or `fallback`. */
export async function errorMessage(res, fallback) {
  const body = await jsonOrNull(res);
  return body && typeof body.message === "string" && body.message ? body.message : fallback;
}

/** The page's language as a header, for every request the script makes, so what the server
 * answers (a JSON message, a refreshed fragment) is in it (hub/i18n.py PAGE_LANGUAGE_HEADER). */
export const languageHeader = () => ({ "X-Hub-Language": document.documentElement.lang || "en" });

/** GET a JSON document afresh (never from the cache), with the page's cookies. */
export function fetchFresh(url) {
  return fetch(url, {
    headers: { Accept: "application/json", ...languageHeader() },
    credentials: "same-origin",
    cache: "no-store",
  });
}

/** Send a JSON body (the residents' API: submissions and votes). */
export function sendJSON(url, method, payload) {
  return fetch(url, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", ...languageHeader() },
    body: JSON.stringify(payload),
  });
}

/** POST a staff form's fields, with the CSRF token in a header, asking for a JSON answer. */
export function postForm(url, body) {
  return fetch(url, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRF-Token": csrfToken(), ...languageHeader() },
  });
}

const busy = new WeakSet(); // forms with a request in flight: ignore double clicks

/**
 * Send the staff forms with class `className` with fetch, so the page stays put. Without the
 * script they post as usual and the server redirects back. A submit button's data-confirm is
 * asked first.
 * @param {string} className
 * @param {object} o
 * @param {object} o.strings                 the page's strings: failed, network_error
 * @param {(message: string) => void} o.showError
 * @param {() => void} o.clear               as a form is sent: clear the last messages
 * @param {(form: HTMLFormElement, body: URLSearchParams) => () => void} o.prepare
 *        runs before the request (the form's entry may be rebuilt while it is in flight) and
 *        returns what to do once the server has agreed
 */
export function sendFormsInPlace(className, { strings, showError, clear, prepare }) {
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains(className)) return;
    event.preventDefault();
    if (busy.has(form)) return;
    const submitter = event.submitter;
    const confirmText = submitter?.dataset.confirm;
    if (confirmText && !window.confirm(confirmText)) return;
    clear();
    submitForm(form, submitter, { strings, showError, prepare });
  });
}

async function submitForm(form, submitter, { strings, showError, prepare }) {
  const body = new URLSearchParams(new FormData(form));
  if (submitter && submitter.name) body.set(submitter.name, submitter.value);
  const done = prepare(form, body);
  busy.add(form);
  form.setAttribute("aria-busy", "true");
  try {
    // getAttribute, not form.action: the meeting forms have a control named "action".
    const res = await postForm(form.getAttribute("action"), body);
    if (!res.ok) {
      showError(await errorMessage(res, strings.failed));
      return;
    }
    done();
  } catch {
    showError(strings.network_error);
  } finally {
    busy.delete(form);
    form.removeAttribute("aria-busy");
  }
}
