"""Staged outages (`POST /api/admin/chaos`) and the admin token every app checks.

The app is the bare platform app of `test_settings_and_web` (what products and checkout are
built on): mfe_platform's tests may not import an app (import-linter counts tests too).
"""

import os
import stat
import threading
import types

import pytest

from mfe_platform import settings
from mfe_platform.tests.test_settings_and_web import assert_json_error, make_app
from mfe_platform.web import admin, chaos

# No `MFE_*` variable of the caller's shell leaks into these tests.
pytestmark = pytest.mark.usefixtures("clean_environment")

TOKEN = "chaos-admin-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def client_of(tmp_path, release: int = 1, **config):
    """A test client of a products-like app of `release` on `tmp_path`."""
    test_config = {"RELEASE": release, "ADMIN_TOKEN": TOKEN, **config}
    return make_app(tmp_path, test_config=test_config).test_client()


@pytest.fixture
def client(tmp_path):
    """Release 1 on a temporary data folder."""
    return client_of(tmp_path)


def set_mode(client, mode, headers=AUTH):
    """POST a chaos mode with the admin token."""
    return client.post("/api/admin/chaos", json={"mode": mode}, headers=headers)


# --- the token -----------------------------------------------------------------------------


def test_chaos_needs_a_token(client):
    """No token → 401, a wrong one → 403; the mode stays `up`."""
    assert_json_error(client.post("/api/admin/chaos", json={"mode": "down"}), 401, "unauthorized")
    wrong = {"Authorization": "Bearer not-the-token"}
    assert_json_error(set_mode(client, "down", headers=wrong), 403, "forbidden")
    assert client.get("/healthz").status_code == 200


def test_generated_token_is_shared_through_the_host_folder(tmp_path):
    """Without `ADMIN_TOKEN`, every app reads the token generated under `host/admin_token`."""
    client = client_of(tmp_path, ADMIN_TOKEN=None)
    path = settings.admin_token_path(tmp_path)
    assert path == tmp_path / "host" / "admin_token"
    assert_json_error(
        set_mode(client, "down", headers={"Authorization": "Bearer x"}), 403, "forbidden"
    )
    token = path.read_text().strip()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    response = set_mode(client, "down", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_configured_token_wins_over_the_file(tmp_path):
    """`ADMIN_TOKEN` is the token in force even when a generated file exists."""
    settings.admin_token_path(tmp_path).parent.mkdir(parents=True)
    settings.admin_token_path(tmp_path).write_text("from-the-file")
    client = client_of(tmp_path)
    assert (
        set_mode(client, "up", headers={"Authorization": "Bearer from-the-file"}).status_code == 403
    )
    assert set_mode(client, "up").status_code == 200


@pytest.mark.parametrize("token", ["abcdefghijkl", "0123456789abcdef0123", "short", ""])
def test_redacted_never_shows_the_whole_token(token):
    """Logs see at most a four-character prefix."""
    shown = admin.redacted(token)
    assert token not in shown or not token
    assert len(shown.rstrip("…")) <= 4


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body", [{"mode": "sideways"}, {"mode": "DOWN"}, {"mode": 1}, {}, {"mode": "down", "x": 1}, []]
)
def test_invalid_mode_is_422(client, body):
    """Only down, slow and up, as `{"mode": ...}` and nothing else."""
    response = client.post("/api/admin/chaos", json=body, headers=AUTH)
    assert response.status_code == 422
    assert response.get_json()["error"] == "invalid"
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("raw", ["{mode", '{"mode": ' + "[" * 5000 + "]" * 5000 + "}"])
def test_malformed_json_is_400(client, raw):
    """A body that is not JSON (or nested past what Python reads) is a 400 in the JSON shape."""
    response = client.post(
        "/api/admin/chaos", data=raw, content_type="application/json", headers=AUTH
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad-request"


# --- down and up ---------------------------------------------------------------------------


def test_set_mode_answers_what_it_did(client):
    """The answer names the app, release and new mode."""
    response = set_mode(client, "down")
    assert response.status_code == 200
    assert response.get_json() == {"app": "products", "release": 1, "mode": "down"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/healthz"),
        ("get", "/mfe-manifest.json"),
        ("get", "/mfe/contracts.json"),
        ("get", "/no/such/page"),
        ("post", "/healthz"),
    ],
)
def test_down_answers_503_everywhere(client, method, path):
    """`down` → every route (health included) answers a JSON 503 `chaos-down`."""
    assert set_mode(client, "down").status_code == 200
    response = getattr(client, method)(path)
    assert response.status_code == 503
    assert response.mimetype == "application/json"
    assert response.get_json()["error"] == "chaos-down"
    assert "Content-Security-Policy" in response.headers


