// Per-browser overrides: this browser's products or checkout slot at a loopback URL of its own
// (`mfeHost.override("products", "http://localhost:9123")`, or the Override panel). The host
// keeps it in this browser's signed session and renders the page with it: the slot's frame,
// the origin the bus expects from it, and the page's CSP `frame-src` (see host_app/overrides.py).
// Here: checking what the shopper typed, asking the host, and the red banner with its verdict.

export const SLOTS = Object.freeze(["products", "checkout"]);
const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];

/** The origin of `url` if it is a loopback origin and nothing more; throws a clear Error. */
export function loopbackOrigin(url) {
  const example = "http://localhost:PORT, http://127.0.0.1:PORT or http://[::1]:PORT";
  let parsed;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new Error(`not a URL: ${JSON.stringify(url)}; an override is ${example}`);
  }
  if (!["http:", "https:"].includes(parsed.protocol) || !LOOPBACK_HOSTS.includes(parsed.hostname)) {
    throw new Error(`only loopback origins (${example}) can be overrides, not ${JSON.stringify(url)}`);
  }
  // An app serves from its root: anything after the origin would be dropped silently.
  if (parsed.username || parsed.password || parsed.search || parsed.hash || parsed.pathname !== "/") {
    throw new Error(`an override is an origin (${example}), nothing more: ${JSON.stringify(url)}`);
  }
  return parsed.origin;
}

function checkSlot(app) {
  if (!SLOTS.includes(app)) {
    throw new Error(`no slot ${JSON.stringify(app)}: the slots are ${SLOTS.join(" and ")}`);
  }
}

/** The host's JSON error as an Error (its message), or a generic one. */
async function failure(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const error = new Error(body?.message || `the host answered ${response.status}`);
  error.reason = body?.error || "failed";
  return error;
}

function element(tag, className, text = "") {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
}

/** What `can-i-deploy` says of a check's answer, in one line. */
function verdictText(check) {
  if (check.deployable) return `can-i-deploy: yes — release ${check.release} works with every live app`;
  const broken = check.findings.filter((f) => !f.ok);
  const more = broken.length > 1 ? ` (and ${broken.length - 1} more)` : "";
  return `can-i-deploy: NO — ${broken[0]?.detail ?? "a live pair breaks"}${more}`;
}

export class Overrides {
  /**
   * `slots`: the page config's apps (an overridden one has `override: true` and `live`);
   * `where`: the element the banner goes before; `form`: the Override panel's form;
   * `onManifest(app, manifest)`: a fork that was down at page load told its manifest;
   * `onLeaving(app)`: the host holds the change and this page is about to be replaced.
   */
  constructor({ slots, where, form = null, onManifest = () => {}, onLeaving = () => {} }) {
    this.active = new Map(Object.entries(slots).filter(([, slot]) => slot.override));
    this.where = where;
    this.onManifest = onManifest;
    this.onLeaving = onLeaving;
    this.banner = null;
    this.verdicts = new Map(); // app -> its verdict element in the banner
    this.lives = new Map(); // app -> the banner's "everyone else sees" element
    if (form) this.wire(form);
    this.render();
  }

  /** Whether this browser's slot for `app` is overridden. */
  has(app) {
    return this.active.has(app);
  }

  /** This browser's overrides: app → URL. */
  list() {
    return Object.fromEntries([...this.active].map(([app, slot]) => [app, slot.url]));
  }

  /**
   * Point this browser's slot for `app` at `url` (null: back to the live release). A bad app
   * or URL throws at once; otherwise it returns a promise, and the page reloads with it.
   */
  override(app, url) {
    checkSlot(app);
    if (url === null || url === undefined) return this.send(app, "DELETE", null);
    return this.send(app, "PUT", { url: loopbackOrigin(url) });
  }

  async send(app, method, body) {
    const response = await fetch(`/api/overrides/${app}`, {
      method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw await failure(response);
    // Until the fresh page is here, this one no longer counts as connected to that slot.
    this.onLeaving(app);
    // The page's CSP and the bus's expected origin come with the page: a fresh one applies it.
    // Later, so that the caller (a console, a test) hears the answer first.
    setTimeout(() => window.location.reload(), 0);
    return body ? `${app} → ${body.url} in this browser; reloading` : `${app} back to its live release; reloading`;
  }

  wire(form) {
    const error = form.querySelector("[data-testid='override-error']");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(form);
      error.hidden = true;
      const show = (failed) => {
        error.textContent = failed.message;
        error.hidden = false;
      };
      try {
        this.override(String(data.get("app")), String(data.get("url")).trim()).catch(show);
      } catch (failed) {
        show(failed);
      }
    });
  }

  render() {
    this.banner?.remove();
    this.banner = null;
    if (!this.active.size) return;
    const banner = element("div", "override-banner");
    banner.dataset.testid = "override-banner";
    banner.setAttribute("role", "status");
    for (const [app, slot] of this.active) banner.append(this.line(app, slot));
    this.where.before(banner);
    this.banner = banner;
  }

  /** One override in the banner: what it is, its verdict, and its reset button. */
  line(app, slot) {
    const line = element("div", "override-line");
    line.dataset.app = app;
    const what = element("span", "override-what", `Override in this browser only: ${app} → ${slot.url}`);
    const live = element("span", "override-live");
    what.append(live);
    this.lives.set(app, live);
    this.showLive(app);
    const verdict = element("span", "override-verdict", "can-i-deploy: checking…");
    verdict.dataset.testid = "override-verdict";
    verdict.dataset.deployable = "unknown";
    const reset = element("button", "override-reset", `Reset ${app}`);
    reset.type = "button";
    reset.dataset.testid = "override-reset";
    reset.addEventListener("click", () => {
      reset.disabled = true;
      this.override(app, null).catch((failed) => {
        verdict.textContent = `reset failed: ${failed.message}`;
        reset.disabled = false;
      });
    });
    line.append(what, verdict, reset);
    this.verdicts.set(app, verdict);
    this.check(app);
    return line;
  }

  /** A deploy changed what everyone else sees in `app`'s slot. */
  setLive(app, live) {
    const slot = this.active.get(app);
    if (!slot) return;
    slot.live = live;
    this.showLive(app);
  }

  showLive(app) {
    const slot = this.active.get(app);
    const release = slot.release === null ? "" : ` (release ${slot.release})`;
    this.lives.get(app).textContent = `${release}; everyone else sees release ${slot.live.release}`;
  }

  /** Ask the host whether this override could be deployed for everyone, and show the answer. */
  async check(app) {
    const slot = this.active.get(app);
    const verdict = this.verdicts.get(app);
    const query = new URLSearchParams({ app, url: slot.url });
    try {
      const response = await fetch(`/api/overrides/check?${query}`);
      if (!response.ok) throw await failure(response);
      const answer = await response.json();
      verdict.textContent = verdictText(answer);
      verdict.dataset.deployable = String(answer.deployable);
      if (!slot.manifest) {
        slot.manifest = answer.manifest;
        slot.release = answer.release;
        this.showLive(app);
        this.onManifest(app, answer.manifest);
      }
    } catch (failed) {
      verdict.textContent = `can-i-deploy: cannot tell — ${failed.message}`;
    }
  }
}
