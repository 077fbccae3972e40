// The host's side of the handshake: a child is accepted only when its hello comes from the
// exact origin of that app's live deployment AND from that app's iframe window. It then
// gets a dedicated MessagePort, which carries all further traffic.

import { batchingSender, unbatch } from "/mfe/static/batching.js";
import { PROTOCOL, TAG } from "/mfe/static/protocol.js";
import { FrameSizer } from "./sizing.js";

const FIRST_RETRY_MS = 2000;
const MAX_RETRY_MS = 30000;

export class Frames {
  constructor({ router, onLog = () => {}, onReady = () => {}, readyTimeoutMs = 5000 }) {
    this.router = router;
    this.onLog = onLog;
    this.onReady = onReady;
    this.readyTimeoutMs = readyTimeoutMs;
    this.frames = new Map(); // name -> {iframe, fallback, origin, release, instance, port, ...}
    this.refusedInWindow = 0;
    this.windowStart = 0;
    // Each frame is as tall as its content says, on its authenticated port only.
    this.sizer = new FrameSizer({ onLog });
  }

  /** Register an app's iframe, its fallback, and the exact origin its live release runs at. */
  add(name, iframe, fallback, { origin, release }) {
    const frame = {
      iframe,
      fallback,
      origin,
      release,
      instance: null,
      port: null,
      down: false,
      readyTimer: null,
      retryTimer: null,
      retryDelay: FIRST_RETRY_MS,
    };
    this.frames.set(name, frame);
    this.sizer.track(name, iframe);
    fallback.querySelector("[data-testid='fallback-retry']").addEventListener("click", () => this.retry(name));
    this.waitForReady(name);
  }

  /** Point an app's frame at another release (a live deploy); the other frame is untouched. */
  load(name, { origin, release }) {
    const frame = this.frames.get(name);
    this.detach(name, frame);
    frame.origin = origin;
    frame.release = release;
    frame.iframe.dataset.release = String(release);
    frame.iframe.src = `${origin}/`;
    this.waitForReady(name);
  }

  /** Reload an app's frame now (the fallback's retry button, or the app came back). */
  retry(name) {
    const frame = this.frames.get(name);
    clearTimeout(frame.retryTimer);
    frame.retryTimer = null;
    this.load(name, { origin: frame.origin, release: frame.release });
  }

  detach(name, frame) {
    if (frame.port) frame.port.close();
    frame.port = null;
    frame.instance = null;
    this.router.disconnect(name);
  }

  waitForReady(name) {
    const frame = this.frames.get(name);
    clearTimeout(frame.readyTimer);
    // Down, 404, 500 or hanging all look the same from here: no hello in time.
    frame.readyTimer = setTimeout(() => {
      if (!frame.instance) this.fail(name, "no handshake in time");
    }, this.readyTimeoutMs);
  }

  /** Show the fallback and retry by ourselves, with backoff, until the app answers. */
  fail(name, why) {
    const frame = this.frames.get(name);
    if (!frame) return;
    this.detach(name, frame);
    clearTimeout(frame.readyTimer);
    if (!frame.down) {
      frame.down = true;
      this.onLog({ type: "unavailable", at: Date.now(), app: name, release: frame.release, reason: why });
    }
    frame.iframe.hidden = true;
    frame.fallback.hidden = false;
    this.sizer.refresh(name);
    clearTimeout(frame.retryTimer);
    frame.retryTimer = setTimeout(() => this.retry(name), frame.retryDelay);
    frame.retryDelay = Math.min(frame.retryDelay * 2, MAX_RETRY_MS);
  }

  /** The host's health probe says the app is down. */
  markDown(name) {
    const frame = this.frames.get(name);
    if (frame && !frame.down) this.fail(name, "health probe");
  }

  /** The host's health probe says the app is back: try at once. */
  markUp(name) {
    const frame = this.frames.get(name);
    if (frame?.down) this.retry(name);
  }

  isDown(name) {
    return Boolean(this.frames.get(name)?.down);
  }

  listen() {
    window.addEventListener("message", (event) => this.onMessage(event));
  }

  frameOf(source) {
    for (const [name, frame] of this.frames) {
      if (source !== null && frame.iframe.contentWindow === source) return [name, frame];
    }
    return [null, null];
  }

