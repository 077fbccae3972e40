// The host's side of the handshake: a child is accepted only when its hello comes from the
// exact origin of that app's live deployment AND from that app's iframe window. It then
// gets a dedicated MessagePort, which carries all further traffic.

import { PROTOCOL, TAG } from "/mfe/static/protocol.js";

export class Frames {
  constructor({ router, onLog = () => {}, onReady = () => {} }) {
    this.router = router;
    this.onLog = onLog;
    this.onReady = onReady;
    this.frames = new Map(); // name -> {iframe, origin, release, instance, port}
    this.refusedInWindow = 0;
    this.windowStart = 0;
  }

  /** Register an app's iframe and the exact origin its live release runs at. */
  add(name, iframe, { origin, release }) {
    this.frames.set(name, { iframe, origin, release, instance: null, port: null });
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
    this.onLog({ type: "refused", at: now, origin: event.origin, kind, verdict: reason, ...extra });
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

  connect(name, frame, source, msg) {
    if (frame.port) {
      frame.port.close();
      this.router.disconnect(name);
    }
    const channel = new MessageChannel();
    frame.port = channel.port1;
    frame.instance = msg.instance;
    channel.port1.onmessage = (e) => this.router.receive(name, e.data);
    source.postMessage(
      { tag: TAG, kind: "welcome", protocol: PROTOCOL, instance: msg.instance, app: name },
      frame.origin,
      [channel.port2],
    );
    this.onLog({ type: "hello", at: Date.now(), app: name, release: frame.release, verdict: "welcomed" });
    this.router.connect(name, (message) => channel.port1.postMessage(message));
    this.onReady(name, frame);
  }
}
