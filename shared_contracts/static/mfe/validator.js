// Validates values against the JSON Schema subset the contracts use (canonical form from
// /mfe/contracts.json). Same verdicts as pydantic's strict mode for every value both
// JavaScript and JSON can carry; shared test vectors check that parity.
//
// One validator, run two ways. Each schema is compiled once into a check function. Nearly
// every value the bus sees is valid, so a check usually only answers "valid?" and stops at the
// first broken rule (`isValid`, `validSize`); asked to explain (`validate`), the same check goes
// on and records every broken rule with its path. A run's state travels in a `walk` object.
//
// As they walk, the checks add up an upper bound of the UTF-8 size of the value's JSON: a string
// at most 2 + 6 per UTF-16 unit (a \uXXXX escape), a number, boolean or null 25 characters, an
// object 2 plus 4 + 6 per key unit a member, an array 2 plus 5 per slot (a hole is written
// "null"; the checks skip holes, and `new Array(14000)` is 70 KB of JSON). A part accepted
// without a walk makes the bound Infinity. Past its budget a walk stops at once: a few bytes of
// structured clone can hold a huge sparse array or one object referenced a billion times. Keys
// are work however far the walk goes on: they are counted (`listed`, 4 bytes each) when listed.

// Keys that could reach Object.prototype if a consumer merged the payload naively.
export const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
const PLAIN_KINDS = new Set(["string", "integer", "number", "boolean", "null"]);
const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /\p{Cs}/u;
const NOT_WELL_FORMED = "must be well-formed Unicode (no lone surrogates)";

function typeOf(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return "non-finite";
    return Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER ? "integer" : "number";
  }
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null ? "object" : "unsupported";
  }
  return typeof value; // string, boolean, undefined, function, bigint, symbol
}

/** `path` and one more key: `$.a.b`, or `$.a["odd key"]`. */
export function joinPath(path, key) {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

// The state of one run: the size bound so far (`bytes`), the keys listed (`listed`), where to
// stop (`budget`), and the errors found when the run explains (`errors`; null when it does not).
function newWalk(budget, errors) {
  return { bytes: 0, listed: 0, budget, errors };
}

/** Record a broken rule. True when the run goes on (it explains), false when it stops. */
function broken(walk, path, message) {
  if (walk.errors === null) return false;
  walk.errors.push({ path, message });
  return true;
}

// Paths cost a string per field: they are built only when the run explains.
const memberPath = (walk, path, key) => (walk.errors === null ? null : joinPath(path, key));
const itemPath = (walk, path, index) => (walk.errors === null ? null : `${path}[${index}]`);

/** An object's keys, its braces and 4 bytes a member counted; null once past the budget. */
function listKeys(value, walk) {
  walk.bytes += 2;
  if (walk.bytes > walk.budget) return null;
  const keys = Object.keys(value);
  walk.listed += keys.length;
  walk.bytes += 4 * keys.length;
  return walk.bytes > walk.budget ? null : keys;
}

// ---- compiled checks: (value, walk, path) → false to stop (invalid, or past the budget) --------

const compiled = new WeakMap();
const anything = (_value, walk) => {
  walk.bytes = Infinity;
  return true;
};
const nothing = (_value, walk, path) => broken(walk, path, "no value is allowed here");

/** The check of `schema`, compiled once per schema object. */
function compile(schema) {
  if (schema === true || schema === undefined) return anything;
  if (schema === false) return nothing;
  if (schema === null || typeof schema !== "object") throw new TypeError(`not a JSON schema: ${String(schema)}`);
  let check = compiled.get(schema);
  if (check === undefined) {
    check = build(schema);
    compiled.set(schema, check);
  }
  return check;
}

function build(schema) {
  const anyOf = schema.anyOf ? anyOfCheck(schema.anyOf) : null;
  let accepted = null;
  let expected = "";
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    expected = types.join(" or ");
    accepted = new Set(types);
    // Every integer is also a number.
    if (accepted.has("number")) accepted.add("integer");
  }
  const options = schema.enum || null;
  const hasConst = "const" in schema;
  const constant = schema.const;
  const string = stringCheck(schema);
  const number = numberCheck(schema);
  const object = objectCheck(schema);
  const array = arrayCheck(schema);

  return (value, walk, path) => {
    if (anyOf !== null && !anyOf(value, walk, path)) return false;
    const actual = typeOf(value);
    if (accepted !== null && !accepted.has(actual)) return broken(walk, path, `expected ${expected}, got ${actual}`);
    if (options !== null && !options.some((option) => option === value)) {
      if (!broken(walk, path, `must be one of ${JSON.stringify(options)}`)) return false;
    }
    if (hasConst && constant !== value && !broken(walk, path, `must be ${JSON.stringify(constant)}`)) return false;
    if (actual === "string") return string(value, walk, path);
    if (actual === "integer" || actual === "number") return number(value, walk, path);
    if (actual === "object") return object(value, walk, path);
    if (actual === "array") return array(value, walk, path);
    if (actual === "boolean" || actual === "null") walk.bytes += 25;
    else walk.bytes = Infinity;
    return true;
  };
}

