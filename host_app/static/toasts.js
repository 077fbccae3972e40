// Notifications: one toast per notification, rendered as text, dismissed after its duration.

const DEFAULT_DURATION_MS = 4000;
// Enough for every add of a quick shopper (one toast per notification), while a frame that
// floods notifications cannot bury the page: past this the oldest goes.
const MAX_VISIBLE = 20;

export class Toasts {
  constructor(container) {
    this.container = container;
    this.waiting = [];
    this.drawScheduled = false;
  }

  /** Show `{message, type, duration}` (already validated against notification:show). */
  show(notification) {
    // Drawn at the next frame, all at once: the bus handler that calls this returns at once,
    // and a flood of notifications costs one DOM update per frame, not one per notification.
    this.waiting.push(notification);
    if (this.waiting.length > MAX_VISIBLE) this.waiting.shift();
    if (this.drawScheduled) return;
    this.drawScheduled = true;
    requestAnimationFrame(() => this.draw());
  }

  draw() {
    this.drawScheduled = false;
    for (const notification of this.waiting.splice(0)) this.container.append(this.toast(notification));
    while (this.container.children.length > MAX_VISIBLE) this.container.firstElementChild.remove();
  }

  toast({ message, type, duration }) {
    const toast = document.createElement("div");
    toast.className = `toast toast-${type}`;
    toast.dataset.testid = "toast";
    toast.setAttribute("role", type === "error" ? "alert" : "status");
    // textContent, never innerHTML: a message is data, not markup.
    toast.textContent = message;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", "Dismiss notification");
    close.textContent = "×";
    close.addEventListener("click", () => toast.remove());
    toast.append(close);
    setTimeout(() => toast.remove(), duration ?? DEFAULT_DURATION_MS);
    return toast;
  }
}
