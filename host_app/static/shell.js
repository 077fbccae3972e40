// The host page: wires the bus (router + frames), the badge, the notifications, and the
// WebSocket that brings live deploys and health; this browser's overrides and the ownership view.

import { Frames } from "./bus/frames.js";
import { Router } from "./bus/router.js";
import { Cohort } from "./cohort.js";
import { Overrides } from "./overrides.js";
import { Ownership } from "./ownership.js";
import { Realtime } from "./realtime.js";
import { Toasts } from "./toasts.js";

const config = JSON.parse(document.getElementById("page-config").dataset.config);
const badge = document.querySelector("[data-testid='cart-badge']");
const toasts = new Toasts(document.getElementById("toasts"));
const log = [];
// What this page runs of each app: {release, url, canary}; during a canary, its cohort picks;
// in a slot this browser overrides, its own build.
const live = new Map();
// The latest deployment state's apps (each with its canary, if one is live).
let deployed = config.apps;

const realtime = new Realtime({
  url: `${config.hostOrigin.replace(/^http/, "ws")}/ws`,
  onMessage: (message) => {
    if (message.type === "deployments") applyDeployments(message);
    else if (message.type === "health") applyHealth(message.health, message.canary);
  },
});

const LOG_KEEP = 1000;

function onLog(entry, supersedes = null) {
  log.push(entry);
  // Trim in chunks: trimming one entry per push made a burst quadratic.
  if (log.length > 2 * LOG_KEEP) log.splice(0, log.length - LOG_KEEP);
  // A delivery acked before its `deliver` entry left the page travels as its ack alone (which
  // names the attempt and both versions): a third fewer entries on the wire in a burst. This
  // page's own log (mfeHost.log) keeps both.
  if (supersedes !== null) realtime.withdraw(supersedes);
  realtime.log(entry);
  // A consumer whose handler failed (e.g. its server is gone): ask the host to probe now.
  if (entry.type === "fail") realtime.send({ type: "probe" });
}

let storage = null;
try {
  storage = window.sessionStorage;
} catch {
  storage = null;
}
const cohort = new Cohort(storage, new URLSearchParams(window.location.search).get("cohort"));

// The last count checkout reported, shown at once when the page loads (a reload, or checkout
// down) instead of "0" until checkout's frame reports again; checkout corrects it if it changed.
const COUNT_KEY = "mfe-cart-count";
let counts = null;
try {
  counts = window.localStorage;
  const last = counts.getItem(COUNT_KEY);
  if (last !== null && /^\d{1,9}$/.test(last)) badge.textContent = last;
} catch {
  counts = null;
}

function showCount(itemCount) {
  badge.textContent = String(itemCount);
  try {
    counts?.setItem(COUNT_KEY, String(itemCount));
  } catch {
    // Storage full or refused: the badge is still right in this page.
  }
}

const router = new Router({
  bundle: config.bundle,
  limits: config.limits,
  mode: config.mode,
  storage,
  onLog,
});

router.setLocal("host", config.host.manifest, {
  "notification:show": (data) => toasts.show(data),
  "cart:updated": (data) => showCount(data.itemCount),
  "order:placed": () => {},
});

// The shared-service pattern of the course: a child calls the host directly.
router.service("notifications.show", (params) => {
  const errors = router.validateData("notification:show", "1.0.0", params);
  if (errors.length) {
    const error = new Error(`invalid notification: ${errors.map((e) => `${e.path} ${e.message}`).join("; ")}`);
    error.reason = "invalid";
    throw error;
  }
  toasts.show(params);
  return { shown: true };
});

// A frame whose app's manifest the host did not know when this page loaded (the app was down
// and never seen): once it answers, ask the host to fetch it, again until a `deployments`
// message brings it. Until then, deliveries to that app wait in the outbox.
const MANIFEST_RETRY_MS = 1500;
let manifestTimer = null;
function wantManifests(delay = 0) {
  if (manifestTimer !== null) return;
  manifestTimer = setTimeout(() => {
    manifestTimer = null;
    const missing = [...live.keys()].some(
      (name) => !overrides.has(name) && router.isConnected(name) && !router.knows(name),
    );
    if (!missing) return;
    realtime.send({ type: "manifests" });
    wantManifests(MANIFEST_RETRY_MS);
  }, delay);
}

// The host renders an overridden slot with the override in it (host_app/overrides.py).
const overrides = new Overrides({
  slots: config.apps,
  where: document.querySelector("main.layout"),
  form: document.getElementById("override-form"),
  // A fork that was down when this page loaded: its frame says hello with the manifest now known.
  onManifest: (name, manifest) => {
    router.setApp(name, { manifest, release: manifest.release });
    ownership.setRelease(name, manifest.release, "override");
    frames.retry(name);
  },
  onLeaving: (name) => router.disconnect(name),
});

