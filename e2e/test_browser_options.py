"""pytest-playwright's options work on our Chromium: a failing test leaves its trace, `--headed`
opens a window, `--slowmo` slows every action, and without a Chromium the run says how to
get one. The choice of Chromium itself is checked with stand-in files.

Each check runs pytest on a tiny test file in a temporary folder whose conftest.py loads
e2e/plugin.py as the root conftest.py does, so what it sees is what `make test` uses.
"""

import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from e2e import browsers
from e2e.browsers import HOW_TO_GET_ONE
from e2e.processes import REPOSITORY

TINY_TESTS = """
import json, os, time


def test_passes(page):
    page.set_content("<h1>fine</h1>")
    assert page.inner_text("h1") == "fine"


def test_fails(page):
    page.set_content("<h1 data-marker='seen-in-the-trace'>hello</h1>")
    assert page.inner_text("h1") == "goodbye"


def test_observes(page):
    page.set_content("<button>one</button>")
    started = time.monotonic()
    page.click("button")
    seen = {
        "seconds_for_one_click": time.monotonic() - started,
        "user_agent": page.evaluate("navigator.userAgent"),
    }
    with open(os.environ["OBSERVED"], "w") as out:
        json.dump(seen, out)
"""


def run_tiny_tests(tmp_path, *args: str, wrapper: tuple[str, ...] = (), **env: str):
    """Run pytest with e2e/plugin.py on TINY_TESTS in `tmp_path`; its finished process."""
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["e2e.plugin"]\n')
    (tmp_path / "test_tiny.py").write_text(TINY_TESTS)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
    return subprocess.run(
        [*wrapper, *command, "test_tiny.py", *args],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_failing_test_leaves_its_trace_and_a_passing_one_does_not(tmp_path):
    """`--tracing retain-on-failure`: trace.zip of the failed test under the output folder."""
    output = tmp_path / "results"
    run = run_tiny_tests(
        tmp_path, "-k", "passes or fails", "--tracing", "retain-on-failure", "--output", str(output)
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 failed, 1 passed" in run.stdout, run.stdout
    traces = sorted(path.relative_to(output).as_posix() for path in output.rglob("*.zip"))
    assert traces == ["test-tiny-py-test-fails-chromium/trace.zip"], traces
    with zipfile.ZipFile(output / traces[0]) as trace:
        recorded = b"".join(trace.read(name) for name in trace.namelist())
    assert b"seen-in-the-trace" in recorded


@pytest.mark.skipif(not shutil.which("xvfb-run"), reason="needs xvfb-run (apt-get install xvfb)")
def test_headed_and_slowmo_reach_the_browser(tmp_path):
    """`--headed --slowmo 500` under a virtual display: a headed Chromium, a click slowed.

    Half a second: a busy machine clicks in well under that without `--slowmo`."""
    observed = tmp_path / "observed.json"
    run = run_tiny_tests(
        tmp_path,
        "-k",
        "observes",
        "--headed",
        "--slowmo",
        "500",
        wrapper=("xvfb-run", "-a"),
        OBSERVED=str(observed),
    )
    assert run.returncode == 0, run.stdout + run.stderr
    seen = json.loads(observed.read_text())
    assert "HeadlessChrome" not in seen["user_agent"], seen
    assert seen["seconds_for_one_click"] >= 0.5, seen


def test_without_a_chromium_the_run_says_how_to_get_one(tmp_path):
    """A browser path that does not exist ends the run with the advice, not a traceback."""
    run = run_tiny_tests(tmp_path, MFE_BROWSER=str(tmp_path / "no-such-chromium"))
    assert run.returncode == 3, run.stdout + run.stderr
    assert HOW_TO_GET_ONE in run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr


class FakePlaywright:
    """Just what `launch_options` asks of Playwright: where its own Chromium would be."""

    def __init__(self, own_chromium):
        self.chromium = type("BrowserType", (), {"executable_path": str(own_chromium)})()


@pytest.fixture
def debian_browsers(tmp_path, monkeypatch):
    """Debian's two builds as files in tmp_path, and no Playwright browser, no MFE_BROWSER."""
    full, shell = tmp_path / "chromium", tmp_path / "chromium-headless-shell"
    for path in (full, shell):
        path.touch()
    monkeypatch.setattr(browsers, "SYSTEM_CHROMIUM", full)
    monkeypatch.setattr(browsers, "SYSTEM_HEADLESS_SHELL", shell)
    monkeypatch.delenv("MFE_BROWSER", raising=False)
    return FakePlaywright(tmp_path / "no-playwright-chromium"), full, shell


def test_a_headless_run_takes_debians_headless_shell_and_a_headed_one_its_chromium(
    debian_browsers,
):
    """The headless shell for headless tests, as Playwright's own does; `--headed` needs windows,
    and the bench the full browser."""
    playwright, full, shell = debian_browsers
    assert browsers.launch_options(playwright)["executable_path"] == str(shell)
    assert browsers.launch_options(playwright, headless=False)["executable_path"] == str(full)
    # The bench measures what a shopper's browser does: the full one, headless.
    assert browsers.launch_options(playwright, full_browser=True)["executable_path"] == str(full)
    shell.unlink()
    assert browsers.launch_options(playwright)["executable_path"] == str(full)


def test_mfe_browser_then_playwrights_own_win_over_debians(debian_browsers, tmp_path, monkeypatch):
    """The order: MFE_BROWSER, Playwright's own Chromium (it picks its build), then Debian's."""
    _, full, shell = debian_browsers
    own = tmp_path / "playwright-chromium"
    own.touch()
    chosen = browsers.launch_options(FakePlaywright(own))
    assert "executable_path" not in chosen and chosen["args"] == browsers.LAUNCH_ARGS
    assert "channel" not in chosen
    assert browsers.launch_options(FakePlaywright(own), full_browser=True)["channel"] == "chromium"
    monkeypatch.setenv("MFE_BROWSER", str(full))
    assert browsers.launch_options(FakePlaywright(own))["executable_path"] == str(full)
    full.unlink()
    shell.unlink()
    monkeypatch.delenv("MFE_BROWSER")
    with pytest.raises(RuntimeError, match="sudo apt-get install chromium"):
        browsers.launch_options(FakePlaywright(tmp_path / "none"))
