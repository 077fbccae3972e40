"""The lanes that run the app: one at a time, and a second one only beside a slow call."""

import threading
import time

import pytest

from mfe_platform.lanes import Lanes

# Generous: a test waits for an outcome, never for this long unless something is wrong.
WAIT = 10


def current_lane() -> str:
    return threading.current_thread().name


def test_a_call_gives_its_result_or_its_exception():
    lanes = Lanes(2, name="t")
    assert lanes.submit(pow, 2, 10).result(WAIT) == 1024
    with pytest.raises(ZeroDivisionError):
        lanes.submit(lambda: 1 / 0).result(WAIT)
    # The lane that raised is still there, and free.
    assert lanes.submit(current_lane).result(WAIT) == "t-0"


def test_no_lanes_at_all_is_refused():
    with pytest.raises(ValueError, match="at least one thread"):
        Lanes(0)


def test_quick_calls_all_run_on_the_first_lane():
    """Calls submitted together, none slow, run one after the other on lane 0."""
    lanes = Lanes(2, slow_after=5.0, name="quick")
    futures = [lanes.submit(current_lane) for _ in range(50)]
    assert {future.result(WAIT) for future in futures} == {"quick-0"}


def test_a_slow_call_lets_the_next_one_run_on_another_lane():
    """While lane 0 is stuck, the next call starts on lane 1 once slow_after has passed."""
    lanes = Lanes(2, slow_after=0.05, name="slow")
    release = threading.Event()
    started = time.monotonic()
    stuck = lanes.submit(release.wait, WAIT)
    try:
        assert lanes.submit(current_lane).result(WAIT) == "slow-1"
        # Not at once, as a plain pool of two would: only once lane 0 was slow.
        assert time.monotonic() - started >= 0.05
        assert not stuck.done()
    finally:
        release.set()
    assert stuck.result(WAIT) is True


def test_with_every_lane_busy_a_call_waits_for_one_to_finish():
    lanes = Lanes(2, slow_after=0.01, name="busy")
    releases = [threading.Event(), threading.Event()]
    started = [threading.Event(), threading.Event()]

    def hold(index):
        started[index].set()
        releases[index].wait(WAIT)
        return current_lane()

    holders = [lanes.submit(hold, index) for index in range(2)]
    assert all(event.wait(WAIT) for event in started)
    waiting = lanes.submit(current_lane)
    # Both lanes are held: the third call has not run and cannot until one lets go.
    assert not waiting.done()
    releases[1].set()
    assert waiting.result(WAIT) == holders[1].result(WAIT)
    releases[0].set()
    assert holders[0].result(WAIT) == "busy-0"


def test_a_call_cancelled_before_it_started_never_runs():
    lanes = Lanes(1, name="cancel")
    release = threading.Event()
    ran = []
    holder = lanes.submit(release.wait, WAIT)
    cancelled = lanes.submit(ran.append, "ran")
    assert cancelled.cancel()
    after = lanes.submit(current_lane)
    release.set()
    assert holder.result(WAIT) is True
    assert after.result(WAIT) == "cancel-0"
    assert ran == []


def test_many_submitters_lose_no_call_and_slow_ones_spread_over_the_lanes():
    """Four threads submit 800 calls, some slow (5 ms of work): each gives its own result."""
    lanes = Lanes(3, slow_after=0.001, name="many")

    def work(n):
        if n % 10 == 0:
            threading.Event().wait(0.005)  # the call's own work: slow, not a synchronisation
        return n, current_lane()

    results: dict[int, list] = {}

    def submitter(first):
        results[first] = [lanes.submit(work, first + i) for i in range(200)]

    threads = [threading.Thread(target=submitter, args=(k * 1000,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    outcomes = [future.result(WAIT) for futures in results.values() for future in futures]
    submitted = [k * 1000 + i for k in range(4) for i in range(200)]
    assert sorted(n for n, _ in outcomes) == submitted
    assert {"many-0", "many-1"} <= {lane for _, lane in outcomes}
