// The host's bus logic, free of the DOM so it can be tested on its own. The Router only
// coordinates: it knows the apps and hands each message to the module whose job it is.
//
//   limits.js       token buckets per app: messages, and bytes of JSON walked, per second
//   envelopes.js    the one place that checks an emit's envelopes (validator.js: the schemas)
//   routing.js      who gets an event, in which version, converted how
//   outbox.js       deliveries until acked: retries, parking (deadlines.js: their one timer)
//   persistence.js  the outbox in sessionStorage, so a reload of the host page loses nothing
//   services.js     host services a child calls with request/response
//   logentries.js   the event log's entries
//
// An emit from a frame: rate limit, envelope checks within the byte allowance, dedupe by id,
// its audience (a route for every consumer), then a verdict to the sender and a delivery to
// each consumer through the outbox.

import { RecentIds } from "/mfe/static/recent.js";
import { EnvelopeChecks, refusal } from "./envelopes.js";
import { AppBuckets, DEFAULT_LIMITS } from "./limits.js";
import { emitEntry, refusedEntry } from "./logentries.js";
import { Outbox } from "./outbox.js";
import { OutboxStore } from "./persistence.js";
import { Routing } from "./routing.js";
import { Services } from "./services.js";

export class Router {
  constructor({
    bundle,
    limits = {},
    mode = "strict",
    now = () => performance.now(),
    schedule = (fn, ms) => setTimeout(fn, ms),
    cancel = (handle) => clearTimeout(handle),
    storage = null,
    // onLog(entry, supersedes): `supersedes`, when given, is an earlier entry this one makes
    // redundant (the `deliver` entry of the attempt an ack settles).
    onLog = () => {},
  }) {
    const naive = mode === "naive";
    // Everything one message sets off happens at the time it arrived (see `receive`).
    const time = () => this.time();
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.now = now;
    this.onLog = onLog;
    this.at = null;
    this.apps = new Map(); // name -> {manifest, release, send|null, local}
    this.accepted = new Map(); // sender -> RecentIds
    this.buckets = new AppBuckets(this.limits, time);
    this.checks = new EnvelopeChecks({ bundle, naive, buckets: this.buckets });
    this.routing = new Routing({ converters: bundle.converters, apps: this.apps, naive });
    this.services = new Services(this.buckets);
    const { apps, routing } = this;
    const onChange = () => this.store.persist();
    this.outbox = new Outbox({ apps, routing, limits: this.limits, now, time, schedule, cancel, onLog, onChange });
    const records = () => this.outbox.records.values();
    this.store = new OutboxStore({ storage, delayMs: this.limits.persistMs, schedule, cancel, onLog, records });
    for (const { app, offered, queuedAt } of this.store.restore()) this.outbox.restore(app, offered, queuedAt);
  }

  // ---- membership ------------------------------------------------------------------

  /** Declare an app and its live release's manifest (null while unknown). */
  setApp(name, { manifest, release }) {
    const current = this.apps.get(name) || { send: null, local: null, manifest: null };
    this.apps.set(name, { ...current, manifest, release });
    this.routing.forget();
    // Deliveries that waited for this manifest go now, to the frame that is connected; for
    // another release, they wait for its frame's handshake (connect).
    if (manifest && !current.manifest && current.send && release === current.release) {
      this.outbox.manifestKnown(name);
    }
  }

  /** The host itself as a consumer: `handlers` maps event → function(data, envelope). */
  setLocal(name, manifest, handlers) {
    this.apps.set(name, { manifest, release: manifest.release, send: null, local: handlers });
    this.routing.forget();
  }

  /** A child finished its handshake: deliver what waited for it. */
  connect(name, send) {
    const app = this.apps.get(name);
    if (!app) throw new Error(`unknown app ${name}`);
    app.send = send;
    this.outbox.connected(name);
  }

  /** A child went away (reload, swap, outage): its deliveries wait in the outbox. */
  disconnect(name) {
    const app = this.apps.get(name);
    if (app) app.send = null;
    this.outbox.disconnected(name);
  }

  isConnected(name) {
    return Boolean(this.apps.get(name)?.send);
  }