  refuse(reason, event, extra = {}) {
    // A flood of spoofed messages must not flood the log too.
    const now = Date.now();
    if (now - this.windowStart > 1000) {
      this.windowStart = now;
      this.refusedInWindow = 0;
    }
    this.refusedInWindow += 1;
    if (this.refusedInWindow > 20) return;
    const kind = typeof event.data?.kind === "string" ? event.data.kind.slice(0, 32) : null;
    const entry = { type: "refused", at: now, origin: event.origin, kind, verdict: reason, ...extra };
    // A frame's refused handshake counts against the release it runs (canary analysis).
    const release = extra.app ? this.frames.get(extra.app)?.release : undefined;
    if (release !== undefined) entry.release = release;
    this.onLog(entry);
  }

  onMessage(event) {
    const msg = event.data;
    if (!msg || typeof msg !== "object" || msg.tag !== TAG) return;
    const [name, frame] = this.frameOf(event.source);
    if (!frame) {
      this.refuse("unknown-source", event);
      return;
    }
    // Exact string equality: no prefixes, no patterns; "null" never equals an origin.
    if (event.origin !== frame.origin) {
      this.refuse("wrong-origin", event, { app: name, expected: frame.origin });
      return;
    }
    if (msg.kind !== "hello") {
      this.refuse("not-a-hello", event, { app: name });
      return;
    }
    if (msg.app !== name || typeof msg.instance !== "string") {
      this.refuse("wrong-app", event, { app: name });
      return;
    }
    if (msg.protocol !== PROTOCOL) {
      event.source.postMessage(
        {
          tag: TAG,
          kind: "refused",
          instance: msg.instance,
          reason: "protocol-mismatch",
          message: `the host speaks bus protocol ${PROTOCOL}, not ${msg.protocol}`,
        },
        frame.origin,
      );
      this.refuse("protocol-mismatch", event, { app: name });
      return;
    }
    // The same document saying hello again before our welcome reached it.
    if (frame.instance === msg.instance) return;
    this.connect(name, frame, event.source, msg);
  }

  /** The connected document unloaded: its port is dead until the frame says hello again. */
  left(name, port) {
    const frame = this.frames.get(name);
    // Only the current connection can end itself; a stale port's goodbye changes nothing.
    if (!frame || frame.port !== port) return;
    this.detach(name, frame);
    this.onLog({ type: "left", at: Date.now(), app: name, release: frame.release });
    // Whatever loads next must say hello in time, or the fallback shows and the frame reloads.
    this.waitForReady(name);
  }

  connect(name, frame, source, msg) {
    if (frame.port) {
      frame.port.close();
      this.router.disconnect(name);
    }
    clearTimeout(frame.readyTimer);
    clearTimeout(frame.retryTimer);
    frame.retryTimer = null;
    frame.retryDelay = FIRST_RETRY_MS;
    if (frame.down) {
      frame.down = false;
      this.onLog({ type: "restored", at: Date.now(), app: name, release: frame.release });
    }
    frame.fallback.hidden = true;
    frame.iframe.hidden = false;
    this.sizer.connected(name);
    this.sizer.refresh(name);
    const channel = new MessageChannel();
    frame.port = channel.port1;
    frame.instance = msg.instance;
    // When the port's current message arrived (its event's timeStamp), for every message of it.
    let at = 0;
    const handle = (message) => {
      if (message?.kind === "bye") this.left(name, channel.port1);
      else if (message?.kind === "size") this.sizer.report(name, message.height);
      else this.router.receive(name, message, at);
    };
    channel.port1.onmessage = (e) => {
      at = e.timeStamp;
      unbatch(e.data, handle);
    };
    source.postMessage(
      { tag: TAG, kind: "welcome", protocol: PROTOCOL, instance: msg.instance, app: name },
      frame.origin,
      [channel.port2],
    );
    this.onLog({ type: "hello", at: Date.now(), app: name, release: frame.release, verdict: "welcomed" });
    this.router.connect(
      name,
      batchingSender((message) => channel.port1.postMessage(message)),
    );
    this.onReady(name, frame);
  }
}