def test_chaos_endpoint_works_while_down_and_up_restores(client):
    """The chaos endpoint still answers while down; `up` brings the app back."""
    assert set_mode(client, "down").status_code == 200
    assert client.get("/healthz").status_code == 503
    assert set_mode(client, "down").status_code == 200, "setting it again still works"
    assert set_mode(client, "up").status_code == 200
    assert client.get("/healthz").get_json()["status"] == "ok"


def test_token_is_still_checked_while_down(client):
    """Being down does not open the chaos endpoint to anyone."""
    assert set_mode(client, "down").status_code == 200
    assert_json_error(set_mode(client, "up", headers={}), 401, "unauthorized")
    assert client.get("/healthz").status_code == 503


def test_mode_is_per_release(tmp_path):
    """Release 1 down leaves release 2 on the same data folder up, and the other way round."""
    one, two = client_of(tmp_path, 1), client_of(tmp_path, 2)
    assert set_mode(one, "down").status_code == 200
    assert two.get("/healthz").status_code == 200
    assert one.get("/healthz").status_code == 503
    assert set_mode(two, "down").status_code == 200
    assert set_mode(one, "up").status_code == 200
    assert one.get("/healthz").status_code == 200
    assert two.get("/healthz").status_code == 503


def test_workers_share_the_mode(tmp_path):
    """Two instances of one release (two workers) see each other's changes, however quick."""
    first, second = client_of(tmp_path), client_of(tmp_path)
    for mode in ["down", "up", "down", "up", "down", "up", "down", "up"]:
        assert set_mode(first, mode).status_code == 200
        expected = 503 if mode == "down" else 200
        assert second.get("/healthz").status_code == expected, f"after {mode}"
        assert first.get("/healthz").status_code == expected


def test_workers_share_the_mode_under_a_coarse_clock(tmp_path):
    """Changes are seen even when successive writes leave the file the same mtime."""
    first, second = client_of(tmp_path), client_of(tmp_path)
    path = tmp_path / "products" / "chaos.json"
    for mode in ["down", "up", "down", "up"]:
        assert set_mode(first, mode).status_code == 200
        os.utime(path, ns=(10**18, 10**18))  # as on a file system with coarse timestamps
        expected = 503 if mode == "down" else 200
        assert second.get("/healthz").status_code == expected, f"after {mode}"


def test_apps_on_the_same_folder_do_not_share_modes(tmp_path):
    """The mode lives in the app's own folder: checkout release 1 is not products release 1."""
    products = client_of(tmp_path)
    checkout = make_app(tmp_path, "checkout", {"ADMIN_TOKEN": TOKEN}).test_client()
    assert set_mode(products, "down").status_code == 200
    assert checkout.get("/healthz").status_code == 200


# --- slow ----------------------------------------------------------------------------------


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """The delays chaos asks for, recorded instead of slept; `SLOW_SECONDS` is a sentinel."""
    calls: list[float] = []
    monkeypatch.setattr(chaos, "SLOW_SECONDS", 0.125)
    monkeypatch.setattr(chaos, "time", types.SimpleNamespace(sleep=calls.append))
    return calls


def test_slow_delays_every_other_request(client, sleeps):
    """`slow` sleeps `SLOW_SECONDS` before each answer, which then succeeds."""
    assert set_mode(client, "slow").status_code == 200
    assert sleeps == [], "the chaos endpoint itself is not slowed"
    assert client.get("/healthz").status_code == 200
    assert client.get("/mfe-manifest.json").status_code == 200
    assert sleeps == [0.125, 0.125]
    assert set_mode(client, "up").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert sleeps == [0.125, 0.125], "up stops the delay"


def test_no_delay_when_up(client, sleeps):
    """Without chaos nothing sleeps."""
    assert client.get("/healthz").status_code == 200
    assert sleeps == []


def test_both_releases_setting_their_mode_at_once_keep_both(tmp_path):
    """Releases 1 and 2 share the file: 8 threads flipping them up and down at once, each
    ending on `down`, lose no setting (before the lock, some failed or went missing)."""
    apps = [make_app(tmp_path, test_config={"RELEASE": r, "ADMIN_TOKEN": TOKEN}) for r in (1, 2)]
    start = threading.Barrier(8)
    answers = []

    def flip(index: int) -> None:
        client = apps[index % 2].test_client()
        start.wait()
        for mode in ["up", "down"] * 10:
            # An error here is kept and reported below, in the test's own thread.
            try:
                answers.append(set_mode(client, mode).status_code)
            except Exception as error:
                answers.append(repr(error))

    threads = [threading.Thread(target=flip, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 160
    assert [app.test_client().get("/healthz").status_code for app in apps] == [503, 503]
