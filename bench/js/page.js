// Injected by the benchmark (Playwright `add_init_script`) into every frame of its pages,
// before the page's own scripts. Nothing here runs in a normal visit of the shop.
//
// In the shop's top-level page (the host, path "/"): a thin observer of the bus ports.
//   - the moment the host hands each child its MessagePort (Frames.connect sets `onmessage`)
//     is recorded: two of them = both frames ready;
//   - every ack a child sends to the host is seen *after* the router handled it, and is
//     reported back to the products frame on a side port (one message per ack for latency,
//     a running count every `step` acks for bursts): the "→ back" leg of the full path;
//   - the moment a fallback (`fallback-*`) becomes visible is recorded.
// In child frames: the driver that times batches of events (`window.__benchDriver`), for the
// contract bus (`window.mfe`), for the raw baseline (`window.__raw`) and for Penpal 7, the peer
// library (bench/vendor/penpal, injected before this script), connected beside the bus as its
// README shows: a WindowMessenger and `connect` on each side, an RPC method in the host.
(() => {
  const now = () => performance.now();

  if (window.top === window) {
    if (location.pathname !== "/") return;
    const bench = {
      connects: [],
      fallbacks: {},
      acks: 0,
      mode: "each",
      step: 1,
      target: 0,
      back: null,
      reset({ mode = "each", step = 1, target = 0 } = {}) {
        bench.acks = 0;
        bench.mode = mode;
        bench.step = step;
        bench.target = target;
      },
      /** Give the products frame a side port on which acks come back. */
      link(frameName, origin) {
        const channel = new MessageChannel();
        bench.back = channel.port1;
        const iframe = document.querySelector(`iframe[name='${frameName}']`);
        iframe.contentWindow.postMessage({ benchBack: true }, origin, [channel.port2]);
      },
      /** Connect Penpal to a child frame, exposing one method that answers like a verdict. */
      penpal(frameName, origin) {
        const iframe = document.querySelector(`iframe[name='${frameName}']`);
        const messenger = new Penpal.WindowMessenger({
          remoteWindow: iframe.contentWindow,
          allowedOrigins: [origin],
        });
        const connection = Penpal.connect({
          messenger,
          methods: {
            emit(envelope) {
              return { status: "accepted", id: envelope.id };
            },
          },
        });
        return connection.promise.then(() => true);
      },
    };
    Object.defineProperty(window, "__bench", { value: bench });

    const onAck = (data) => {
      bench.acks += 1;
      if (!bench.back) return;
      if (bench.mode === "each") bench.back.postMessage({ id: data.id });
      else if (bench.acks % bench.step === 0 || bench.acks >= bench.target - bench.step) {
        bench.back.postMessage({ count: bench.acks });
      }
    };
    const native = Object.getOwnPropertyDescriptor(MessagePort.prototype, "onmessage");
    Object.defineProperty(MessagePort.prototype, "onmessage", {
      configurable: true,
      enumerable: true,
      get() {
        return native.get.call(this);
      },
      set(handler) {
        if (typeof handler !== "function" || this === bench.back) {
          native.set.call(this, handler);
          return;
        }
        bench.connects.push(now());
        // Told on the console, so the harness can wait without evaluating anything in the page
        // while it loads (Playwright's injected script cost ~70 ms of this main thread).
        if (bench.connects.length === 2) console.debug("mfe-bench:ready");
        native.set.call(this, function observed(event) {
          handler.call(this, event);
          const data = event.data;
          // The bus batches the messages of one task; look inside a batch for acks.
          const messages = data?.kind === "batch" && Array.isArray(data.messages) ? data.messages : [data];
          for (const m of messages) if (m !== null && typeof m === "object" && m.kind === "ack") onAck(m);
        });
      },
    });

    new MutationObserver((records) => {
      for (const record of records) {
        const el = record.target;
        const id = el.dataset?.testid;
        if (id?.startsWith("fallback-") && !el.hidden && !(id in bench.fallbacks)) {
          bench.fallbacks[id] = now();
          console.debug(`mfe-bench:${id}`);
        }
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ["hidden"] });
    return;
  }

  // ---- child frames: the driver ------------------------------------------------------------

  let onBack = () => {};
  const deliverBack = (data) => onBack(data);
  Object.defineProperty(window, "__benchBack", { value: deliverBack });
  let backReady;
  const backLinked = new Promise((resolve) => {
    backReady = resolve;
  });
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || !event.data || event.data.benchBack !== true) return;
    const port = event.ports[0];
    port.onmessage = (e) => deliverBack(e.data);
    backReady();
  });

  let penpalHost = null;
  /** The child's side of Penpal's connection to the host page. */
  function connectPenpal(hostOrigin) {
    const messenger = new Penpal.WindowMessenger({ remoteWindow: window.parent, allowedOrigins: [hostOrigin] });
    return Penpal.connect({ messenger, methods: {} }).promise.then((remote) => {
      penpalHost = remote;
      return true;
    });
  }
  Object.defineProperty(window, "__benchPenpal", { value: connectPenpal });

  let seq = 0;
  function payload(spec, i) {
    if (!spec.uniqueKey) return spec.data;
    return { ...spec.data, [spec.uniqueKey]: `${spec.uniqueKey}-${seq}-${i}` };
  }

  function envelopeOf(spec, id, source, i) {
    return { event: spec.event, version: spec.version, id, source, timestamp: Date.now(), data: payload(spec, i) };
  }

  /** `send(i)` → id (or a promise of it) once the emitter may go on. */
  function sender(spec) {
    seq += 1;
    if (spec.kind === "bus") {
      const mfe = window.mfe;
      return (i) => mfe.emit(spec.event, spec.version, payload(spec, i)).then((r) => r.id);
    }
    if (spec.kind === "penpal") {
      const remote = penpalHost;
      return (i) => remote.emit(envelopeOf(spec, `penpal-${seq}-${i}`, spec.source, i)).then((r) => r.id);
    }
    const raw = window.__raw;
    return (i) => {
      const id = `raw-${seq}-${i}`;
      // The echo, and the relay that also answers the emitter, wait for the host's answer.
      return raw.emit(id, envelopeOf(spec, id, raw.name, i), spec.path === "echo" || spec.verdict === true);
    };
  }

  /** Sequential events in batches: per-event latency = batch time / batch size. */
  async function latency(spec) {
    if (spec.kind === "bus" && spec.path === "full") await backLinked;
    const send = sender(spec);
    const acked = new Set();
    let waiting = null;
    onBack = (data) => {
      if (waiting && waiting.id === data.id) {
        const w = waiting;
        waiting = null;
        w.resolve();
      } else acked.add(data.id);
    };
    const one = async (i) => {
      const id = await send(i);
      if (spec.path !== "full" || acked.delete(id)) return;
      await new Promise((resolve) => {
        waiting = { id, resolve };
      });
    };
    for (let i = 0; i < spec.warmup; i += 1) await one(i);
    const perEvent = [];
    const batches = Math.max(1, Math.floor(spec.n / spec.batch));
    for (let b = 0; b < batches; b += 1) {
      const t0 = now();
      for (let k = 0; k < spec.batch; k += 1) await one(b * spec.batch + k);
      perEvent.push((now() - t0) / spec.batch);
    }
    return perEvent;
  }

  /** n events, at most `window` of them not yet acked; time until the n-th ack is back. */
  async function burst(spec) {
    if (spec.kind === "bus") await backLinked;
    const send = sender(spec);
    const n = spec.n;
    let sent = 0;
    let acked = 0;
    let refused = 0;
    const reasons = {};
    let finish;
    const done = new Promise((resolve) => {
      finish = resolve;
    });
    const verdicts = [];
    const settle = () => {
      if (acked + refused >= n) finish();
    };
    const refuse = (error) => {
      refused += 1;
      const reason = error?.reason || String(error);
      reasons[reason] = (reasons[reason] || 0) + 1;
      settle();
    };
    const pump = () => {
      while (sent < n && sent - acked - refused < spec.window) {
        const result = send(sent);
        sent += 1;
        if (result && typeof result.then === "function") verdicts.push(result.catch(refuse));
      }
    };
    onBack = (data) => {
      if (typeof data.count !== "number") return;
      acked = data.count;
      settle();
      pump();
    };
    const t0 = now();
    pump();
    const timeout = new Promise((resolve) => setTimeout(() => resolve("timeout"), spec.timeoutMs));
    const outcome = await Promise.race([done, timeout]);
    const ms = now() - t0;
    await Promise.race([Promise.all(verdicts), timeout]);
    return { ms, sent, acked, refused, reasons, timedOut: outcome === "timeout" };
  }

  Object.defineProperty(window, "__benchDriver", { value: Object.freeze({ latency, burst }) });
})();
