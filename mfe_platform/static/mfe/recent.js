// A bounded memory of ids (dedupe on the host and in each consumer).
//
// Two generations instead of one Set trimmed from the front: deleting a Set's oldest member
// leaves a hole that `values().next()` walks past on every later trim, until the table is
// rebuilt, so on a full Set each add cost more than the rest of an emit (docs/performance.md).

/** Remembers at least the last `limit` ids added (and at most twice that many). */
export class RecentIds {
  constructor(limit) {
    this.limit = limit;
    this.current = new Set();
    this.previous = new Set();
  }

  has(id) {
    return this.current.has(id) || this.previous.has(id);
  }

  add(id) {
    this.current.add(id);
    if (this.current.size >= this.limit) {
      this.previous = this.current;
      this.current = new Set();
    }
  }

  get size() {
    return this.current.size + this.previous.size;
  }
}
