// The answers a child awaits from the host: verdicts by emit id, responses by request id.

import { BusError } from "./protocol.js";

const SWEEP_MS = 100;

export class Answers {
  constructor() {
    this.verdicts = new Map();
    this.responses = new Map();
    this.sweeper = null;
  }

  /** A promise for the answer to `key` in `pending`; rejected with `timeout` after `timeoutMs`. */
  wait(pending, key, timeoutMs, kind, name) {
    return new Promise((resolve, reject) => {
      // One sweeping timer for all waiting answers: a timer per emit cost more than the emit.
      // performance.now(), not Date.now(): a wall-clock step must not fire timeouts early.
      const deadline = performance.now() + timeoutMs;
      pending.set(key, { resolve, reject, deadline, kind, name, timeoutMs });
      this.sweepSoon();
    });
  }

  /** The entry awaiting `key` in `pending`, removed (undefined if none): the caller settles it. */
  take(pending, key) {
    const entry = pending.get(key);
    if (entry) pending.delete(key);
    return entry;
  }

  /** Reject every answer still awaited with `error`. */
  rejectAll(error) {
    for (const pending of [this.verdicts, this.responses]) {
      for (const entry of pending.values()) entry.reject(error);
      pending.clear();
    }
  }

  sweepSoon() {
    if (this.sweeper) return;
    this.sweeper = setTimeout(() => {
      this.sweeper = null;
      const now = performance.now();
      for (const pending of [this.verdicts, this.responses]) {
        for (const [key, entry] of pending) {
          if (entry.deadline > now) continue;
          pending.delete(key);
          const what = `${entry.kind} ${entry.name}`;
          entry.reject(new BusError("timeout", `${what}: no answer from the host within ${entry.timeoutMs} ms`));
        }
      }
      if (this.verdicts.size || this.responses.size) this.sweepSoon();
    }, SWEEP_MS);
  }
}
