"""Log batches on the wire: packed in the page (`packLog`), unpacked by the host (`logwire`)."""

import json

import pytest

from host_app import logwire

EMIT = ["type", "at", "app", "id", "verdict"]


def test_packed_rows_become_entries():
    """Each row is its shape's keys zipped with its values."""
    message = {
        "shapes": [EMIT, ["type", "at", "app", "latencyMs"]],
        "rows": [
            [0, "emit", 1, "products", "a", "accepted"],
            [1, "ack", 2, "checkout", 0.3],
            [0, "emit", 3, "checkout", "b", {"nested": [1, None]}],
        ],
    }
    entries, malformed = logwire.unpack(message)
    assert malformed == 0
    assert entries == [
        {"type": "emit", "at": 1, "app": "products", "id": "a", "verdict": "accepted"},
        {"type": "ack", "at": 2, "app": "checkout", "latencyMs": 0.3},
        {"type": "emit", "at": 3, "app": "checkout", "id": "b", "verdict": {"nested": [1, None]}},
    ]


@pytest.mark.parametrize(
    "row",
    [
        [2, "emit", 1, "products", "a", "accepted"],  # no such shape
        [-1, "emit", 1, "products", "a", "accepted"],
        [True, "emit", 1, "products", "a", "accepted"],  # a bool is not an index
        ["0", "emit", 1, "products", "a", "accepted"],
        [0, "emit", 1, "products", "a"],  # one value short
        [0, "emit", 1, "products", "a", "accepted", "extra"],
        [],
        {"type": "emit"},
        None,
    ],
)
def test_a_malformed_row_is_skipped_and_counted(row):
    """A bad row is dropped; the good rows of the same batch still count."""
    good = [0, "emit", 1, "products", "a", "accepted"]
    entries, malformed = logwire.unpack({"shapes": [EMIT], "rows": [good, row, good]})
    assert malformed == 1
    assert len(entries) == 2


