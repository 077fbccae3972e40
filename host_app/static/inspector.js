// The live inspector: one row per logical event (or deploy, or refused message), with each
// consumer's delivery (version received, converted from, ack latency) filled in as it happens.

import { FlowView } from "./flow.js";
import { Realtime } from "./realtime.js";

const MAX_ROWS = 2000;
const tbody = document.getElementById("rows");
const form = document.getElementById("filters");
const pauseButton = document.getElementById("pause");
const connection = document.getElementById("connection");
const counts = document.getElementById("counts");
const flow = new FlowView(document.getElementById("flow-events"));

const rows = new Map(); // key -> {entry, consumers: Map(app -> delivery), element}
const emits = new Map(); // `${page} ${id}` -> the emit row its deliveries belong to
let paused = false;
let held = [];
let deprecated = new Set();
let scheduled = false;

fetch("/mfe/contracts.json")
  .then((r) => r.json())
  .then((bundle) => {
    for (const [event, versions] of Object.entries(bundle.contracts)) {
      for (const [version, contract] of Object.entries(versions)) {
        if (contract.deprecated) deprecated.add(`${event}@${version}`);
      }
    }
  })
  .catch(() => {
    deprecated = new Set();
  });

const time = (ms) => new Date(ms).toISOString().slice(11, 23);

function keyOf(entry) {
  if (entry.type === "emit") return `${entry.page} ${entry.app} ${entry.id}`;
  return `${entry.type} ${entry.seq}`;
}

function verdictOf(entry) {
  if (entry.type === "emit") return entry.verdict;
  if (entry.type === "refused") return entry.verdict;
  // A canary's rows say what was decided: canary, passed, failed, stepped, promoted, aborted...
  if (entry.type === "deploy") return entry.verdict ?? (entry.forced ? "forced" : "deployed");
  return entry.type;
}

function acceptedish(verdict) {
  return [
    "accepted",
    "duplicate",
    "deployed",
    "welcomed",
    "canary",
    "passed",
    "inconclusive",
    "stepped",
    "promoted",
  ].includes(verdict);
}

