// Host services: functions of the host page a child calls with
// `window.mfe.request(method, params)`. A request shares its sender's rate limit and byte
// allowance with its emits; the answer is a `response` naming the request's `rid`.

import { jsonSize } from "./jsonsize.js";

export class Services {
  /** `buckets`: the apps' rate limits (limits.js). */
  constructor(buckets) {
    this.buckets = buckets;
    this.methods = new Map();
  }

  /** Register `fn(params, {app})` as service `method`. */
  register(method, fn) {
    this.methods.set(method, fn);
  }

  /** Answer one request of app `name` through `reply(message)`. */
  async handle(name, msg, reply) {
    const rid = msg.rid;
    // No string to answer to: nobody is waiting for this answer.
    if (typeof rid !== "string") return;
    const fn = typeof msg.method === "string" ? this.methods.get(msg.method) : undefined;
    const answer = (body) => reply({ tag: "mfe-bus", kind: "response", rid, ...body });
    if (!this.buckets.takeMessage(name)) {
      answer({ ok: false, error: { reason: "rate-limited", message: "too many messages" } });
      return;
    }
    const refused = this.buckets.paidWalk(name, (allowance, walk) => {
      const size = jsonSize(msg.params ?? null, allowance, null, walk);
      if (Number.isNaN(size)) return { reason: "invalid", message: "not JSON data" };
      return size === Infinity ? this.buckets.overAllowance(allowance) : null;
    });
    if (refused !== null) {
      answer({ ok: false, error: refused });
      return;
    }
    if (!fn) {
      const method = typeof msg.method === "string" ? JSON.stringify(msg.method.slice(0, 64)) : "(not a string)";
      answer({ ok: false, error: { reason: "unknown-method", message: `no service ${method}` } });
      return;
    }
    try {
      answer({ ok: true, result: (await fn(msg.params, { app: name })) ?? null });
    } catch (error) {
      answer({ ok: false, error: { reason: error.reason || "failed", message: String(error.message || error) } });
    }
  }
}
