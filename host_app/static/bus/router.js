// The host's bus logic, free of the DOM so it can be tested on its own: validation,
// permissions, routing in the best version each consumer takes, conversion, dedupe by id,
// acks with bounded retries, and an outbox that survives a page reload.

import { isValid, joinPath, validSize, validate } from "/mfe/static/validator.js";
import { convertAlong, findPath, indexConverters } from "/mfe/static/converters.js";
import { RecentIds } from "/mfe/static/recent.js";
import { jsonSize } from "./jsonsize.js";

export const DEFAULT_LIMITS = Object.freeze({
  maxBytes: 64 * 1024,
  ratePerSecond: 20000,
  burst: 20000,
  // Bytes of JSON per second (and at most in one go) an app's messages may make the host walk,
  // counted as the size check counts them: an upper bound (6 a character, 25 a number), about
  // 4.5 times the JSON of a usual emit. 20,000 emits of a kilobyte of bound fit in one go.
  byteRate: 64 * 1024 * 1024,
  ackTimeoutMs: 2000,
  maxAttempts: 6,
  outboxLimit: 1000,
  dedupeLimit: 20000,
  persistMs: 200,
});

const STORAGE_KEY = "mfe-outbox";

function compareVersions(a, b) {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i += 1) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}
const newestFirst = (versions) => [...versions].sort((a, b) => compareVersions(b, a));
const NO_ROUTE = { none: true };

const MAX_LOGGED_DETAILS = 20;
const clip = (value, max) => (typeof value === "string" ? value.slice(0, max) : null);

/** A JSON path ("$.data.items[0]") from keys and indexes (the log clips it). */
const trailPath = (trail) =>
  trail.reduce((path, step) => (typeof step === "number" ? `${path}[${step}]` : joinPath(path, step)), "$");

/**
 * What a message's walks cost its sender's byte bucket: the bytes they measured, at most the
 * allowance (a walk stops there), but every key they listed (4 bytes each at least), which
 * was work done however far past the allowance it went.
 */
const walkCost = (walk, allowance) => Math.max(Math.min(walk.bytes, allowance), 4 * walk.listed);

function refusal(reason, message, details = []) {
  return { ok: false, reason, message, details };
}