  /** Whether the manifest of app `name` is known. */
  knows(name) {
    return Boolean(this.apps.get(name)?.manifest);
  }

  /** Register a host service reachable with `window.mfe.request(method, params)`. */
  service(method, fn) {
    this.services.register(method, fn);
  }

  /** Deliveries waiting for `name` (or all), oldest first. */
  pending(name = null) {
    return this.outbox.pending(name);
  }

  /** Save the outbox now (the page is going away). */
  flush() {
    this.store.flush();
  }

  /** Validate `data` against a contract (for services that take a contract's payload). */
  validateData(event, version, data) {
    return this.checks.validateData(event, version, data);
  }

  // ---- messages from a child's port ------------------------------------------------------

  /**
   * Handle one message from an authenticated child; `at` is when it arrived on this clock
   * (the port's MessageEvent.timeStamp: each read of performance.now() costs time and jitters,
   * and everything one message sets off happens at that moment).
   */
  receive(name, msg, at = this.now()) {
    if (!msg || typeof msg !== "object") return;
    this.at = at;
    try {
      if (msg.kind === "emit") this.handleEmit(name, msg);
      else if (msg.kind === "ack") this.outbox.ack(name, msg);
      else if (msg.kind === "fail") this.outbox.fail(name, msg);
      else if (msg.kind === "request") this.services.handle(name, msg, (answer) => this.reply(name, answer));
    } finally {
      this.at = null;
    }
  }

  /** The time of the message being handled, or now. */
  time() {
    return this.at ?? this.now();
  }

  reply(name, message) {
    this.apps.get(name)?.send?.(message);
  }

  handleEmit(name, msg) {
    const verdict = this.check(name, msg);
    const release = this.apps.get(name)?.release ?? null;
    if (!verdict.ok) {
      this.onLog(refusedEntry(name, release, msg, verdict));
      this.reply(name, {
        tag: "mfe-bus",
        kind: "verdict",
        id: typeof msg.id === "string" ? msg.id : null,
        status: "refused",
        reason: verdict.reason,
        message: verdict.message,
        details: verdict.details,
      });
      return;
    }
    this.reply(name, { tag: "mfe-bus", kind: "verdict", id: msg.id, status: "accepted" });
    this.onLog(emitEntry(name, release, msg, verdict.duplicate ? "duplicate" : "accepted"));
    if (verdict.duplicate) return;
    for (const consumer of verdict.consumers) this.outbox.enqueue(consumer, msg.envelopes);
  }

  /** Every check an emit must pass, in order; returns {ok, consumers} or a refusal with a reason. */
  check(name, msg) {
    const sender = this.apps.get(name);
    if (!sender) return refusal("not-allowed", `${name} is not a live app`);
    if (!this.buckets.takeMessage(name)) {
      return refusal("rate-limited", `more than ${this.limits.ratePerSecond} messages per second`);
    }
    const malformed = this.checks.malformed(msg);
    if (malformed !== null) return malformed;
    const versions = this.buckets.paidWalk(name, (allowance, walk) =>
      this.checks.check(name, sender.manifest, msg, allowance, walk),
    );
    if (!Array.isArray(versions)) return versions;
    const seen = this.acceptedBy(name);
    if (seen.has(msg.id)) return { ok: true, duplicate: true, consumers: [] };
    const event = msg.envelopes[0].event;
    const { consumers, queued, unreachable } = this.routing.audience(name, event, msg.envelopes, versions);
    if (unreachable !== null) {
      return refusal("no-conversion", `no converter leads to a version every consumer takes`, unreachable);
    }
    // Accepted means it will be delivered: refuse now rather than drop it later.
    if (queued && this.outbox.size + queued > this.limits.outboxLimit) {
      return refusal("rate-limited", `the outbox holds ${this.outbox.size} undelivered events; try later`);
    }
    seen.add(msg.id);
    return { ok: true, duplicate: false, consumers };
  }

  /** The ids of emits accepted from `name` (recent ones): an id seen again is a duplicate. */
  acceptedBy(name) {
    let seen = this.accepted.get(name);
    if (!seen) {
      seen = new RecentIds(this.limits.dedupeLimit);
      this.accepted.set(name, seen);
    }
    return seen;
  }
}
