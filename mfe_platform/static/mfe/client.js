// The child side of the bus: `window.mfe` in every app frame.
//
// Handshake: the frame repeats a *hello* to its parent at the host's exact origin until the
// host answers *welcome* with a dedicated MessagePort; from then on every message travels on
// that port (the authenticated channel). Window messages from anyone but the parent at the
// host origin are ignored.

import { Answers } from "./answers.js";
import { batchingSender, unbatch } from "./batching.js";
import { Handlers, newOutcome } from "./handlers.js";
import { BusError, PROTOCOL, TAG, uuid4 } from "./protocol.js";
import { RecentIds } from "./recent.js";
import { reportSizes } from "./sizing.js";

const HISTORY_LIMIT = 500;
const SEEN_LIMIT = 20000;
const DEFAULT_TIMEOUT_MS = 5000;
const HELLO_FIRST_MS = 10;
const HELLO_EAGER_MS = 1000;
// Events some of whose handlers are done while others failed and wait for the retry.
const PROGRESS_LIMIT = 1000;

// Exported for `bench/js/purejs.js`, which wires clients to a router without a browser port.
export class BusClient {
  constructor({ app, release, hostOrigin, consumes }) {
    this.app = app;
    this.release = release;
    this.hostOrigin = hostOrigin;
    this.consumes = consumes;
    this.instance = uuid4();
    this.port = null;
    this.refusal = null;
    this.outgoing = [];
    this.handlers = new Handlers();
    this.answers = new Answers();
    this.seen = new RecentIds(SEEN_LIMIT);
    this.inFlight = new Map();
    // id -> the outcome so far of each handler of that event (see handlers.js).
    this.progress = new Map();
    // History: what was sent or received, and which, in two arrays trimmed together.
    this.logged = [];
    this.directions = [];
    this.send = null;
    this.ready = new Promise((resolve) => {
      this.resolveReady = resolve;
    });
  }

  start() {
    // Opened on its own, outside the host: there is no bus, and emits time out.
    if (window.parent === window) return;
    window.addEventListener("message", (event) => this.onWindowMessage(event));
    // This document is going away (a reload, or the frame navigated elsewhere): tell the host
    // on our port, so it stops counting a dead port as a connected app. (A page kept in the
    // back-forward cache is not gone: it keeps its port.)
    window.addEventListener("pagehide", (event) => {
      if (this.port && !event.persisted) this.port.postMessage({ tag: TAG, kind: "bye", instance: this.instance });
    });
    // Often while the page loads (the host's script may start listening at any moment, and a
    // hello it missed costs the wait until the next one), then less and less often.
    const started = performance.now();
    let delay = HELLO_FIRST_MS;
    const hello = () => {
      if (this.port || this.refusal) return;
      window.parent.postMessage(
        {
          tag: TAG,
          kind: "hello",
          protocol: PROTOCOL,
          app: this.app,
          release: this.release,
          instance: this.instance,
          consumes: this.consumes,
        },
        this.hostOrigin,
      );
      if (performance.now() - started > HELLO_EAGER_MS) delay = Math.min(delay * 1.5, 1000);
      setTimeout(hello, delay);
    };
    hello();
  }

  onWindowMessage(event) {
    // Only our parent, and only at the host's exact origin.
    if (event.source !== window.parent || event.origin !== this.hostOrigin) return;
    const msg = event.data;
    if (!msg || msg.tag !== TAG || msg.instance !== this.instance) return;
    if (msg.kind === "welcome" && !this.port && event.ports.length === 1) {
      this.port = event.ports[0];
      this.port.onmessage = (e) => unbatch(e.data, (m) => this.onPortMessage(m));
      const port = this.port;
      this.send = batchingSender(
        (m) => port.postMessage(m),
        (m, error) => this.unsendable(m, error),
      );
      for (const queued of this.outgoing.splice(0)) this.send(queued);
      reportSizes((m) => this.post(m));
      this.resolveReady({ app: this.app, release: this.release });
    } else if (msg.kind === "refused" && !this.port) {
      this.refusal = new BusError(msg.reason, msg.message);
      this.answers.rejectAll(this.refusal);
    }
  }

  post(message) {
    if (this.port) this.send(message);
    else this.outgoing.push(message);
  }

  /** A message the browser could not clone: its emit or request fails `invalid`, now. */
  unsendable(message, error) {
    const { answers } = this;
    const [pending, key] =
      message?.kind === "request" ? [answers.responses, message.rid] : [answers.verdicts, message?.id];
    const entry = answers.take(pending, key);
    if (!entry) {
      reportError(error);
      return;
    }
    entry.reject(new BusError("invalid", `not serialisable: ${error.message}`));
  }

  remember(direction, envelope) {
    // A sent envelope is this client's own object, never handed to the page: kept as it is. A
    // received one is also given to the handlers, which could change it: kept as a copy.
    this.logged.push(direction === "sent" ? envelope : { ...envelope });
    this.directions.push(direction);
    // Trimmed in chunks: one splice per event would make a burst quadratic.
    if (this.logged.length > 2 * HISTORY_LIMIT) {
      this.logged.splice(0, this.logged.length - HISTORY_LIMIT);
      this.directions.splice(0, this.directions.length - HISTORY_LIMIT);
    }
  }

