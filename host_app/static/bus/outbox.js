// The deliveries on their way to a consumer, kept until it acks: at least once, with an
// exactly-once effect on the consumer's side (it dedupes by id). A delivery waits here while
// its consumer is away (no handshake yet, or its manifest unknown) and goes when it connects;
// unacked, it is sent again after a growing wait, and after `maxAttempts` it is parked until
// the consumer's next handshake. A consumer can stay connected through an outage of its own
// server, so meanwhile one parked delivery per consumer, the *probe*, is tried every
// `parkedRetryMs`: once the probe is acked, the consumer works again and the others go too
// (one message per interval, however many events wait). One to the host itself is handled
// right after the verdict has left, and never waits here.

import { Deadlines } from "./deadlines.js";
import { childText, deliveryEntry } from "./logentries.js";

// Host handlers run in a promise reaction of their own, after this task's port batches.
const AFTER_VERDICTS = Promise.resolve();
// The reason the probe's deadline gives: its next try is due.
const PROBE = "probe";
// A handler that failed is tried again after at most this long.
const FAILED_HANDLER_MAX_WAIT_MS = 8000;

/** A delivery of one logical event (`offered`: its envelopes) to app `consumer`. */
export function newRecord(consumer, offered, local = false, queuedAt = Date.now()) {
  return {
    // Names the delivery in the outbox; one to the host itself never waits there (null).
    key: local ? null : `${consumer} ${offered[0].id}`,
    app: consumer,
    offered,
    envelope: offered[0],
    from: null,
    attempts: 0,
    parked: false,
    deadline: null,
    why: null,
    sentAt: 0,
    sent: null,
    // Wall-clock time the delivery was queued, kept across reloads: it bounds how long it waits.
    queuedAt,
  };
}

export class Outbox {
  /**
   * `apps`: the router's map of apps; `routing` picks each delivery's version; `time()` is
   * when the message being handled arrived; `onChange()` runs when the deliveries change.
   */
  constructor({ apps, routing, limits, now, time, schedule, cancel, onLog, onChange }) {
    this.apps = apps;
    this.routing = routing;
    this.limits = limits;
    this.time = time;
    this.onLog = onLog;
    this.onChange = onChange;
    this.records = new Map(); // `${app} ${id}` -> record
    this.deadlines = new Deadlines({
      records: this.records,
      now,
      time,
      schedule,
      cancel,
      onDue: (record, why) => this.retry(record, why),
    });
  }

  get size() {
    return this.records.size;
  }

  /** Take back a delivery saved before a reload of the host page; it goes at the handshake. */
  restore(consumer, offered, queuedAt) {
    const record = newRecord(consumer, offered, false, Number.isFinite(queuedAt) ? queuedAt : Date.now());
    this.records.set(record.key, record);
  }

  /** Deliver an accepted event to `consumer`: to the host at once, to a frame via the outbox. */
  enqueue(consumer, envelopes) {
    const app = this.apps.get(consumer);
    const record = newRecord(consumer, envelopes, Boolean(app.local));
    if (app.local) {
      // After the emitter's verdict has left: the router sends it before it enqueues, and the
      // port's batch of this task is posted by a promise reaction queued before this one. The
      // verdict never waits for what a host handler does (a toast, a badge).
      if (this.prepare(record)) AFTER_VERDICTS.then(() => this.deliverLocally(app, record));
      return;
    }
    if (this.records.has(record.key)) return;
    this.records.set(record.key, record);
    this.onChange();
    this.attempt(record);
  }

  /** App `name` finished a handshake: everything for it goes now, from a first attempt. */
  connected(name) {
    this.startOver(this.pending(name));
  }

  /** Send these deliveries now, each from a first attempt and no longer parked. */
  startOver(records) {
    for (const record of records) {
      record.attempts = 0;
      record.parked = false;
      this.attempt(record);
    }
  }

  /** The manifest of connected app `name` arrived: what waited for it (never attempted) goes. */
  manifestKnown(name) {
    for (const record of this.records.values()) {
      if (record.app === name && record.attempts === 0) this.attempt(record);
    }
  }

  /** App `name` went away (reload, swap, outage): its deliveries wait, with no deadline. */
  disconnected(name) {
    this.deadlines.clearFor(name);
  }

  /** Deliveries waiting for `name` (or all), oldest first. */
  pending(name = null) {
    return [...this.records.values()].filter((r) => name === null || r.app === name);
  }

  /** Pick and convert the version for the consumer's current release; false (logged) when none. */
  prepare(record) {
    const why = this.routing.convertFor(record);
    if (why !== null) this.log("dropped", record, "reason", why);
    return why === null;
  }

