// The one place that checks an emit's envelopes, in this order: the message's form, its size
// (no more than the sender's byte allowance), then each envelope against the envelope schema,
// as one logical event (the same id and event, distinct versions), from the sender itself,
// naming a known event and version, with a payload its contract accepts, and declared in the
// sender's manifest. The answer is the versions offered, or a refusal naming the first check
// that failed.
//
// The usual emit (valid, small) passes in one walk per envelope: it is validated against the
// envelope schema with its version's payload schema as `data` (the "whole" schema), which also
// bounds its JSON size. Any other emit is measured exactly and takes the checks one by one, so
// that its refusal names the first that fails. The rules of an envelope are written once
// (`envelopeProblem`), for both.

import { isValid, joinPath, validSize, validate } from "/mfe/static/validator.js";
import { jsonSize } from "./jsonsize.js";

/** A refused verdict: a reason code, words for a person, and details (paths, apps). */
export function refusal(reason, message, details = []) {
  return { ok: false, reason, message, details };
}

/** A JSON path ("$.data.items[0]") from keys and indexes (the log clips it). */
const trailPath = (trail) =>
  trail.reduce((path, step) => (typeof step === "number" ? `${path}[${step}]` : joinPath(path, step)), "$");

export class EnvelopeChecks {
  /** `naive`: the wrong way, for the workshop (no event, version, payload or manifest check). */
  constructor({ bundle, naive, buckets }) {
    this.contracts = bundle.contracts;
    this.envelopeSchema = bundle.envelope;
    this.naive = naive;
    this.buckets = buckets;
    this.wholeSchemas = new Map(); // event -> version -> envelope schema with that payload
  }

  /** The form of an emit message, checked before anything walks it: a refusal, or null. */
  malformed(msg) {
    const envelopes = msg.envelopes;
    if (typeof msg.id !== "string" || !Array.isArray(envelopes) || envelopes.length < 1 || envelopes.length > 8) {
      return refusal("invalid", "an emit carries an id and 1 to 8 envelopes");
    }
    return null;
  }

  /**
   * Every check of an emit's envelopes from app `name`: its versions, or a refusal naming the
   * first failure. Its walks stop at `allowance` bytes and add what they cost to `walk`.
   */
  check(name, manifest, msg, allowance, walk) {
    const versions = this.naive ? null : this.inOneWalk(name, manifest, msg, allowance, walk);
    if (versions !== null) return versions;
    // Measured again, exactly, and that size is what it pays. The keys the first walk listed
    // are paid too; past the allowance, they are not listed again.
    walk.bytes = 0;
    const limit = 4 * walk.listed > allowance ? 0 : allowance;
    return this.oneByOne(name, manifest, msg, limit, allowance, walk);
  }

  /** The versions of an emit that passes every check in one walk per envelope, or null. */
  inOneWalk(name, manifest, msg, allowance, walk) {
    const envelopes = msg.envelopes;
    const versions = [];
    let size = 2;
    for (const envelope of envelopes) {
      const schema = this.whole(envelope?.event, envelope?.version);
      if (schema === null) return null;
      // The walk stops once the message could be over the limit: the exact measure decides then.
      const bound = validSize(schema, envelope, allowance - size, walk);
      if (bound < 0 || bound === Infinity) return null;
      size += bound + 1;
      if (this.envelopeProblem(name, manifest, msg, envelope, versions, true) !== null) return null;
      versions.push(envelope.version);
    }
    return size <= allowance ? versions : null;
  }

  /** Each check in turn, the size measured exactly up to `limit`: versions, or a refusal. */
  oneByOne(name, manifest, msg, limit, allowance, walk) {
    // Nothing else may walk a message that is not plain JSON data: a few bytes of clone can be
    // a cycle or a shared object the validator would follow 2^33 ways, so it is refused here,
    // with where and what the culprit is.
    const problem = {};
    const size = jsonSize(msg.envelopes, limit, problem, walk);
    if (size === Infinity) {
      const { reason, message } = this.buckets.overAllowance(allowance);
      return refusal(reason, message);
    }
    if (Number.isNaN(size)) {
      const [, ...inEnvelope] = problem.trail;
      return refusal("invalid", "not JSON data", [{ path: trailPath(inEnvelope), message: problem.message }]);
    }
    const versions = [];
    for (const envelope of msg.envelopes) {
      const problem = this.envelopeProblem(name, manifest, msg, envelope, versions, false);
      if (problem !== null) return problem;
      versions.push(envelope.version);
    }
    return versions;
  }

