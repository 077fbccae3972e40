// Validates values against the JSON Schema subset the contracts use (canonical form from
// /mfe/contracts.json). Same verdicts as pydantic's strict mode for every value both
// JavaScript and JSON can carry; shared test vectors check that parity.

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
// Keys that could reach Object.prototype if a consumer merged the payload naively.
export const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

function typeOf(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return "non-finite";
    return Number.isInteger(value) && Math.abs(value) <= MAX_SAFE ? "integer" : "number";
  }
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null ? "object" : "unsupported";
  }
  return typeof value; // string, boolean, undefined, function, bigint, symbol
}

function matchesType(expected, actual) {
  if (expected === actual) return true;
  // Every integer is also a number.
  return expected === "number" && actual === "integer";
}

/** `path` and one more key: `$.a.b`, or `$.a["odd key"]`. */
export function joinPath(path, key) {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

const patternCache = new Map();
function regex(pattern) {
  let compiled = patternCache.get(pattern);
  if (!compiled) {
    compiled = new RegExp(pattern, "u");
    patternCache.set(pattern, compiled);
  }
  return compiled;
}

function check(schema, value, path, errors) {
  if (schema === true || schema === undefined) return;
  if (schema === false) {
    errors.push({ path, message: "no value is allowed here" });
    return;
  }
  if (schema.anyOf) {
    const ok = schema.anyOf.some((branch) => {
      const branchErrors = [];
      check(branch, value, path, branchErrors);
      return branchErrors.length === 0;
    });
    if (!ok) {
      // Report the non-null branch's errors: "expected number, got string" reads better.
      const nonNull = schema.anyOf.find((b) => b.type !== "null");
      const branchErrors = [];
      if (nonNull) check(nonNull, value, path, branchErrors);
      if (branchErrors.length === 0) branchErrors.push({ path, message: "matches no allowed schema" });
      errors.push(...branchErrors);
    }
  }
  const actual = typeOf(value);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => matchesType(t, actual))) {
      errors.push({ path, message: `expected ${types.join(" or ")}, got ${actual}` });
      return;
    }
  }
  if (schema.enum && !schema.enum.some((option) => option === value)) {
    errors.push({ path, message: `must be one of ${JSON.stringify(schema.enum)}` });
  }
  if ("const" in schema && schema.const !== value) {
    errors.push({ path, message: `must be ${JSON.stringify(schema.const)}` });
  }
  if (actual === "string") checkString(schema, value, path, errors);
  else if (actual === "integer" || actual === "number") checkNumber(schema, value, path, errors);
  else if (actual === "object") checkObject(schema, value, path, errors);
  else if (actual === "array") checkArray(schema, value, path, errors);
}

function checkString(schema, value, path, errors) {
  // Python counts code points, not UTF-16 units.
  const length = [...value].length;
  if (/\p{Cs}/u.test(value)) errors.push({ path, message: "must be well-formed Unicode (no lone surrogates)" });
  if (schema.minLength !== undefined && length < schema.minLength) {
    errors.push({ path, message: `must have at least ${schema.minLength} characters` });
  }
  if (schema.maxLength !== undefined && length > schema.maxLength) {
    errors.push({ path, message: `must have at most ${schema.maxLength} characters` });
  }
  if (schema.pattern !== undefined && !regex(schema.pattern).test(value)) {
    errors.push({ path, message: `must match ${schema.pattern}` });
  }
}

function checkNumber(schema, value, path, errors) {
  const rules = [
    ["minimum", (v, l) => v >= l, ">="],
    ["maximum", (v, l) => v <= l, "<="],
    ["exclusiveMinimum", (v, l) => v > l, ">"],
    ["exclusiveMaximum", (v, l) => v < l, "<"],
  ];
  for (const [keyword, ok, symbol] of rules) {
    if (schema[keyword] !== undefined && !ok(value, schema[keyword])) {
      errors.push({ path, message: `must be ${symbol} ${schema[keyword]}` });
    }
  }
}

function checkObject(schema, value, path, errors) {
  const keys = Object.keys(value);
  for (const key of keys) {
    if (FORBIDDEN_KEYS.has(key)) errors.push({ path: joinPath(path, key), message: "forbidden key" });
  }
  for (const name of schema.required || []) {
    if (!Object.hasOwn(value, name)) {
      errors.push({ path: joinPath(path, name), message: "field required" });
    }
  }
  const properties = schema.properties || {};
  for (const key of keys) {
    if (FORBIDDEN_KEYS.has(key)) continue;
    if (Object.hasOwn(properties, key)) {
      check(properties[key], value[key], joinPath(path, key), errors);
    } else if (schema.additionalProperties === false) {
      errors.push({ path: joinPath(path, key), message: "unknown field" });
    } else if (typeof schema.additionalProperties === "object") {
      check(schema.additionalProperties, value[key], joinPath(path, key), errors);
    } else {
      checkPlain(value[key], joinPath(path, key), errors);
    }
  }
}

