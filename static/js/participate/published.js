// The published comments and questions on the meeting page, grouped by agenda item (the one
// being discussed first, "The meeting in general" last), with upvotes on questions, "Show all"
// for long groups and the choice of question order.
// The markup mirrors hub/templates/_participate.html and the groups in meeting.html. Names and
// bodies are residents' text: everything is built with createElement/textContent, never innerHTML.

import {
  $, el, errorMessage, fill, flash, getOrCreate, newestFirst, sendJSON, setInLanguage, syncChildren,
  textSetter, timeEl,
} from "../dom.js";
import { byPosition, findItem } from "../agenda.js";
import { newsAnnouncer } from "../announce.js";

const PREVIEW = 5; // entries per list a group that is not being discussed shows before "Show all"

const mostVotes = (a, b) => b.votes - a.votes || b.id - a.id;

/** A comment's position badge (here and in "Your comments and questions"). */
export function positionBadge(labels, position) {
  return el("span", `badge badge--position badge--${position} contribution__position`,
    labels.position[position] || position);
}

/**
 * The published list. ctx: the participation context (see index.js).
 * noteParticipant(): a vote may have just set the participant cookie.
 * @returns {{render: () => void, apply: (c: object, isNew: boolean) => void}}
 */
export function publishedContributions(ctx, { noteParticipant }) {
  const { state, labels, strings } = ctx;
  const itemById = (id) => findItem(ctx.items(), id);
  const entryEls = new Map(); // contribution id -> <li>
  const groupEls = new Map(); // group key -> {section, heading, qSub, qList, cSub, cList, more}

  function fillPublished(li, c) {
    li.className = `contribution contribution--${c.kind}${c.answered ? " contribution--answered" : ""}`;
    li.id = `c-${c.id}`;
    li.dataset.contributionId = String(c.id);
    li.dataset.kind = c.kind;
    li.dataset.votes = String(c.votes);
    li.dataset.answered = String(Boolean(c.answered));
    li.dataset.publishedAt = c.published_at || "";

    const meta = el("p", "contribution__meta");
    meta.append(el("span", "contribution__name", c.display_name || labels.misc.anonymous));
    if (c.kind === "comment" && c.position) meta.append(" ", positionBadge(labels, c.position));
    if (c.kind === "question" && c.answered) {
      meta.append(" ", el("span", "badge badge--answered contribution__answered", strings.answered));
    }
    if (c.published_at) meta.append(" ", timeEl(c.published_at, ctx.fmt.time, "contribution__time"));
    const body = el("p", "contribution__body", c.body);

    const oldMeta = li.querySelector(":scope > .contribution__meta");
    const oldBody = li.querySelector(":scope > .contribution__body");
    if (oldMeta) oldMeta.replaceWith(meta);
    else li.append(meta);
    if (oldBody) oldBody.replaceWith(body);
    else meta.after(body);

    if (c.kind !== "question") return;
    // The votes line is updated in place, so a focused vote button keeps its focus.
    let votes = li.querySelector(":scope > .contribution__votes");
    if (!votes) {
      votes = el("p", "contribution__votes");
      const count = el("span", "contribution__count");
      count.id = `c-${c.id}-votes`;
      const button = el("button", "button button--small vote", strings.upvote);
      button.type = "button";
      button.dataset.contributionId = String(c.id);
      button.setAttribute("aria-describedby", count.id);
      votes.append(count, " ", button);
      li.append(votes);
    }
    const countText = fill(strings.votes, { n: c.votes });
    const count = votes.querySelector(".contribution__count");
    if (count.textContent !== countText) count.textContent = countText;
    const button = votes.querySelector("button.vote");
    // Not on one's own question (the server refuses it too: hub/actions/votes.py).
    button.hidden = state.own.has(c.id);
    button.setAttribute("aria-pressed", String(state.votes.has(c.id)));
  }

  function entryFor(c) {
    // The first time, adopt the server's markup.
    const li = getOrCreate(entryEls, c.id, () => document.getElementById(`c-${c.id}`) || el("li"));
    fillPublished(li, c);
    return li;
  }

  function groupsInOrder() {
    const agenda = [...ctx.items()].sort(byPosition);
    const current = agenda.find((i) => i.status === "current");
    const keys = [];
    if (current) keys.push(`item-${current.id}`);
    for (const item of agenda) if (item !== current) keys.push(`item-${item.id}`);
    keys.push("general");
    const buckets = new Map();
    for (const c of state.published.values()) {
      const key = itemById(c.item_id) ? `item-${c.item_id}` : "general";
      if (!buckets.has(key)) buckets.set(key, []);
      buckets.get(key).push(c);
    }
    return keys.filter((k) => buckets.has(k)).map((key) => {
      const item = key === "general" ? null : itemById(Number(key.slice(5)));
      return { key, item, entries: buckets.get(key) };
    });
  }

  function groupParts(key) {
    let parts = groupEls.get(key);
    if (parts) return parts;
    const existing = document.getElementById(`cgroup-${key}`);
    const section = existing || el("section");
    if (!existing) {
      section.id = `cgroup-${key}`;
      section.dataset.group = key;
      section.setAttribute("aria-labelledby", `cgroup-${key}-heading`);
    }
    const need = (selector, make) => section.querySelector(selector) || make();
    const heading = need(".cgroup__heading", () => {
      const h = el("h3", "cgroup__heading");
      h.id = `cgroup-${key}-heading`;
      return h;
    });
    const qSub = need(".cgroup__sub--questions", () => el("h4", "cgroup__sub cgroup__sub--questions", strings.questions));
    const qList = need(".clist--questions", () => el("ol", "clist clist--questions"));
    const cSub = need(".cgroup__sub--comments", () => el("h4", "cgroup__sub cgroup__sub--comments", strings.comments));
    const cList = need(".clist--comments", () => el("ol", "clist clist--comments"));
    const more = need(".cgroup__more", () => {
      const b = el("button", "button button--link cgroup__more");
      b.type = "button";
      b.dataset.group = key;
      return b;
    });
    section.replaceChildren(heading, qSub, qList, cSub, cList, more);
    parts = { section, heading, qSub, qList, cSub, cList, more };
    groupEls.set(key, parts);
    return parts;
  }

  function renderGroup({ key, item, entries }) {
    const parts = groupParts(key);
    const isCurrent = Boolean(item && item.status === "current");
    parts.section.className = `cgroup${isCurrent ? " cgroup--current" : ""}`;

    const heading = [];
    if (item) heading.push(el("span", "cgroup__number", item.number), " ", setInLanguage(el("span", "cgroup__title"), item));
    else heading.push(el("span", "cgroup__title", labels.misc.general));
    if (isCurrent) heading.push(" ", el("span", "badge badge--current cgroup__now", labels.item.current));
    const probe = el("h3");
    probe.append(...heading);
    if (parts.heading.textContent !== probe.textContent) parts.heading.replaceChildren(...heading);

    const questions = entries.filter((c) => c.kind === "question")
      .sort(state.sort === "votes" ? mostVotes : newestFirst);
    const comments = entries.filter((c) => c.kind !== "question").sort(newestFirst);
    const expanded = isCurrent || state.expanded.has(key);
    let hiddenCount = 0;
    for (const [list, sub, group] of [[parts.qList, parts.qSub, questions], [parts.cList, parts.cSub, comments]]) {
      const nodes = group.map(entryFor);
      nodes.forEach((li, i) => {
        li.hidden = !expanded && i >= PREVIEW;
        if (li.hidden) hiddenCount += 1;
      });
      syncChildren(list, nodes);
      list.hidden = sub.hidden = nodes.length === 0;
    }
    const total = questions.length + comments.length;
    const collapsible = !isCurrent && (questions.length > PREVIEW || comments.length > PREVIEW);
    parts.more.hidden = !collapsible;
    parts.more.setAttribute("aria-expanded", String(hiddenCount === 0));
    parts.more.textContent = hiddenCount > 0 ? fill(strings.show_all, { n: total }) : strings.show_fewer;
    return parts.section;
  }

  function render() {
    const groups = groupsInOrder();
    const sections = groups.map(renderGroup);
    const live = new Set(groups.map((g) => g.key));
    for (const key of [...groupEls.keys()]) if (!live.has(key)) groupEls.delete(key);
    for (const id of [...entryEls.keys()]) if (!state.published.has(id)) entryEls.delete(id);
    const container = $("contribution-groups");
    const hadFocus = container.contains(document.activeElement);
    syncChildren(container, sections);
    if (hadFocus && !container.contains(document.activeElement)) $("contributions-heading").focus();
    $("contributions-empty").hidden = state.published.size > 0;
  }

  // Others' new comments and questions, counted and told in one sentence (announce.js); the
  // resident's own are told by "Your comments and questions" instead.
  const region = $("contributions-live");
  const announcer = region && newsAnnouncer(region, strings);

  function apply(c, isNew) {
    state.published.set(c.id, c);
    render();
    if (!isNew) return;
    flash(entryEls.get(c.id));
    if (announcer && !state.own.has(c.id)) announcer.add(c.kind);
  }

  // ---- voting ------------------------------------------------------------------------------------

  const voting = new Set();
  const showError = textSetter("contributions-error");

  function setVoted(id, up) {
    if (up) state.votes.add(id);
    else state.votes.delete(id);
    const c = state.published.get(id);
    if (c) fillPublished(entryEls.get(id) || entryFor(c), c);
  }

  async function toggleVote(button) {
    const id = Number(button.dataset.contributionId);
    const c = state.published.get(id);
    if (!c || voting.has(id)) return;
    const up = !state.votes.has(id);
    voting.add(id);
    showError("");
    // Show the vote at once; the server's answer (and the live event) bring the real count.
    state.published.set(id, { ...c, votes: Math.max(0, c.votes + (up ? 1 : -1)) });
    setVoted(id, up);
    const undo = () => {
      const latest = state.published.get(id);
      if (latest) state.published.set(id, { ...latest, votes: c.votes });
      setVoted(id, !up);
    };
    try {
      const res = await sendJSON(`/api/meetings/${ctx.meetingId}/contributions/${id}/vote`, up ? "POST" : "DELETE", {});
      if (!res.ok) {
        undo();
        showError(await errorMessage(res, strings.failed));
        return;
      }
      const answer = await res.json();
      if (answer.contribution) state.published.set(id, answer.contribution);
      setVoted(id, Boolean(answer.voted));
      render();
      noteParticipant();
    } catch {
      undo();
      showError(strings.network_error);
    } finally {
      voting.delete(id);
    }
  }

  $("contribution-groups").addEventListener("click", (event) => {
    const vote = event.target.closest("button.vote");
    if (vote) {
      toggleVote(vote);
      return;
    }
    const more = event.target.closest("button.cgroup__more");
    if (more) {
      const key = more.dataset.group || more.closest(".cgroup")?.dataset.group;
      if (state.expanded.has(key)) state.expanded.delete(key);
      else state.expanded.add(key);
      render();
    }
  });

  const sortBox = $("question-sort");
  if (sortBox) {
    sortBox.hidden = false;
    sortBox.addEventListener("change", (event) => {
      if (event.target.name !== "question-sort") return;
      state.sort = event.target.value === "newest" ? "newest" : "votes";
      render();
    });
  }

  return { render, apply };
}
