// The page's WebSocket to the host: deploys and health arrive here, bus logs leave from here.
// It reconnects by itself, with backoff, and says hello again so the host can catch it up.

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 10000;
const LOG_FLUSH_MS = 250;
const LOG_QUEUE_LIMIT = 5000;
const LOG_BATCH = 500;

export class Realtime {
  constructor({ url, role = "page", onMessage = () => {} }) {
    this.url = url;
    this.role = role;
    this.onMessage = onMessage;
    this.delay = FIRST_DELAY_MS;
    this.socket = null;
    this.logs = [];
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
    // Full batches leave at once; a backlog beyond the limit is trimmed in one chunk.
    if (this.logs.length >= LOG_BATCH) this.flushLogs();
    if (this.logs.length > LOG_QUEUE_LIMIT + LOG_BATCH) this.logs.splice(0, this.logs.length - LOG_QUEUE_LIMIT);
  }

  flushLogs() {
    if (!this.logs.length || !this.open) return;
    const batch = this.logs.splice(0, LOG_BATCH);
    this.send({ type: "log", page: this.page, entries: batch });
  }
}