function checkArray(schema, value, path, errors) {
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    errors.push({ path, message: `must have at least ${schema.minItems} items` });
  }
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    errors.push({ path, message: `must have at most ${schema.maxItems} items` });
  }
  if (schema.items !== undefined) {
    for (const [i, item] of value.entries()) check(schema.items, item, `${path}[${i}]`, errors);
  }
}

// Unknown fields are ignored by readers, but they must still be plain JSON data.
function checkPlain(value, path, errors, depth = 0) {
  const kind = typeOf(value);
  if (depth > 32) errors.push({ path, message: "nested too deeply" });
  else if (kind === "object") {
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) errors.push({ path: joinPath(path, key), message: "forbidden key" });
      else checkPlain(value[key], joinPath(path, key), errors, depth + 1);
    }
  } else if (kind === "array") {
    for (const [i, v] of value.entries()) checkPlain(v, `${path}[${i}]`, errors, depth + 1);
  } else if (!["string", "integer", "number", "boolean", "null"].includes(kind)) {
    errors.push({ path, message: `not JSON data (${kind})` });
  }
}

// ---- the fast path ----------------------------------------------------------------------------
//
// Nearly every value the bus sees is valid, and collecting errors costs paths (strings) for
// every field. So each schema is compiled once into a function that only answers "valid?",
// with exactly the verdict of `check` (the same rules, in the same terms); only when it says
// no does `validate` walk the value again with `check` to report the errors.

// The compiled checks also add up, as they walk, an upper bound of the UTF-8 size of the
// value's JSON (`validSize`): a string at most 2 + 6 per UTF-16 unit (a \uXXXX escape), a
// number, boolean or null at most 25 characters (-0.0000012345678901234567), an object 2 plus
// 4 + 6 per key unit around each member, an array 2 plus 5 per slot: a comma, and "null" for
// a hole. (The checks skip holes, JSON.stringify writes them; sparse arrays survive
// postMessage, and `new Array(14000)` is 70 KB of JSON.) A check that accepts a value without
// walking it sets the bound to Infinity: measure that one exactly. Past `budget` a walk stops
// at once, whatever is left: a few bytes of structured clone can hold a huge sparse array or
// one object referenced a billion times over, which no walk should follow. Listing an object's
// keys is work whatever follows, so its 4 bytes a member are counted as soon as they are
// listed (`listed` counts the keys) and a walk already past its budget lists nothing more.
let measured = 0;
let listed = 0;
let budget = Infinity;
const compiled = new WeakMap();
const alwaysValid = () => {
  measured = Infinity;
  return true;
};
const neverValid = () => false;
const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /\p{Cs}/u;
const PLAIN_KINDS = new Set(["string", "integer", "number", "boolean", "null"]);
const hasOwn = (obj, key) => Object.hasOwn(obj, key);

