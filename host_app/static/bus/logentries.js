// The event log's entries of the bus: one per emit (with its verdict) and one per step of a
// delivery (deliver, ack, fail, dropped, parked). The log reaches the host's server and every
// inspector: a refused message must not get there at full size, so what an entry echoes of a
// child's message is clipped.

const MAX_LOGGED_DETAILS = 20;
const clip = (value, max) => (typeof value === "string" ? value.slice(0, max) : null);

/** The entry of an emit from app `name` (of release `release`) with its verdict. */
export function emitEntry(name, release, msg, verdict) {
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
    release,
    id: clip(msg.id, 64),
    event: envelopes !== null ? clip(envelopes[0]?.event, 64) : null,
    versions,
    verdict,
  };
}

/** The entry of a refused emit: its reason as the verdict, its words and its first details. */
export function refusedEntry(name, release, msg, refused) {
  const details = refused.details
    .slice(0, MAX_LOGGED_DETAILS)
    .map((d) => (typeof d?.path === "string" ? { ...d, path: clip(d.path, 200) } : d));
  const entry = emitEntry(name, release, msg, refused.reason);
  entry.message = clip(refused.message, 500);
  entry.details = details;
  return entry;
}

/** The entry of one step (`type`) of a delivery to a consumer of release `release`. */
export function deliveryEntry(type, record, release) {
  return {
    type,
    at: Date.now(),
    app: record.app,
    release,
    id: record.envelope.id,
    event: record.envelope.event,
    from: record.from,
    to: record.envelope.version,
    attempt: record.attempts,
  };
}

/** Words a child sent (a fail's message, a rejection's), clipped like any log text. */
export const childText = (value) => (typeof value === "string" ? value.slice(0, 500) : "");