function cell(text, className = "") {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function describeSender(entry) {
  if (entry.type === "deploy") return "deploy";
  if (entry.type === "refused") return entry.origin || "unknown origin";
  if (!entry.app) return "host";
  return entry.release ? `${entry.app}@${entry.release}` : entry.app;
}

function describeEvent(entry) {
  if (entry.type === "deploy")
    return `${entry.app} → release ${entry.release}${entry.share ? ` (${entry.share}%)` : ""}`;
  if (entry.type === "refused") return entry.kind ? `(${entry.kind} message)` : "(message)";
  if (entry.type === "emit") return `${entry.event ?? "?"} ${(entry.versions || []).join(" + ")}`;
  if (["swap", "unavailable", "restored"].includes(entry.type)) return `${entry.app} release ${entry.release}`;
  return entry.type;
}

/** How a delivery ended (or where it stands), as the end of its line. */
function outcome(d) {
  const took = `in ${d.latencyMs.toFixed(1)} ms`;
  if (d.status === "acked") return `, acked ${took}`;
  if (d.status === "rejected") return `, rejected ${took}: ${d.rejected}${d.message ? ` (${d.message})` : ""}`;
  return `, ${d.status}`;
}

function renderConsumers(row) {
  const td = row.element.querySelector(".consumers");
  td.replaceChildren();
  for (const [app, d] of row.consumers) {
    const span = document.createElement("span");
    span.className = `delivery delivery-${d.status}`;
    span.dataset.testid = "inspector-delivery";
    span.dataset.app = app;
    const converted = d.from && d.from !== d.to ? ` (converted from ${d.from})` : "";
    span.textContent = `${app}${d.release ? `@${d.release}` : ""} ← ${d.to}${converted}${outcome(d)}`;
    td.append(span);
  }
  if (row.entry.type === "deploy" && row.entry.warnings?.length) td.textContent = row.entry.warnings.join("; ");
  if (row.entry.type === "deploy" && row.entry.summary) td.textContent = row.entry.summary;
  if (row.entry.type === "refused") td.textContent = row.entry.expected ? `expected ${row.entry.expected}` : "";
  if (row.entry.type === "emit" && row.entry.message) td.textContent = row.entry.message;
}

function matches(row) {
  const filters = new FormData(form);
  const entry = row.entry;
  const app = filters.get("app");
  const event = filters.get("event");
  const verdict = filters.get("verdict");
  if (app && entry.app !== app) return false;
  if (event && entry.event !== event) return false;
  if (verdict === "accepted" && !acceptedish(verdictOf(entry))) return false;
  if (verdict === "refused" && acceptedish(verdictOf(entry))) return false;
  return true;
}

function createRow(entry) {
  const tr = document.createElement("tr");
  const verdict = verdictOf(entry);
  tr.dataset.testid = "inspector-row";
  tr.dataset.type = entry.type;
  tr.dataset.verdict = verdict;
  if (entry.id) tr.dataset.id = entry.id;
  if (entry.event) tr.dataset.event = entry.event;
  tr.append(cell(time(entry.at ?? entry.received)), cell(describeSender(entry)));
  const eventCell = cell(describeEvent(entry));
  const old = (entry.versions || []).filter((v) => deprecated.has(`${entry.event}@${v}`));
  if (old.length) {
    const tag = document.createElement("span");
    tag.className = "tag tag-deprecated";
    tag.textContent = `deprecated ${old.join(", ")}`;
    eventCell.append(" ", tag);
  }
  tr.append(eventCell, cell(verdict, acceptedish(verdict) ? "ok" : "refused"));
  const consumers = document.createElement("td");
  consumers.className = "consumers";
  tr.append(consumers);
  return tr;
}

function apply(entry) {
  flow.apply(entry);
  if (["deliver", "ack", "fail", "parked", "dropped"].includes(entry.type)) {
    // Deliveries belong to the emit row of the same logical event on the same page.
    const row = emits.get(`${entry.page} ${entry.id}`);
    if (!row) return;
    const d = row.consumers.get(entry.app) || {
      to: entry.to,
      from: entry.from,
      release: entry.release,
      status: "sent",
      latencyMs: 0,
    };
    d.to = entry.to ?? d.to;
    d.from = entry.from ?? d.from;
    if (entry.type === "ack") {
      d.status = typeof entry.rejected === "string" ? "rejected" : "acked";
      d.latencyMs = entry.latencyMs ?? 0;
      d.rejected = entry.rejected;
      d.message = entry.message;
    } else if (entry.type === "deliver") {
      d.status = entry.attempt > 1 ? `retry ${entry.attempt}` : "sent";
    } else {
      d.status = entry.type;
    }
    row.consumers.set(entry.app, d);
    renderConsumers(row);
    return;
  }
  if (entry.type === "hello") return;
  const row = { entry, consumers: new Map(), element: createRow(entry) };
  rows.set(keyOf(entry), row);
  if (entry.type === "emit") emits.set(`${entry.page} ${entry.id}`, row);
  renderConsumers(row);
  row.element.hidden = !matches(row);
  tbody.append(row.element);
  while (rows.size > MAX_ROWS) {
    const [oldest, value] = rows.entries().next().value;
    value.element.remove();
    rows.delete(oldest);
    emits.delete(`${value.entry.page} ${value.entry.id}`);
  }
}

function updateCounts() {
  const shown = [...rows.values()].filter((r) => !r.element.hidden).length;
  counts.textContent = `${shown} shown of ${rows.size}${paused ? `, ${held.length} held while paused` : ""}`;
}

// Entries arrive in batches; render at most once per frame.
let pending = [];
function receive(entries) {
  if (paused) {
    held.push(...entries);
    updateCounts();
    return;
  }
  pending.push(...entries);
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    const batch = pending;
    pending = [];
    for (const entry of batch) apply(entry);
    updateCounts();
  });
}

const realtime = new Realtime({
  url: `${document.body.dataset.hostOrigin.replace(/^http/, "ws")}/ws`,
  role: "inspector",
  onMessage: (message) => {
    if (message.type === "log") {
      if (message.replay) {
        for (const row of rows.values()) row.element.remove();
        rows.clear();
        emits.clear();
        flow.clear();
      }
      receive(message.entries || []);
    }
  },
});
realtime.connect();
setInterval(() => {
  connection.textContent = realtime.open ? "live" : "reconnecting…";
  connection.dataset.state = realtime.open ? "live" : "down";
}, 500);

form.addEventListener("change", () => {
  for (const row of rows.values()) row.element.hidden = !matches(row);
  updateCounts();
});

pauseButton.addEventListener("click", () => {
  paused = !paused;
  pauseButton.setAttribute("aria-pressed", String(paused));
  pauseButton.textContent = paused ? "Resume" : "Pause";
  if (!paused) {
    const release = held;
    held = [];
    receive(release);
  }
  updateCounts();
});

document.getElementById("clear").addEventListener("click", () => {
  for (const row of rows.values()) row.element.remove();
  rows.clear();
  emits.clear();
  flow.clear();
  held = [];
  updateCounts();
});

document.getElementById("export").addEventListener("click", () => {
  const shown = [...rows.values()]
    .filter((r) => !r.element.hidden)
    .map((r) => ({ ...r.entry, deliveries: Object.fromEntries(r.consumers) }));
  const blob = new Blob([JSON.stringify(shown, null, 2)], { type: "application/json" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = "mfe-events.json";
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
});
