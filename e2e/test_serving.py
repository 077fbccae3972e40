"""How products and checkout are served under `make run`: one light process that still serves
requests side by side (docs/performance.md, "Memory")."""

import json
import socket
import threading
import time
import urllib.request

from bench.memory import group_pids
from e2e.processes import start_shop
from mfe_platform.readiness import wait_until

TOKEN = "serving-test-token"
# An HTTP/2 SETTINGS frame with no settings: length 0, type 4, no flags, stream 0.
HTTP2_EMPTY_SETTINGS = bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])


def post_chaos(url: str, mode: str) -> None:
    request = urllib.request.Request(
        f"{url}/api/admin/chaos",
        data=json.dumps({"mode": mode}).encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        assert reply.status == 200


def test_checkout_is_one_process_that_serves_two_slow_requests_side_by_side(tmp_path):
    """Two requests, each held one second by `mfe chaos slow`, end together, not one after the
    other: the one process's next lane takes a request while the first is stuck (lanes.py)."""
    with start_shop(tmp_path, {"MFE_ADMIN_TOKEN": TOKEN}, names=("checkout-v1",)) as shop:
        url = shop.url("checkout-v1")
        assert len(group_pids(shop.procs["checkout-v1"].pid)) == 1
        post_chaos(url, "slow")
        ended = []

        def fetch():
            with urllib.request.urlopen(f"{url}/healthz", timeout=10) as reply:
                ended.append((reply.status, time.monotonic()))

        started = time.monotonic()
        clients = [threading.Thread(target=fetch) for _ in range(2)]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        post_chaos(url, "up")
    assert [status for status, _ in ended] == [200, 200]
    # One after the other cannot take less than two seconds; side by side takes one and a bit.
    assert max(at for _, at in ended) - started < 2.0


def test_mfe_workers_runs_that_many_worker_processes(tmp_path):
    """The setting for load tests: a master and three workers."""
    with start_shop(tmp_path, {"MFE_WORKERS": "3"}, names=("products-v1",)) as shop:
        pgid = shop.procs["products-v1"].pid
        # The first worker answers /healthz while granian may still be starting the others.
        assert wait_until(lambda: len(group_pids(pgid)) == 4, timeout=30), group_pids(pgid)


def test_products_and_checkout_speak_http_1_1_only(tmp_path):
    """An HTTP/2 request (prior knowledge, as `curl --http2-prior-knowledge` sends it) gets no
    HTTP/2 answer: the body front relies on HTTP/1.1's signs that a body follows."""
    with start_shop(tmp_path, names=("checkout-v1",)) as shop:
        port = int(shop.url("checkout-v1").rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            connection.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + HTTP2_EMPTY_SETTINGS)
            answer = connection.recv(64)
        # An HTTP/2 server answers with its SETTINGS frame (type 4 in the frame's 4th byte).
        assert not (len(answer) >= 9 and answer[3] == 4), answer
        with urllib.request.urlopen(shop.url("checkout-v1") + "/healthz", timeout=10) as reply:
            assert reply.status == 200


def test_a_header_that_is_not_ascii_counts_as_absent(tmp_path):
    """granian leaves out a header whose value is not plain ASCII (buffered.py): a token with
    one byte past ASCII is no token at all, so the add is refused as one without a token."""
    with start_shop(tmp_path, names=("checkout-v1",)) as shop:
        port = int(shop.url("checkout-v1").rsplit(":", 1)[1])
        body = b"{}"
        head = (
            b"POST /api/cart/items HTTP/1.1\r\nHost: localhost\r\n"
            b"Authorization: Bearer " + b"a" * 43 + b"\xe9\r\n"
            b"Content-Type: application/json\r\nConnection: close\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
        )
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(head + body)
            answer = b""
            while chunk := connection.recv(4096):
                answer += chunk
        status_line, _, rest = answer.partition(b"\r\n")
        assert status_line.split(b" ")[1] == b"403", answer
        assert json.loads(rest.partition(b"\r\n\r\n")[2])["error"] == "csrf-failed"
