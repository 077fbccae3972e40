// The outbox survives a reload of the host page: its deliveries are saved to `storage`
// (the page's sessionStorage) and read back when the next page's router starts. At most one
// write per `delayMs`: a synchronous setItem per event cost more than the rest of the bus. The
// page flushes on `pagehide`, so a reload loses nothing.

const STORAGE_KEY = "mfe-outbox";

export class OutboxStore {
  /** `records()`: the deliveries to save, when a save happens. A null `storage` saves nothing. */
  constructor({ storage, delayMs, schedule, cancel, onLog, records }) {
    this.storage = storage;
    this.delayMs = delayMs;
    this.schedule = schedule;
    this.cancel = cancel;
    this.onLog = onLog;
    this.records = records;
    this.saveHandle = null;
  }

  /** The deliveries changed: save them soon. */
  persist() {
    if (!this.storage || this.saveHandle !== null) return;
    this.saveHandle = this.schedule(() => this.flush(), this.delayMs);
  }

  /** Write the deliveries to storage now. */
  flush() {
    if (this.saveHandle !== null) this.cancel(this.saveHandle);
    this.saveHandle = null;
    if (!this.storage) return;
    const entries = [...this.records()].map((r) => ({ app: r.app, offered: r.offered, queuedAt: r.queuedAt }));
    try {
      this.storage.setItem(STORAGE_KEY, JSON.stringify(entries));
    } catch (error) {
      this.onLog({ type: "storage-error", at: Date.now(), message: String(error.message || error) });
    }
  }

  /** The deliveries saved by an earlier page, as `{app, offered, queuedAt}`; what is not one is skipped. */
  restore() {
    if (!this.storage) return [];
    let entries = [];
    try {
      entries = JSON.parse(this.storage.getItem(STORAGE_KEY) || "[]");
    } catch {
      entries = [];
    }
    return (Array.isArray(entries) ? entries : []).filter(
      (entry) => typeof entry?.app === "string" && Array.isArray(entry.offered) && entry.offered[0]?.id,
    );
  }
}
