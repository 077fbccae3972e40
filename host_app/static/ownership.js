// "Who owns what": a toggle that outlines each app's area of the page in its team's colour,
// with a label naming the team, the app and the release on screen. Three teams ship one page;
// this makes the seams visible. The choice is kept across reloads (this origin's storage).

const STORAGE_KEY = "mfe-ownership";
export const TEAMS = Object.freeze({
  host: "Platform team",
  products: "Team A",
  checkout: "Team B",
});

export class Ownership {
  /**
   * `toggle`: the checkbox; `areas`: app → the element of its area; `releases`: app → the
   * release shown there (`note` adds e.g. "override"); `storage`: where the choice is kept.
   */
  constructor({ toggle, areas, releases, storage = null }) {
    this.toggle = toggle;
    this.areas = areas;
    this.releases = new Map(Object.entries(releases).map(([app, release]) => [app, { release, note: "" }]));
    this.storage = storage;
    this.labels = new Map();
    this.toggle.checked = this.read() === "on";
    this.toggle.addEventListener("change", () => {
      this.write(this.toggle.checked ? "on" : "off");
      this.render();
    });
    this.render();
  }

  read() {
    try {
      return this.storage?.getItem(STORAGE_KEY) ?? null;
    } catch {
      return null;
    }
  }

  write(value) {
    try {
      this.storage?.setItem(STORAGE_KEY, value);
    } catch {
      // Storage refused: the toggle still works on this page.
    }
  }

  /** The release now on screen in `app`'s area (after a live deploy or for an override). */
  setRelease(app, release, note = "") {
    this.releases.set(app, { release, note });
    this.render();
  }

  render() {
    const shown = this.toggle.checked;
    for (const [app, area] of Object.entries(this.areas)) {
      area.classList.toggle("owned", shown);
      area.classList.toggle(`owned-${app}`, shown);
      this.labels.get(app)?.remove();
      this.labels.delete(app);
      if (!shown) continue;
      const { release, note } = this.releases.get(app) ?? { release: null, note: "" };
      const label = document.createElement("span");
      label.className = `owner-label owner-${app}`;
      label.dataset.testid = "ownership-label";
      label.dataset.app = app;
      const shownRelease = release === null || release === undefined ? "release unknown" : `release ${release}`;
      label.textContent = `${TEAMS[app]} · ${app} · ${shownRelease}${note ? ` (${note})` : ""}`;
      area.append(label);
      this.labels.set(app, label);
    }
  }
}
