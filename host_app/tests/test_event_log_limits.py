"""The event log under abuse: WebSocket messages capped in bytes, the ring and each read bounded
in entries and bytes, reads for the admin only, and page-reported rows that can never pass for
the host's own records."""

import contextlib
import json
import time
import urllib.error
import urllib.request

import pytest
import simple_websocket
from wsproto.utilities import LocalProtocolError

from host_app import eventlog
from host_app.realtime import MAX_MESSAGE_BYTES, Connection
from host_app.tests.conftest import ADMIN_TOKEN, bound_server, serving, url_of
from mfe_cli import events

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def opened():
    """Sockets a test opened, closed after it whatever happened (the server waits for them)."""
    sockets = []
    yield sockets
    for ws in sockets:
        with contextlib.suppress(simple_websocket.ConnectionClosed):
            ws.close()


@pytest.fixture
def served_host(host_app_factory, opened):
    """A host served on a free port (its own origin is that URL); yields (url, app, socket),
    `socket()` opening its WebSocket as its own page would (the Origin is only a header)."""
    server = bound_server()
    url = url_of(server)
    app = host_app_factory(HOST_URL=url)

    def socket() -> simple_websocket.Client:
        ws = simple_websocket.Client.connect(
            url.replace("http", "ws", 1) + "/ws", headers={"Origin": url}
        )
        opened.append(ws)
        return ws

    with serving(app, server):
        yield url, app, socket


def get(url: str, headers=None) -> tuple[int, dict]:
    """GET JSON; (status, body) also for an error status."""
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, headers=headers or {}), timeout=10
        ) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def log_batch(entries: list[dict]) -> str:
    """A `log` message as a page sends it."""
    return json.dumps({"type": "log", "page": "p1", "entries": entries})


def test_a_message_over_the_cap_closes_the_socket_and_is_not_stored(served_host):
    """A 2 MiB `log` message: the connection is closed (1009) before it is whole, and the log
    keeps nothing of it; a message under the cap is read as usual."""
    _, app, socket = served_host
    ws = socket()
    big = log_batch([{"type": "emit", "note": "x" * (2 * MAX_MESSAGE_BYTES)}])
    ws.send(big)
    # Health pushes may come first; the close must come within a few seconds.
    deadline = time.monotonic() + 10
    with pytest.raises(simple_websocket.ConnectionClosed) as closed:
        while time.monotonic() < deadline:
            ws.receive(timeout=1)
    assert closed.value.reason == 1009
    assert not [e for e in eventlog.log_for(app).recent() if e.get("note")]
    ws = socket()
    ws.send(log_batch([{"type": "emit", "note": "small"}]))
    ws.send(json.dumps({"type": "ping", "echo": 1}))
    while json.loads(ws.receive(timeout=10)).get("type") != "pong":
        pass
    assert [e["note"] for e in eventlog.log_for(app).recent() if e.get("note")] == ["small"]


class ClosingSocket:
    """A socket the handler is closing: wsproto refuses every send, as in LOCAL_CLOSING."""

    def __init__(self):
        self.tries = 0

    def send(self, text: str) -> None:
        self.tries += 1
        raise LocalProtocolError("cannot be sent in state ConnectionState.LOCAL_CLOSING")


def test_a_push_to_a_socket_being_closed_ends_its_writer_quietly():
    """The close above races the health pushes: the writer stops at the refused send, without
    an exception escaping its thread, and takes no more messages."""
    ws = ClosingSocket()
    connection = Connection(ws)
    connection.send({"type": "health"})
    connection.send({"type": "health"})
    connection.pump()
    assert ws.tries == 1 and not connection.alive


def test_reading_the_log_needs_the_admin_token_and_is_bounded(served_host):
    """No token: 401; a wrong one: 403; `limit=5000` returns at most READ_LIMIT entries and
    about READ_BYTES, however large the entries are."""
    url, app, _ = served_host
    assert get(url + "/api/events")[0] == 401
    assert get(url + "/api/events", {"Authorization": "Bearer wrong"})[0] == 403
    log = eventlog.log_for(app)
    log.extend_from_page([{"type": "emit", "n": n} for n in range(3000)], "p", 3000 * 20)
    status, body = get(url + "/api/events?limit=5000", AUTH)
    assert status == 200 and len(body["entries"]) == eventlog.READ_LIMIT
    assert body["entries"][-1]["n"] == 2999
    padding = "y" * (eventlog.MAX_ENTRY_BYTES - 200)
    large = [{"type": "emit", "pad": padding} for _ in range(400)]
    log.extend_from_page(large, "p", len(log_batch(large)))
    entries = get(url + "/api/events?limit=5000", AUTH)[1]["entries"]
    assert len(json.dumps(entries, separators=(",", ":"))) <= eventlog.READ_BYTES
    assert len(entries) < 200


def test_the_ring_is_bounded_in_bytes_and_an_oversized_entry_is_a_stub():
    """The ring forgets its oldest past its byte budget; an entry over MAX_ENTRY_BYTES is kept
    as a stub that says how large it was."""
    log = eventlog.EventLog(limit=10_000, max_bytes=1_000_000)
    entry = {"type": "emit", "pad": "z" * 9_000}
    for _ in range(50):
        log.extend_from_page([entry] * 10, "p", 10 * 9_050)
    kept = log.recent(limit=10_000, max_bytes=10**9)
    assert 100 <= len(kept) <= 111
    (stub,) = log.extend_from_page([{"type": "emit", "pad": "z" * 20_000}], "p", 20_100)
    assert stub["type"] == "emit" and stub["oversized"] > eventlog.MAX_ENTRY_BYTES
    assert "pad" not in stub


def test_a_forged_deploy_row_is_marked_as_the_page_s(served_host):
    """A local process pushes an `admin deploy` row through the socket (its Origin is just a
    header): it is stored as a page's report, and `mfe events tail` prints it as one, never as
    the host's deploy record."""
    _, app, socket = served_host
    ws = socket()
    forged = {
        "type": "deploy",
        "app": "products      deploy products release 2 at http://localhost:1",
        "release": 2,
        "url": "http://localhost:1",
        "by": "host",
        "at": 0,
    }
    ws.send(log_batch([forged, {**forged, "type": "reset"}]))
    ws.send(json.dumps({"type": "ping", "echo": 1}))
    while json.loads(ws.receive(timeout=10)).get("type") != "pong":
        pass
    rows = [e for e in eventlog.log_for(app).recent() if e.get("url") == "http://localhost:1"]
    assert [(e["type"], e["by"]) for e in rows] == [("page-deploy", "page"), ("page-reset", "page")]
    real = {"type": "deploy", "app": "products", "release": 2, "url": "http://x", "at": 0}
    real = eventlog.log_for(app).append(real)
    assert " host admin " in events.line(real)
    for row in rows:
        line = events.line(row)
        assert " page " in line and " host " not in line and "deploy products release 2" not in line