  deliverLocally(app, record) {
    const handler = app.local[record.envelope.event];
    // Milliseconds will do for a handler in this page, and Date.now() costs next to nothing.
    const started = Date.now();
    try {
      handler?.(record.envelope.data, record.envelope);
      this.log("ack", record, "latencyMs", Date.now() - started);
    } catch (error) {
      this.log("fail", record, "message", String(error?.message || error));
    }
  }

  attempt(record) {
    const app = this.apps.get(record.app);
    // Waits for the consumer's handshake, or for its manifest.
    if (!app?.send || !app.manifest) return;
    record.deadline = null;
    // Past its age the consumer may have forgotten the event's id: dropped, never applied twice.
    if (Date.now() - record.queuedAt > this.limits.maxAgeMs) {
      this.log("dropped", record, "reason", "expired");
      this.forget(record);
      return;
    }
    if (!this.prepare(record)) {
      this.forget(record);
      return;
    }
    record.attempts += 1;
    record.sentAt = this.time();
    record.sent = this.entry("deliver", record);
    this.onLog(record.sent);
    app.send({ tag: "mfe-bus", kind: "deliver", envelope: record.envelope });
    if (record.parked) this.deadlines.expect(record, this.limits.parkedRetryMs, PROBE);
    else this.deadlines.expect(record, this.backoff(record), "no ack");
  }

  /** How long to wait for an ack, doubling with each attempt, never longer than a probe's wait. */
  backoff(record) {
    return Math.min(this.limits.ackTimeoutMs * 2 ** (record.attempts - 1), this.limits.parkedRetryMs);
  }

  retry(record, why) {
    if (!this.records.has(record.key)) return;
    if (why === PROBE || record.attempts < this.limits.maxAttempts) this.attempt(record);
    else this.park(record, why);
  }

  /** Park a delivery (logged once): it waits for the handshake, or is the consumer's probe. */
  park(record, why) {
    if (!record.parked) this.log("parked", record, "reason", why);
    record.parked = true;
    this.keepProbe(record.app);
  }

  /** Unless app `name` has a probe (a parked delivery with a try due), its oldest parked one is. */
  keepProbe(name) {
    const parked = this.pending(name).filter((record) => record.parked);
    if (parked.length && parked.every((record) => record.deadline === null)) {
      this.deadlines.expect(parked[0], this.limits.parkedRetryMs, PROBE);
    }
  }

  /** The probe was acked: app `name` works again, and its other parked deliveries go now. */
  unpark(name) {
    this.startOver(this.pending(name).filter((record) => record.parked));
  }

  /** Take a delivery out of the outbox unacked (expired, or no version its consumer takes). */
  forget(record) {
    this.records.delete(record.key);
    this.onChange();
    // A probe that goes hands its role to another parked delivery of that consumer.
    if (record.parked) this.keepProbe(record.app);
  }

  /** The delivery to `name` that an ack or fail names, or undefined. */
  deliveryOf(name, msg) {
    // Only a string names a delivery: anything else could be a tiny clone of an array shared
    // 2^25 ways, which turning into a string would spend seconds on.
    return typeof msg.id === "string" ? this.records.get(`${name} ${msg.id}`) : undefined;
  }

  /** App `name` acked a delivery: it is done (its handler finished, or refused it for good). */
  ack(name, msg) {
    const record = this.deliveryOf(name, msg);
    if (!record) return;
    // Its deadline goes with it; the timer, if it fires, finds nothing due.
    record.deadline = null;
    this.records.delete(record.key);
    this.onChange();
    const entry = this.entry("ack", record);
    entry.latencyMs = this.time() - record.sentAt;
    entry.duplicate = Boolean(msg.duplicate);
    // The consumer handled it and refused it for good (its reason, clipped like any log text).
    if (typeof msg.rejected === "string") {
      entry.rejected = msg.rejected.slice(0, 64);
      entry.message = childText(msg.message);
    }
    // This entry makes the delivery's `deliver` entry redundant.
    this.onLog(entry, record.sent);
    if (record.parked) this.unpark(name);
  }

  /** App `name`'s handler failed on a delivery: it is sent again after a wait. */
  fail(name, msg) {
    const record = this.deliveryOf(name, msg);
    if (!record) return;
    record.deadline = null;
    this.log("fail", record, "message", childText(msg.message));
    if (record.parked) {
      this.park(record, "handler failed");
      return;
    }
    this.deadlines.expect(record, Math.min(this.backoff(record), FAILED_HANDLER_MAX_WAIT_MS), "handler failed");
  }

  entry(type, record) {
    return deliveryEntry(type, record, this.apps.get(record.app)?.release ?? null);
  }

  /** Log a delivery outcome: its entry plus one field (no merge of a second object). */
  log(type, record, field, value) {
    const entry = this.entry(type, record);
    entry[field] = value;
    this.onLog(entry);
  }
}
