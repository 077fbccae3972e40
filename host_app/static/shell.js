// The host page: wires the bus (router + frames), the badge and the notifications.

import { Frames } from "./bus/frames.js";
import { Router } from "./bus/router.js";
import { Toasts } from "./toasts.js";

const config = JSON.parse(document.body.dataset.config);
const badge = document.querySelector("[data-testid='cart-badge']");
const toasts = new Toasts(document.getElementById("toasts"));
const log = [];

function onLog(entry) {
  log.push(entry);
  if (log.length > 1000) log.splice(0, log.length - 1000);
}

let storage = null;
try {
  storage = window.sessionStorage;
} catch {
  storage = null;
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
  "cart:updated": (data) => {
    badge.textContent = String(data.itemCount);
  },
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

const frames = new Frames({ router, onLog });
for (const [name, app] of Object.entries(config.apps)) {
  router.setApp(name, { manifest: app.manifest, release: app.release });
  const iframe = document.querySelector(`[data-testid='frame-${name}']`);
  frames.add(name, iframe, { origin: app.origin, release: app.release });
}
frames.listen();

// A read-only handle for devtools and tests: the log and the outbox.
Object.defineProperty(window, "mfeHost", {
  value: Object.freeze({
    log: () => log.map((entry) => ({ ...entry })),
    pending: (app = null) => router.pending(app).map((r) => ({ app: r.app, id: r.envelope.id })),
    connected: (app) => router.isConnected(app),
  }),
});
