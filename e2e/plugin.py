"""pytest-playwright, set up for this project: its fixtures and options on our Chromium.

pytest-playwright owns the browser, the context and the page of every test, and with them
`--headed`, `--slowmo`, `--tracing`, `--video` and `--screenshot`. Only the launch arguments
are ours: which Chromium, and its flags, come from e2e/browsers.py. The root conftest.py
loads this module with `pytest_plugins`, after pytest-playwright, so these fixtures win.
"""

import os

import pytest

from e2e.browsers import launch_options


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, playwright, browser_name):
    """pytest-playwright's launch arguments on the Chromium e2e/browsers.py chooses."""
    # `--browser firefox` or `--browser-channel chrome` names its own browser: leave it be.
    if browser_name != "chromium" or "channel" in browser_type_launch_args:
        return browser_type_launch_args
    try:
        chosen = launch_options(playwright, browser_type_launch_args.get("headless", True))
    except RuntimeError as error:
        pytest.exit(str(error), returncode=3)
    return {**chosen, **browser_type_launch_args}


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """Run the tests in the order they are written, as they ran before pytest-playwright.

    pytest-playwright parametrizes every browser test by browser name, at session scope, and
    pytest then runs all of them before any other test: a module mixing both kinds is cut in
    two and its module-scoped shop starts twice. With one browser that grouping buys nothing.
    """
    written = {item: index for index, item in enumerate(items)}
    yield
    if len(config.getoption("--browser") or ["chromium"]) == 1:
        items.sort(key=lambda item: written.get(item, len(written)))
    # Under pytest-xdist (`make test`) each file goes whole to one worker, in this order: the
    # longest files first, then the other browser files, so that at the end the short unit
    # files even out the workers. A long file started last would run on alone.
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: _start_order(item, config.rootpath))


# The files that take longest in `make test` (docs/performance.md, *Test time*), longest first.
LONGEST_FILES = (
    "e2e/test_workshop_labs.py",
    "e2e/test_bench.py",
    "e2e/test_canary.py",
    "e2e/test_failures.py",
    "e2e/test_attacks.py",
    "e2e/test_soak.py",
    "e2e/test_workshop.py",
)


def _start_order(item, root) -> tuple[int, int]:
    """Where a test's file comes in the run: (0, rank) for the longest, 1 browser, 2 the rest."""
    path = item.path.relative_to(root).as_posix() if item.path.is_relative_to(root) else ""
    if path in LONGEST_FILES:
        return (0, LONGEST_FILES.index(path))
    return (1, 0) if item.get_closest_marker("browser") else (2, 0)
