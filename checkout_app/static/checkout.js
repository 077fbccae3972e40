// The cart and the order form. Cart changes arrive as cart:item-added events from the bus;
// each is saved on the server (idempotently by envelope id) before it is acknowledged.

import { mfe } from "/mfe/static/client.js";

const release = Number(document.body.dataset.release);
const els = {
  cart: document.getElementById("cart"),
  empty: document.querySelector("[data-testid='cart-empty']"),
  lines: document.getElementById("lines"),
  total: document.getElementById("cart-total"),
  status: document.getElementById("status"),
  form: document.getElementById("order-form"),
  submit: document.querySelector("[data-testid='place-order']"),
  confirmation: document.querySelector("[data-testid='order-confirmation']"),
  orderId: document.getElementById("order-id"),
  orderSummary: document.getElementById("order-summary"),
};

const money = (value) => `$${value.toFixed(2)}`;
let current = { lines: [], itemCount: 0, total: 0 };

/** An error from the checkout API, with its JSON body. */
class ApiFailure extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
  get permanent() {
    // Our own validation said no: retrying the same request cannot succeed. Anything else
    // (401 for a token refused, 404 from a release without the route, 5xx) may pass later:
    // the event is failed, retried, and waits for the next handshake if need be.
    return [400, 409, 413, 422].includes(this.status);
  }
}

// Who the shopper is: a token the host keeps in its own storage and hands to this frame (the
// chapter's shared-service pattern). Sent explicitly on each call, never as a cookie, so no
// other server on localhost receives it and no other page can send it: no CSRF to guard.
let shopper = null;
function shopperToken() {
  shopper ??= mfe.request("shopper.token").then(
    (answer) => answer.token,
    (error) => {
      // Asked again next time (the host may still be starting).
      shopper = null;
      throw error;
    },
  );
  return shopper;
}

