// Who gets an event, and in which version. Each consumer gets the highest version it consumes:
// one the emitter offered, or one a chain of converter declarations reaches from an offered
// version. Whether a route exists is decided when the emit is checked (the audience); which
// version a delivery carries is decided when it is sent, for the consumer's release then.
// Both answers change only when an app or a manifest does, so they are cached.

import { convertAlong, findPath, indexConverters } from "/mfe/static/converters.js";

function compareVersions(a, b) {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i += 1) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}
const newestFirst = (versions) => [...versions].sort((a, b) => compareVersions(b, a));
const NO_ROUTE = { none: true };

export class Routing {
  /** `apps`: the router's map of apps (name → {manifest, local, ...}), read as it changes. */
  constructor({ converters, apps, naive }) {
    this.graph = indexConverters(converters);
    this.apps = apps;
    this.naive = naive;
    // Routes depend only on the event, the versions offered and the versions a consumer takes
    // (its manifest's array): cached per such array, then per event and offered version.
    this.routes = new WeakMap();
    this.audiences = new Map(); // sender -> event -> version -> audience(), until forget()
  }

  /** An app or a manifest changed: the audiences may have too. */
  forget() {
    this.audiences.clear();
  }

  /** Who gets an event from `name`: consumers with a route, how many are remote, who has none. */
  audience(name, event, envelopes, versions) {
    // Naive mode checks no event or version name, so a child could grow the cache at will.
    const cacheable = envelopes.length === 1 && !this.naive;
    let byEvent = null;
    if (cacheable) {
      byEvent = this.audiences.get(name);
      if (!byEvent) {
        byEvent = new Map();
        this.audiences.set(name, byEvent);
      }
      const cached = byEvent.get(event)?.get(versions[0]);
      if (cached) return cached;
    }
    const consumers = [];
    let unreachable = null;
    let queued = 0;
    for (const [consumer, app] of this.apps) {
      if (consumer === name) continue;
      // A live app whose manifest is unknown (it was down when this page loaded) may consume
      // the event: its delivery waits in the outbox for the manifest rather than be lost.
      if (!app.manifest && !app.local) {
        consumers.push(consumer);
        queued += 1;
        continue;
      }
      const wants = app.manifest?.consumes?.[event];
      if (!wants || wants.length === 0) continue;
      const route = this.route(event, envelopes, wants);
      if (route) {
        consumers.push(consumer);
        if (!app.local) queued += 1;
      } else {
        unreachable ??= [];
        // Frozen copies: the answer is cached, and its details travel in every refusal.
        unreachable.push(
          Object.freeze({ app: consumer, consumes: Object.freeze([...wants]), offered: Object.freeze([...versions]) }),
        );
      }
    }
    const answer = Object.freeze({
      consumers: Object.freeze(consumers),
      queued,
      unreachable: unreachable && Object.freeze(unreachable),
    });
    if (cacheable) {
      if (!byEvent.has(event)) byEvent.set(event, new Map());
      byEvent.get(event).set(versions[0], answer);
    }
    return answer;
  }

  /** The best version for a consumer: the highest it takes, natively or converted. */
  route(event, envelopes, wants) {
    if (this.naive || envelopes.length !== 1) return this.findRoute(event, envelopes, wants);
    // One version offered (the usual emit): the answer is cached.
    let byEvent = this.routes.get(wants);
    if (!byEvent) {
      byEvent = new Map();
      this.routes.set(wants, byEvent);
    }
    let byVersion = byEvent.get(event);
    if (!byVersion) {
      byVersion = new Map();
      byEvent.set(event, byVersion);
    }
    const version = envelopes[0].version;
    let route = byVersion.get(version);
    if (route === undefined) {
      route = this.findRoute(event, envelopes, wants) ?? NO_ROUTE;
      byVersion.set(version, route);
    }
    return route === NO_ROUTE ? null : route;
  }

  findRoute(event, envelopes, wants) {
    const offered = new Map(envelopes.map((e) => [e.version, e]));
    if (this.naive) {
      // The wrong way, for the workshop: hand over whatever was sent, unchecked.
      return { source: envelopes[0].version, target: envelopes[0].version, chain: [] };
    }
    for (const target of newestFirst(wants)) {
      if (offered.has(target)) return { source: target, target, chain: [] };
      for (const source of newestFirst(offered.keys())) {
        const chain = findPath(this.graph, event, source, target);
        if (chain) return { source, target, chain };
      }
    }
    return null;
  }

  /**
   * Pick and convert the version of a delivery for its consumer's *current* release (it may
   * have changed since the emit): null when done, or why it cannot be delivered.
   */
  convertFor(record) {
    const app = this.apps.get(record.app);
    const event = record.offered[0].event;
    const wants = app?.manifest?.consumes?.[event];
    const route = wants?.length ? this.route(event, record.offered, wants) : null;
    if (!route) return wants ? "no-conversion" : "not-consumed";
    const original =
      record.offered.length === 1 ? record.offered[0] : record.offered.find((e) => e.version === route.source);
    record.envelope = route.chain.length
      ? { ...original, version: route.target, data: convertAlong(route.chain, original.data) }
      : original;
    record.from = route.source;
    return null;
  }
}
