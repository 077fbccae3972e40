// A child's event handlers: registered by event name, run in turn for each delivery.

const isThenable = (value) =>
  value !== null && (typeof value === "object" || typeof value === "function") && typeof value.then === "function";

/** Call the handlers in turn, each after the previous one's promise; a promise if any returns one. */
function runFrom(handlers, start, envelope) {
  for (let i = start; i < handlers.length; i += 1) {
    const result = handlers[i](envelope.data, envelope);
    if (isThenable(result)) return Promise.resolve(result).then(() => runFrom(handlers, i + 1, envelope));
  }
  return undefined;
}

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

  /** Run the handlers of the envelope's event: undefined if none returned a promise, else one. */
  run(envelope) {
    const handlers = this.byEvent.get(envelope.event);
    return runFrom(handlers ? [...handlers] : [], 0, envelope);
  }
}