  /** Emit one logical event in one or more versions; resolves once the host accepted it. */
  emitAll(event, byVersion, options) {
    const timeout = options?.timeout ?? DEFAULT_TIMEOUT_MS;
    if (this.refusal) return Promise.reject(this.refusal);
    if (byVersion === null || typeof byVersion !== "object" || Array.isArray(byVersion)) {
      return Promise.reject(new BusError("invalid", "emitAll takes {version: data, ...}"));
    }
    const id = uuid4();
    const timestamp = Date.now();
    const envelopes = Object.keys(byVersion).map((version) => ({
      event,
      version,
      id,
      source: this.app,
      timestamp,
      data: byVersion[version],
    }));
    const answer = this.answers.wait(this.answers.verdicts, id, timeout, "emit", event);
    // Data that cannot be cloned (functions, DOM nodes) fails when its batch leaves, at the end
    // of this task: unsendable() then rejects this promise.
    this.post({ tag: TAG, kind: "emit", id, envelopes });
    for (const envelope of envelopes) this.remember("sent", envelope);
    return answer;
  }

  /** Emit one event in one version. */
  emit(event, version, data, options) {
    if (typeof version !== "string") {
      return Promise.reject(new BusError("invalid", "emit(event, version, data): version must be a string"));
    }
    return this.emitAll(event, { [version]: data }, options);
  }

  /** Handle an event; the handler's promise settles before the ack is sent. */
  on(event, handler) {
    return this.handlers.add(event, handler);
  }

  /** Call a host service (`notifications.show`, ...); rejects after a timeout. */
  request(method, params, options) {
    const timeout = options?.timeout ?? DEFAULT_TIMEOUT_MS;
    if (this.refusal) return Promise.reject(this.refusal);
    const rid = uuid4();
    const answer = this.answers.wait(this.answers.responses, rid, timeout, "request", method);
    this.post({ tag: TAG, kind: "request", rid, method, params: params ?? null });
    return answer;
  }

  /** The envelopes this frame sent and received recently, newest last. */
  history() {
    const from = Math.max(0, this.logged.length - HISTORY_LIMIT);
    const entries = [];
    for (let i = from; i < this.logged.length; i += 1) {
      entries.push(structuredClone({ ...this.logged[i], direction: this.directions[i] }));
    }
    return entries;
  }

  onPortMessage(msg) {
    if (!msg || typeof msg !== "object") return;
    if (msg.kind === "verdict") {
      const entry = this.answers.take(this.answers.verdicts, msg.id);
      if (!entry) return;
      if (msg.status === "accepted") entry.resolve({ id: msg.id, status: "accepted" });
      else entry.reject(new BusError(msg.reason, msg.message, msg.details || []));
    } else if (msg.kind === "response") {
      const entry = this.answers.take(this.answers.responses, msg.rid);
      if (!entry) return;
      if (msg.ok) entry.resolve(msg.result);
      else entry.reject(new BusError(msg.error?.reason || "failed", msg.error?.message));
    } else if (msg.kind === "deliver") {
      this.deliver(msg.envelope);
    }
  }

  deliver(envelope) {
    const id = envelope.id;
    // At least once from the host, exactly once here: duplicates are acked, not handled.
    if (this.seen.has(id)) {
      this.post({ tag: TAG, kind: "ack", id, duplicate: true });
      return;
    }
    if (this.inFlight.has(id)) return;
    this.remember("received", envelope);
    // Each handler's outcome is its own: one that failed is run again on the retry, one that
    // finished or refused is not, and none stops the others.
    const outcome = this.progress.get(id) ?? newOutcome();
    const work = this.handlers.run(envelope, outcome);
    // Handlers that return nothing to wait for are acked at once; a promise settles first.
    if (work === undefined) {
      this.settled(id, outcome);
      return;
    }
    this.inFlight.set(id, work);
    work.then(() => {
      this.inFlight.delete(id);
      this.settled(id, outcome);
    });
  }

  /** Every handler had its turn: ack, refuse for good, or fail so the host retries. */
  settled(id, outcome) {
    const said = (list, verb) => list.map((r) => `${r.label} ${verb}: ${r.message}`).join("; ");
    if (outcome.failed.length) {
      this.progress.delete(id);
      this.progress.set(id, outcome);
      // Bounded: the oldest unfinished event forgets which of its handlers are done.
      if (this.progress.size > PROGRESS_LIMIT) this.progress.delete(this.progress.keys().next().value);
      this.post({ tag: TAG, kind: "fail", id, message: said(outcome.failed, "failed").slice(0, 500) });
      return;
    }
    this.progress.delete(id);
    this.seen.add(id);
    // A handler that refused the event for good (`error.rejected`, a reason) is done with it:
    // acked, so nobody retries what cannot succeed, and the host's log says who refused and why.
    const [first] = outcome.refused;
    if (first === undefined) this.post({ tag: TAG, kind: "ack", id });
    else {
      const message = said(outcome.refused, "refused").slice(0, 500);
      this.post({ tag: TAG, kind: "ack", id, rejected: first.reason.slice(0, 64), message });
    }
  }
}

/** A client for this page, from its body's data attributes (app, release, host origin). */
function fromPage() {
  const body = document.body.dataset;
  let consumes = {};
  try {
    consumes = JSON.parse(body.consumes || "{}");
  } catch {
    consumes = {};
  }
  return new BusClient({
    app: body.app,
    release: Number(body.release),
    hostOrigin: body.hostOrigin,
    consumes,
  });
}

const client = fromPage();
client.start();

/** The page's bus client; also reachable as `window.mfe` for devtools. */
export const mfe = Object.freeze({
  app: client.app,
  release: client.release,
  ready: client.ready,
  emit: (event, version, data, options) => client.emit(event, version, data, options),
  emitAll: (event, byVersion, options) => client.emitAll(event, byVersion, options),
  on: (event, handler) => client.on(event, handler),
  request: (method, params, options) => client.request(method, params, options),
  history: () => client.history(),
});

Object.defineProperty(window, "mfe", { value: mfe, writable: false, configurable: false });
