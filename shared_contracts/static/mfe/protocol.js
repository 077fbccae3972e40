// The bus protocol, shared by the host's hub and the children's client.

export const PROTOCOL = "1";
// Every window message of the bus carries this tag, so unrelated messages are ignored cheaply.
export const TAG = "mfe-bus";

// Reasons an emit is refused (window.mfe.emit rejects with an Error whose `reason` is one).
export const REASONS = Object.freeze([
  "invalid",
  "unknown-event",
  "unknown-version",
  "not-allowed",
  "too-large",
  "rate-limited",
  "timeout",
  "no-conversion",
  "protocol-mismatch",
]);

/** An Error carrying a bus reason code and optional details. */
export class BusError extends Error {
  constructor(reason, message, details = []) {
    super(message || reason);
    this.name = "BusError";
    this.reason = reason;
    this.details = details;
  }
}

/** A random UUID v4: the browser's own where it has one (secure contexts), else ours. */
export function uuid4() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