/** Token bucket: `burst` tokens, refilled at `rate` per second. */
class Bucket {
  constructor(rate, burst, now) {
    this.rate = rate;
    this.burst = burst;
    this.tokens = burst;
    this.at = now;
  }
  /** The tokens there are at `now`. */
  level(now) {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    return this.tokens;
  }
  take(now) {
    if (this.level(now) < 1) return false;
    this.tokens -= 1;
    return true;
  }
  /** Spend `count` tokens already measured out (`level` said they were there). */
  spend(count) {
    this.tokens -= count;
  }
}

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
    this.contracts = bundle.contracts;
    this.envelopeSchema = bundle.envelope;
    this.graph = indexConverters(bundle.converters);
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.naive = mode === "naive";
    this.now = now;
    this.schedule = schedule;
    this.cancel = cancel;
    this.storage = storage;
    this.onLog = onLog;
    this.apps = new Map(); // name -> {manifest, release, send|null, local}
    this.services = new Map();
    this.outbox = new Map(); // `${app} ${id}` -> record
    this.accepted = new Map(); // sender -> RecentIds
    this.buckets = new Map();
    this.byteBuckets = new Map();
    // What the walks of the emit being checked measured and listed (one object, reused).
    this.walk = { bytes: 0, listed: 0 };
    // Routes depend only on the event, the versions offered and the versions a consumer takes
    // (its manifest's array): cached per such array, then per event and offered version.
    this.routes = new WeakMap();
    this.audiences = new Map(); // sender -> event -> version -> audience(), until setApp
    this.wholeSchemas = new Map(); // event -> version -> envelope schema with that payload (whole)
    // One timer for every delivery's ack deadline (a timer per delivery cost more than the
    // routing): armed for the earliest deadline, it retries what is due and re-arms itself.
    this.deadlineTimer = null;
    this.deadlineAt = Infinity;
    this.saveHandle = null;
    this.at = null;
    this.restore();
  }

  // ---- membership ------------------------------------------------------------------

  /** Declare an app and its live release's manifest (null while unknown). */
  setApp(name, { manifest, release }) {
    const current = this.apps.get(name) || { send: null, local: null, manifest: null };
    this.apps.set(name, { ...current, manifest, release });
    this.audiences.clear();
    // Deliveries that waited for this manifest (never attempted) go now, to the frame that is
    // connected; for another release, they wait for its frame's handshake (connect).
    if (manifest && !current.manifest && current.send && release === current.release) {
      for (const record of this.outbox.values()) {
        if (record.app === name && record.attempts === 0) this.attempt(record);
      }
    }
  }

  /** The host itself as a consumer: `handlers` maps event → function(data, envelope). */
  setLocal(name, manifest, handlers) {
    this.apps.set(name, { manifest, release: manifest.release, send: null, local: handlers });
    this.audiences.clear();
  }

  /** A child finished its handshake: deliver what waited for it. */
  connect(name, send) {
    const app = this.apps.get(name);
    if (!app) throw new Error(`unknown app ${name}`);
    app.send = send;
    for (const record of this.outbox.values()) {
      if (record.app === name) {
        record.attempts = 0;
        this.attempt(record);
      }
    }
  }

  /** A child went away (reload, swap, outage): its deliveries wait in the outbox. */
  disconnect(name) {
    const app = this.apps.get(name);
    if (app) app.send = null;
    let waiting = false;
    for (const record of this.outbox.values()) {
      if (record.app === name) record.deadline = null;
      else if (record.deadline !== null) waiting = true;
    }
    if (!waiting) this.disarm();
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
    this.services.set(method, fn);
  }

  // ---- messages from a child's port ------------------------------------------------------

  /**
   * Handle one message from an authenticated child; `at` is when it arrived on this clock
   * (the port's MessageEvent.timeStamp: performance.now() costs about a microsecond a read in
   * a page, which coarsens and jitters it, and everything one message sets off happens then).
   */
  receive(name, msg, at = this.now()) {
    if (!msg || typeof msg !== "object") return;
    this.at = at;
    try {
      if (msg.kind === "emit") this.handleEmit(name, msg);
      else if (msg.kind === "ack") this.handleAck(name, msg);
      else if (msg.kind === "fail") this.handleFail(name, msg);
      else if (msg.kind === "request") this.handleRequest(name, msg);
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

  /** The log entry of an emit. */
  emitLog(name, msg, verdict) {
    // The log reaches the host's server and every inspector: a refused message must not get
    // there at full size, so what it echoes of the sender's message is clipped.
    const envelopes = Array.isArray(msg.envelopes) ? msg.envelopes : null;
    let versions = [];
    if (envelopes !== null) {
      versions = new Array(Math.min(envelopes.length, 8));
      for (let i = 0; i < versions.length; i += 1) versions[i] = clip(envelopes[i]?.version, 32);
    }
    return {
      type: "emit",
      at: Date.now(),
      app: name,
      release: this.apps.get(name)?.release ?? null,
      id: clip(msg.id, 64),
      event: envelopes !== null ? clip(envelopes[0]?.event, 64) : null,
      versions,
      verdict,
    };
  }

  handleEmit(name, msg) {
    const verdict = this.check(name, msg);
    if (!verdict.ok) {
      const details = verdict.details
        .slice(0, MAX_LOGGED_DETAILS)
        .map((d) => (typeof d?.path === "string" ? { ...d, path: clip(d.path, 200) } : d));
      const entry = this.emitLog(name, msg, verdict.reason);
      entry.message = clip(verdict.message, 500);
      entry.details = details;
      this.onLog(entry);
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
    this.onLog(this.emitLog(name, msg, verdict.duplicate ? "duplicate" : "accepted"));
    if (verdict.duplicate) return;
    for (const consumer of verdict.consumers) {
      this.enqueue(consumer, msg.id, msg.envelopes);
    }
  }

  /** Every check an emit must pass; returns {ok, consumers} or a refusal with a reason. */
  check(name, msg) {
    const sender = this.apps.get(name);
    if (!sender) return refusal("not-allowed", `${name} is not a live app`);
    if (!this.bucketOf(name).take(this.time())) {
      return refusal("rate-limited", `more than ${this.limits.ratePerSecond} messages per second`);
    }
    const envelopes = msg.envelopes;
    if (typeof msg.id !== "string" || !Array.isArray(envelopes) || envelopes.length < 1 || envelopes.length > 8) {
      return refusal("invalid", "an emit carries an id and 1 to 8 envelopes");
    }
    // Every walk of the message stops at the sender's byte allowance, and what it walked is paid
    // for whatever the verdict: one structured clone can share a payload among a thousand
    // emits, which cost nothing to post and much to walk.
    const bytes = this.bytesOf(name);
    const allowance = this.allowance(bytes);
    const walk = this.walk;
    walk.bytes = 0;
    walk.listed = 0;
    // The usual emit (valid, small) passes in one walk; any other takes the checks one by one,
    // which name the first that fails.
    let versions = this.quickShape(name, sender, msg, allowance, walk);
    if (versions === null) {
      // `shape` measures the message again, exactly, and that size is what it pays. The keys
      // the first walk listed are paid too; past the allowance, they are not listed again.
      walk.bytes = 0;
      const limit = 4 * walk.listed > allowance ? 0 : allowance;
      versions = this.shape(name, sender, msg, limit, allowance, walk);
    }
    bytes.spend(walkCost(walk, allowance));
    if (!Array.isArray(versions)) return versions;
    const seen = this.acceptedBy(name);
    if (seen.has(msg.id)) return { ok: true, duplicate: true, consumers: [] };
    const { consumers, queued, unreachable } = this.audience(name, envelopes[0].event, envelopes, versions);
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

  /**
   * The versions of an emit that passes every check of `shape`, or null to let `shape` decide.
   * Each envelope is validated against the envelope schema with its version's payload schema
   * as `data` (`whole`), which also bounds its JSON size: one walk instead of three.
   */
  quickShape(name, sender, msg, allowance, walk) {
    if (this.naive) return null;
    const envelopes = msg.envelopes;
    const event = envelopes[0]?.event;
    const versions = [];
    let size = 2;
    for (const envelope of envelopes) {
      const schema = this.whole(envelope?.event, envelope?.version);
      if (schema === null) return null;
      // The walk stops once the message could be over the limit: `shape` measures it then.
      const bound = validSize(schema, envelope, allowance - size, walk);
      if (bound < 0 || bound === Infinity) return null;
      size += bound + 1;
      if (
        envelope.id !== msg.id ||
        envelope.event !== event ||
        envelope.source !== name ||
        versions.includes(envelope.version)
      ) {
        return null;
      }
      if (!sender.manifest?.emits?.[event]?.includes(envelope.version)) return null;
      versions.push(envelope.version);
    }
    return size <= allowance ? versions : null;
  }

  /** The envelope schema with the payload schema of (event, version) as `data`, or null. */
  whole(event, version) {
    if (typeof event !== "string" || typeof version !== "string") return null;
    let byVersion = this.wholeSchemas.get(event);
    if (byVersion === undefined) {
      byVersion = new Map();
      // Own keys only: an event named "constructor" must not find Object's.
      const versions = Object.hasOwn(this.contracts, event) ? this.contracts[event] : {};
      for (const [known, contract] of Object.entries(versions)) {
        const properties = { ...this.envelopeSchema.properties, data: contract.schema };
        byVersion.set(known, { ...this.envelopeSchema, properties });
      }
      // Only known events are kept: a child cannot grow this map with made-up names.
      if (byVersion.size) this.wholeSchemas.set(event, byVersion);
    }
    return byVersion.get(version) ?? null;
  }

  /** `unknown-event` or `unknown-version` when an envelope's event (a string) or its version is
   * not in the catalog; null when both are known, or either is not a string. */
  unknownName(envelope) {
    const event = envelope?.event;
    const version = envelope?.version;
    if (typeof event !== "string") return null;
    // Own keys only: an event named "constructor" must not find Object's.
    if (!Object.hasOwn(this.contracts, event)) {
      return refusal("unknown-event", `unknown event ${JSON.stringify(event)}`);
    }
    const byVersion = this.contracts[event];
    if (typeof version !== "string" || Object.hasOwn(byVersion, version)) return null;
    return refusal(
      "unknown-version",
      `${event} has no version ${JSON.stringify(version)}; known: ${Object.keys(byVersion).join(", ")}`,
    );
  }

  /** Each check of an emit's form in turn: its versions, or a refusal naming the first failure. */
  shape(name, sender, msg, limit, allowance, walk) {
    const envelopes = msg.envelopes;
    // Measured up to `limit` (what is left of the allowance) and no further. Nothing else may
    // walk a message that is not plain JSON data: a few bytes of clone can be a cycle or a
    // shared object the validator would follow 2^33 ways, so it is refused here, with where
    // and what the culprit is.
    const problem = {};
    const size = jsonSize(envelopes, limit, problem, walk);
    if (size === Infinity) return this.overAllowance(allowance);
    if (Number.isNaN(size)) {
      const [, ...inEnvelope] = problem.trail;
      return refusal("invalid", "not JSON data", [{ path: trailPath(inEnvelope), message: problem.message }]);
    }
    const event = envelopes[0]?.event;
    const versions = [];
    for (const envelope of envelopes) {
      if (!isValid(this.envelopeSchema, envelope)) {
        // Any string is a name the catalog may lack: emit("foo", "1.0", ...) is unknown, not
        // invalid, although neither is in the catalog's form.
        // Only for the event the message is about: a second envelope naming another is simply
        // not part of one logical event, and the log row names the first one's event.
        const named = this.naive || envelope?.event !== event ? null : this.unknownName(envelope);
        return named ?? refusal("invalid", "not a valid envelope", validate(this.envelopeSchema, envelope));
      }
      if (envelope.id !== msg.id || envelope.event !== event || versions.includes(envelope.version)) {
        return refusal("invalid", "one logical event: the same id and event, distinct versions");
      }
      if (envelope.source !== name) {
        return refusal("invalid", `source must be ${JSON.stringify(name)}, the sending app`);
      }
      versions.push(envelope.version);
      if (!this.naive) {
        const unknown = this.unknownName(envelope);
        if (unknown) return unknown;
        const contract = this.contracts[event][envelope.version];
        if (!isValid(contract.schema, envelope.data)) {
          const dataErrors = validate(contract.schema, envelope.data).map((e) => ({
            ...e,
            path: e.path.replace(/^\$/, "$.data"),
          }));
          return refusal("invalid", `payload does not match ${event}@${envelope.version}`, dataErrors);
        }
        if (!sender.manifest?.emits?.[event]?.includes(envelope.version)) {
          return refusal("not-allowed", `${name}'s manifest does not declare emitting ${event}@${envelope.version}`);
        }
      }
    }
    return versions;
  }

  /** Who gets an event from `name`: consumers with a route, how many are remote, who has none. */
  audience(name, event, envelopes, versions) {
    // Only whether a route exists matters here; each delivery picks its version when it is
    // sent, for the consumer's release at that moment. The answer changes only when an app or
    // a manifest does (setApp), so a single-version emit's is cached until then.
    // Naive mode checks no event or version name, so a child could grow the cache at will.
    const cacheable = envelopes.length === 1 && !this.naive;
    let byEvent = null;
    if (cacheable) {
      byEvent = this.audiences.get(name);
      if (!byEvent) {
        byEvent = new Map();
        this.audiences.set(name, byEvent);
      }
      const cached = byEvent.get(event)?.get(versions[0]);
      if (cached) return cached;
    }
    const consumers = [];
    let unreachable = null;
    let queued = 0;
    for (const [consumer, app] of this.apps) {
      if (consumer === name) continue;
      // A live app whose manifest is unknown (it was down when this page loaded) may consume
      // the event: its delivery waits in the outbox for the manifest rather than be lost.
      if (!app.manifest && !app.local) {
        consumers.push(consumer);
        queued += 1;
        continue;
      }
      const wants = app.manifest?.consumes?.[event];
      if (!wants || wants.length === 0) continue;
      const route = this.route(event, envelopes, wants);
      if (route) {
        consumers.push(consumer);
        if (!app.local) queued += 1;
      } else {
        unreachable ??= [];
        // Frozen copies: the answer is cached, and its details travel in every refusal.
        unreachable.push(
          Object.freeze({ app: consumer, consumes: Object.freeze([...wants]), offered: Object.freeze([...versions]) }),
        );
      }
    }
    const answer = Object.freeze({
      consumers: Object.freeze(consumers),
      queued,
      unreachable: unreachable && Object.freeze(unreachable),
    });
    if (cacheable) {
      if (!byEvent.has(event)) byEvent.set(event, new Map());
      byEvent.get(event).set(versions[0], answer);
    }
    return answer;
  }

  /** The best version for a consumer: the highest it takes, natively or converted. */
  route(event, envelopes, wants) {
    if (this.naive || envelopes.length !== 1) return this.findRoute(event, envelopes, wants);
    // One version offered (the usual emit): the answer is cached.
    let byEvent = this.routes.get(wants);
    if (!byEvent) {
      byEvent = new Map();
      this.routes.set(wants, byEvent);
    }
    let byVersion = byEvent.get(event);
    if (!byVersion) {
      byVersion = new Map();
      byEvent.set(event, byVersion);
    }
    const version = envelopes[0].version;
    let route = byVersion.get(version);
    if (route === undefined) {
      route = this.findRoute(event, envelopes, wants) ?? NO_ROUTE;
      byVersion.set(version, route);
    }
    return route === NO_ROUTE ? null : route;
  }

  findRoute(event, envelopes, wants) {
    const offered = new Map(envelopes.map((e) => [e.version, e]));
    if (this.naive) {
      // The wrong way, for the workshop: hand over whatever was sent, unchecked.
      return { source: envelopes[0].version, target: envelopes[0].version, chain: [] };
    }
    for (const target of newestFirst(wants)) {
      if (offered.has(target)) return { source: target, target, chain: [] };
      for (const source of newestFirst(offered.keys())) {
        const chain = findPath(this.graph, event, source, target);
        if (chain) return { source, target, chain };
      }
    }
    return null;
  }

  /** The byte bucket of app `name`: JSON bytes of its messages the host may still walk. */
  bytesOf(name) {
    return this.bucketIn(this.byteBuckets, name, this.limits.byteRate, this.limits.byteRate);
  }

  /** How many JSON bytes of the next message may be walked: the size cap or what is left. */
  allowance(bytes) {
    const left = Math.min(this.limits.maxBytes, Math.floor(bytes.level(this.time())));
    // A broken limit (NaN) lets nothing through rather than everything.
    return left > 0 ? left : 0;
  }

  /** The refusal of a message measured past its allowance. */
  overAllowance(allowance) {
    if (allowance < this.limits.maxBytes) {
      return refusal("rate-limited", `more than ${this.limits.byteRate} bytes of messages per second`);
    }
    return refusal("too-large", `more than the ${this.limits.maxBytes}-byte limit as JSON`);
  }

  /** The message bucket of app `name`. */
  bucketOf(name) {
    return this.bucketIn(this.buckets, name, this.limits.ratePerSecond, this.limits.burst);
  }

  bucketIn(buckets, name, rate, burst) {
    let bucket = buckets.get(name);
    if (!bucket) {
      bucket = new Bucket(rate, burst, this.time());
      buckets.set(name, bucket);
    }
    return bucket;
  }

  acceptedBy(name) {
    let seen = this.accepted.get(name);
    if (!seen) {
      seen = new RecentIds(this.limits.dedupeLimit);
      this.accepted.set(name, seen);
    }
    return seen;
  }

  // ---- delivery ----------------------------------------------------------------------

  // `key` names a delivery in the outbox; one to the host itself never waits there (null).
  newRecord(consumer, offered, local = false) {
    return {
      key: local ? null : `${consumer} ${offered[0].id}`,
      app: consumer,
      offered,
      envelope: offered[0],
      from: null,
      attempts: 0,
      deadline: null,
      why: null,
      sentAt: 0,
      sent: null,
    };
  }

  /** Pick and convert the version for the consumer's *current* release (it may have changed). */
  prepare(record) {
    const app = this.apps.get(record.app);
    const event = record.offered[0].event;
    const wants = app?.manifest?.consumes?.[event];
    const route = wants?.length ? this.route(event, record.offered, wants) : null;
    if (!route) {
      this.logDelivery("dropped", record, "reason", wants ? "no-conversion" : "not-consumed");
      return false;
    }
    const original =
      record.offered.length === 1 ? record.offered[0] : record.offered.find((e) => e.version === route.source);
    record.envelope = route.chain.length
      ? { ...original, version: route.target, data: convertAlong(route.chain, original.data) }
      : original;
    record.from = route.source;
    return true;
  }

  enqueue(consumer, _id, envelopes) {
    const app = this.apps.get(consumer);
    const record = this.newRecord(consumer, envelopes, Boolean(app.local));
    if (app.local) {
      if (this.prepare(record)) this.deliverLocally(app, record);
      return;
    }
    if (this.outbox.has(record.key)) return;
    this.outbox.set(record.key, record);
    this.persist();
    this.attempt(record);
  }

  deliverLocally(app, record) {
    const handler = app.local[record.envelope.event];
    // Milliseconds will do for a handler in this page, and Date.now() costs next to nothing.
    const started = Date.now();
    try {
      handler?.(record.envelope.data, record.envelope);
      this.logDelivery("ack", record, "latencyMs", Date.now() - started);
    } catch (error) {
      this.logDelivery("fail", record, "message", String(error?.message || error));
    }
  }

  deliveryLog(type, record) {
    return {
      type,
      at: Date.now(),
      app: record.app,
      release: this.apps.get(record.app)?.release ?? null,
      id: record.envelope.id,
      event: record.envelope.event,
      from: record.from,
      to: record.envelope.version,
      attempt: record.attempts,
    };
  }

  /** Log a delivery outcome: its entry plus one field (no merge of a second object). */
  logDelivery(type, record, field, value) {
    const entry = this.deliveryLog(type, record);
    entry[field] = value;
    this.onLog(entry);
  }

  attempt(record) {
    const app = this.apps.get(record.app);
    // Waits for the consumer's handshake, or for its manifest (setApp).
    if (!app?.send || !app.manifest) return;
    record.deadline = null;
    if (!this.prepare(record)) {
      this.outbox.delete(record.key);
      this.persist();
      return;
    }
    record.attempts += 1;
    record.sentAt = this.time();
    record.sent = this.deliveryLog("deliver", record);
    this.onLog(record.sent);
    app.send({ tag: "mfe-bus", kind: "deliver", envelope: record.envelope });
    this.expect(record, this.limits.ackTimeoutMs * 2 ** (record.attempts - 1), "no ack");
  }

  // ---- ack deadlines: one timer for all deliveries -------------------------------------------

  /** Retry `record` (for `why`) unless it is acked within `wait` ms. */
  expect(record, wait, why) {
    record.deadline = this.time() + wait;
    record.why = why;
    if (record.deadline < this.deadlineAt) this.arm(record.deadline, wait);
  }

  arm(at, wait) {
    if (this.deadlineTimer !== null) this.cancel(this.deadlineTimer);
    this.deadlineAt = at;
    this.deadlineTimer = this.schedule(() => this.sweep(), wait);
  }

  disarm() {
    if (this.deadlineTimer !== null) this.cancel(this.deadlineTimer);
    this.deadlineTimer = null;
    this.deadlineAt = Infinity;
  }

  /** The timer fired: retry every delivery whose deadline passed; re-arm for the next one. */
  sweep() {
    this.deadlineTimer = null;
    this.deadlineAt = Infinity;
    const now = this.now();
    const due = [];
    for (const record of this.outbox.values()) {
      if (record.deadline !== null && record.deadline <= now) due.push(record);
    }
    for (const record of due) {
      // A retry of an earlier one in this sweep may have handled it already.
      if (record.deadline === null || record.deadline > now) continue;
      record.deadline = null;
      this.retry(record, record.why);
    }
    let next = Infinity;
    for (const record of this.outbox.values()) {
      if (record.deadline !== null && record.deadline < next) next = record.deadline;
    }
    if (next < this.deadlineAt) this.arm(next, next - now);
  }

  retry(record, why) {
    if (!this.outbox.has(record.key)) return;
    if (record.attempts >= this.limits.maxAttempts) {
      // Parked, not lost: the consumer's next handshake delivers it again.
      this.logDelivery("parked", record, "reason", why);
      return;
    }
    this.attempt(record);
  }

  /** The delivery to `name` that an ack or fail names, or undefined. */
  deliveryOf(name, msg) {
    // Only a string names a delivery: anything else could be a tiny clone of an array shared
    // 2^25 ways, which turning into a string would spend seconds on.
    return typeof msg.id === "string" ? this.outbox.get(`${name} ${msg.id}`) : undefined;
  }

  handleAck(name, msg) {
    const record = this.deliveryOf(name, msg);
    if (!record) return;
    // Its deadline goes with it; the timer, if it fires, finds nothing due.
    record.deadline = null;
    this.outbox.delete(record.key);
    this.persist();
    const entry = this.deliveryLog("ack", record);
    entry.latencyMs = this.time() - record.sentAt;
    entry.duplicate = Boolean(msg.duplicate);
    // The consumer handled it and refused it for good (its reason, clipped like any log text).
    if (typeof msg.rejected === "string") {
      entry.rejected = msg.rejected.slice(0, 64);
      entry.message = typeof msg.message === "string" ? msg.message.slice(0, 500) : "";
    }
    this.onLog(entry, record.sent);
  }

  handleFail(name, msg) {
    const record = this.deliveryOf(name, msg);
    if (!record) return;
    record.deadline = null;
    this.logDelivery("fail", record, "message", typeof msg.message === "string" ? msg.message.slice(0, 500) : "");
    this.expect(record, Math.min(this.limits.ackTimeoutMs * 2 ** (record.attempts - 1), 8000), "handler failed");
  }

  /** Deliveries waiting for `name` (or all), oldest first. */
  pending(name = null) {
    return [...this.outbox.values()].filter((r) => name === null || r.app === name);
  }

  // ---- services ----------------------------------------------------------------------

  async handleRequest(name, msg) {
    const rid = msg.rid;
    // No string to answer to: nobody is waiting for this answer.
    if (typeof rid !== "string") return;
    const fn = typeof msg.method === "string" ? this.services.get(msg.method) : undefined;
    const answer = (body) => this.reply(name, { tag: "mfe-bus", kind: "response", rid, ...body });
    // Requests share the sender's rate limit and size cap with its emits.
    if (!this.bucketOf(name).take(this.time())) {
      answer({ ok: false, error: { reason: "rate-limited", message: "too many messages" } });
      return;
    }
    const bytes = this.bytesOf(name);
    const allowance = this.allowance(bytes);
    const walk = { bytes: 0, listed: 0 };
    const size = jsonSize(msg.params ?? null, allowance, null, walk);
    bytes.spend(walkCost(walk, allowance));
    if (Number.isNaN(size)) {
      answer({ ok: false, error: { reason: "invalid", message: "not JSON data" } });
      return;
    }
    if (size === Infinity) {
      const { reason, message } = this.overAllowance(allowance);
      answer({ ok: false, error: { reason, message } });
      return;
    }
    if (!fn) {
      const method = typeof msg.method === "string" ? JSON.stringify(msg.method.slice(0, 64)) : "(not a string)";
      answer({ ok: false, error: { reason: "unknown-method", message: `no service ${method}` } });
      return;
    }
    try {
      answer({ ok: true, result: (await fn(msg.params, { app: name })) ?? null });
    } catch (error) {
      answer({ ok: false, error: { reason: error.reason || "failed", message: String(error.message || error) } });
    }
  }

  /** Validate `data` against a contract (for services that take a contract's payload). */
  validateData(event, version, data) {
    const contract = this.contracts[event]?.[version];
    return contract ? validate(contract.schema, data) : [{ path: "$", message: "unknown contract" }];
  }

  // ---- the outbox survives a reload of the host page ------------------------------------------

  persist() {
    if (!this.storage || this.saveHandle !== null) return;
    // At most one write per `persistMs`: a synchronous setItem per event cost more than the
    // rest of the bus. The page flushes on `pagehide`, so a reload loses nothing.
    this.saveHandle = this.schedule(() => this.flush(), this.limits.persistMs);
  }

  /** Write the outbox to storage now. */
  flush() {
    if (this.saveHandle !== null) this.cancel(this.saveHandle);
    this.saveHandle = null;
    if (!this.storage) return;
    const entries = [...this.outbox.values()].map((r) => ({ app: r.app, offered: r.offered }));
    try {
      this.storage.setItem(STORAGE_KEY, JSON.stringify(entries));
    } catch (error) {
      this.onLog({ type: "storage-error", at: Date.now(), message: String(error.message || error) });
    }
  }

  restore() {
    if (!this.storage) return;
    let entries = [];
    try {
      entries = JSON.parse(this.storage.getItem(STORAGE_KEY) || "[]");
    } catch {
      entries = [];
    }
    for (const entry of Array.isArray(entries) ? entries : []) {
      if (typeof entry?.app !== "string" || !Array.isArray(entry.offered) || !entry.offered[0]?.id) continue;
      const record = this.newRecord(entry.app, entry.offered);
      this.outbox.set(record.key, record);
    }
  }
}
