"""Fixtures shared by every test folder.

The browser comes from pytest-playwright (`browser`, `context`, `page`, `new_context`, and its
options such as `--headed` or `--tracing retain-on-failure`), launched on the Chromium that
e2e/browsers.py chooses: e2e/plugin.py connects the two. One Chromium serves the whole run
(one per worker under `-n 2`), and every test folder that drives a page borrows it.
"""

import os

import pytest

pytest_plugins = ["e2e.plugin"]


@pytest.fixture
def clean_environment(monkeypatch):
    """No `MFE_*` variable of the caller's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("MFE_"):
            monkeypatch.delenv(key)
