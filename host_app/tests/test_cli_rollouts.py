"""`mfe deploy --canary`, `mfe promote`, `mfe rollback`, `mfe status` during a canary and
`mfe chaos … corrupt --release N`, against a host and the four releases served in-process."""

import json
import urllib.request

import pytest

from host_app.tests.test_cli_operations import mfe, shop  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_environment")


def live(mfe) -> dict:  # noqa: F811
    """The products entry of `mfe status --json`."""
    code, out, _ = mfe("status", "--json")
    assert code == 0
    return json.loads(out)["apps"]["products"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--canary", "0"], "from 1 to 99"),
        (["--canary", "100"], "from 1 to 99"),
        (["--canary", "12.5"], "from 1 to 99"),
        (["--canary", "10", "--auto", "--steps", "50,25"], "steps must increase"),
        (["--canary", "10", "--auto", "--steps", "25,100"], "from 1 to 99"),
        (["--canary", "30", "--auto", "--steps", "10,50"], "at or above --canary 30"),
        (["--canary", "10", "--steps", "25,50"], "need --auto"),
        (["--canary", "10", "--interval", "5"], "need --auto"),
        (["--auto"], "need --canary"),
        (["--canary", "10", "--auto", "--interval", "0"], "at least 0.2"),
        (["--canary", "10", "--auto", "--min-events", "x"], "at least 1"),
    ],
)
def test_bad_canary_options_are_exit_2(shop, mfe, capsys, args, says):  # noqa: F811
    """A clear usage error, and nothing deployed."""
    try:
        code, _, err = mfe("deploy", "products", "2", *args)
    except SystemExit as stop:
        # argparse's own errors exit at once.
        code, err = stop.code, capsys.readouterr().err
    assert code == 2
    assert says in err
    assert live(mfe)["canary"] is None


def test_canary_status_promote(shop, mfe):  # noqa: F811
    """A canary shows in status with both shares; promote makes it everyone's."""
    code, out, _ = mfe("deploy", "products", "2", "--canary", "40")
    assert code == 0, out
    assert "40% of pages" in out and "other 60%" in out
    code, out, _ = mfe("status")
    rows = [line.split() for line in out.splitlines() if line.startswith("products ")]
    assert [(row[1], row[4]) for row in rows] == [("1", "60%"), ("2", "40%")]
    assert rows[1][5] == "canary"
    assert "products: canary release 2 at 40% of pages, release 1 at 60%" in out
    code, out, _ = mfe("deploy", "products", "2", "--canary", "60")
    assert code == 1 and "already a canary" in out
    code, out, _ = mfe("promote", "products")
    assert code == 0 and "release 2 is live for every page" in out
    assert (live(mfe)["release"], live(mfe)["share"]) == (2, 100)
    assert mfe("promote", "products")[0] == 1


def test_canary_rollback_and_events(shop, mfe):  # noqa: F811
    """Rollback returns everyone to release 1; the log's rows say canary and aborted."""
    code, out, _ = mfe(
        "deploy", "products", "2", "--canary", "10", "--auto", "--steps", "10,25,50",
        "--interval", "600", "--min-events", "3",
    )  # fmt: skip
    assert code == 0, out
    assert "checks it every 600" in out and "[10, 25, 50]" in out
    rollout = live(mfe)["rollout"]
    assert rollout["analysis"]["minEvents"] == 3 and rollout["weights"] == [10, 25, 50]
    code, out, _ = mfe("rollback", "products")
    assert code == 0 and "aborted" in out
    assert (live(mfe)["release"], live(mfe)["canary"]) == (1, None)
    assert "last rollout (release 2) aborted" in mfe("status")[1]
    assert mfe("rollback", "products")[0] == 1
    code, out, _ = mfe("events", "tail", "--count", "2")
    lines = out.splitlines()
    assert "canary products release 2 (10%)" in lines[0]
    assert "aborted products release 2" in lines[1] and "mfe rollback" in lines[1]


def storefront(url: str) -> str:
    """The products storefront page of a release."""
    with urllib.request.urlopen(url + "/", timeout=10) as reply:
        return reply.read().decode()


def test_chaos_corrupt_a_given_release(shop, mfe, calm_children):  # noqa: F811
    """Release 2's page emits the kettle at 49.01 (shown at 49.00); release 1 is untouched."""
    code, out, _ = mfe("chaos", "products", "corrupt", "--release", "2")
    assert code == 0 and "release 2" in out and "cent off" in out
    assert 'data-price="49.01"' in storefront(shop["PRODUCTS_V2_URL"])
    assert "$49.00" in storefront(shop["PRODUCTS_V2_URL"])
    assert 'data-price="49.00"' in storefront(shop["PRODUCTS_V1_URL"])
    assert mfe("chaos", "products", "up")[0] == 0
    assert 'data-price="49.00"' in storefront(shop["PRODUCTS_V2_URL"])
    code, _, err = mfe("chaos", "products", "corrupt", "--release", "7")
    assert code == 2 and "not registered" in err
