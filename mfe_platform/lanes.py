"""Threads that run a WSGI app: one at a time, and another only while the ones running are slow.

Under Python's interpreter lock, two threads that both run Python take turns at the lock, and
each handover costs more than it lets run: checkout serves about a third more requests a
second on one thread than on two (docs/performance.md, T5). But a single thread would let one
slow request (products not answering, `mfe chaos slow`) hold up every other. So the first
lane takes every request, back to back, and lane n takes one only once lanes 0 to n-1 have
each been busy for `SLOW_AFTER_SECONDS`.
"""

import threading
import time
from collections import deque
from concurrent.futures import Future

# Longer than any ordinary request takes here (well under 5 ms), short enough not to be felt.
SLOW_AFTER_SECONDS = 0.02


class Lanes:
    """A few threads that run submitted calls, preferring the first lane (see the module)."""

    def __init__(self, threads: int, slow_after: float = SLOW_AFTER_SECONDS, name: str = "lane"):
        if threads < 1:
            raise ValueError(f"Lanes needs at least one thread, not {threads}")
        self.slow_after = slow_after
        self.lock = threading.Lock()
        self.jobs: deque = deque()
        # When each lane started its current call (None: idle), and whether it is parked:
        # asleep until another thread wakes it. Only parked lanes are woken (a wake costs a
        # thread switch); the others wake by their own timer or are busy.
        self.busy_since: list[float | None] = [None] * threads
        self.parked = [False] * threads
        self.wakeups = [threading.Condition(self.lock) for _ in range(threads)]
        for lane in range(threads):
            thread = threading.Thread(target=self._run, args=(lane,), name=f"{name}-{lane}")
            # Daemon: a lane never holds the process open at exit (a call still running then is
            # abandoned, as the server stops answering anyway).
            thread.daemon = True
            thread.start()

    def submit(self, function, *args) -> Future:
        """Run `function(*args)` on a lane; its future."""
        future: Future = Future()
        with self.lock:
            self.jobs.append((future, function, args))
            self._wake_a_watcher()
        return future

    def _wake_a_watcher(self) -> None:
        """Wake the first parked lane, unless an idle lane before it is awake already."""
        for lane, parked in enumerate(self.parked):
            if parked:
                self.parked[lane] = False
                self.wakeups[lane].notify()
                return
            if self.busy_since[lane] is None:
                # Awake and idle: it takes the job, or watches the lanes before it.
                return

    def _wait_before_taking(self, lane: int, now: float) -> float | None:
        """0 if `lane` may take the next job now, else how long to wait (None: until woken)."""
        if not self.jobs:
            return None
        if lane == 0:
            return 0.0
        starts = self.busy_since[:lane]
        if any(start is None for start in starts):
            # A lane before this one is free: it takes the job, and wakes us if more wait.
            return None
        return max(0.0, max(starts) + self.slow_after - now)

    def _take(self, lane: int):
        """Block until `lane` may take a job; take it."""
        with self.lock:
            while True:
                now = time.monotonic()
                wait = self._wait_before_taking(lane, now)
                if wait == 0.0:
                    self.busy_since[lane] = now
                    job = self.jobs.popleft()
                    # More are waiting: a later lane watches in case this one gets stuck.
                    if self.jobs:
                        self._wake_a_watcher()
                    return job
                self.parked[lane] = wait is None
                self.wakeups[lane].wait(wait)
                self.parked[lane] = False

    def _run(self, lane: int) -> None:
        while True:
            future, function, args = self._take(lane)
            try:
                if future.set_running_or_notify_cancel():
                    _call(future, function, args)
            finally:
                with self.lock:
                    self.busy_since[lane] = None
            # A parked lane must not keep its last request and response alive.
            del future, function, args


def _call(future: Future, function, args) -> None:
    """Run the call and settle its future (as concurrent.futures' own thread pool does)."""
    # Whatever the call raises is the caller's to handle, through its future.
    try:
        result = function(*args)
    except BaseException as error:
        future.set_exception(error)
    else:
        future.set_result(result)
