"""Fixtures of the browser suite: the real shop on free ports.

The browser, a fresh context and a fresh page per test come from pytest-playwright
(`browser`, `context`, `page`, `new_context`); see e2e/plugin.py.
"""

import pytest
from playwright.sync_api import expect

from e2e import diagnostics
from e2e.processes import start_shop

# Health probes and handshakes take a few seconds on a busy 2-core machine.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items):
    """Everything under e2e/ is a browser test."""
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test with a page also reports what that page said of its bus."""
    report = yield
    page = item.funcargs.get("page")
    # A fixture that opens the page (`host`) fails in setup: the page has its say there too.
    failed = report.when in ("setup", "call") and report.failed
    if failed and page is not None and not page.is_closed():
        report.sections.append(("mfe: the page's bus at the failure", diagnostics.describe(page)))
    return report


@pytest.fixture(scope="session")
def shop(tmp_path_factory):
    """All five processes, started as the Procfile says, with a temporary data folder."""
    with start_shop(tmp_path_factory.mktemp("shop-data")) as running:
        yield running
