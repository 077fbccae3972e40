"""The child bus client's handlers (shared_contracts/static/mfe/client.js), in Chromium.

Each handler's outcome is its own: one that throws, rejects or refuses an event for good does
not stop the others, a retry runs only the handlers that failed, and the ack or fail that goes
back to the host names which handler refused or failed.
"""

import pytest

pytestmark = pytest.mark.browser

# A BusClient with no port: what it would post to the host lands in `client.outgoing`.
HARNESS = """
const { BusClient } = await import("/mfe/static/client.js");
const client = new BusClient({
  app: "checkout", release: 1, hostOrigin: location.origin, consumes: {},
});
const envelope = (id) => ({
  event: "cart:item-added", version: "1.0.0", id, source: "products", timestamp: 1,
  data: { itemId: "i", productId: "mug", quantity: 1, price: 14.5 },
});
const calls = [];
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const posted = () => client.outgoing.splice(0).map(({ kind, id, rejected, message }) =>
  ({ kind, id, rejected: rejected ?? null, message: message ?? null }));
const refusal = (reason, text) => Object.assign(new Error(text), { rejected: reason });
"""


def run(js, body: str):
    """HARNESS, then `body`, in the page; its JSON result."""
    return js.evaluate(f"async () => {{ {HARNESS}\n{body} }}")


def test_a_refusing_handler_does_not_silence_the_others(js):
    """The first handler refuses the event for good; the second still runs, for this event and
    every later one, and the ack names who refused."""
    result = run(
        js,
        """
        client.on("cart:item-added", function checkPrice() {
          calls.push("checkPrice");
          return Promise.reject(refusal("price-mismatch", "not the catalog price"));
        });
        client.on("cart:item-added", function updateBadge() { calls.push("updateBadge"); });
        client.deliver(envelope("e1"));
        await settle();
        client.deliver(envelope("e2"));
        await settle();
        return { calls, posted: posted() };
        """,
    )
    assert result["calls"] == ["checkPrice", "updateBadge"] * 2
    assert result["posted"] == [
        {
            "kind": "ack",
            "id": event_id,
            "rejected": "price-mismatch",
            "message": "checkPrice refused: not the catalog price",
        }
        for event_id in ("e1", "e2")
    ]


def test_a_failing_handler_is_retried_alone(js):
    """One handler throws (a server down): the others finish; the host is told which failed,
    and the redelivery runs only that one, then acks."""
    result = run(
        js,
        """
        let down = true;
        client.on("cart:item-added", function save() {
          calls.push("save");
          if (down) throw new Error("server down");
        });
        client.on("cart:item-added", async function count() { calls.push("count"); });
        client.deliver(envelope("e1"));
        await settle();
        const first = posted();
        down = false;
        client.deliver(envelope("e1"));
        await settle();
        return { calls, first, second: posted() };
        """,
    )
    assert result["calls"] == ["save", "count", "save"]
    assert result["first"] == [
        {"kind": "fail", "id": "e1", "rejected": None, "message": "save failed: server down"}
    ]
    assert result["second"] == [{"kind": "ack", "id": "e1", "rejected": None, "message": None}]


def test_refusals_and_failures_together(js):
    """A refusal is final while another handler's failure is retried: the ack comes once the
    failed one succeeds, still naming the refusal; anonymous handlers are named by position."""
    result = run(
        js,
        """
        let attempts = 0;
        client.on("cart:item-added", () => { throw refusal("invalid", "bad"); });
        client.on("cart:item-added", () => {
          attempts += 1;
          if (attempts === 1) return Promise.reject(new Error("later"));
        });
        client.deliver(envelope("e1"));
        await settle();
        const first = posted();
        client.deliver(envelope("e1"));
        await settle();
        return { attempts, first, second: posted() };
        """,
    )
    assert result["attempts"] == 2
    assert result["first"] == [
        {"kind": "fail", "id": "e1", "rejected": None, "message": "handler 2 failed: later"}
    ]
    assert result["second"] == [
        {"kind": "ack", "id": "e1", "rejected": "invalid", "message": "handler 1 refused: bad"}
    ]
