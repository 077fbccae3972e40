"""The `mfe` CLI's operations (status, deploy, can-i-deploy, reset, chaos) against a host and
the four releases served in-process; exit 0 done, 1 refused, 2 usage or connection error.

It lives with the host's tests because it needs the host and the other apps running, and
import-linter forbids mfe_cli's and mfe_platform's tests from importing any app.
"""

import json
import socket
import threading
import urllib.error
import urllib.request

import pytest

from e2e.manifests import fake_manifest
from e2e.processes import free_port
from host_app.tests.conftest import ADMIN_TOKEN, bound_server, fake_app, serving, url_of
from mfe_cli import main
from mfe_platform.readiness import healthy

pytestmark = pytest.mark.usefixtures("clean_environment")

BREAKING = fake_manifest("products", 3, {"cart:item-added": ["9.0.0"]})


@pytest.fixture
def shop(host_app_factory, children, tmp_path, monkeypatch):
    """A host served on a free port, and the `MFE_*` variables the CLI reads pointing at it."""
    server = bound_server()
    url = url_of(server)
    with serving(host_app_factory(HOST_URL=url), server):
        monkeypatch.setenv("MFE_HOST_URL", url)
        for key in ("PRODUCTS_V1_URL", "PRODUCTS_V2_URL", "CHECKOUT_V1_URL", "CHECKOUT_V2_URL"):
            monkeypatch.setenv(f"MFE_{key}", children[key])
        monkeypatch.setenv("MFE_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("MFE_ADMIN_TOKEN", ADMIN_TOKEN)
        yield {**children, "HOST_URL": url}


@pytest.fixture
def mfe(capsys):
    """Run `mfe ARGS...`; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def breaking_url(fake_child):
    """A products release 3 emitting a cart:item-added version nobody published."""
    return fake_child({"/mfe-manifest.json": BREAKING, "/healthz": {"status": "ok"}})


def get_status(url: str) -> int:
    """The HTTP status of `GET {url}/healthz`."""
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=5) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def live(mfe) -> dict[str, int]:
    """The live release of each app, read with `mfe status --json`."""
    code, out, _ = mfe("status", "--json")
    assert code == 0
    return {app: entry["release"] for app, entry in json.loads(out)["apps"].items()}


# --- status --------------------------------------------------------------------------------


def test_status_prints_each_app(shop, mfe):
    """`mfe status` shows products and checkout with release, URL and health."""
    code, out, _ = mfe("status")
    assert code == 0
    assert shop["HOST_URL"] in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    for app in ("products", "checkout"):
        assert app in lines
        assert shop[f"{app.upper()}_V1_URL"] in lines[app]
        assert " up " in f"{lines[app]} "
    assert "cart:item-added 1.0.0" in lines["checkout"]


def test_status_json_parses(shop, mfe):
    """`mfe status --json` is the host's deployment state."""
    code, out, _ = mfe("status", "--json")
    assert code == 0
    state = json.loads(out)
    assert state["apps"]["products"]["url"] == shop["PRODUCTS_V1_URL"]
    assert state["apps"]["checkout"]["health"]["status"] == "up"


def checkout_health(mfe) -> str:
    """The HEALTH column of checkout's row in `mfe status`."""
    row = next(row for row in mfe("status")[1].splitlines() if row.startswith("checkout"))
    return row.split()[3]


def test_status_says_down_right_after_chaos_down(shop, mfe, calm_children):
    """The health shown is probed when asked, not the host's copy from seconds ago."""
    assert checkout_health(mfe) == "up"
    assert mfe("chaos", "checkout", "down")[0] == 0
    assert checkout_health(mfe) == "down"
    state = json.loads(mfe("status", "--json")[1])
    assert state["apps"]["checkout"]["health"]["status"] == "down"


def test_status_without_a_host_is_exit_2(mfe, monkeypatch):
    """Nobody listening at `MFE_HOST_URL` → exit 2, saying it cannot reach the host."""
    url = f"http://localhost:{free_port()}"
    monkeypatch.setenv("MFE_HOST_URL", url)
    code, out, err = mfe("status")
    assert code == 2
    assert "cannot reach" in err and url in err
    assert out == ""


# --- deploy --------------------------------------------------------------------------------


def test_deploy_makes_a_release_live(shop, mfe):
    """`mfe deploy products 2` → exit 0, says where it is live; status agrees."""
    code, out, _ = mfe("deploy", "products", "2")
    assert code == 0
    assert f"products release 2 is live at {shop['PRODUCTS_V2_URL']}" in out
    assert "WARNING" not in out
    assert live(mfe) == {"products": 2, "checkout": 1}


def test_refused_deploy_is_exit_1(shop, mfe, breaking_url):
    """A breaking candidate (via --url) is refused with its reasons: exit 1, nothing changes."""
    code, out, _ = mfe("deploy", "products", "3", "--url", breaking_url)
    assert code == 1
    assert "refused (409 incompatible)" in out
    assert "cart:item-added" in out and "9.0.0" in out
    assert "--force" in out
    assert live(mfe) == {"products": 1, "checkout": 1}


def test_forced_deploy_warns(shop, mfe, breaking_url):
    """`--force` deploys the breaking candidate with a warning: exit 0."""
    code, out, _ = mfe("deploy", "products", "3", "--url", breaking_url, "--force")
    assert code == 0
    assert "WARNING forced past" in out
    assert live(mfe)["products"] == 3


def test_deploy_with_wrong_token_is_exit_1(shop, mfe, monkeypatch):
    """The host refuses a wrong token (403): exit 1, nothing changes."""
    monkeypatch.setenv("MFE_ADMIN_TOKEN", "not-the-token")
    code, out, _ = mfe("deploy", "products", "2")
    assert code == 1
    assert "403" in out and "forbidden" in out
    assert live(mfe)["products"] == 1


def test_unregistered_release_is_exit_2(shop, mfe):
    """Deploying a release the host does not know, without --url, is a usage error."""
    code, _, err = mfe("deploy", "products", "7")
    assert code == 2
    assert "unknown-release" in err


def test_deploy_without_any_token_is_exit_2(shop, mfe, monkeypatch, tmp_path):
    """No `MFE_ADMIN_TOKEN` and no token file → exit 2 naming both."""
    monkeypatch.delenv("MFE_ADMIN_TOKEN")
    monkeypatch.setenv("MFE_DATA_DIR", str(tmp_path / "elsewhere"))
    code, _, err = mfe("deploy", "products", "2")
    assert code == 2
    assert "MFE_ADMIN_TOKEN" in err and "admin_token" in err
    assert live(mfe)["products"] == 1


def test_deploy_reads_the_generated_token_file(
    host_app_factory, children, mfe, monkeypatch, tmp_path
):
    """Without `MFE_ADMIN_TOKEN` the CLI uses the token the host wrote into `MFE_DATA_DIR`."""
    server = bound_server()
    url = url_of(server)
    with serving(host_app_factory(HOST_URL=url, ADMIN_TOKEN=None), server):
        monkeypatch.setenv("MFE_HOST_URL", url)
        monkeypatch.setenv("MFE_DATA_DIR", str(tmp_path))
        code, out, _ = mfe("deploy", "checkout", "2")
    assert code == 0, out
    assert f"checkout release 2 is live at {children['CHECKOUT_V2_URL']}" in out


def test_deploy_without_a_host_is_exit_2(mfe, monkeypatch):
    """Nobody listening → exit 2."""
    monkeypatch.setenv("MFE_HOST_URL", f"http://localhost:{free_port()}")
    monkeypatch.setenv("MFE_ADMIN_TOKEN", ADMIN_TOKEN)
    code, _, err = mfe("deploy", "products", "2")
    assert code == 2
    assert "cannot reach" in err


# --- can-i-deploy --------------------------------------------------------------------------


def test_can_i_deploy_yes(shop, mfe):
    """Products 2 beside checkout 1 works by conversion: exit 0, `yes`."""
    code, out, _ = mfe("can-i-deploy", "products", "2")
    assert code == 0
    assert "be deployed? yes" in out
    assert "cart:item-added" in out and "conversion" in out


def test_can_i_deploy_json(shop, mfe):
    """`--json` parses, with the verdict and every pair."""
    code, out, _ = mfe("can-i-deploy", "checkout", "2", "--json")
    assert code == 0
    verdict = json.loads(out)
    assert verdict["deployable"] is True
    assert verdict["url"] == shop["CHECKOUT_V2_URL"]
    assert {f["event"] for f in verdict["findings"]} >= {"cart:item-added", "cart:updated"}


def test_can_i_deploy_no(shop, mfe, breaking_url):
    """A breaking candidate → exit 1; `--json` says not deployable and why."""
    code, out, _ = mfe("can-i-deploy", "products", "3", "--url", breaking_url, "--json")
    assert code == 1
    verdict = json.loads(out)
    assert verdict["deployable"] is False
    assert [f["event"] for f in verdict["findings"] if not f["ok"]] == ["cart:item-added"]
    code, out, _ = mfe("can-i-deploy", "products", "3", "--url", breaking_url)
    assert code == 1
    assert "BREAKS" in out and "be deployed? NO" in out


def test_can_i_deploy_refuses_a_release_that_drops_an_event_like_the_host(shop, mfe):
    """Products 3 without cart:item-added: the CLI says no, naming it, as the deploy would."""
    manifest = fake_manifest("products", 3, dropped=("cart:item-added",))
    with serving(fake_app({"/mfe-manifest.json": manifest, "/healthz": {"status": "ok"}})) as url:
        code, out, _ = mfe("can-i-deploy", "products", "3", "--url", url)
        assert code == 1
        assert "no longer emits cart:item-added" in out and "the live products@1" in out
        code, out, _ = mfe("deploy", "products", "3", "--url", url)
        assert code == 1 and "no longer emits cart:item-added" in out


@pytest.mark.parametrize(
    "args",
    [
        ("can-i-deploy", "products", "5"),
        ("can-i-deploy", "products", "2", "--url", "not a url"),
        ("deploy", "products", "2", "--url", "not a url"),
    ],
)
def test_can_i_deploy_usage_errors(shop, mfe, args):
    """An unregistered release without --url, or a --url that is no URL, is exit 2."""
    code, _, err = mfe(*args)
    assert code == 2
    assert err.startswith("mfe: ")


def test_can_i_deploy_unreachable_candidate_is_exit_2(shop, mfe):
    """A candidate URL nobody answers at is a connection error."""
    code, _, err = mfe("can-i-deploy", "products", "3", "--url", f"http://localhost:{free_port()}")
    assert code == 2
    assert "cannot reach" in err


# --- chaos and reset -----------------------------------------------------------------------


def test_chaos_down_and_up(shop, mfe, calm_children):
    """`mfe chaos products down` makes the live release answer 503; `up` brings it back."""
    code, out, _ = mfe("chaos", "products", "down")
    assert code == 0
    assert f"products release 1 ({shop['PRODUCTS_V1_URL']}) answers 503" in out
    assert get_status(shop["PRODUCTS_V1_URL"]) == 503
    assert get_status(shop["PRODUCTS_V2_URL"]) == 200, "only the live release"
    code, out, _ = mfe("chaos", "products", "up")
    assert code == 0
    assert "back to normal" in out
    assert get_status(shop["PRODUCTS_V1_URL"]) == 200


def test_chaos_up_also_clears_a_release_deployed_away_from(shop, mfe, calm_children):
    """down on release 1, deploy 2, up: release 1 is up too, so deploying back to it works."""
    assert mfe("chaos", "checkout", "down")[0] == 0
    assert mfe("deploy", "checkout", "2")[0] == 0
    code, out, _ = mfe("chaos", "checkout", "up")
    assert code == 0
    assert f"checkout release 2 ({shop['CHECKOUT_V2_URL']}) is back to normal" in out
    assert f"checkout release 1 ({shop['CHECKOUT_V1_URL']}) is up too" in out
    assert get_status(shop["CHECKOUT_V1_URL"]) == 200
    assert mfe("deploy", "checkout", "1")[0] == 0
    assert live(mfe)["checkout"] == 1


def test_chaos_with_wrong_token_is_exit_1(shop, mfe, monkeypatch, calm_children):
    """The app refuses a wrong token: exit 1, still up."""
    monkeypatch.setenv("MFE_ADMIN_TOKEN", "not-the-token")
    code, out, _ = mfe("chaos", "checkout", "down")
    assert code == 1
    assert "403" in out
    assert get_status(shop["CHECKOUT_V1_URL"]) == 200


def test_reset_restores_everything(shop, mfe, calm_children):
    """After deploys and chaos, `mfe reset` clears chaos, carts and deployments, and says so."""
    assert mfe("deploy", "products", "2")[0] == 0
    assert mfe("chaos", "products", "down")[0] == 0
    assert get_status(shop["PRODUCTS_V2_URL"]) == 503
    code, out, _ = mfe("reset")
    assert code == 0
    assert "checkout: deleted" in out
    host_line = next(line for line in out.splitlines() if line.startswith("host:"))
    assert "back to defaults" in host_line
    assert "products=1" in host_line and "checkout=1" in host_line
    assert get_status(shop["PRODUCTS_V2_URL"]) == 200
    assert live(mfe) == {"products": 1, "checkout": 1}


def test_reset_with_wrong_token_is_exit_1(shop, mfe, monkeypatch):
    """Every service refuses a wrong token: exit 1 and nothing is reset."""
    assert mfe("deploy", "products", "2")[0] == 0
    monkeypatch.setenv("MFE_ADMIN_TOKEN", "not-the-token")
    code, out, _ = mfe("reset")
    assert code == 1
    assert "host refused the reset (403" in out
    assert live(mfe)["products"] == 2


def test_reset_survives_a_stopped_release(shop, mfe, calm_children):
    """A registered release that has since stopped does not keep the rest from resetting."""
    manifest = fake_manifest("products", 3, {"cart:item-added": ["1.0.0"]})
    with serving(fake_app({"/mfe-manifest.json": manifest, "/healthz": {"status": "ok"}})) as url:
        assert mfe("deploy", "products", "3", "--url", url)[0] == 0
    code, out, _ = mfe("reset")
    assert code == 0, out
    assert f"products at {url} did not clear its chaos mode (not running)" in out
    assert live(mfe) == {"products": 1, "checkout": 1}


def test_chaos_up_notes_a_release_it_could_not_clear(shop, mfe, calm_children):
    """A registered release that has stopped is named, not silently skipped; exit 0."""
    manifest = fake_manifest("products", 3, {"cart:item-added": ["1.0.0"]})
    with serving(fake_app({"/mfe-manifest.json": manifest, "/healthz": {"status": "ok"}})) as url:
        assert mfe("deploy", "products", "3", "--url", url)[0] == 0
    assert mfe("deploy", "products", "1")[0] == 0
    code, out, _ = mfe("chaos", "products", "up")
    assert code == 0, out
    assert f"note: products release 3 at {url} was not cleared (not running)" in out
    assert f"products release 2 ({shop['PRODUCTS_V2_URL']}) is up too" in out


def test_reset_without_a_host_is_exit_2(mfe, monkeypatch):
    """Nobody listening → exit 2."""
    monkeypatch.setenv("MFE_HOST_URL", f"http://localhost:{free_port()}")
    monkeypatch.setenv("MFE_ADMIN_TOKEN", ADMIN_TOKEN)
    code, _, err = mfe("reset")
    assert code == 2
    assert "cannot reach" in err


# ---- a host that answers garbage: a clear message and exit 2, never a traceback --------------


@pytest.mark.parametrize(
    "answer",
    [[], {"apps": 1}, {"apps": {"products": {"release": "one", "url": "x"}}}, {"revision": 1}],
)
def test_status_of_a_host_answering_something_else_is_exit_2(mfe, fake_child, monkeypatch, answer):
    """JSON that is not a deployment state: exit 2, naming the answer's URL."""
    url = fake_child({"/api/deployments": answer})
    monkeypatch.setenv("MFE_HOST_URL", url)
    code, out, err = mfe("status")
    assert code == 2
    assert f"{url}/api/deployments" in err
    assert "Traceback" not in err and out == ""


@pytest.fixture
def garbage_server():
    """A TCP server that answers every connection with bytes that are not HTTP."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def answer():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(b"\x00\x01 not http at all\r\n\r\n")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    yield f"http://localhost:{listener.getsockname()[1]}"
    stop.set()
    thread.join(timeout=5)
    listener.close()


def test_an_app_whose_health_is_not_http_or_not_an_object_is_down(garbage_server):
    """A /healthz answering bytes that are not HTTP, or a JSON array, is down, never a crash."""
    assert healthy(garbage_server, timeout=2) is None
    with serving(fake_app({"/healthz": ["ok"]})) as url:
        assert healthy(url, timeout=2) is None
    with serving(fake_app({"/healthz": {"status": "ok"}})) as url:
        assert healthy(url, timeout=2) == {"status": "ok"}


@pytest.mark.parametrize("command", [("status",), ("chaos", "checkout", "down"), ("reset",)])
def test_a_host_answering_bytes_that_are_not_http_is_exit_2(
    mfe, monkeypatch, garbage_server, command
):
    """A bad status line (or none): exit 2 with what came, no traceback."""
    monkeypatch.setenv("MFE_HOST_URL", garbage_server)
    monkeypatch.setenv("MFE_ADMIN_TOKEN", ADMIN_TOKEN)
    code, _, err = mfe(*command)
    assert code == 2
    assert "no usable HTTP answer" in err


@pytest.mark.parametrize("value", ["foo", "http://localhost:99999", "http://[::1"])
def test_a_bad_host_url_is_exit_2_naming_the_variable(mfe, monkeypatch, value):
    """`MFE_HOST_URL` that is not a usable URL: exit 2, saying which variable."""
    monkeypatch.setenv("MFE_HOST_URL", value)
    code, _, err = mfe("status")
    assert code == 2
    assert "MFE_HOST_URL" in err


def test_an_unreadable_admin_token_is_exit_2(mfe, shop, monkeypatch, tmp_path):
    """The token file is a folder: exit 2, saying where it looked."""
    monkeypatch.delenv("MFE_ADMIN_TOKEN")
    data = tmp_path / "elsewhere"
    monkeypatch.setenv("MFE_DATA_DIR", str(data))
    (data / "host" / "admin_token").mkdir(parents=True)
    code, _, err = mfe("chaos", "checkout", "down")
    assert code == 2
    assert "cannot read the admin token" in err


def test_events_tail_against_a_host_that_never_answers_is_exit_2(mfe, monkeypatch, garbage_server):
    """The WebSocket handshake has no timeout: a request to /healthz goes first."""
    monkeypatch.setenv("MFE_HOST_URL", garbage_server)
    code, _, err = mfe("events", "tail", "--count", "1")
    assert code == 2
    assert "no usable HTTP answer" in err
