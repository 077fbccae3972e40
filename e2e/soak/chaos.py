"""The chaos schedule: faults drawn from the seed, applied to the real processes on a timer.

Each fault comes with its own healing a few seconds later, and the timers overlap, so several
faults are often in force at once: checkout killed while products is slow and a deploy flips.
The schedule is a list of timed steps drawn before the run, so the same seed gives the same
faults at the same moments; what the shoppers do in between varies with timing.
"""

import contextlib
import heapq
import os
import queue
import random
import signal
import threading
import time
from dataclasses import dataclass, field

from e2e.processes import Shop, answers, get_json

APPS = ("products", "checkout")
CHILDREN = ("products-v1", "products-v2", "checkout-v1", "checkout-v2")
# How often each kind of fault is drawn.
WEIGHTS = {"kill": 3, "chaos": 2, "deploy": 3, "canary": 2, "host": 1, "reload": 3}


def restart_if_silent(shop: Shop, name: str) -> bool:
    """Restart process `name` if it does not answer at all; True if it was restarted.

    A process whose last start failed is still listed, so it is judged by its answer. Not by
    /healthz: a release left in chaos `down` answers 503 there, and would after a restart too,
    so the restart waits for an answer, not a healthy one: waiting for health would hold every
    later step, the chaos `up` that heals it too (seed 20262494 stalled for a minute).
    """
    if name in shop.procs and answers(shop.url(name)):
        return False
    shop.stop(name)
    shop.start(name, timeout=60, any_status=True)
    return True


@dataclass(order=True)
class Step:
    """One timed action: a fault or its healing."""

    at: float
    action: str = field(compare=False)
    target: str = field(compare=False)
    detail: str = field(compare=False, default="")


def draw_schedule(seed: int, seconds: float) -> list[Step]:
    """The faults and their healings for a run of `seconds`, from `seed` alone."""
    rng = random.Random(seed)  # noqa: S311 (a schedule, not a secret)
    steps = []
    now = 3.0
    # The last stretch has no new fault: every healing is due before the final checks.
    while now < seconds - 8:
        kind = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        heal = now + rng.uniform(1.5, 5.0)
        if kind == "kill":
            name = rng.choice(CHILDREN)
            signal_name = rng.choice(["SIGKILL", "SIGTERM"])
            steps += [Step(now, "kill", name, signal_name), Step(heal, "start", name)]
        elif kind == "chaos":
            app = rng.choice(APPS)
            steps += [
                Step(now, "chaos", app, rng.choice(["down", "slow"])),
                Step(heal, "chaos", app, "up"),
            ]
        elif kind == "deploy":
            steps.append(Step(now, "deploy", rng.choice(APPS)))
        elif kind == "canary":
            # Half the shoppers get the other release, until the rollout is decided either way.
            app = rng.choice(APPS)
            decision = rng.choice(["promote", "rollback"])
            steps += [Step(now, "canary", app), Step(heal, "decide", app, decision)]
        elif kind == "host":
            signal_name = rng.choice(["SIGKILL", "SIGTERM"])
            steps += [Step(now, "kill", "host", signal_name), Step(now + 1.0, "start", "host")]
        else:
            steps.append(Step(now, "reload", "shopper", str(rng.randrange(1_000_000))))
        now += rng.uniform(1.0, 4.0)
    return sorted(steps)


@dataclass
class Figures:
    """What the chaos did, for the report."""

    deploys: int = 0
    canaries: int = 0
    kills: int = 0
    restarts: int = 0
    chaos: int = 0
    reloads: int = 0
    failures: list[str] = field(default_factory=list)


class Chaos(threading.Thread):
    """Applies a schedule to a shop from a thread of its own; page reloads go to a queue
    that the shoppers' thread serves (Playwright's pages belong to that thread)."""

    def __init__(self, shop: Shop, steps: list[Step], token: str):
        super().__init__(name="chaos", daemon=True)
        self.shop = shop
        self.steps = list(steps)
        heapq.heapify(self.steps)
        self.token = token
        self.figures = Figures()
        self.reloads: queue.Queue[int] = queue.Queue()
        self.stopping = threading.Event()
        self.started_at = time.monotonic()

    def run(self) -> None:
        """Apply each step at its time until the schedule is done or the run stops."""
        while self.steps and not self.stopping.is_set():
            step = self.steps[0]
            if self.stopping.wait(max(0.0, step.at - (time.monotonic() - self.started_at))):
                break
            heapq.heappop(self.steps)
            self.apply(step)

    def stop(self) -> None:
        """Stop drawing faults and wait for the step in hand to end."""
        self.stopping.set()
        self.join()

    def finish(self) -> None:
        """Stop drawing faults and apply every healing still due, at once."""
        self.stop()
        for step in sorted(self.steps):
            if step.action in ("start", "chaos") and (
                step.action != "chaos" or step.detail == "up"
            ):
                self.apply(step)
        self.steps = []

    def apply(self, step: Step) -> None:
        """Carry out one step, counting it; a step that cannot be done is noted, not fatal."""
        try:
            getattr(self, f"_{step.action}")(step)
        # Whatever went wrong, the soak goes on and reports what chaos could not do.
        except Exception as error:
            self.figures.failures.append(f"{step.action} {step.target} {step.detail}: {error}")

    def _kill(self, step: Step) -> None:
        proc = self.shop.procs.pop(step.target, None)
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, getattr(signal, step.detail))
        proc.wait(timeout=15)
        self.figures.kills += 1

    def _start(self, step: Step) -> None:
        if restart_if_silent(self.shop, step.target):
            self.figures.restarts += 1

    def _chaos(self, step: Step) -> None:
        self.shop.mfe("chaos", step.target, step.detail, check=True)
        self.figures.chaos += 1

    def _deploy(self, step: Step) -> None:
        live = self._live_release(step.target)
        other = 2 if live == 1 else 1
        if self.shop.mfe("deploy", step.target, str(other)).returncode == 0:
            self.figures.deploys += 1

    def _canary(self, step: Step) -> None:
        other = 2 if self._live_release(step.target) == 1 else 1
        if self.shop.mfe("deploy", step.target, str(other), "--canary", "50").returncode == 0:
            self.figures.canaries += 1

    def _decide(self, step: Step) -> None:
        # Nothing to decide when the canary was refused or a deploy superseded it.
        if self.shop.mfe(step.detail, step.target).returncode == 0:
            self.figures.deploys += 1

    def _reload(self, step: Step) -> None:
        self.reloads.put(int(step.detail))
        self.figures.reloads += 1

    def _live_release(self, app: str) -> int:
        auth = {"Authorization": f"Bearer {self.token}"}
        return get_json(f"{self.shop.host}/api/deployments", 5, auth)["apps"][app]["release"]
