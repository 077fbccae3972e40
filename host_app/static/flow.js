// The inspector's flow view: each recent event as a small sequence diagram across three lanes
// (products, host, checkout). Every hop is an arrow labelled with the event and the version
// on that hop: the emit to the host, the host's verdict back, each delivery (a conversion
// shows "2.0.0 → 1.0.0") and each ack. Refusals are red, with their reason. It is derived from
// the same log entries as the timeline; everything is written with textContent.

export const LANES = Object.freeze(["products", "host", "checkout"]);
const MAX_EVENTS = 12;
const DELIVERY_TYPES = ["deliver", "ack", "fail", "parked", "dropped"];

const time = (ms) => new Date(ms).toISOString().slice(11, 23);
const inLane = (app) => LANES.includes(app);

function span(className, text) {
  const node = document.createElement("span");
  node.className = className;
  node.textContent = text;
  return node;
}

/** One hop: an arrow from lane to lane, with its label above the line. */
function arrow({ from, to, hop, event, version, label, refused = false, convertedFrom = null }) {
  const node = document.createElement("div");
  const [left, right] = [LANES.indexOf(from), LANES.indexOf(to)].sort((a, b) => a - b);
  node.className = `flow-arrow flow-span-${left + 1}-${right + 1} flow-${LANES.indexOf(to) > LANES.indexOf(from) ? "right" : "left"}`;
  if (refused) node.classList.add("flow-refused");
  node.dataset.testid = "flow-arrow";
  node.dataset.from = from;
  node.dataset.to = to;
  node.dataset.hop = hop;
  node.dataset.event = event ?? "";
  node.dataset.version = version ?? "";
  node.dataset.status = refused ? "refused" : "ok";
  const text = span("flow-label", label);
  if (convertedFrom) {
    node.dataset.convertedFrom = convertedFrom;
    const conversion = span("flow-conversion", `${convertedFrom} → ${version}`);
    conversion.dataset.testid = "flow-conversion";
    text.append(" ", conversion);
  }
  node.append(text);
  return node;
}

/** Something that happened inside one lane (the host handled a notification, a parked delivery). */
function note(lane, text, refused = false) {
  const node = span(`flow-note flow-lane-${LANES.indexOf(lane) + 1}${refused ? " flow-refused" : ""}`, text);
  node.dataset.testid = "flow-note";
  return node;
}

function verdictLabel(entry) {
  if (entry.verdict === "accepted") return "accepted";
  if (entry.verdict === "duplicate") return "accepted (a duplicate: delivered once already)";
  return `refused: ${entry.verdict}${entry.message ? ` — ${entry.message}` : ""}`;
}

export class FlowView {
  /** `list`: the element the events go in (one child each, newest last). */
  constructor(list) {
    this.list = list;
    this.events = new Map(); // key -> {element, hops, delivered: Set}
  }

  clear() {
    this.list.replaceChildren();
    this.events.clear();
  }

  /** Add what a log entry says to the view (entries it has no arrow for are skipped). */
  apply(entry) {
    if (entry.type === "emit") this.emitted(entry);
    else if (DELIVERY_TYPES.includes(entry.type)) this.delivered(entry);
    else if (entry.type === "refused") this.refusedMessage(entry);
  }

  start(key, title) {
    const element = document.createElement("li");
    element.className = "flow-event";
    element.dataset.testid = "flow-event";
    element.append(span("flow-title", title));
    const hops = document.createElement("div");
    hops.className = "flow-hops";
    element.append(hops);
    this.list.append(element);
    const event = { element, hops, delivered: new Set() };
    this.events.set(key, event);
    while (this.events.size > MAX_EVENTS) {
      const [oldest, value] = this.events.entries().next().value;
      value.element.remove();
      this.events.delete(oldest);
    }
    return event;
  }

