"""The host composes both apps from their own origins, under the Procfile's servers."""

import json
import threading

import simple_websocket
from playwright.sync_api import expect

from e2e.pages import HostPage
from e2e.processes import PROCESSES, get_json


def test_every_process_is_healthy(shop):
    """Each of the five processes answers /healthz with its app and release."""
    expected = {
        "host": ("host", 1),
        "products-v1": ("products", 1),
        "checkout-v1": ("checkout", 1),
        "products-v2": ("products", 2),
        "checkout-v2": ("checkout", 2),
    }
    for name in PROCESSES:
        health = get_json(shop.url(name) + "/healthz")
        assert (health["status"], health["app"], health["release"]) == ("ok", *expected[name])


def test_host_composes_both_apps_from_their_own_origins(shop, page):
    """Both iframes load, each from its app's own origin, and show their app."""
    host = HostPage(page, shop.host).open()
    host.expect_frame_app("products", 1)
    host.expect_frame_app("checkout", 1)
    origins = {frame.name: frame.evaluate("window.location.origin") for frame in page.frames[1:]}
    assert origins == {
        "products": shop.url("products-v1"),
        "checkout": shop.url("checkout-v1"),
    }
    expect(page.get_by_test_id("cart-badge")).to_have_text("0")


def _socket(shop, origin):
    url = shop.host.replace("http", "ws", 1) + "/ws"
    return simple_websocket.Client.connect(url, headers={"Origin": origin})


def test_websocket_echo_through_the_production_server(shop):
    """The host's WebSocket answers a ping under gunicorn's gevent worker."""
    ws = _socket(shop, shop.host)
    try:
        ws.send(json.dumps({"type": "ping", "echo": "hello"}))
        assert json.loads(ws.receive(timeout=10)) == {"type": "pong", "echo": "hello"}
    finally:
        ws.close()


def test_a_message_nested_too_deeply_is_answered_and_the_socket_stays_open(shop):
    """JSON deeper than Python reads is "not JSON" like any other bad message, not a crash."""
    ws = _socket(shop, shop.host)
    try:
        ws.send("[" * 5000 + "]" * 5000)
        assert json.loads(ws.receive(timeout=10)) == {"type": "error", "message": "not JSON"}
        ws.send(json.dumps({"type": "ping", "echo": "still here"}))
        assert json.loads(ws.receive(timeout=10)) == {"type": "pong", "echo": "still here"}
    finally:
        ws.close()


def test_a_page_asking_for_manifests_gets_the_deployment_with_them(shop):
    """`{"type": "manifests"}` (a frame said hello whose manifest the page lacks) is answered
    with the deployment, every live app's manifest in it."""
    ws = _socket(shop, shop.host)
    try:
        ws.send(json.dumps({"type": "manifests"}))
        answer = json.loads(ws.receive(timeout=10))
        assert answer["type"] == "deployments"
        assert {app: answer["apps"][app]["manifest"]["app"] for app in answer["apps"]} == {
            "products": "products",
            "checkout": "checkout",
        }
    finally:
        ws.close()


def test_many_open_websockets_do_not_block_http(shop):
    """The host holds 60 sockets at once and still answers HTTP (no thread pinned per socket)."""
    sockets = [_socket(shop, shop.host) for _ in range(60)]
    try:
        answered = []
        reader = threading.Thread(target=lambda: answered.append(get_json(shop.host + "/healthz")))
        reader.start()
        reader.join(timeout=10)
        assert answered and answered[0]["status"] == "ok"
        last = sockets[-1]
        last.send(json.dumps({"type": "ping", "echo": 60}))
        assert json.loads(last.receive(timeout=10))["echo"] == 60
    finally:
        for ws in sockets:
            ws.close()


def test_websocket_refuses_a_foreign_origin(shop):
    """An upgrade from another origin (another port on localhost) is refused."""
    try:
        ws = _socket(shop, shop.url("products-v1"))
    except simple_websocket.ConnectionError as error:
        assert error.status_code == 403
    else:
        ws.close()
        raise AssertionError("a foreign-origin upgrade was accepted")
