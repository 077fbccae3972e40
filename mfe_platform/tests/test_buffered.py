"""The ASGI front of products and checkout (mfe_platform/buffered.py), driven by hand."""

import asyncio
import concurrent.futures
import json

from flask import Flask, request

from mfe_platform import buffered


def app() -> Flask:
    """A WSGI app that echoes what it was given."""
    flask_app = Flask(__name__)
    flask_app.config["MAX_CONTENT_LENGTH"] = 100

    @flask_app.route("/echo/<path:rest>", methods=["GET", "POST"])
    def echo(rest):
        return {
            "rest": rest,
            "query": request.query_string.decode(),
            "body": request.get_data(as_text=True),
            "type": request.content_type,
            "auth": request.headers.get("Authorization"),
        }

    @flask_app.post("/raw")
    def raw():
        return {"length": len(request.environ["wsgi.input"].read())}

    return flask_app


def run(scope: dict, messages: list[dict]) -> tuple[int, dict, bytes]:
    """Call the front with `messages` as the request; (status, headers, body) it sent."""
    front = buffered.BufferedBody(app())
    sent = []
    incoming = list(messages)

    async def receive():
        if incoming:
            return incoming.pop(0)
        await asyncio.sleep(3600)

    async def send(message):
        sent.append(message)

    # A thread of its own: a browser test earlier in this worker may leave Playwright's event
    # loop running in the main thread, where asyncio.run refuses to start another.
    with concurrent.futures.ThreadPoolExecutor(1) as runner:
        runner.submit(asyncio.run, front(scope, receive, send)).result()
    start, body = sent
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body["body"]


def scope(method: str, path: str, headers=(), query: bytes = b"") -> dict:
    """An ASGI HTTP scope."""
    return {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query,
        # ASGI gives header names in lower case.
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
        "server": ("localhost", 8002),
        "client": ("127.0.0.1", 5000),
        "http_version": "1.1",
        "scheme": "http",
    }


def test_a_body_in_chunks_reaches_the_app_whole_with_its_headers():
    """Path, query, headers and a body in three chunks arrive as WSGI gives them."""
    headers = [
        ("Content-Type", "text/plain"),
        ("Authorization", "Bearer t"),
        ("Content-Length", "9"),
    ]
    chunks = [
        {"type": "http.request", "body": part, "more_body": True} for part in (b"abc", b"def")
    ]
    chunks.append({"type": "http.request", "body": b"ghi", "more_body": False})
    status, _, body = run(scope("POST", "/echo/é x", headers, b"a=1"), chunks)
    assert status == 200
    assert json.loads(body) == {
        "rest": "é x",
        "query": "a=1",
        "body": "abcdefghi",
        "type": "text/plain",
        "auth": "Bearer t",
    }


def test_a_body_that_does_not_arrive_in_time_is_a_408(monkeypatch):
    """Headers, then a byte, then nothing: 408 in the JSON error shape, the app never runs."""
    monkeypatch.setattr(buffered, "BODY_DEADLINE_SECONDS", 0.2)
    headers = [("Content-Length", "50")]
    status, sent_headers, body = run(
        scope("POST", "/echo/x", headers),
        [{"type": "http.request", "body": b"{", "more_body": True}],
    )
    assert status == 408 and sent_headers["connection"] == "close"
    assert json.loads(body)["error"] == "request-timeout"


def test_a_chunked_body_over_the_limit_reaches_the_app_only_past_its_limit():
    """No Content-Length, 240 bytes: the front reads them all (so the sender is not cut off)
    and hands the app one byte more than its limit, enough to see it is over."""
    chunks = [{"type": "http.request", "body": b"x" * 80, "more_body": True}] * 3
    chunks.append({"type": "http.request", "body": b"", "more_body": False})
    status, _, body = run(scope("POST", "/raw", [("Transfer-Encoding", "chunked")]), chunks)
    assert status == 200 and json.loads(body) == {"length": 101}


def test_a_request_without_a_body_runs_the_app_without_waiting_for_one(monkeypatch):
    """No Content-Length, no chunks (a GET): the app runs at once; a front that waited for a
    body would get none and answer 408 after its (here short) deadline."""
    monkeypatch.setattr(buffered, "BODY_DEADLINE_SECONDS", 0.2)
    status, _, body = run(scope("GET", "/echo/cart", query=b"x=1"), [])
    assert status == 200
    assert json.loads(body)["body"] == "" and json.loads(body)["query"] == "x=1"


def test_only_a_length_or_chunks_say_that_a_body_follows():
    """Content-Length above 0, or Transfer-Encoding, is a body; a length of 0 or none is not."""
    assert buffered.has_body(scope("POST", "/", [("Content-Length", "3")]))
    assert buffered.has_body(scope("POST", "/", [("Transfer-Encoding", "chunked")]))
    assert not buffered.has_body(scope("POST", "/", [("Content-Length", "0")]))
    assert not buffered.has_body(scope("GET", "/", [("Accept", "application/json")]))
