"""The attacker's own site: a tiny HTTP server on another port, for the attack tests.

It is a site the shop does not control, so it sends no CSP and its pages run inline scripts.
Every page is parametrised by its query string (`/opener?target=...`); each script keeps what
it saw in `window.report`, which the tests read with Playwright.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

# Shared by every page: builders of well-formed bus messages, as a real products frame sends.
PRELUDE = """
window.report = { posted: 0, errors: [], done: false };
function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
function hello(app) {
  return { tag: "mfe-bus", kind: "hello", protocol: "1", app, release: 1, instance: uuid(),
           consumes: {} };
}
function addEnvelope(productId, quantity, price) {
  return { event: "cart:item-added", version: "1.0.0", id: uuid(), source: "products",
           timestamp: Date.now(),
           data: { itemId: "evil-" + Date.now(), productId, quantity, price } };
}
function emit(productId, quantity, price) {
  const envelope = addEnvelope(productId, quantity, price);
  return { tag: "mfe-bus", kind: "emit", id: envelope.id, envelopes: [envelope] };
}
function deliver(productId, quantity, price) {
  return { tag: "mfe-bus", kind: "deliver", envelope: addEnvelope(productId, quantity, price) };
}
// Every message an attacker would try, to every window it can name.
function barrage(target) {
  const messages = [hello("products"), hello("checkout"), emit(P.product || "grinder", 5, 0.01),
                    deliver(P.product || "grinder", 5, 0.01)];
  const windows = [target];
  try {
    for (let i = 0; i < target.length; i += 1) windows.push(target[i]);
  } catch (error) {
    report.errors.push("frames: " + error);
  }
  for (const win of windows) {
    for (const message of messages) {
      try {
        win.postMessage(message, "*");
        report.posted += 1;
      } catch (error) {
        report.errors.push(String(error));
      }
    }
  }
}
function repeat(rounds, every, fn) {
  let n = 0;
  const timer = setInterval(() => {
    n += 1;
    fn(n);
    if (n >= rounds) {
      clearInterval(timer);
      report.done = true;
    }
  }, every);
}
"""

PAGES = {
    # Opens the host in a popup (on a click: a real user gesture) and posts to it and its frames.
    "opener": """
document.body.innerHTML = '<button id="go">Win a prize</button>';
document.getElementById("go").addEventListener("click", () => {
  const popup = window.open(P.target, "victim");
  report.opened = popup !== null;
  repeat(Number(P.rounds || 30), 100, () => {
    report.closed = popup.closed;
    report.frameCount = popup.length;
    barrage(popup);
  });
});
""",
    # Frames a page of the shop.
    "frame": """
const frame = document.createElement("iframe");
frame.name = "victim";
frame.src = P.src;
frame.addEventListener("load", () => { report.loaded = true; });
document.body.append(frame);
""",
    # Lives inside the products frame and posts to the top window and to its parent.
    "nested": """
repeat(Number(P.rounds || 20), 100, () => {
  barrage(window.top);
  barrage(window.parent);
});
""",
    # A classic CSRF: a form that posts a JSON-looking text/plain body, submitted on load.
    "form": """
const form = document.createElement("form");
form.method = "post";
form.action = P.action;
form.enctype = "text/plain";
const input = document.createElement("input");
input.type = "hidden";
// text/plain sends `name=value`: the `=` lands inside a dummy string, the rest is JSON.
input.name = P.body.slice(0, -1) + ', "pad": "';
input.value = '"}';
form.append(input);
document.body.append(form);
form.submit();
""",
    # A credentialed fetch from this origin; the browser sends the shop's cookies along.
    "fetch": """
fetch(P.url, {
  method: "POST",
  credentials: "include",
  mode: P.mode || "cors",
  headers: JSON.parse(P.headers || "{}"),
  body: P.body,
}).then(
  (response) => { report.status = response.status; report.type = response.type; },
  (error) => { report.error = String(error); },
).finally(() => { report.done = true; });
""",
    # Cookie tossing: any page on localhost may write cookies every port of localhost receives.
    "toss": """
for (let i = 0; i < Number(P.junk || 0); i += 1) {
  document.cookie = `junk${i}=${"x".repeat(20)}; path=/; max-age=31536000`;
}
if (P.name) document.cookie = `${P.name}=${P.value}; path=${P.path || "/"}; max-age=31536000`;
report.cookies = document.cookie.split("; ").length;
report.done = true;
""",
    # A WebSocket to the host from this origin.
    "socket": """
const ws = new WebSocket(P.url);
ws.onopen = () => { report.open = true; ws.send(JSON.stringify({ type: "ping", echo: 1 })); };
ws.onmessage = (event) => { report.message = event.data; };
ws.onerror = () => { report.error = true; };
ws.onclose = () => { report.closed = true; report.done = true; };
""",
}


def render(page: str, params: dict[str, str]) -> bytes:
    """The HTML of one attacker page with its parameters."""
    # `<` escaped: a parameter can never close the script element.
    config = json.dumps(params).replace("<", "\\u003c")
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>attacker</title></head>"
        f"<body><script>const P = {config};\n{PRELUDE}\n{PAGES[page]}</script></body></html>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def do_GET(self):
        parts = urlsplit(self.path)
        page = parts.path.strip("/")
        self.server.hits.append(parts.path)
        self.server.headers.append({k.lower(): v for k, v in self.headers.items()})
        if page not in PAGES:
            self.send_error(404)
            return
        body = render(page, dict(parse_qsl(parts.query)))
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        """Quiet: the tests assert on what the pages report, not on access logs."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    hits: list[str]
    headers: list[dict[str, str]]


class Attacker:
    """The attacker's site on a free port of `localhost` (same site as the shop, other origin)."""

    def __init__(self):
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.hits = []
        self.server.headers = []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        """`http://localhost:<port>`."""
        return f"http://localhost:{self.server.server_address[1]}"

    @property
    def hits(self) -> list[str]:
        """Paths requested so far."""
        return list(self.server.hits)

    @property
    def received_headers(self) -> list[dict[str, str]]:
        """The headers of every request so far (names in lower case)."""
        return list(self.server.headers)

    def url(self, page: str, **params) -> str:
        """The URL of one page with its parameters."""
        return f"{self.origin}/{page}?{urlencode(params)}"

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()
