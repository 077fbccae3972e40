// This browser session's cohort for canary rollouts. A number from 0 to 100 is drawn once per
// session and kept in the host origin's sessionStorage (not a cookie: no server reads it), so
// a reload keeps it: the page runs an app's canary while that number is under the canary's
// share, and as the share steps up, more pages join it, none leaves. A tester can pin the
// session to one side: `mfeHost.cohort("canary")`, or `?cohort=canary` in the page's address.

const KEY = "mfe-cohort";
export const PINS = Object.freeze(["canary", "stable"]);

function load(storage) {
  try {
    const saved = JSON.parse(storage?.getItem(KEY) ?? "null");
    return saved && typeof saved === "object" ? saved : {};
  } catch {
    return {};
  }
}

export class Cohort {
  /** `storage`: sessionStorage (or null); `asked`: the `cohort` query parameter, if any. */
  constructor(storage, asked = null) {
    this.storage = storage;
    const saved = load(storage);
    const drawn = Number.isFinite(saved.draw) && saved.draw >= 0 && saved.draw < 100;
    this.draw = drawn ? saved.draw : Math.random() * 100;
    this.pin = PINS.includes(saved.pin) ? saved.pin : null;
    if (PINS.includes(asked)) this.pin = asked;
    else if (asked === "draw") this.pin = null;
    this.save();
  }

  save() {
    try {
      this.storage?.setItem(KEY, JSON.stringify({ draw: this.draw, pin: this.pin }));
    } catch {
      // Storage refused: the cohort holds for this page only.
    }
  }

  /** Pin the session to "canary" or "stable"; null goes back to the drawn number. */
  setPin(value) {
    if (value !== null && !PINS.includes(value)) {
      throw new TypeError(`a cohort is "canary", "stable" or null, not ${JSON.stringify(value)}`);
    }
    this.pin = value;
    this.save();
  }

  /** Whether this page runs `canary` (an app's canary in a deployment state, or null). */
  inCanary(canary) {
    if (!canary) return false;
    if (this.pin !== null) return this.pin === "canary";
    return this.draw < canary.share;
  }

  /** What this page runs of an app in a deployment state: {release, url, manifest, canary}. */
  choose(app) {
    const canary = this.inCanary(app.canary);
    const serving = canary ? app.canary : app;
    return { release: serving.release, url: serving.url, manifest: serving.manifest, canary };
  }
}