  emitted(entry) {
    // Only the apps emit (the host consumes): a sender outside the two app lanes has no arrow.
    if (!inLane(entry.app) || entry.app === "host") return;
    const versions = (entry.versions || []).filter((v) => typeof v === "string");
    const event = this.start(
      `${entry.page} ${entry.id}`,
      `${time(entry.at ?? entry.received)} ${entry.event ?? "?"} from ${entry.app}@${entry.release ?? "?"}`,
    );
    event.element.dataset.event = entry.event ?? "";
    const refused = !["accepted", "duplicate"].includes(entry.verdict);
    const hop = { event: entry.event, version: versions.join(","), refused };
    event.hops.append(
      arrow({
        ...hop,
        from: entry.app,
        to: "host",
        hop: "emit",
        label: `${entry.event ?? "?"} ${versions.join(" + ")}`,
      }),
      arrow({ ...hop, from: "host", to: entry.app, hop: "verdict", label: verdictLabel(entry) }),
    );
  }

  delivered(entry) {
    const event = this.events.get(`${entry.page} ${entry.id}`);
    if (!event) return;
    const consumer = entry.app;
    const hop = { event: entry.event, version: entry.to };
    if (consumer === "host") {
      // The host consumes in this very page: no hop, just what it did.
      const failed = entry.type !== "ack";
      const text = failed ? `host: ${entry.type} ${entry.message ?? ""}` : `host handled ${entry.event} ${entry.to}`;
      event.hops.append(note("host", text.trim(), failed));
      return;
    }
    if (!inLane(consumer)) return;
    if (entry.type === "dropped") {
      event.hops.append(
        arrow({
          ...hop,
          from: "host",
          to: consumer,
          hop: "deliver",
          refused: true,
          label: `not delivered: ${entry.reason}`,
        }),
      );
      return;
    }
    if (entry.type === "parked") {
      event.hops.append(note(consumer, `parked after ${entry.attempt} attempts: ${entry.reason}`, true));
      return;
    }
    // An ack may travel without its `deliver` entry (see onLog in shell.js): it names both.
    const attempt = `${consumer} ${entry.attempt}`;
    if (!event.delivered.has(attempt)) {
      event.delivered.add(attempt);
      const retry = entry.attempt > 1 ? ` (retry ${entry.attempt})` : "";
      const convertedFrom = entry.from && entry.from !== entry.to ? entry.from : null;
      event.hops.append(
        arrow({
          ...hop,
          from: "host",
          to: consumer,
          hop: "deliver",
          convertedFrom,
          label: `${entry.event} ${entry.to}${retry}`,
        }),
      );
    }
    if (entry.type === "ack") {
      const rejected = typeof entry.rejected === "string";
      const label = rejected
        ? `rejected: ${entry.rejected}${entry.message ? ` — ${entry.message}` : ""}`
        : `ack ${entry.to}${entry.duplicate ? " (duplicate)" : ""} in ${Number(entry.latencyMs ?? 0).toFixed(1)} ms`;
      event.hops.append(arrow({ ...hop, from: consumer, to: "host", hop: "ack", refused: rejected, label }));
    } else if (entry.type === "fail") {
      const label = `handler failed: ${entry.message ?? ""}`.trim();
      event.hops.append(arrow({ ...hop, from: consumer, to: "host", hop: "ack", refused: true, label }));
    }
  }

  /** A window message the host's bus refused before any handshake (frames.js). */
  refusedMessage(entry) {
    const what = `${entry.kind ?? "message"} from ${entry.origin ?? "an unknown origin"}`;
    const event = this.start(`refused ${entry.seq}`, `${time(entry.at ?? entry.received)} ${what}`);
    const reason = `refused: ${entry.verdict}${entry.expected ? ` (expected ${entry.expected})` : ""}`;
    if (inLane(entry.app) && entry.app !== "host") {
      event.hops.append(
        arrow({
          from: entry.app,
          to: "host",
          hop: "hello",
          event: entry.kind,
          version: "",
          refused: true,
          label: reason,
        }),
      );
    } else {
      event.hops.append(note("host", `${what} ${reason}`, true));
    }
  }
}