function compile(schema) {
  if (schema === true || schema === undefined) return alwaysValid;
  if (schema === false) return neverValid;
  if (schema === null || typeof schema !== "object") {
    // Not a schema the contracts produce: let `check` decide (and fail) exactly as it would.
    return (value) => {
      const errors = [];
      check(schema, value, "$", errors);
      measured = Infinity;
      return errors.length === 0;
    };
  }
  let fn = compiled.get(schema);
  if (!fn) {
    fn = build(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

function build(schema) {
  const anyOf = schema.anyOf ? schema.anyOf.map(compile) : null;
  let accepted = null;
  if (schema.type !== undefined) {
    accepted = new Set();
    for (const t of Array.isArray(schema.type) ? schema.type : [schema.type]) {
      accepted.add(t);
      if (t === "number") accepted.add("integer");
    }
  }
  const options = schema.enum || null;
  const hasConst = "const" in schema;
  const constant = schema.const;
  const { minLength, maxLength, pattern, minimum, maximum, exclusiveMinimum, exclusiveMaximum } = schema;
  const countLength = minLength !== undefined || maxLength !== undefined;
  let re = null;
  // Objects
  const required = new Set(schema.required || []);
  const properties = schema.properties || {};
  // Declared properties by name, each with its check and whether it is required: one lookup
  // per key of the value. Required names with no declaration are looked up on the value.
  const declared = new Map();
  for (const key of Object.keys(properties)) {
    declared.set(key, { fn: compile(properties[key]), required: required.has(key) });
  }
  const requiredUndeclared = [...required].filter((key) => !declared.has(key));
  const requiredDeclared = required.size - requiredUndeclared.length;
  const extra = schema.additionalProperties;
  const extraFn = extra !== false && typeof extra === "object" ? compile(extra) : null;
  // Arrays
  const { minItems, maxItems } = schema;
  const itemsFn = schema.items !== undefined ? compile(schema.items) : null;

  const stringOk = (value) => {
    measured += 2 + 6 * value.length;
    if (measured > budget) return false;
    // One scan for the usual string without surrogates; only one with them is looked at again.
    const surrogates = SURROGATE.test(value);
    if (surrogates && LONE_SURROGATE.test(value)) return false;
    if (countLength) {
      // Code points, like Python: UTF-16 units unless a surrogate pair is in the string.
      const length = surrogates ? [...value].length : value.length;
      if (minLength !== undefined && length < minLength) return false;
      if (maxLength !== undefined && length > maxLength) return false;
    }
    if (pattern === undefined) return true;
    re ??= regex(pattern);
    return re.test(value);
  };
  const numberOk = (value) => {
    measured += 25;
    return (
      (minimum === undefined || value >= minimum) &&
      (maximum === undefined || value <= maximum) &&
      (exclusiveMinimum === undefined || value > exclusiveMinimum) &&
      (exclusiveMaximum === undefined || value < exclusiveMaximum)
    );
  };
  const objectOk = (value) => {
    for (const name of requiredUndeclared) if (!hasOwn(value, name)) return false;
    let found = 0;
    const keys = keysWithinBudget(value);
    if (keys === null) return false;
    for (const key of keys) {
      if (FORBIDDEN_KEYS.has(key)) return false;
      measured += 6 * key.length;
      if (measured > budget) return false;
      const property = declared.get(key);
      if (property !== undefined) {
        if (!property.fn(value[key])) return false;
        if (property.required) found += 1;
      } else if (extra === false) return false;
      else if (extraFn !== null) {
        if (!extraFn(value[key])) return false;
      } else if (!plainOk(value[key], 0)) return false;
    }
    return found === requiredDeclared;
  };
  const arrayOk = (value) => {
    if (minItems !== undefined && value.length < minItems) return false;
    if (maxItems !== undefined && value.length > maxItems) return false;
    if (itemsFn === null) {
      measured = Infinity;
      return true;
    }
    measured += 2 + 5 * value.length;
    if (measured > budget) return false;
    // `every` skips holes, as `check`'s forEach does.
    return value.every((item) => itemsFn(item));
  };

  return (value) => {
    if (anyOf !== null && !anyOf.some((branch) => branch(value))) return false;
    const actual = typeOf(value);
    if (accepted !== null && !accepted.has(actual)) return false;
    if (options && !options.some((option) => option === value)) return false;
    if (hasConst && constant !== value) return false;
    if (actual === "string") return stringOk(value);
    if (actual === "integer" || actual === "number") return numberOk(value);
    if (actual === "object") return objectOk(value);
    if (actual === "array") return arrayOk(value);
    if (actual === "boolean" || actual === "null") measured += 25;
    else measured = Infinity;
    return true;
  };
}

/** An object's keys, its braces and 4 bytes a member counted; null once past the budget. */
function keysWithinBudget(value) {
  measured += 2;
  if (measured > budget) return null;
  const keys = Object.keys(value);
  listed += keys.length;
  measured += 4 * keys.length;
  return measured > budget ? null : keys;
}

function plainOk(value, depth) {
  const kind = typeOf(value);
  if (depth > 32) return false;
  if (kind === "object") {
    const keys = keysWithinBudget(value);
    if (keys === null) return false;
    for (const key of keys) {
      measured += 6 * key.length;
      if (measured > budget) return false;
      if (FORBIDDEN_KEYS.has(key) || !plainOk(value[key], depth + 1)) return false;
    }
    return true;
  }
  if (kind === "array") {
    measured += 2 + 5 * value.length;
    if (measured > budget) return false;
    return value.every((v) => plainOk(v, depth + 1));
  }
  measured += kind === "string" ? 2 + 6 * value.length : 25;
  return measured <= budget && PLAIN_KINDS.has(kind);
}

/** Whether `value` is valid against `schema` (the same verdict as `validate`, without errors). */
export function isValid(schema, value) {
  return compile(schema)(value);
}

/**
 * `isValid` and a size in one walk: -1 when `value` is not valid against `schema`, otherwise an
 * upper bound of the UTF-8 size of `JSON.stringify(value)`. Infinity when that is unknown: the
 * bound passed `limit` (the walk stopped there, valid or not) or a part was not measured.
 * `spent`, if given, gets what this walk measured added to its `bytes` (Infinity when a part
 * was not measured) and the keys it listed to its `listed`, whatever the verdict.
 */
export function validSize(schema, value, limit = Infinity, spent = null) {
  measured = 0;
  listed = 0;
  budget = limit;
  try {
    const valid = compile(schema)(value);
    if (measured > limit) return Infinity;
    return valid ? measured : -1;
  } finally {
    budget = Infinity;
    if (spent !== null) {
      spent.bytes += measured;
      spent.listed += listed;
    }
  }
}

/** Validate `value` against `schema`; returns a list of {path, message} (empty when valid). */
export function validate(schema, value) {
  if (compile(schema)(value)) return [];
  const errors = [];
  check(schema, value, "$", errors);
  return errors;
}
