"""The workshop's checks are honest: for every coding lab, in a copy of the repository, `mfe
workshop start N` makes `check N` fail with hints, `solve N` makes it pass, and `reset` leaves
`git status` clean and the shop in its first state.

One copy and one shop (started from the copy's code, on free ports) serve every lab in turn;
each test ends with `mfe workshop reset`, as a class would between labs.
"""

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from e2e.pages import HostPage
from e2e.processes import REPOSITORY, free_port, get_json, start_shop
from mfe_platform.readiness import wait_healthy

CODING_LABS = (2, 3, 4, 5, 6, 7, 8, 9)
# The CLI of the copy (its own code, not the installed one): `python -c` puts the working
# directory first on the import path.
MFE = [sys.executable, "-c", "import sys; from mfe_cli import main; sys.exit(main())"]


def copy_repository(target: Path) -> Path:
    """The work tree as it is now (committed or not), committed into a fresh repository."""
    listed = subprocess.run(
        [
            "git",
            "-C",
            str(REPOSITORY),
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
        capture_output=True,
        check=True,
    ).stdout.decode()
    for path in filter(None, listed.split("\0")):
        source = REPOSITORY / path
        if source.is_file():
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            (target / path).write_bytes(source.read_bytes())
    identity = ["-c", "user.name=workshop", "-c", "user.email=workshop@example.com"]
    for command in (["init", "-q"], ["add", "-A"], [*identity, "commit", "-qm", "start"]):
        subprocess.run(["git", "-C", str(target), *command], check=True, capture_output=True)
    return target


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """A copy of the repository and its shop, as a student's laptop running `make run`."""
    root = copy_repository(tmp_path_factory.mktemp("student-repo"))
    data = tmp_path_factory.mktemp("student-data")
    with start_shop(data, {"MFE_ADMIN_TOKEN": "workshop-token"}, root=root) as shop:
        yield shop


def workshop(shop, *args) -> subprocess.CompletedProcess:
    """`mfe workshop ARGS` in the copy, against its shop."""
    env = {**shop.env, "PYTHONPATH": ""}
    return subprocess.run(
        [*MFE, "workshop", *map(str, args)],
        cwd=shop.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def status(shop) -> str:
    """`git status --porcelain` of the copy."""
    return subprocess.run(
        ["git", "-C", str(shop.root), "status", "--porcelain"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_the_copy_runs_its_own_code(classroom):
    """The workshop commands and the shop import the copy, not the installed repository."""
    where = subprocess.run(
        [sys.executable, "-c", "import shared_contracts; print(shared_contracts.__file__)"],
        cwd=classroom.root,
        env={**os.environ, "PYTHONPATH": ""},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(classroom.root)), where


@pytest.mark.parametrize("number", CODING_LABS)
def test_check_fails_on_the_start_state_and_passes_on_the_solution(classroom, number):
    """start → check exits 1 with hints; solve → check exits 0; reset → clean, first state."""
    started = workshop(classroom, "start", number)
    assert started.returncode == 0, started.stdout + started.stderr
    assert "start state" in workshop(classroom, "list").stdout

    failing = workshop(classroom, "check", number)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "FAIL" in failing.stdout and "hint: " in failing.stdout, failing.stdout
    assert "differ from the solution" in workshop(classroom, "diff", number).stdout

    solved = workshop(classroom, "solve", number)
    assert solved.returncode == 0, solved.stdout + solved.stderr
    passing = workshop(classroom, "check", number)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "FAIL" not in passing.stdout and "point(s) verified" in passing.stdout
    assert "matches the solution" in workshop(classroom, "diff", number).stdout

    reset = workshop(classroom, "reset")
    assert reset.returncode == 0, reset.stdout + reset.stderr
    assert status(classroom) == ""
    live = get_json(classroom.host + "/api/deployments")["apps"]
    assert {app: entry["release"] for app, entry in live.items()} == {"products": 1, "checkout": 1}


def test_start_refuses_to_overwrite_and_reset_keeps_what_no_lab_gave(classroom):
    """Changes to a lab's file stop `start`; reset keeps them aside and leaves other files be."""
    handler = classroom.root / "checkout_app" / "item_added.py"
    handler.write_text(handler.read_text() + "\n# my own note\n")
    notes = classroom.root / "my-notes.txt"
    notes.write_text("mine\n")

    refused = workshop(classroom, "start", 2)
    assert refused.returncode == 1
    assert "would overwrite your changes" in refused.stdout
    assert "checkout_app/item_added.py" in refused.stdout
    assert handler.read_text().endswith("# my own note\n")

    reset = workshop(classroom, "reset")
    assert reset.returncode == 1, reset.stdout
    assert "my-notes.txt" in reset.stdout
    assert status(classroom) == "?? my-notes.txt\n"
    kept = sorted(Path(classroom.env["MFE_DATA_DIR"], "workshop", "attempts").glob("reset-*"))
    assert (kept[-1] / "checkout_app" / "item_added.py").read_text().endswith("# my own note\n")
    notes.unlink()


def test_usage_errors_exit_2(classroom):
    """A lab that does not exist, or no lab number at all."""
    assert workshop(classroom, "check", 99).returncode == 2
    assert workshop(classroom, "start").returncode == 2


def mfe(shop, *args) -> subprocess.CompletedProcess:
    """Any `mfe` command of the copy, against its shop."""
    return subprocess.run(
        [*MFE, *map(str, args)],
        cwd=shop.root,
        env={**shop.env, "PYTHONPATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )


@contextlib.contextmanager
def own_release_of(classroom):
    """The student's release as lab 4 starts it, run from the copy on a free port."""
    port = free_port()
    release = subprocess.Popen(
        [sys.executable, "-m", "products_app.fork", "--port", str(port)],
        cwd=classroom.root,
        env={**classroom.env, "PYTHONPATH": ""},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://localhost:{port}"
    try:
        assert wait_healthy([url], timeout=30) == [], "the student's release did not start"
        yield url
    finally:
        os.killpg(release.pid, signal.SIGTERM)
        release.wait(timeout=10)


def test_bring_your_own_release_is_refused_first_then_deployed_into_the_open_page(classroom, page):
    """Lab 4 end to end: the release as started is refused with the reason; solved, it goes
    live in the open page and an add to cart through it lands in checkout 1."""
    assert workshop(classroom, "start", 4).returncode == 0
    try:
        host = HostPage(page, classroom.host).open()
        host.expect_frame_app("products", 1)
        with own_release_of(classroom) as url:
            asked = mfe(classroom, "can-i-deploy", "products", 3, "--url", url)
            assert asked.returncode == 1, asked.stdout + asked.stderr
            assert "cart:item-added 3.0.0 is not in the contract registry" in asked.stdout
            refused = mfe(classroom, "deploy", "products", 3, "--url", url)
            assert refused.returncode == 1, refused.stdout
            host.expect_frame_app("products", 1)

        solved = workshop(classroom, "solve", 4)
        assert solved.returncode == 0, solved.stdout + solved.stderr
        host.expect_frame_app("products", 3)
        host.wait_connected("products")
        host.products().add("kettle")
        host.checkout().expect_line("kettle", 1, "49.00")
    finally:
        reset = workshop(classroom, "reset")
    assert reset.returncode == 0, reset.stdout + reset.stderr
    host.expect_frame_app("products", 1)


def test_lab9_fails_its_shop_point_while_the_host_runs_the_weakened_analysis(classroom):
    """Lab 9's last point watches the running shop decide: a host still running the start
    state's analysis promotes the corrupted canary, so the point fails even with the code fixed
    (the shop was not restarted), and the check puts the stable release back."""
    assert workshop(classroom, "start", 9).returncode == 0
    try:
        classroom.restart("host")
        assert workshop(classroom, "solve", 9).returncode == 0
        stale = workshop(classroom, "check", 9)
        after = get_json(classroom.host + "/api/deployments")["apps"]["products"]
    finally:
        reset = workshop(classroom, "reset")
        # The host runs the committed analysis again, for the tests after this one.
        classroom.restart("host")
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "FAIL  your shop rolls a corrupted canary back by itself" in stale.stdout
    assert "ended 'promoted'" in stale.stdout and stale.stdout.count("  ok    ") == 3
    assert after["release"] == 1 and after["rollout"]["status"] == "promoted", after
    assert reset.returncode == 0, reset.stdout + reset.stderr
    assert status(classroom) == ""


@pytest.mark.parametrize("number", CODING_LABS)
def test_each_coding_lab_has_its_data_and_its_page_says_how_to_use_it(number):
    """start.patch applies to this code and marks a TODO; check.py exists; the page names both."""
    folder = REPOSITORY / "docs" / "workshop" / f"lab{number}"
    patch = folder / "start.patch"
    assert f"TODO(lab {number})" in patch.read_text()
    assert (folder / "check.py").is_file()
    applies = subprocess.run(
        ["git", "-C", str(REPOSITORY), "apply", "--check", str(patch)], capture_output=True
    )
    assert applies.returncode == 0, applies.stderr
    [page] = (REPOSITORY / "docs" / "workshop").glob(f"lab{number}-*.md")
    text = page.read_text()
    for command in ("start", "check", "solve"):
        assert f"mfe workshop {command} {number}" in text, (page.name, command)
