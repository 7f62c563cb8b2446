// The meeting's video on its page, loaded only when the resident presses play: until then the
// page makes no request to the video's site (hub/webcast.py chose a privacy-respecting player;
// the page's CSP allows frames from it alone). Without this script the link to the webcast stays.

import { $ } from "./dom.js";

export function startWebcast() {
  const box = $("webcast");
  const play = $("webcast-play");
  const note = $("webcast-note");
  if (!box || !play) return;
  play.hidden = false;
  if (note) note.hidden = false;
  play.addEventListener("click", () => {
    const frame = document.createElement("iframe");
    frame.className = "webcast__frame";
    frame.src = box.dataset.src;
    frame.title = box.dataset.title || "";
    frame.allow = "fullscreen; picture-in-picture; encrypted-media";
    frame.allowFullscreen = true;
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    play.replaceWith(frame);
    if (note) note.hidden = true;
  });
}
