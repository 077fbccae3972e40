// The page's WebSocket to the host: deploys and health arrive here, bus logs leave from here.
// It reconnects by itself, with backoff, and says hello again so the host can catch it up.

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 10000;
const LOG_FLUSH_MS = 250;
// While the socket is down, the newest entries wait: as many as the host's event log keeps.
const LOG_QUEUE_LIMIT = 5000;
// Entries per message: the host reads at most this many of one.
const LOG_BATCH = 500;
// A backlog this long leaves before the timer, all but its newest entries: deliveries logged
// a moment ago are likely acked before the next flush, and then need not travel (withdraw).
const LOG_EARLY = 2000;
const LOG_HOLD = 500;
// The host closes the socket on a bigger message (realtime.py, MAX_MESSAGE_BYTES): a batch
// that would be larger leaves in halves, and a single entry that large as a stub.
const MAX_MESSAGE_CHARS = 1024 * 1024;

/**
 * Pack log entries for the wire: each entry becomes a row of its values, after the index of
 * its list of keys, and each list of keys travels once per batch. A burst logs thousands of
 * entries a second with the same few key lists; sent as objects, their keys were most of the
 * bytes, and sending them was half of the page's work in a burst (docs/performance.md).
 */
export function packLog(entries) {
  const shapes = [];
  const byType = new Map(); // entry.type -> [shape index, ...] of the key lists seen with it
  const rows = new Array(entries.length);
  for (let i = 0; i < entries.length; i += 1) {
    const entry = entries[i];
    const keys = Object.keys(entry);
    let candidates = byType.get(entry.type);
    if (candidates === undefined) {
      candidates = [];
      byType.set(entry.type, candidates);
    }
    let shape = -1;
    for (const index of candidates) {
      if (sameKeys(shapes[index], keys)) {
        shape = index;
        break;
      }
    }
    if (shape === -1) {
      shape = shapes.length;
      shapes.push(keys);
      candidates.push(shape);
    }
    const row = new Array(keys.length + 1);
    row[0] = shape;
    for (let k = 0; k < keys.length; k += 1) row[k + 1] = entry[keys[k]];
    rows[i] = row;
  }
  return { shapes, rows };
}

function sameKeys(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

export class Realtime {
  constructor({ url, role = "page", onMessage = () => {} }) {
    this.url = url;
    this.role = role;
    this.onMessage = onMessage;
    this.delay = FIRST_DELAY_MS;
    this.socket = null;
    this.logs = [];
    this.withdrawn = new WeakSet();
    this.page = crypto.getRandomValues(new Uint32Array(2)).join("-");
    setInterval(() => this.flushLogs(), LOG_FLUSH_MS);
  }

  connect() {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.delay = FIRST_DELAY_MS;
      this.send({ type: "hello", role: this.role });
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this.onMessage(message);
    });
    socket.addEventListener("close", () => {
      if (this.socket !== socket) return;
      this.socket = null;
      // Jitter keeps a room full of pages from reconnecting in lockstep after a restart.
      const wait = this.delay * (0.75 + Math.random() * 0.5);
      this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
      setTimeout(() => this.connect(), wait);
    });
  }

  get open() {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  send(message) {
    if (!this.open) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Queue a bus log entry; entries leave in batches (the inspector must not slow the bus). */
  log(entry) {
    this.logs.push(entry);
    if (this.logs.length >= LOG_EARLY) this.flushLogs(this.logs.length - LOG_HOLD);
    // A backlog beyond the limit (the socket is down) is trimmed in one chunk.
    if (this.logs.length > LOG_QUEUE_LIMIT + LOG_BATCH) this.logs.splice(0, this.logs.length - LOG_QUEUE_LIMIT);
  }

  /** An entry queued earlier that need not leave after all (one that did is not recalled). */
  withdraw(entry) {
    this.withdrawn.add(entry);
  }

  /** Send the oldest `count` queued entries (all by default), in messages of LOG_BATCH. */
  flushLogs(count = this.logs.length) {
    if (!this.logs.length || !this.open) return;
    const leaving = this.logs.splice(0, count).filter((entry) => !this.withdrawn.has(entry));
    for (let i = 0; i < leaving.length; i += LOG_BATCH) this.sendLogs(leaving.slice(i, i + LOG_BATCH));
  }

  /** One `log` message of `entries`, or several when one would be over the host's limit. */
  sendLogs(entries) {
    const text = JSON.stringify({ type: "log", page: this.page, ...packLog(entries) });
    if (text.length <= MAX_MESSAGE_CHARS) {
      this.socket.send(text);
    } else if (entries.length === 1) {
      const [entry] = entries;
      this.sendLogs([{ type: entry.type, at: entry.at, oversized: text.length }]);
    } else {
      const half = entries.length >> 1;
      this.sendLogs(entries.slice(0, half));
      this.sendLogs(entries.slice(half));
    }
  }
}
