"""Fixtures shared by every test folder: one Chromium for the whole run.

One thread holds one sync Playwright at a time, so the browser lives here, once, and the
suites (e2e/, host_app/tests/, shared_contracts/tests/, mfe_platform/tests/) all borrow it.
"""

import os

import pytest
from playwright.sync_api import sync_playwright

from e2e.browsers import launch_options


def pytest_addoption(parser):
    """`--headed` and `--slowmo MS`: watch a browser test run (workshop lab 8)."""
    group = parser.getgroup("browser", "the browser of the browser tests")
    group.addoption("--headed", action="store_true", help="show the browser window")
    group.addoption(
        "--slowmo", type=float, default=0, metavar="MS", help="pause MS ms before each action"
    )


@pytest.fixture(scope="session")
def browser(pytestconfig):
    """Chromium, chosen by e2e/browsers.py (MFE_BROWSER, Playwright's own, /usr/bin/chromium)."""
    with sync_playwright() as playwright:
        try:
            options = launch_options(playwright)
        except RuntimeError as error:
            pytest.exit(str(error), returncode=3)
        chromium = playwright.chromium.launch(
            **options,
            headless=not pytestconfig.getoption("headed"),
            slow_mo=pytestconfig.getoption("slowmo"),
        )
        yield chromium
        chromium.close()


@pytest.fixture
def clean_environment(monkeypatch):
    """No `MFE_*` variable of the caller's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("MFE_"):
            monkeypatch.delenv(key)
