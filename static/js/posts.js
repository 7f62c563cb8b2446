// Social media posts, wherever a page shows one (the resident page, the chamber screen, the
// moderation queue): always attributed (author, handle, platform), linking to the original,
// the text as text, a content warning folded, media as links with their alt text. Nothing is
// loaded from another site: no avatar, no picture (the pages' CSP would refuse it anyway).
// The markup mirrors hub/templates/_posts.html. A post is someone else's text: everything is
// built with createElement/textContent, never innerHTML, and links only if they are http(s).

import { el, fill, timeEl } from "./dom.js";

const REL = "noopener noreferrer nofollow ugc";
// A language tag as a lang attribute takes it (as hub/web/templating.py language_tag).
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/;

/** A link from someone else's data, if it is http(s); "" otherwise (then no link is shown). */
export function webLink(url) {
  if (typeof url !== "string" || !url || /[\s\u0000-\u001f]/.test(url)) return "";
  return /^https?:\/\//i.test(url) ? url : "";
}

export const handleOf = (p) => `@${String(p.author_handle || "").replace(/^@+/, "")}`;
export const authorOf = (p) => p.author_name || handleOf(p);
export const platformName = (p, labels) => labels.platform[p.platform] || p.platform;

function link(href, text) {
  const a = el("a", null, text);
  a.href = href;
  a.rel = REL;
  return a;
}

/** "Jane Jones @jane@social.example on Mastodon 19:04" (p.post__by). */
export function byLine(c, labels, fmt) {
  const p = c.post;
  const line = el("p", "post__by");
  const platform = el("span", "post__platform", fill(labels.post.on_platform, { platform: platformName(p, labels) }));
  platform.dataset.platform = p.platform;
  line.append(el("span", "post__author", authorOf(p)), " ", el("span", "post__handle", handleOf(p)), " ", platform);
  if (p.posted_at) line.append(" ", timeEl(p.posted_at, fmt.time, "post__time"));
  return line;
}

function bodyAndMedia(c, labels) {
  const p = c.post;
  const body = el("p", "post__body", c.body);
  if (p.language && LANGUAGE_TAG.test(p.language)) body.lang = p.language;
  const out = [body];
  if (p.media && p.media.length) {
    const list = el("ul", "post__media");
    for (const m of p.media) {
      const kind = labels.media[m.kind] || labels.media.other;
      const text = m.alt ? fill(labels.post.media, { kind, alt: m.alt }) : fill(labels.post.media_no_alt, { kind });
      const li = el("li", "post__medium");
      const href = webLink(m.url);
      if (href) li.append(link(href, text));
      else li.textContent = text;
      list.append(li);
    }
    out.push(list);
  }
  return out;
}

/**
 * The text and media: behind the content warning, folded, when `fold` (else the warning is
 * shown above them: staff read everything before they decide).
 */
export function postContent(c, labels, fold = true) {
  const p = c.post;
  const warning = p.content_warning ? fill(labels.post.warning, { warning: p.content_warning }) : null;
  if (warning && fold) {
    const details = el("details", "post__cw");
    details.append(el("summary", "post__warning", warning), ...bodyAndMedia(c, labels));
    return [details];
  }
  return [...(warning ? [el("p", "post__warning", warning)] : []), ...bodyAndMedia(c, labels)];
}

/** "View the original on Mastodon" (p.post__link), or nothing if the link is not http(s). */
export function originalLink(c, labels) {
  const p = c.post;
  const href = webLink(p.url);
  if (!href) return [];
  const a = link(href, fill(labels.post.original, { platform: platformName(p, labels) }));
  a.append(el("span", "visually-hidden", ` ${fill(labels.post.original_by, { name: authorOf(p) })}`));
  const line = el("p", "post__link");
  line.append(a);
  return [line];
}

/** One published post on the resident page (li.post), keeping a content warning opened. */
export function fillPostEntry(li, c, labels, fmt) {
  const wasOpen = Boolean(li.querySelector("details.post__cw[open]"));
  li.className = "post";
  li.id = `post-${c.id}`;
  li.dataset.contributionId = String(c.id);
  li.dataset.publishedAt = c.published_at || "";
  li.replaceChildren(byLine(c, labels, fmt), ...postContent(c, labels), ...originalLink(c, labels));
  if (wasOpen) li.querySelector("details.post__cw")?.setAttribute("open", "");
  return li;
}

/** Is this contribution a social media post with its attribution? */
export const isPost = (c) => c.kind === "post" && Boolean(c.post);
