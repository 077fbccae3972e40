// Applies converter declarations (drop, add, rename, map) exactly as shared_contracts'
// converters.py does, and finds the shortest chain between two versions.

function parentOf(data, path, create) {
  const names = path.split(".");
  const leaf = names.pop();
  let node = data;
  for (const name of names) {
    let child = node[name];
    if (child === null || typeof child !== "object" || Array.isArray(child)) {
      if (!create) return [null, leaf];
      child = node[name] = {};
    }
    node = child;
  }
  return [node, leaf];
}

const has = (obj, key) => Object.hasOwn(obj, key);

// Payloads reach a conversion validated, so they are plain JSON data: copied by hand they cost
// a fraction of structuredClone (docs/performance.md). Anything else is cloned.
function copyPlain(value) {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(copyPlain);
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out = {};
  for (const key of Object.keys(value)) {
    // A "__proto__" key assigned would set the prototype: define it as the data it is.
    if (key === "__proto__") {
      Object.defineProperty(out, key, {
        value: copyPlain(value[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else out[key] = copyPlain(value[key]);
  }
  return out;
}

/** Apply one declaration's steps to a deep copy of `data`. */
export function applySteps(steps, data) {
  const out = copyPlain(data);
  for (const step of steps) {
    const [node, leaf] = parentOf(out, step.field, step.op === "add");
    if (node === null) continue;
    if (step.op === "drop") delete node[leaf];
    else if (step.op === "add") {
      if (!has(node, leaf)) node[leaf] = structuredClone(step.default);
    } else if (step.op === "rename" && has(node, leaf)) {
      const value = node[leaf];
      delete node[leaf];
      const [target, targetLeaf] = parentOf(out, step.to, true);
      target[targetLeaf] = value;
    } else if (step.op === "map" && has(node, leaf)) {
      const key = node[leaf];
      if (typeof key === "string" && has(step.values, key)) node[leaf] = step.values[key];
    }
  }
  return out;
}

/** Index converter declarations by event, then source, then target. */
export function indexConverters(declarations) {
  const graph = new Map();
  for (const d of declarations) {
    if (!graph.has(d.event)) graph.set(d.event, new Map());
    const bySource = graph.get(d.event);
    if (!bySource.has(d.source)) bySource.set(d.source, new Map());
    bySource.get(d.source).set(d.target, d);
  }
  return graph;
}

/** The shortest chain of declarations from `source` to `target`, or null. */
export function findPath(graph, event, source, target) {
  if (source === target) return [];
  const bySource = graph.get(event);
  if (!bySource) return null;
  const previous = new Map();
  const queue = [source];
  while (queue.length) {
    const version = queue.shift();
    const edges = bySource.get(version);
    if (!edges) continue;
    for (const next of [...edges.keys()].sort()) {
      if (previous.has(next) || next === source) continue;
      previous.set(next, edges.get(next));
      if (next === target) {
        const chain = [previous.get(next)];
        while (chain[0].source !== source) chain.unshift(previous.get(chain[0].source));
        return chain;
      }
      queue.push(next);
    }
  }
  return null;
}

/** Convert `data` along a chain of declarations. */
export function convertAlong(chain, data) {
  return chain.reduce((value, declaration) => applySteps(declaration.steps, value), data);
}
