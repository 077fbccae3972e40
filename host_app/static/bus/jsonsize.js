// The exact UTF-8 size of `JSON.stringify(value)`, measured without building the string and
// without walking past a limit. A message of a few bytes of structured clone can stand for
// gigabytes of JSON (one object referenced 10^9 times, a sparse array of 2^32 - 1 slots):
// `JSON.stringify` took 100 s on such a message before it gave up, on the main thread the
// host page shares with its frames. This walk stops as soon as the size passes the limit.

const MAX_DEPTH = 1000;

/** UTF-8 bytes of one string as JSON.stringify writes it (quotes, escapes, lone surrogates). */
function stringSize(text) {
  let size = 2;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) size += 2;
    else if (c < 0x20) size += c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 2 : 6;
    else if (c < 0x80) size += 1;
    else if (c < 0x800) size += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        size += 4;
        i += 1;
      } else size += 6;
    } else if (c >= 0xd800 && c <= 0xdfff) size += 6;
    else size += 3;
  }
  return size;
}

/**
 * The UTF-8 size of `JSON.stringify(value)` when it is at most `limit`; Infinity as soon as it
 * is more; NaN when `value` is not plain JSON data (undefined, a function, a BigInt, a Date or
 * any other non-plain object, a cycle, nesting past 1,000 levels). Then `problem`, if given,
 * gets `{trail, message}`: the keys and indexes down to the first such value, and what it is.
 * `spent`, if given, gets the bytes measured added to its `bytes` (`limit` when the walk
 * stopped early, over the limit or at a value that is not JSON) and the keys listed to `listed`.
 */
export function jsonSize(value, limit, problem = null, spent = null) {
  let size = 0;
  let listed = 0;
  const ancestors = new Set();
  const trail = [];
  const notJson = (message) => {
    size = NaN;
    if (problem !== null) Object.assign(problem, { trail: [...trail], message });
    return false;
  };
  const over = () => size > limit;
  // Returns false to stop: over the limit (size > limit) or not JSON data (size = NaN).
  const walk = (item, depth) => {
    if (typeof item === "string") {
      // At least a byte per UTF-16 unit: a huge string is over without being read.
      if (size + 2 + item.length > limit) {
        size = Infinity;
        return false;
      }
      size += stringSize(item);
      return !over();
    }
    if (typeof item === "number") {
      size += Number.isFinite(item) ? String(item).length : 4;
      return !over();
    }
    if (typeof item === "boolean" || item === null) {
      size += item === false ? 5 : 4;
      return !over();
    }
    const proto = typeof item === "object" ? Object.getPrototypeOf(item) : undefined;
    const isArray = Array.isArray(item);
    if (!isArray && proto !== Object.prototype && proto !== null) {
      const kind = typeof item === "object" ? Object.prototype.toString.call(item).slice(8, -1) : typeof item;
      return notJson(`not JSON data (${kind.slice(0, 32)})`);
    }
    if (ancestors.has(item)) return notJson("contains itself");
    if (depth > MAX_DEPTH) return notJson(`nested more than ${MAX_DEPTH} levels deep`);
    ancestors.add(item);
    if (isArray) {
      // Each slot takes at least a byte (a comma or a bracket), so a long sparse array is over
      // before it is read; a hole is written as null.
      size += 2 + Math.max(0, item.length - 1);
      if (over()) return false;
      for (let i = 0; i < item.length; i += 1) {
        if (!(i in item)) {
          size += 4;
          if (over()) return false;
          continue;
        }
        trail.push(i);
        if (!walk(item[i], depth + 1)) return false;
        trail.pop();
      }
    } else {
      size += 2;
      if (over()) return false;
      // Each member takes at least 5 bytes ("":0 and a comma): a huge object is over as soon
      // as its keys are listed, and listing them again is what a walk past the limit avoids.
      const keys = Object.keys(item);
      listed += keys.length;
      if (size + 5 * keys.length - 1 > limit) {
        size = Infinity;
        return false;
      }
      let first = true;
      for (const key of keys) {
        if (size + 3 + key.length > limit) {
          size = Infinity;
          return false;
        }
        size += (first ? 0 : 1) + stringSize(key) + 1;
        first = false;
        if (over()) return false;
        trail.push(key);
        if (!walk(item[key], depth + 1)) return false;
        trail.pop();
      }
    }
    ancestors.delete(item);
    return true;
  };
  walk(value, 0);
  const result = Number.isNaN(size) ? NaN : size > limit ? Infinity : size;
  if (spent !== null) {
    spent.bytes += Number.isFinite(result) ? result : limit;
    spent.listed += listed;
  }
  return result;
}
