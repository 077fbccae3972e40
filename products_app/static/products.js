// The storefront: each add to cart is one logical cart:item-added event, in the version(s)
// this release emits, followed by one notification.

import { mfe } from "/mfe/static/client.js";

const body = document.body.dataset;
const release = Number(body.release);
const dualEmit = body.dualEmit === "true";

function newItemId() {
  return `item-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

function payloads(card, quantity) {
  const v1 = {
    itemId: newItemId(),
    productId: card.dataset.productId,
    quantity,
    price: Number(card.dataset.price),
  };
  if (release === 1) return { "1.0.0": v1 };
  const v2 = { ...v1 };
  if (card.dataset.discount) {
    v2.discount = Number(card.dataset.discount);
    v2.appliedPromo = card.dataset.promo;
  }
  // The transition pattern: one id, both versions; each consumer gets the one it takes best.
  return dualEmit ? { "1.0.0": v1, "2.0.0": v2 } : { "2.0.0": v2 };
}

function showStatus(card, text, kind) {
  const status = card.querySelector(".status");
  status.textContent = text;
  status.dataset.kind = kind;
}

const adds = new WeakMap();

async function addToCart(form) {
  const card = form.closest("[data-testid='product-card']");
  const button = form.querySelector("[data-testid='add-to-cart']");
  const name = card.querySelector("[data-testid='product-name']").textContent;
  const raw = form.elements.quantity.value;
  // Send what the shopper typed, as a number: the bus's contract check decides.
  const quantity = raw.trim() === "" ? Number.NaN : Number(raw);
  button.disabled = true;
  showStatus(card, "", "");
  // A later add on this card owns its status line: an earlier one's late answer stays quiet.
  const add = (adds.get(card) ?? 0) + 1;
  adds.set(card, add);
  try {
    await mfe.emitAll("cart:item-added", payloads(card, quantity));
  } catch (error) {
    showStatus(card, `Not added: ${refusal(error)}`, "error");
    button.disabled = false;
    return;
  }
  // The add is accepted whatever becomes of its toast: a refused notification must not make
  // the card say "Not added" about an item that is on its way to the cart.
  showStatus(card, `Added ${quantity}`, "ok");
  button.disabled = false;
  try {
    await mfe.emit("notification:show", "1.0.0", {
      message: `${name} added to cart`,
      type: "success",
      duration: 3000,
    });
  } catch (error) {
    if (adds.get(card) === add) showStatus(card, `Added ${quantity} (no notification: ${refusal(error)})`, "ok");
  }
}

function refusal(error) {
  const reason = error.reason || "error";
  const detail = error.details?.[0] ? ` (${error.details[0].path}: ${error.details[0].message})` : "";
  return `${reason}${detail}`;
}

for (const form of document.querySelectorAll("form.add-form")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    addToCart(form);
  });
}
