// A child's event handlers: registered by event name, run in turn for each delivery. Each
// handler's outcome is its own: one that throws, rejects or refuses an event does not stop the
// others, and a retry runs only the handlers that failed.

const isThenable = (value) =>
  value !== null && (typeof value === "object" || typeof value === "function") && typeof value.then === "function";

/** Record how one handler ended: refused for good (`error.rejected`) or failed for now. */
function ended(entry, outcome, error) {
  const message = String(error?.message || error);
  if (typeof error?.rejected === "string") {
    outcome.done.add(entry.handler);
    outcome.refused.push({ label: entry.label, reason: error.rejected, message });
  } else {
    outcome.failed.push({ label: entry.label, message });
  }
}

/**
 * Call the handlers not yet done with this event in turn, each after the previous one's
 * promise, whatever the previous one's outcome; a promise (that never rejects) if any
 * returns one, else undefined.
 */
function runFrom(entries, start, envelope, outcome) {
  for (let i = start; i < entries.length; i += 1) {
    const entry = entries[i];
    if (outcome.done.has(entry.handler)) continue;
    let result;
    try {
      result = entry.handler(envelope.data, envelope);
    } catch (error) {
      ended(entry, outcome, error);
      continue;
    }
    if (isThenable(result)) {
      return Promise.resolve(result)
        .then(
          () => outcome.done.add(entry.handler),
          (error) => ended(entry, outcome, error),
        )
        .then(() => runFrom(entries, i + 1, envelope, outcome));
    }
    outcome.done.add(entry.handler);
  }
  return undefined;
}

/** A fresh outcome: which handlers are done, which refused, which failed this time. */
export const newOutcome = () => ({ done: new Set(), refused: [], failed: [] });

export class Handlers {
  constructor() {
    this.byEvent = new Map();
  }

  /** Add a handler for `event`; returns the function that removes it. */
  add(event, handler) {
    if (!this.byEvent.has(event)) this.byEvent.set(event, []);
    this.byEvent.get(event).push(handler);
    return () => {
      const list = this.byEvent.get(event) || [];
      const i = list.indexOf(handler);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /**
   * Run the handlers of the envelope's event not done in `outcome` (an earlier attempt's, or
   * a new one), each named by its function name or position; undefined if none returned a
   * promise, else one that settles (never rejects) when all had their turn.
   */
  run(envelope, outcome) {
    const handlers = this.byEvent.get(envelope.event) || [];
    outcome.failed = [];
    const entries = handlers.map((handler, i) => ({ handler, label: handler.name || `handler ${i + 1}` }));
    return runFrom(entries, 0, envelope, outcome);
  }
}