function anyOfCheck(branches) {
  const checks = branches.map(compile);
  // When no branch fits, the non-null one says why: "expected number, got string" reads better.
  const nonNull = branches.find((branch) => branch.type !== "null");
  const explainer = nonNull === undefined ? null : compile(nonNull);
  return (value, walk, path) => {
    if (walk.errors === null) return checks.some((check) => check(value, walk, null));
    if (checks.some((check) => check(value, newWalk(Infinity, null), null))) return true;
    const before = walk.errors.length;
    explainer?.(value, walk, path);
    if (walk.errors.length === before) walk.errors.push({ path, message: "matches no allowed schema" });
    return true;
  };
}

function stringCheck({ minLength, maxLength, pattern }) {
  const countLength = minLength !== undefined || maxLength !== undefined;
  const tooShort = `must have at least ${minLength} characters`;
  const tooLong = `must have at most ${maxLength} characters`;
  let re = null;
  return (value, walk, path) => {
    walk.bytes += 2 + 6 * value.length;
    if (walk.bytes > walk.budget) return false;
    // One scan for the usual string without surrogates; only one with them is looked at again.
    const surrogates = SURROGATE.test(value);
    if (surrogates && LONE_SURROGATE.test(value) && !broken(walk, path, NOT_WELL_FORMED)) return false;
    if (countLength) {
      // Code points, like Python: UTF-16 units unless a surrogate pair is in the string.
      const length = surrogates ? [...value].length : value.length;
      if (minLength !== undefined && length < minLength && !broken(walk, path, tooShort)) return false;
      if (maxLength !== undefined && length > maxLength && !broken(walk, path, tooLong)) return false;
    }
    if (pattern === undefined) return true;
    re ??= new RegExp(pattern, "u");
    return re.test(value) || broken(walk, path, `must match ${pattern}`);
  };
}

function numberCheck({ minimum, maximum, exclusiveMinimum, exclusiveMaximum }) {
  const [atLeast, atMost] = [`must be >= ${minimum}`, `must be <= ${maximum}`];
  const [over, under] = [`must be > ${exclusiveMinimum}`, `must be < ${exclusiveMaximum}`];
  return (value, walk, path) => {
    walk.bytes += 25;
    if (minimum !== undefined && !(value >= minimum) && !broken(walk, path, atLeast)) return false;
    if (maximum !== undefined && !(value <= maximum) && !broken(walk, path, atMost)) return false;
    if (exclusiveMinimum !== undefined && !(value > exclusiveMinimum) && !broken(walk, path, over)) return false;
    if (exclusiveMaximum !== undefined && !(value < exclusiveMaximum) && !broken(walk, path, under)) return false;
    return true;
  };
}

function objectCheck(schema) {
  const required = schema.required || [];
  const properties = schema.properties || {};
  // Declared properties by name, each with its check and whether it is required: one lookup
  // per key of the value. Required names with no declaration are looked up on the value.
  const declared = new Map();
  for (const key of Object.keys(properties)) {
    declared.set(key, { check: compile(properties[key]), required: required.includes(key) });
  }
  const requiredUndeclared = required.filter((key) => !declared.has(key));
  const requiredDeclared = required.length - requiredUndeclared.length;
  const extra = schema.additionalProperties;
  // Unknown fields are ignored by readers, but they must still be plain JSON data.
  const extraCheck = extra !== false && typeof extra === "object" ? compile(extra) : plainData;
  return (value, walk, path) => {
    // Explaining, every missing field is named first; otherwise declared ones are counted below.
    for (const name of walk.errors === null ? requiredUndeclared : required) {
      if (!Object.hasOwn(value, name) && !broken(walk, memberPath(walk, path, name), "field required")) return false;
    }
    const keys = listKeys(value, walk);
    if (keys === null) return false;
    let found = 0;
    for (const key of keys) {
      const member = memberPath(walk, path, key);
      if (FORBIDDEN_KEYS.has(key)) {
        if (!broken(walk, member, "forbidden key")) return false;
        continue;
      }
      walk.bytes += 6 * key.length;
      if (walk.bytes > walk.budget) return false;
      const property = declared.get(key);
      if (property !== undefined) {
        if (!property.check(value[key], walk, member)) return false;
        if (property.required) found += 1;
      } else if (extra === false) {
        if (!broken(walk, member, "unknown field")) return false;
      } else if (!extraCheck(value[key], walk, member)) return false;
    }
    return found === requiredDeclared || walk.errors !== null;
  };
}

