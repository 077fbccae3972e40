// The ack deadlines of the deliveries in the outbox, with one timer for all of them (a timer per
// delivery cost more than the routing): armed for the earliest deadline, it hands every
// delivery that is due to `onDue` and re-arms itself for the next. A delivery's deadline is a
// field of its record (null: none), so acking or dropping it needs no call here.

export class Deadlines {
  /** `records`: the outbox's map; `time()`: now, or when the message being handled arrived. */
  constructor({ records, now, time, schedule, cancel, onDue }) {
    this.records = records;
    this.now = now;
    this.time = time;
    this.schedule = schedule;
    this.cancel = cancel;
    this.onDue = onDue;
    this.timer = null;
    this.at = Infinity;
  }

  /** Hand `record` to `onDue` (for `why`) unless its deadline is cleared within `wait` ms. */
  expect(record, wait, why) {
    record.deadline = this.time() + wait;
    record.why = why;
    if (record.deadline < this.at) this.arm(record.deadline, wait);
  }

  /** Clear the deadlines of app `name`'s deliveries (it went away); stop the timer if none is left. */
  clearFor(name) {
    let waiting = false;
    for (const record of this.records.values()) {
      if (record.app === name) record.deadline = null;
      else if (record.deadline !== null) waiting = true;
    }
    if (!waiting) this.disarm();
  }

  arm(at, wait) {
    if (this.timer !== null) this.cancel(this.timer);
    this.at = at;
    this.timer = this.schedule(() => this.sweep(), wait);
  }

  disarm() {
    if (this.timer !== null) this.cancel(this.timer);
    this.timer = null;
    this.at = Infinity;
  }

  /** The timer fired: hand over every delivery whose deadline passed; re-arm for the next one. */
  sweep() {
    this.timer = null;
    this.at = Infinity;
    const now = this.now();
    const due = [];
    for (const record of this.records.values()) {
      if (record.deadline !== null && record.deadline <= now) due.push(record);
    }
    for (const record of due) {
      // Handling an earlier one in this sweep may have handled it already.
      if (record.deadline === null || record.deadline > now) continue;
      record.deadline = null;
      this.onDue(record, record.why);
    }
    let next = Infinity;
    for (const record of this.records.values()) {
      if (record.deadline !== null && record.deadline < next) next = record.deadline;
    }
    if (next < this.at) this.arm(next, next - now);
  }
}