@pytest.mark.parametrize(
    "shapes",
    [
        None,
        "type,at",
        [["type", "type"]],  # a key twice
        [["type", 3]],
        [["k" * (logwire.MAX_KEY_LENGTH + 1)]],
        [[f"k{i}" for i in range(logwire.MAX_KEYS + 1)]],
        # Each key short enough, together too long.
        [[f"{i:02d}" + "k" * 29 for i in range(logwire.MAX_SHAPE_CHARACTERS // 31 + 1)]],
    ],
)
def test_bad_shapes_make_their_rows_malformed(shapes):
    """Rows that point at an invalid shape (or at shapes that are not a list) are refused."""
    width = len(shapes[0]) if isinstance(shapes, list) and isinstance(shapes[0], list) else 2
    row = [0, *range(width)]
    entries, malformed = logwire.unpack({"shapes": shapes, "rows": [row]})
    assert (entries, malformed) == ([], 1)


def test_a_batch_is_cut_at_the_row_limit():
    """At most MAX_ROWS rows (or entries) of one message are read."""
    rows = [[0, "emit", i, "p", "a", "ok"] for i in range(logwire.MAX_ROWS + 10)]
    entries, malformed = logwire.unpack({"shapes": [EMIT], "rows": rows})
    assert (len(entries), malformed) == (logwire.MAX_ROWS, 0)
    plain = [{"type": "emit", "at": i} for i in range(logwire.MAX_ROWS + 10)]
    entries, malformed = logwire.unpack({"entries": plain})
    assert (len(entries), malformed) == (logwire.MAX_ROWS, 0)


def test_plain_entries_still_work_and_non_objects_are_counted():
    """The unpacked form: objects pass, anything else is counted as malformed."""
    entries, malformed = logwire.unpack({"entries": [{"type": "emit"}, 3, "x", {"type": "ack"}]})
    assert entries == [{"type": "emit"}, {"type": "ack"}]
    assert malformed == 2


def test_a_message_without_entries_is_empty():
    """No `rows` and no `entries`: nothing, and nothing malformed."""
    assert logwire.unpack({"type": "log"}) == ([], 0)


@pytest.mark.browser
def test_pack_in_the_page_then_unpack_gives_the_entries_back(js):
    """Entries of several types and key orders survive packLog → JSON → unpack unchanged."""
    entries = [
        {"type": "emit", "at": 1, "app": "products", "id": "a", "versions": ["1.0.0"]},
        {"type": "deliver", "at": 2, "app": "checkout", "from": "2.0.0", "to": "1.0.0"},
        {"type": "ack", "at": 3, "app": "checkout", "latencyMs": 0.3, "duplicate": False},
        {"type": "ack", "at": 4, "app": "host", "latencyMs": 0},
        {"type": "emit", "at": 5, "app": "checkout", "id": "b", "versions": []},
        {"type": "emit", "app": "checkout", "at": 6, "id": "c", "versions": [], "details": None},
        {"type": "refused", "at": 7, "origin": "http://evil.test", "extra": {"a": [1, "é"]}},
    ]
    wire = js.evaluate(
        """async (entries) => {
          const { packLog } = await import("/static/realtime.js");
          return JSON.stringify(packLog(entries));
        }""",
        entries,
    )
    packed = json.loads(wire)
    # Shapes are shared: two emits with the same keys in the same order use one.
    assert len(packed["shapes"]) == 6
    assert logwire.unpack(packed) == (entries, 0)


@pytest.mark.browser
def test_a_burst_packs_to_well_under_its_plain_size(js):
    """A burst's entries share a few shapes: packed, the batch is much smaller than objects."""
    sizes = js.evaluate(
        """async () => {
          const { packLog } = await import("/static/realtime.js");
          const entries = [];
          for (let i = 0; i < 150; i += 1) {
            const id = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
            const base = { at: 1795734288426 + i, release: 1, id, event: "cart:item-added" };
            const hop = { from: "1.0.0", to: "1.0.0", attempt: 1 };
            entries.push({ type: "emit", ...base, app: "products", versions: ["1.0.0"],
                           verdict: "accepted" });
            entries.push({ type: "deliver", ...base, app: "checkout", ...hop });
            entries.push({ type: "ack", ...base, app: "checkout", ...hop,
                           latencyMs: 0.2, duplicate: false });
          }
          return { packed: JSON.stringify(packLog(entries)).length,
                   plain: JSON.stringify(entries).length };
        }"""
    )
    assert sizes["packed"] < 0.65 * sizes["plain"], sizes


# The page's queue (Realtime in static/realtime.js) on a stand-in socket: what leaves, when.
QUEUE = """
const { Realtime } = await import("/static/realtime.js");
const sent = [];
const realtime = new Realtime({ url: "ws://unused.invalid/ws" });
realtime.socket = { readyState: WebSocket.OPEN, send: (text) => sent.push(JSON.parse(text)) };
const entry = (type, i) => ({ type, at: i, app: "checkout", id: `id-${i}`, attempt: 1 });
const left = () => sent.flatMap((m) => m.rows.map((row) => m.shapes[row[0]]
  .reduce((e, key, k) => ({ ...e, [key]: row[k + 1] }), {})));
"""


@pytest.mark.browser
def test_a_withdrawn_entry_does_not_leave_the_page(js):
    """A `deliver` withdrawn before the flush (its ack came) is not sent; the rest are, in order."""
    out = js.evaluate(
        f"""async () => {{ {QUEUE}
          const deliver = entry("deliver", 2);
          realtime.log(entry("emit", 1));
          realtime.log(deliver);
          realtime.withdraw(deliver);
          realtime.log(entry("ack", 3));
          realtime.flushLogs();
          return left().map((e) => e.type);
        }}"""
    )
    assert out == ["emit", "ack"]


@pytest.mark.browser
def test_a_long_backlog_leaves_early_but_its_newest_entries_wait(js):
    """At 2,000 queued entries all but the newest 500 leave, 500 rows per message."""
    out = js.evaluate(
        f"""async () => {{ {QUEUE}
          for (let i = 0; i < 2000; i += 1) realtime.log(entry("deliver", i));
          const early = {{ messages: sent.length, rows: left().map((e) => e.at) }};
          realtime.flushLogs();
          return {{ early, queued: realtime.logs.length, total: left().length }};
        }}"""
    )
    assert out["early"]["messages"] == 3
    assert out["early"]["rows"] == list(range(1500))
    assert out["queued"] == 0
    assert out["total"] == 2000


@pytest.mark.browser
def test_while_the_socket_is_down_the_newest_entries_wait(js):
    """Closed: nothing is sent, the queue keeps (at least) the newest 5,000; open: all leave."""
    out = js.evaluate(
        f"""async () => {{ {QUEUE}
          realtime.socket = null;
          for (let i = 0; i < 7000; i += 1) realtime.log(entry("emit", i));
          const whileDown = {{ sent: sent.length, queued: realtime.logs.length,
                              newest: realtime.logs.at(-1).at }};
          realtime.socket = {{ readyState: WebSocket.OPEN,
                              send: (text) => sent.push(JSON.parse(text)) }};
          realtime.flushLogs();
          const rows = left();
          return {{ whileDown, first: rows[0].at, last: rows.at(-1).at, count: rows.length }};
        }}"""
    )
    assert out["whileDown"]["sent"] == 0
    assert 5000 <= out["whileDown"]["queued"] <= 5500
    assert out["whileDown"]["newest"] == 6999
    assert out["last"] == 6999
    assert out["count"] == out["whileDown"]["queued"]
    assert out["first"] == 7000 - out["count"]