function arrayCheck({ minItems, maxItems, items }) {
  const itemCheck = items !== undefined ? compile(items) : null;
  const [tooFew, tooMany] = [`must have at least ${minItems} items`, `must have at most ${maxItems} items`];
  return (value, walk, path) => {
    if (minItems !== undefined && value.length < minItems && !broken(walk, path, tooFew)) return false;
    if (maxItems !== undefined && value.length > maxItems && !broken(walk, path, tooMany)) return false;
    if (itemCheck === null) {
      walk.bytes = Infinity;
      return true;
    }
    walk.bytes += 2 + 5 * value.length;
    if (walk.bytes > walk.budget) return false;
    // `every` skips holes: JSON writes them as null, counted above as a slot.
    return value.every((item, index) => itemCheck(item, walk, itemPath(walk, path, index)));
  };
}

/** Data no schema describes (an unknown field): plain JSON data, nested at most 32 deep. */
function plainData(value, walk, path, depth = 0) {
  if (depth > 32) return broken(walk, path, "nested too deeply");
  const kind = typeOf(value);
  if (kind === "object") {
    const keys = listKeys(value, walk);
    if (keys === null) return false;
    for (const key of keys) {
      walk.bytes += 6 * key.length;
      if (walk.bytes > walk.budget) return false;
      const member = memberPath(walk, path, key);
      if (FORBIDDEN_KEYS.has(key)) {
        if (!broken(walk, member, "forbidden key")) return false;
      } else if (!plainData(value[key], walk, member, depth + 1)) return false;
    }
    return true;
  }
  if (kind === "array") {
    walk.bytes += 2 + 5 * value.length;
    if (walk.bytes > walk.budget) return false;
    return value.every((item, index) => plainData(item, walk, itemPath(walk, path, index), depth + 1));
  }
  walk.bytes += kind === "string" ? 2 + 6 * value.length : 25;
  if (walk.bytes > walk.budget) return false;
  return PLAIN_KINDS.has(kind) || broken(walk, path, `not JSON data (${kind})`);
}

// ---- the public functions ---------------------------------------------------------------------

/** Whether `value` is valid against `schema` (the same verdict as `validate`, without errors). */
export function isValid(schema, value) {
  return compile(schema)(value, newWalk(Infinity, null), null);
}

/**
 * `isValid` and a size in one walk: -1 when `value` is not valid against `schema`, otherwise an
 * upper bound of the UTF-8 size of `JSON.stringify(value)`. Infinity when that is unknown: the
 * bound passed `limit` (the walk stopped there, valid or not) or a part was not measured.
 * `spent`, if given, gets what this walk measured added to its `bytes` (Infinity when a part
 * was not measured) and the keys it listed to its `listed`, whatever the verdict.
 */
export function validSize(schema, value, limit = Infinity, spent = null) {
  const walk = newWalk(limit, null);
  const valid = compile(schema)(value, walk, null);
  if (spent !== null) {
    spent.bytes += walk.bytes;
    spent.listed += walk.listed;
  }
  if (walk.bytes > limit) return Infinity;
  return valid ? walk.bytes : -1;
}

/** Validate `value` against `schema`; returns a list of {path, message} (empty when valid). */
export function validate(schema, value) {
  const check = compile(schema);
  // The usual value is valid: answer that without building a single path.
  if (check(value, newWalk(Infinity, null), null)) return [];
  const walk = newWalk(Infinity, []);
  check(value, walk, "$");
  return walk.errors;
}
