// The shopper's identity, kept by the shell in the host origin's own storage (never a cookie:
// browsers send cookies to every port of localhost). Checkout's frame asks for it over the
// bus (`mfe.request("shopper.token")`) and sends it on each call to its server, so both
// checkout releases (two origins) find the same cart, and no other local server ever sees it.

const TOKEN_KEY = "mfe-shopper-token";
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** 32 random bytes as base64url (43 characters), like Python's `secrets.token_urlsafe(32)`. */
function newToken() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** The shopper's token from `storage` (read each time: another tab may have made it first). */
export function shopperToken(storage, fallback) {
  try {
    const kept = storage?.getItem(TOKEN_KEY);
    if (kept !== null && kept !== undefined && TOKEN.test(kept)) return kept;
    const token = newToken();
    storage?.setItem(TOKEN_KEY, token);
    if (storage) return token;
  } catch {
    // Storage refused (a private mode, a full quota): the token of this page only.
  }
  fallback.token ??= newToken();
  return fallback.token;
}

/** Offer `shopper.token` on the bus, to the checkout app alone. */
export function offerShopperToken(router, storage) {
  const fallback = {};
  router.service("shopper.token", (_params, { app }) => {
    if (app !== "checkout") {
      const error = new Error(`only checkout may ask for the shopper token, not ${app}`);
      error.reason = "not-allowed";
      throw error;
    }
    return { token: shopperToken(storage, fallback) };
  });
}
