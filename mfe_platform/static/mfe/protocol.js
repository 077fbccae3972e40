// The bus protocol, shared by the host's hub and the children's client.

export const PROTOCOL = "1";
// Every window message of the bus carries this tag, so unrelated messages are ignored cheaply.
export const TAG = "mfe-bus";

/** An Error carrying a bus reason code (what `window.mfe.emit` rejects with) and details. */
export class BusError extends Error {
  constructor(reason, message, details = []) {
    super(message || reason);
    this.name = "BusError";
    this.reason = reason;
    this.details = details;
  }
}

// Random bytes are drawn from the browser's CSPRNG 64 UUIDs at a time: one
// `crypto.randomUUID()` per emit was a visible share of a bus round trip (docs/performance.md).
const POOL_UUIDS = 64;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
let pool = null;
let next = POOL_UUIDS;

/** A random UUID v4 (RFC 4122), from `crypto.getRandomValues`. */
export function uuid4() {
  if (next === POOL_UUIDS) {
    pool = crypto.getRandomValues(pool ?? new Uint8Array(16 * POOL_UUIDS));
    next = 0;
  }
  const b = pool;
  const o = 16 * next;
  next += 1;
  return (
    HEX[b[o]] +
    HEX[b[o + 1]] +
    HEX[b[o + 2]] +
    HEX[b[o + 3]] +
    "-" +
    HEX[b[o + 4]] +
    HEX[b[o + 5]] +
    "-" +
    HEX[(b[o + 6] & 0x0f) | 0x40] +
    HEX[b[o + 7]] +
    "-" +
    HEX[(b[o + 8] & 0x3f) | 0x80] +
    HEX[b[o + 9]] +
    "-" +
    HEX[b[o + 10]] +
    HEX[b[o + 11]] +
    HEX[b[o + 12]] +
    HEX[b[o + 13]] +
    HEX[b[o + 14]] +
    HEX[b[o + 15]]
  );
}
