"""A failed browser test's report says what its page's bus did (e2e/diagnostics.py)."""

import json

from e2e.diagnostics import describe
from e2e.pages import HostPage


def test_the_report_holds_the_host_pages_bus_and_each_frames_words(shop, page):
    """Connections, the outbox, the log's last entries with their ids, each frame's status."""
    host = HostPage(page, shop.host).open()
    host.products().add("mug")
    host.checkout().expect_line("mug", 1, "14.50")
    lines = describe(page).splitlines()
    state = json.loads(lines[1])
    assert state["connected"] == {"products": True, "checkout": True}
    assert state["pending"] == []
    added = [json.loads(line) for line in lines if '"cart:item-added"' in line]
    assert {entry["type"] for entry in added} >= {"emit", "deliver", "ack"}
    assert len({entry["id"] for entry in added}) == 1
    assert any(line.startswith("products frame") and "Added 1" in line for line in lines)
    assert any(line.startswith("checkout frame") and '"busy": "false"' in line for line in lines)


def test_a_page_without_the_shell_says_so(shop, page):
    """A page where the host's script never ran (here: an app opened on its own)."""
    page.goto(shop.url("products-v1") + "/")
    assert "no window.mfeHost" in describe(page)
