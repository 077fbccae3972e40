// Frames sized to their content: each app reports its document's height on its own
// authenticated port, and the host makes the iframe that tall, so the page scrolls as one
// document and no frame scrolls inside. A report is one number and nothing more: clamped, and
// however many arrive, one layout per animation frame applies only the last.

// A frame cannot shrink out of sight, nor make itself so tall that the page around it (the
// other app, below it on a phone) is out of reach: past the cap, it scrolls inside.
export const MIN_HEIGHT = 120;
export const MAX_HEIGHT = 16000;

/** `height` brought within [MIN_HEIGHT, MAX_HEIGHT], in whole pixels. */
export function clampHeight(height) {
  return Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.ceil(height)));
}

export class FrameSizer {
  constructor({ schedule = (fn) => requestAnimationFrame(fn), onLog = () => {} } = {}) {
    this.schedule = schedule;
    this.onLog = onLog;
    this.frames = new Map(); // name -> {iframe, wanted, height, reports, layouts, clampLogged}
    this.due = false;
  }

  /** Size `iframe` by the reports of app `name`. */
  track(name, iframe) {
    this.frames.set(name, { iframe, wanted: null, height: null, reports: 0, layouts: 0, clampLogged: false });
  }

  /** A new document connected in app `name`'s frame: its first clamped report is logged. */
  connected(name) {
    const frame = this.frames.get(name);
    if (frame) frame.clampLogged = false;
  }

  /** A size report that arrived on app `name`'s port (the only place a report is read). */
  report(name, height) {
    const frame = this.frames.get(name);
    if (!frame) return;
    frame.reports += 1;
    // Not a number (NaN included): there is nothing to size by.
    if (typeof height !== "number" || Number.isNaN(height)) return;
    // Only the latest counts: a flood of reports is one number overwritten, and one layout.
    frame.wanted = height;
    if (this.due) return;
    this.due = true;
    this.schedule(() => this.apply());
  }

  /** Apply the latest report of each frame (once per animation frame). */
  apply() {
    this.due = false;
    for (const [name, frame] of this.frames) {
      if (frame.wanted === null) continue;
      const wanted = frame.wanted;
      frame.wanted = null;
      const height = clampHeight(wanted);
      if (height !== Math.ceil(wanted) && !frame.clampLogged) {
        // Once per document: a frame repeating an absurd size must not flood the log.
        frame.clampLogged = true;
        this.onLog({ type: "size", at: Date.now(), app: name, verdict: "clamped", reported: String(wanted), height });
      }
      if (height === frame.height) continue;
      frame.height = height;
      frame.layouts += 1;
      frame.iframe.style.height = `${height}px`;
      this.refresh(name);
    }
  }

  /** Tell the frame's slot how tall the frame shows (nothing while it is hidden). */
  refresh(name) {
    const frame = this.frames.get(name);
    const slot = frame?.iframe.parentElement;
    if (!slot) return;
    // The cart beside the products sticks by it (host.css): a cart taller than the screen
    // scrolls with the page until its bottom shows. A fallback in its place has its own height.
    if (frame.height === null || frame.iframe.hidden) slot.style.removeProperty("--frame-height");
    else slot.style.setProperty("--frame-height", `${frame.height}px`);
  }

  /** What each frame reported and what was applied, for devtools and tests. */
  snapshot() {
    const sizes = {};
    for (const [name, { height, reports, layouts }] of this.frames) sizes[name] = { height, reports, layouts };
    return sizes;
  }
}
