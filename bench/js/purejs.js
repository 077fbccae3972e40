// The bus's own JavaScript per event, without the browser's messaging: evaluated by
// `python -m bench.purejs` in a page at the host's origin. The real Router and two real
// BusClients (products, checkout) are wired by function calls through a queue instead of
// MessagePorts, so what is timed is validation, routing, dedupe, logging and the clients'
// bookkeeping: no structured clone, no tasks. `arg`: {manifests, rounds, events}.
async ({ manifests, rounds, events }) => {
  const { Router } = await import("/static/bus/router.js");
  const { BusClient } = await import("/mfe/static/client.js");
  const { Realtime } = await import("/static/realtime.js");
  const bundle = await (await fetch("/mfe/contracts.json")).json();

  // The host page's log path, the real one: the page's queue, packing and JSON, withdrawing a
  // deliver its ack settles; only the socket is a stand-in that sends nowhere.
  const realtime = new Realtime({ url: "ws://unused.invalid/ws" });
  realtime.socket = { readyState: WebSocket.OPEN, send: () => {} };
  const onLog = (entry, supersedes = null) => {
    if (supersedes !== null) realtime.withdraw(supersedes);
    realtime.log(entry);
  };
  // No rate limit: the rounds run far faster than any app emits.
  const router = new Router({ bundle, onLog, limits: { ratePerSecond: 1e9, burst: 1e9, byteRate: 1e12 } });
  router.setLocal("host", manifests.host, {
    "order:placed": () => {},
    "cart:updated": () => {},
    "notification:show": () => {},
  });
  const queue = [];
  const clients = {};
  for (const app of ["products", "checkout"]) {
    router.setApp(app, { manifest: manifests[app], release: manifests[app].release });
    const client = new BusClient({
      app,
      release: manifests[app].release,
      hostOrigin: location.origin,
      consumes: manifests[app].consumes,
    });
    client.port = {};
    client.send = (message) => queue.push(["host", app, message]);
    clients[app] = client;
    router.connect(app, (message) => queue.push([app, null, message]));
  }
  let handled = 0;
  clients.checkout.on("cart:item-added", () => {
    handled += 1;
  });
  const pump = () => {
    for (let i = 0; i < queue.length; i += 1) {
      const [to, from, message] = queue[i];
      if (to === "host") router.receive(from, message);
      else clients[to].onPortMessage(message);
    }
    queue.length = 0;
  };

  let serial = 0;
  const paths = {
    // checkout emits order:placed, consumed by the host itself: the emit round trip's work.
    echo: () => clients.checkout.emit("order:placed", "1.0.0", { orderId: `o-${++serial}`, itemCount: 1, total: 12.5 }),
    // products emits cart:item-added; checkout handles and acks it: the full path's work.
    full: () =>
      clients.products.emit("cart:item-added", "1.0.0", {
        itemId: `i-${++serial}`,
        productId: "mug",
        quantity: 1,
        price: 14.5,
      }),
  };
  const round = async (path) => {
    const answers = [];
    const started = performance.now();
    for (let i = 0; i < events; i += 1) {
      answers.push(paths[path]());
      pump();
    }
    await Promise.all(answers);
    return ((performance.now() - started) / events) * 1000;
  };
  const result = {};
  for (const path of Object.keys(paths)) {
    for (let i = 0; i < 5; i += 1) await round(path); // warm-up
    const perEvent = [];
    for (let i = 0; i < rounds; i += 1) perEvent.push(await round(path));
    result[path] = perEvent;
  }
  return { ...result, handled };
};
