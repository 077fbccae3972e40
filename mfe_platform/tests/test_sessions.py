"""The cookie session that verifies each distinct cookie once: still refuses what it must."""

import datetime

import pytest
from flask import Flask, session

from mfe_platform.web import sessions

pytestmark = pytest.mark.usefixtures("clean_environment")

COOKIE = "mfe_test_session"


@pytest.fixture
def app():
    """A bare app with the verifying-once session and two routes that use it."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY="k" * 32, SESSION_COOKIE_NAME=COOKIE)
    sessions.init_app(app)

    @app.get("/set/<value>")
    def set_value(value):
        session["value"] = value
        session["items"] = ["a"]
        return "ok"

    @app.get("/read")
    def read():
        return {"value": session.get("value"), "items": session.get("items")}

    @app.get("/mutate")
    def mutate():
        # In place, then flagged: the next request with the same cookie must not see this.
        session["items"].append("changed")
        return {"items": session["items"]}

    return app


def signed_cookie(app, value: str) -> str:
    client = app.test_client()
    client.get(f"/set/{value}")
    return client.get_cookie(COOKIE).value


def read_with(app, cookie: str) -> dict:
    client = app.test_client()
    client.set_cookie(COOKIE, cookie)
    return client.get("/read").get_json()


def test_a_valid_cookie_reads_the_same_twice(app):
    """The second read of one cookie (served from the cache) equals the first."""
    cookie = signed_cookie(app, "one")
    assert read_with(app, cookie) == {"value": "one", "items": ["a"]}
    assert read_with(app, cookie) == {"value": "one", "items": ["a"]}
    assert cookie in app.session_interface._verified


def test_a_forged_cookie_is_an_empty_session_and_never_cached(app):
    """A changed signature or payload is refused, before and after the real one is cached."""
    cookie = signed_cookie(app, "one")
    read_with(app, cookie)
    payload, timestamp, signature = cookie.rsplit(".", 2)
    forged = [
        f"{payload}.{timestamp}.{signature[:-2]}xx",
        f"{payload[:-2]}AA.{timestamp}.{signature}",
        "not-a-cookie",
    ]
    for value in forged:
        assert read_with(app, value) == {"value": None, "items": None}
        assert value not in app.session_interface._verified


def test_an_expired_cookie_is_refused_even_when_cached(app):
    """The age is checked on every request, not only when the signature is verified."""
    cookie = signed_cookie(app, "one")
    assert read_with(app, cookie)["value"] == "one"
    app.permanent_session_lifetime = datetime.timedelta(seconds=-1)
    assert read_with(app, cookie) == {"value": None, "items": None}


def test_a_request_changing_its_session_leaves_the_cache_alone(app):
    """Nested values are copied: an in-place change in one request does not leak to the next."""
    cookie = signed_cookie(app, "one")
    read_with(app, cookie)
    client = app.test_client()
    client.set_cookie(COOKIE, cookie)
    assert client.get("/mutate").get_json() == {"items": ["a", "changed"]}
    assert read_with(app, cookie)["items"] == ["a"]


def test_the_cache_is_bounded(app, monkeypatch):
    """A full cache is emptied rather than growing without end."""
    monkeypatch.setattr(sessions, "MAX_CACHED", 3)
    cookies = [signed_cookie(app, f"v{n}") for n in range(5)]
    for cookie in cookies:
        read_with(app, cookie)
    assert 1 <= len(app.session_interface._verified) <= 3
    assert read_with(app, cookies[0])["value"] == "v0"
