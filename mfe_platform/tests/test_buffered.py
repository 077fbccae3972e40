"""The RSGI front of products and checkout (mfe_platform/buffered.py), driven by hand."""

import asyncio
import concurrent.futures
import json
from dataclasses import dataclass

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


class Headers:
    """Headers as granian's RSGI gives them: lower-case names, `in`, `get` and `items()`."""

    def __init__(self, pairs=()):
        self.pairs = [(name.lower(), value) for name, value in pairs]

    def __contains__(self, name: str) -> bool:
        return any(key == name for key, _ in self.pairs)

    def get(self, name: str, default=None):
        return next((value for key, value in self.pairs if key == name), default)

    def items(self) -> list[tuple[str, str]]:
        return list(self.pairs)


@dataclass
class Scope:
    """An RSGI HTTP scope."""

    method: str
    path: str
    headers: Headers
    query_string: str = ""
    proto: str = "http"
    server: str = "127.0.0.1:8002"
    client: str = "127.0.0.1:5000"
    http_version: str = "1.1"
    scheme: str = "http"


class Protocol:
    """The request's body as chunks, then (if `stalls`) nothing more; records the response."""

    def __init__(self, chunks=(), stalls=False):
        self.chunks, self.stalls = list(chunks), stalls
        self.response = None

    async def _body(self):
        for chunk in self.chunks:
            yield chunk
        if self.stalls:
            await asyncio.sleep(3600)

    def __aiter__(self):
        return self._body()

    def response_bytes(self, status: int, headers: list, body: bytes) -> None:
        self.response = (status, dict(headers), body)


def run(scope: Scope, protocol: Protocol) -> tuple[int, dict, bytes] | None:
    """Call the front on the request; the (status, headers, body) it answered, if any."""
    front = buffered.BufferedBody(app())
    # A thread of its own: a browser test earlier in this worker may leave Playwright's event
    # loop running in the main thread, where asyncio.run refuses to start another.
    with concurrent.futures.ThreadPoolExecutor(1) as runner:
        runner.submit(asyncio.run, front.__rsgi__(scope, protocol)).result()
    return protocol.response


def scope(method: str, path: str, headers=(), query: str = "") -> Scope:
    """A request's scope."""
    return Scope(method, path, Headers(headers), query)


def test_a_body_in_chunks_reaches_the_app_whole_with_its_headers():
    """Path, query, headers and a body in three chunks arrive as WSGI gives them."""
    headers = [
        ("Content-Type", "text/plain"),
        ("Authorization", "Bearer t"),
        ("Content-Length", "9"),
    ]
    status, _, body = run(
        scope("POST", "/echo/é x", headers, "a=1"), Protocol([b"abc", b"def", b"ghi"])
    )
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
        scope("POST", "/echo/x", headers), Protocol([b"{"], stalls=True)
    )
    assert status == 408 and sent_headers["connection"] == "close"
    assert json.loads(body)["error"] == "request-timeout"


def test_a_chunked_body_over_the_limit_reaches_the_app_only_past_its_limit():
    """No Content-Length, 240 bytes: the front reads them all (so the sender is not cut off)
    and hands the app one byte more than its limit, enough to see it is over."""
    chunks = [b"x" * 80] * 3
    status, _, body = run(
        scope("POST", "/raw", [("Transfer-Encoding", "chunked")]), Protocol(chunks)
    )
    assert status == 200 and json.loads(body) == {"length": 101}


def test_a_request_without_a_body_runs_the_app_without_waiting_for_one(monkeypatch):
    """No Content-Length, no chunks (a GET): the app runs at once; a front that waited for a
    body would get none and answer 408 after its (here short) deadline."""
    monkeypatch.setattr(buffered, "BODY_DEADLINE_SECONDS", 0.2)
    status, _, body = run(scope("GET", "/echo/cart", query="x=1"), Protocol(stalls=True))
    assert status == 200
    assert json.loads(body)["body"] == "" and json.loads(body)["query"] == "x=1"


def test_a_client_that_leaves_before_its_whole_body_never_reaches_the_app():
    """Ten bytes of an announced fifty, then the connection ends (granian just ends the
    chunks): the app does not run on a cut body, and no answer is sent."""
    headers = [("Content-Length", "50"), ("Content-Type", "text/plain")]
    assert run(scope("POST", "/echo/x", headers), Protocol([b"0123456789"])) is None


def test_only_a_length_or_chunks_say_that_a_body_follows():
    """Content-Length above 0, or Transfer-Encoding, is a body; a length of 0 or none is not."""
    assert buffered.has_body(Headers([("Content-Length", "3")]))
    assert buffered.has_body(Headers([("Transfer-Encoding", "chunked")]))
    assert not buffered.has_body(Headers([("Content-Length", "0")]))
    assert not buffered.has_body(Headers([("Accept", "application/json")]))
