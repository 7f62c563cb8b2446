// The console's "Social media" panel: each of the council's sources and how it is doing,
// following the staff stream's social.source.health events (the same markup as the server's
// hub/templates/staff/_social_health.html). Nothing here ever holds a credential: the events
// carry only whether one is set.

import { el, timeEl } from "./dom.js";

export class SocialHealth {
  constructor(root, { words, needs, fmt }) {
    this.root = root;
    this.list = root.querySelector(".sources");
    this.empty = root.querySelector(".sources-empty");
    this.words = words;
    this.needs = needs;
    this.fmt = fmt;
  }

  // One source changed (or was removed): replace its entry, or add it.
  apply(source, removed) {
    const old = document.getElementById(`console-source-${source.id}`);
    if (removed) {
      old?.remove();
    } else if (old) {
      old.replaceWith(this.entry(source));
    } else {
      this.list.append(this.entry(source));
    }
    this.empty.hidden = this.list.children.length > 0;
  }

  render(sources) {
    this.list.replaceChildren(...sources.map((s) => this.entry(s)));
    this.empty.hidden = sources.length > 0;
  }

  entry(s) {
    const w = this.words;
    const li = el("li", "source");
    li.id = `console-source-${s.id}`;
    li.dataset.sourceId = String(s.id);
    const name = el("h3", "source__name", `${s.name} `);
    name.append(el("span", "muted", `(${w.platform[s.platform] || s.platform})`));
    const state = el("p", "source__state");
    const badge = el("span", `badge badge--source badge--${s.state}`, w.state[s.state] || s.state);
    badge.dataset.state = s.state;
    state.append(badge);
    const dl = el("dl", "source__health");
    const row = (label, value) => {
      const dd = el("dd");
      dd.append(value);
      dl.append(el("dt", null, label), dd);
    };
    const when = (iso, otherwise) => (iso ? timeEl(iso, this.fmt.time) : otherwise);
    row(w.field.last_success_at, when(s.last_success_at, w.field.never));
    row(w.field.posts_fetched, String(s.posts_fetched));
    row(w.field.next_poll_at, when(s.next_poll_at, w.field.not_scheduled));
    if (s.rate_limit_reset_at) row(w.field.rate_limit_reset_at, when(s.rate_limit_reset_at));
    if (s.last_error) row(w.field.last_error, s.last_error);
    if (s.stopped_reason) row(w.field.stopped_reason, s.stopped_reason);
    const needs = (this.needs[s.platform] || []).length > 0;
    const creds = !needs ? w.field.not_needed : s.credentials_set ? w.field.set : w.field.not_set;
    row(w.field.credentials, creds);
    li.append(name, state, dl);
    return li;
  }
}