async function api(method, path, body, timeoutMs = null) {
  const headers = { Authorization: `Bearer ${await shopperToken()}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    credentials: "omit",
    headers,
    signal: timeoutMs === null ? undefined : AbortSignal.timeout(timeoutMs),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // A token checkout refuses: ask the host again on the next call.
  if (response.status === 401) shopper = null;
  let payload = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  if (!response.ok) throw new ApiFailure(response.status, payload);
  return payload;
}

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text) node.textContent = text;
  return node;
}

function renderLine(line) {
  const item = element("li", { class: "line", "data-testid": "cart-item", "data-product-id": line.productId });
  item.append(element("span", { class: "line-name" }, line.name));
  item.append(element("span", { class: "line-total" }, money(line.lineTotal)));
  const meta = element("span", { class: "line-meta" });
  meta.append(element("span", { "data-testid": "cart-item-quantity" }, String(line.quantity)));
  meta.append(" × ");
  meta.append(element("span", { "data-testid": "cart-item-price" }, money(line.price)));
  if (release >= 2 && line.discount > 0) {
    meta.append(" ");
    // The minus sign stays outside the test id: its text is the amount off, as money.
    const discount = element("span", { class: "line-discount" }, "−");
    discount.append(element("span", { "data-testid": "cart-item-discount" }, money(line.discount)));
    meta.append(discount);
    meta.append(" each");
  }
  item.append(meta);
  const remove = element("button", { type: "button", class: "remove", "data-testid": "remove-item" }, "Remove");
  remove.setAttribute("aria-label", `Remove ${line.name}`);
  remove.addEventListener("click", () => removeLine(line.productId));
  item.append(remove);
  return item;
}

function render(cart) {
  current = cart;
  els.lines.replaceChildren(...cart.lines.map(renderLine));
  els.empty.hidden = cart.lines.length > 0;
  els.total.textContent = money(cart.total);
  els.cart.setAttribute("aria-busy", "false");
}

function say(text) {
  els.status.textContent = text;
}

// One cart change at a time: answers then arrive in the order the server applied them, so the
// page never shows an older cart over a newer one (two deliveries saved at once could).
let changes = Promise.resolve();
function serially(task) {
  const run = changes.then(task, task);
  changes = run.catch(() => {});
  return run;
}

// How many cart changes this page has shown (saves, removals, an order): a read of the cart
// that was on its way while one was shown may be older than it, so it is not shown.
let changesShown = 0;

async function announce(cart) {
  changesShown += 1;
  render(cart);
  await mfe.emit("cart:updated", "1.0.0", { itemCount: cart.itemCount, total: cart.total });
}

// At least once from the bus, exactly once in the cart: the server is idempotent by id,
// and the ack is sent only after this promise settles. Named: the host's log says which
// handler refused an event.
function saveToCart(data, envelope) {
  return serially(async () => {
    try {
      const cart = await api("POST", "/api/cart/items", envelope);
      say("");
      await announce(cart);
    } catch (error) {
      if (error instanceof ApiFailure && error.permanent) {
        // Refused for good (e.g. a price that is not the catalog's): say why, and reject the
        // event, so the bus acks it without retrying and the host's log shows the reason.
        const reason = error.body.error || `http-${error.status}`;
        say(`Could not add ${data.productId}: ${reason}`);
        error.rejected = reason;
        throw error;
      }
      say("Saving the cart failed; it will be retried.");
      throw error;
    }
  });
}
mfe.on("cart:item-added", saveToCart);

function removeLine(productId) {
  return serially(async () => {
    try {
      await announce(await api("DELETE", `/api/cart/items/${encodeURIComponent(productId)}`));
      say("");
    } catch (error) {
      say(`Could not remove the item: ${error.message}`);
    }
  });
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function fieldErrors(values) {
  const errors = {};
  if (!values.name) errors.name = "Enter your name.";
  if (!EMAIL.test(values.email)) errors.email = "Enter an email address such as ana@example.com.";
  if (!values.address) errors.address = "Enter your delivery address.";
  return errors;
}

function showFieldErrors(errors) {
  for (const node of els.form.querySelectorAll("[data-field-error]")) {
    const name = node.dataset.fieldError;
    node.textContent = errors[name] || "";
    els.form.elements[name].setAttribute("aria-invalid", errors[name] ? "true" : "false");
  }
  const first = Object.keys(errors)[0];
  if (first) els.form.elements[first].focus();
}

async function placeOrder(event) {
  event.preventDefault();
  const values = Object.fromEntries(
    ["name", "email", "address"].map((name) => [name, els.form.elements[name].value.trim()]),
  );
  const errors = fieldErrors(values);
  showFieldErrors(errors);
  if (Object.keys(errors).length) return;
  if (current.lines.length === 0) {
    say("Your cart is empty: add something first.");
    return;
  }
  els.submit.disabled = true;
  try {
    const order = await serially(() => api("POST", "/api/orders", values));
    els.orderId.textContent = order.orderId;
    els.orderSummary.textContent = `${order.itemCount} item(s), ${money(order.total)}`;
    els.confirmation.hidden = false;
    els.form.reset();
    say("");
    await announce({ lines: [], itemCount: 0, total: 0, release });
    await mfe.emit("order:placed", "1.0.0", { orderId: order.orderId, itemCount: order.itemCount, total: order.total });
    // The course's shared-service pattern: ask the host directly to show a notification.
    await mfe.request("notifications.show", {
      message: `Order ${order.orderId} placed`,
      type: "success",
      duration: 4000,
    });
    els.confirmation.focus();
  } catch (error) {
    if (error instanceof ApiFailure && error.body.error === "invalid") {
      showFieldErrors(Object.fromEntries((error.body.details || []).map((d) => [d.field, d.message])));
    } else {
      say(`The order was not placed: ${error.message}`);
    }
  } finally {
    els.submit.disabled = false;
  }
}

els.form.addEventListener("submit", placeOrder);

const FIRST_READ_RETRY_MS = 1000;
const LAST_READ_RETRY_MS = 30000;
// A read that gets no answer (a server that accepted the connection and hangs) is tried again.
const READ_TIMEOUT_MS = 10000;
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// What the read last said in the status line: it replaces or clears only its own words, never
// a save's (such as "Could not add mug: price-mismatch").
let readSaid = "";
function sayAboutRead(text) {
  if (els.status.textContent === "" || els.status.textContent === readSaid) say(text);
  readSaid = text;
}

/** Read the cart until it answers: the server may be down the moment this page loads. */
async function readCart() {
  for (let wait = FIRST_READ_RETRY_MS; ; wait = Math.min(wait * 2, LAST_READ_RETRY_MS)) {
    const before = changesShown;
    try {
      const cart = await api("GET", "/api/cart", undefined, READ_TIMEOUT_MS);
      // A save answered while this read was on its way: its cart is the newer one. (The read
      // stays out of the queue of changes, so a read that hangs cannot hold the saves.)
      if (changesShown === before) render(cart);
      sayAboutRead("");
      return;
    } catch (error) {
      // A change shown meanwhile brought the cart from the server: no need to read it again.
      if (changesShown > 0) return;
      sayAboutRead(`The cart could not be loaded (${error.message}); trying again.`);
      await pause(wait);
    }
  }
}

async function start() {
  await readCart();
  // Right after the handshake, so the host's badge is right after a reload too.
  await mfe.ready;
  await mfe.emit("cart:updated", "1.0.0", { itemCount: current.itemCount, total: current.total });
}

start();
