"""The shop's processes start on ports no other test worker picks."""

from e2e.processes import free_port, port_range


def test_each_xdist_worker_picks_ports_from_a_slice_of_its_own(monkeypatch):
    """Under `pytest -n 2` the workers' port ranges do not overlap, and each keeps to its own."""
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
    ranges = {}
    for worker in ("gw0", "gw1"):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
        ranges[worker] = port_range()
        picked = {free_port() for _ in range(20)}
        assert picked <= set(ranges[worker]), (worker, ranges[worker], picked)
    assert len(ranges["gw0"]) > 1000 and len(ranges["gw1"]) > 1000, ranges
    assert not set(ranges["gw0"]) & set(ranges["gw1"]), ranges


def test_without_workers_the_whole_range_is_used(monkeypatch):
    """A plain `pytest` run picks from the whole range, below the system's ephemeral ports."""
    monkeypatch.delenv("PYTEST_XDIST_WORKER_COUNT", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    whole = port_range()
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    assert set(port_range()) < set(whole)
    assert whole.start >= 1024 and whole.stop <= 32768, whole
