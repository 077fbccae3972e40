// The child's half of frame sizing: it tells the host its content height, and the host sizes
// the iframe to fit (host_app/static/bus/sizing.js), so the page scrolls as one document
// rather than as boxes inside it.

import { TAG } from "./protocol.js";

const OFFSCREEN_CHECK_MS = 100;

/** The height of this document's content in CSS pixels, rounded up. */
function contentHeight() {
  // The root element's box, not its scrollHeight: that is never less than the frame's height,
  // so a frame sized to it could grow but never shrink.
  return Math.ceil(document.documentElement.getBoundingClientRect().height);
}

/** Post this document's content height with `post`, now and whenever it changes. */
export function reportSizes(post) {
  if (typeof ResizeObserver !== "function") return;
  let reported = -1;
  let due = false;
  const report = () => {
    due = false;
    const height = contentHeight();
    if (height === reported) return;
    reported = height;
    post({ tag: TAG, kind: "size", height });
  };
  // Called once per rendering update (animation frame), after layout, with every change of
  // that frame: one measurement, at most one report a frame.
  new ResizeObserver(report).observe(document.documentElement);
  // A frame scrolled out of view is not rendered (the browser throttles it), so no observer
  // fires there: a change of its content (the cart below the products on a phone) is
  // measured on a timer instead, at most once per OFFSCREEN_CHECK_MS.
  new MutationObserver(() => {
    if (due) return;
    due = true;
    setTimeout(report, OFFSCREEN_CHECK_MS);
  }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
}
