"""The host's canary analyzer: while an auto rollout is in progress, a background loop judges
each one every interval from what the pages reported in it, and steps, promotes or aborts it.

The counts come from the event log as it fills (a listener), so the analysis costs the bus
nothing; they are kept only for the apps that have an auto rollout in progress.
"""

import logging
import threading
import time

from flask import Flask, current_app

from host_app import analysis, deployment_store, eventlog, rollouts, status

log = logging.getLogger(__name__)

# The longest the loop sleeps before it looks at the record again (a rollout may have ended).
MAX_NAP_SECONDS = 5.0


class Analyzer:
    """The loop, its tally, and when each rollout's next check is due."""

    def __init__(self, app: Flask):
        self.app = app
        self.tally = analysis.Tally()
        self.lock = threading.Lock()
        self.awake = threading.Event()
        self.thread: threading.Thread | None = None
        self.due: dict[str, tuple[float, float]] = {}  # app -> (startedAt, next check time)

    def wake(self) -> None:
        """A rollout started (or the host came back with one): make sure the loop runs."""
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self.run, daemon=True)
                self.thread.start()
        self.awake.set()

    def auto_rollouts(self) -> dict[str, dict]:
        """Every auto rollout in progress, by app."""
        state = deployment_store.store().state()
        found = {app: status.canary_of(state, app) for app in state["live"]}
        return {app: r for app, r in found.items() if r is not None and r.get("auto")}

    def run(self) -> None:
        """Check every auto rollout when it is due, until none is left."""
        while True:
            try:
                with self.app.app_context():
                    nap = self.run_due(time.monotonic())
            except Exception:
                # A fault in one check (a full disk, say) must not end the analysis for good.
                log.exception("canary analysis failed; trying again")
                nap = MAX_NAP_SECONDS
            if nap is None:
                with self.lock:
                    # A rollout started while we looked: keep going, else stop.
                    if not self.awake.is_set():
                        self.thread = None
                        self.tally.watch(())
                        return
            self.awake.wait(timeout=min(nap or 0, MAX_NAP_SECONDS))
            self.awake.clear()

    def run_due(self, now: float) -> float | None:
        """Check the rollouts that are due (in an app context); the seconds until the next
        one, or None when none is in progress."""
        running = self.auto_rollouts()
        self.tally.watch(running)
        for app in list(self.due):
            if app not in running or self.due[app][0] != running[app]["startedAt"]:
                del self.due[app]
        for app, rollout in running.items():
            if app not in self.due:
                # A new rollout (or a restarted host): its first interval starts now.
                self.tally.take(app)
                interval = rollout["analysis"]["interval"]
                self.due[app] = (rollout["startedAt"], now + interval)
                continue
            started, at = self.due[app]
            if now < at:
                continue
            self.due[app] = (started, now + rollout["analysis"]["interval"])
            self.check(app)
        if not running:
            return None
        return max(0.0, min(at for _, at in self.due.values()) - time.monotonic())

    def check(self, app: str) -> None:
        """Judge the interval that just ended for `app`, and push any change to the pages."""
        move = rollouts.check(app, self.tally.take(app))
        if move and move != "hold":
            rollouts.publish()


def analyzer() -> Analyzer:
    """The current app's analyzer."""
    return current_app.extensions["mfe_analyzer"]


def wake() -> None:
    """Make sure the current app's analyzer runs (after a rollout started)."""
    analyzer().wake()


def init_app(app: Flask) -> None:
    """Attach the analyzer; it counts the event log, and resumes a rollout after a restart."""
    app.extensions["mfe_analyzer"] = instance = Analyzer(app)
    eventlog.log_for(app).listen(instance.tally.observe)
    resumed = []

    @app.before_request
    def resume_rollouts():
        # Once per process: a host restarted during an auto rollout carries on with it.
        if resumed:
            return
        resumed.append(True)
        if instance.auto_rollouts():
            instance.wake()
