// Messages posted in the same task travel together: one postMessage (one structured clone,
// one task on the other side) per burst instead of one per message. Order is kept.

import { TAG } from "./protocol.js";

// A batch is flushed at this size even within one task, so no single message grows huge.
export const MAX_BATCH = 100;
// A receiver handles at most this many messages of one batch; the rest are dropped.
export const MAX_RECEIVED = 1000;
// A promise reaction runs inside V8; a queueMicrotask callback is a call in from the page's
// bindings, which costs more per message than the rest of the batching.
const RESOLVED = Promise.resolve();

/** Wrap `post(message)` so that messages of one task leave as one `batch` message. */
export function batchingSender(post) {
  let queue = null;
  const flush = () => {
    const batch = queue;
    queue = null;
    if (batch.length) post(batch.length === 1 ? batch[0] : { tag: TAG, kind: "batch", messages: batch });
  };
  const flushIfQueued = () => {
    if (queue !== null) flush();
  };
  return (message) => {
    if (queue === null) {
      queue = [];
      RESOLVED.then(flushIfQueued);
    }
    queue.push(message);
    if (queue.length >= MAX_BATCH) {
      flush();
    }
  };
}

/** Call `handle` with each message of a batch (or with the message itself). */
export function unbatch(message, handle) {
  if (message && message.kind === "batch" && Array.isArray(message.messages)) {
    const messages = message.messages;
    const count = Math.min(messages.length, MAX_RECEIVED);
    for (let i = 0; i < count; i += 1) handle(messages[i]);
  } else {
    handle(message);
  }
}