const frames = new Frames({
  router,
  onLog,
  readyTimeoutMs: config.readyTimeoutMs,
  onReady: (name) => {
    if (router.knows(name)) return;
    if (overrides.has(name)) overrides.check(name);
    else wantManifests();
  },
});
for (const [name, app] of Object.entries(config.apps)) {
  const chosen = cohort.choose(app);
  live.set(name, { release: chosen.release, url: chosen.url, canary: chosen.canary });
  router.setApp(name, { manifest: chosen.manifest, release: chosen.release });
  const iframe = document.querySelector(`[data-testid='frame-${name}']`);
  const fallback = document.querySelector(`[data-testid='fallback-${name}']`);
  // During a canary the page came without the frame's src: load what this cohort runs.
  if (!iframe.getAttribute("src")) {
    iframe.dataset.release = String(chosen.release);
    iframe.src = `${chosen.url}/`;
  }
  frames.add(name, iframe, fallback, { origin: chosen.url, release: chosen.release });
}
frames.listen();

// The ownership switch is kept in this origin's storage (when the browser allows storage).
let storedChoices = null;
try {
  storedChoices = window.localStorage;
} catch {
  storedChoices = null;
}
const ownership = new Ownership({
  toggle: document.getElementById("ownership-toggle"),
  areas: {
    host: document.getElementById("host-area"),
    products: document.getElementById("products"),
    checkout: document.getElementById("checkout"),
  },
  releases: {
    host: config.host.manifest.release,
    ...Object.fromEntries([...live].map(([name, app]) => [name, app.release])),
  },
  storage: storedChoices,
});
for (const name of Object.keys(overrides.list())) ownership.setRelease(name, live.get(name).release, "override");
// The outbox is saved in batches; leaving the page (a reload) saves what is pending now.
window.addEventListener("pagehide", () => router.flush());

function applyDeployments(state) {
  deployed = state.apps;
  for (const [name, app] of Object.entries(state.apps)) {
    const current = live.get(name);
    if (!current) continue;
    // This browser's override keeps its slot; the banner still says what everyone else sees.
    if (overrides.has(name)) {
      overrides.setLive(name, { release: app.release, url: app.url });
      continue;
    }
    // The release of this page's cohort: a canary, a promote or a rollback moves only the
    // pages whose release changes; the others are untouched.
    const chosen = cohort.choose(app);
    const changed = current.release !== chosen.release || current.url !== chosen.url;
    if (changed && !config.frameSrc.includes(chosen.url)) {
      // This page's CSP does not allow framing that origin: a fresh page will.
      window.location.reload();
      return;
    }
    if (chosen.manifest) router.setApp(name, { manifest: chosen.manifest, release: chosen.release });
    live.set(name, { release: chosen.release, url: chosen.url, canary: chosen.canary });
    if (changed) {
      onLog({ type: "swap", at: Date.now(), app: name, release: chosen.release, url: chosen.url });
      frames.load(name, { origin: chosen.url, release: chosen.release });
      ownership.setRelease(name, chosen.release);
    }
  }
}

function applyHealth(health, canaries) {
  for (const name of live.keys()) {
    // The host probes the releases it serves; an override's frame answers for itself.
    if (overrides.has(name)) continue;
    // A page in an app's canary follows the canary's health, the others the stable's.
    const status = live.get(name).canary ? canaries?.[name] : health?.[name];
    if (status === "down") frames.markDown(name);
    else if (status === "up") frames.markUp(name);
  }
}

/** This page's cohort; with an argument, pin it ("canary", "stable"; null: the drawn number). */
function cohortOf(...pin) {
  if (pin.length) {
    cohort.setPin(pin[0]);
    applyDeployments({ apps: deployed });
  }
  const canary = [...live].filter(([, app]) => app.canary).map(([name]) => name);
  return { pin: cohort.pin, draw: cohort.draw, canary };
}

realtime.connect();

// A handle for devtools and tests: the log, the outbox, the connections, the cohort, and this
// browser's overrides (which change this browser only).
Object.defineProperty(window, "mfeHost", {
  value: Object.freeze({
    log: () => log.slice(-LOG_KEEP).map((entry) => ({ ...entry })),
    pending: (app = null) => router.pending(app).map((r) => ({ app: r.app, id: r.envelope.id })),
    connected: (app) => router.isConnected(app),
    live: () => Object.fromEntries(live),
    socketOpen: () => realtime.open,
    cohort: cohortOf,
    frameSizes: () => frames.sizer.snapshot(),
    override: (app, url) => overrides.override(app, url),
    overrides: () => overrides.list(),
  }),
});
