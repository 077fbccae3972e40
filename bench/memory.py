"""Resident memory and CPU time of a process group (a gunicorn master and its workers)."""

import os
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may contain spaces: split after it.
    return text[text.rindex(")") + 2 :].split()


def group_pids(pgid: int) -> list[int]:
    """Every live process of a process group."""
    pids = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            # fields[0] is the state, [2] the process group; zombies hold no memory.
            if fields and int(fields[2]) == pgid and fields[0] != "Z":
                pids.append(int(entry.name))
    return sorted(pids)


def _kib(path: Path, key: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def group_memory(pgid: int) -> dict:
    """RSS (summed, as the issue asks) and PSS (shared pages split fairly) of a group, in MiB."""
    pids = group_pids(pgid)
    rss = sum(_kib(PROC / str(pid) / "status", "VmRSS") for pid in pids)
    pss = sum(_kib(PROC / str(pid) / "smaps_rollup", "Pss") for pid in pids)
    return {"processes": len(pids), "rss_mib": rss / 1024, "pss_mib": pss / 1024}


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU time of a group's live processes so far."""
    total = 0
    for pid in group_pids(pgid):
        fields = _stat_fields(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def use_the_shop(shop, playwright, adds: int = 100) -> None:
    """What the memory target is measured after: one page load and `adds` adds to cart."""
    from playwright.sync_api import expect

    from e2e.browsers import launch_options
    from e2e.pages import HostPage

    browser = playwright.chromium.launch(**launch_options(playwright, full_browser=True))
    try:
        host = HostPage(browser.new_page(), shop.host).open()
        card = host.products().locator.get_by_test_id("product-card").first
        product_id = card.get_attribute("data-product-id")
        for _ in range(adds):
            card.get_by_test_id("add-to-cart").click()
        line = host.checkout().line(product_id)
        expect(line.get_by_test_id("cart-item-quantity")).to_have_text(str(adds), timeout=60_000)
    finally:
        browser.close()


# Issue 18: `make run` light on a laptop, every process and worker counted.
TOTAL_TARGET_MIB = 400


def figures(shop, moment: str = "", key: str = "") -> list[dict]:
    """One figure per running process of the shop, and their total (with the target)."""
    from bench.stats import figure
    from e2e.processes import PROCESSES

    result = []
    total = 0.0
    for name in sorted(shop.procs, key=PROCESSES.index):
        memory = group_memory(shop.procs[name].pid)
        total += memory["rss_mib"]
        result.append(
            figure(
                "memory",
                f"{name} RSS ({memory['processes']} processes){moment}",
                "MiB",
                memory["processes"],
                value=memory["rss_mib"],
                pss_mib=memory["pss_mib"],
                processes=memory["processes"],
                process=name,
                key=f"memory:{name}{key}",
                note=f"PSS {memory['pss_mib']:.1f} MiB",
            )
        )
    result.append(
        figure(
            "memory",
            f"5. all five, RSS summed{moment}",
            "MiB",
            sum(f["processes"] for f in result),
            value=total,
            target=f"≤ {TOTAL_TARGET_MIB} MiB",
            meets=total <= TOTAL_TARGET_MIB,
            key=f"memory:total{key}",
        )
    )
    return result
