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

/**
 * Wrap `post(message)` so that messages of one task leave as one `batch` message. A message
 * that cannot be posted (the browser cannot clone it) goes to `unsendable(message, error)`.
 */
export function batchingSender(post, unsendable = (_message, error) => reportError(error)) {
  let queue = null;
  const postOne = (message) => {
    try {
      post(message);
    } catch (error) {
      unsendable(message, error);
    }
  };
  const flush = () => {
    const batch = queue;
    queue = null;
    if (batch.length === 0) return;
    if (batch.length === 1) {
      postOne(batch[0]);
      return;
    }
    try {
      post({ tag: TAG, kind: "batch", messages: batch });
    } catch {
      // One message that cannot be cloned must not take the rest of its batch down with it.
      for (const message of batch) postOne(message);
    }
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