  /**
   * The first rule `envelope` breaks, as a refusal, or null. `versions`: those of the envelopes
   * before it. `validated`: it passed its whole schema already, so its schemas are not checked.
   */
  envelopeProblem(name, manifest, msg, envelope, versions, validated) {
    const event = msg.envelopes[0]?.event;
    if (!validated && !isValid(this.envelopeSchema, envelope)) {
      // Any string is a name the catalog may lack: emit("foo", "1.0", ...) is unknown, not
      // invalid, although neither is in the catalog's form. Only for the event the message is
      // about: a second envelope naming another is simply not part of one logical event, and
      // the log row names the first one's event.
      const named = this.naive || envelope?.event !== event ? null : this.unknownName(envelope);
      return named ?? refusal("invalid", "not a valid envelope", validate(this.envelopeSchema, envelope));
    }
    if (envelope.id !== msg.id || envelope.event !== event || versions.includes(envelope.version)) {
      return refusal("invalid", "one logical event: the same id and event, distinct versions");
    }
    if (envelope.source !== name) {
      return refusal("invalid", `source must be ${JSON.stringify(name)}, the sending app`);
    }
    if (this.naive) return null;
    if (!validated) {
      const unknown = this.unknownName(envelope);
      if (unknown) return unknown;
      const contract = this.contracts[event][envelope.version];
      if (!isValid(contract.schema, envelope.data)) {
        const dataErrors = validate(contract.schema, envelope.data).map((e) => ({
          ...e,
          path: e.path.replace(/^\$/, "$.data"),
        }));
        return refusal("invalid", `payload does not match ${event}@${envelope.version}`, dataErrors);
      }
    }
    if (!manifest?.emits?.[event]?.includes(envelope.version)) {
      return refusal("not-allowed", `${name}'s manifest does not declare emitting ${event}@${envelope.version}`);
    }
    return null;
  }

  /** The envelope schema with the payload schema of (event, version) as `data`, or null. */
  whole(event, version) {
    if (typeof event !== "string" || typeof version !== "string") return null;
    let byVersion = this.wholeSchemas.get(event);
    if (byVersion === undefined) {
      byVersion = new Map();
      // Own keys only: an event named "constructor" must not find Object's.
      const versions = Object.hasOwn(this.contracts, event) ? this.contracts[event] : {};
      for (const [known, contract] of Object.entries(versions)) {
        const properties = { ...this.envelopeSchema.properties, data: contract.schema };
        byVersion.set(known, { ...this.envelopeSchema, properties });
      }
      // Only known events are kept: a child cannot grow this map with made-up names.
      if (byVersion.size) this.wholeSchemas.set(event, byVersion);
    }
    return byVersion.get(version) ?? null;
  }

  /** `unknown-event` or `unknown-version` when an envelope's event (a string) or its version is
   * not in the catalog; null when both are known, or either is not a string. */
  unknownName(envelope) {
    const event = envelope?.event;
    const version = envelope?.version;
    if (typeof event !== "string") return null;
    // Own keys only: an event named "constructor" must not find Object's.
    if (!Object.hasOwn(this.contracts, event)) {
      return refusal("unknown-event", `unknown event ${JSON.stringify(event)}`);
    }
    const byVersion = this.contracts[event];
    if (typeof version !== "string" || Object.hasOwn(byVersion, version)) return null;
    return refusal(
      "unknown-version",
      `${event} has no version ${JSON.stringify(version)}; known: ${Object.keys(byVersion).join(", ")}`,
    );
  }

  /** Validate `data` against a contract (for services that take a contract's payload). */
  validateData(event, version, data) {
    const contract = this.contracts[event]?.[version];
    return contract ? validate(contract.schema, data) : [{ path: "$", message: "unknown contract" }];
  }
}
