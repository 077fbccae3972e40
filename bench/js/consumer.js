// The checkout frame's script during the bus benchmark, in place of checkout.js: the real bus
// client (`/mfe/static/client.js`, served by checkout on its own origin) with a handler that
// does no I/O. The app's own handler POSTs every add to the checkout server, which would
// make the bus benchmark a benchmark of that server.
import { mfe } from "/mfe/static/client.js";

let received = 0;
mfe.on("cart:item-added", () => {
  received += 1;
});
Object.defineProperty(window, "__benchReceived", { get: () => received });
