"""Canary rollouts: a candidate release served to a share of pages beside the stable release,
then promoted (the release for everyone) or aborted (every page back to stable at once).

A rollout lives in the deployment record (`rollouts`, one per app), so a restarted host picks
it up again. Each change is a deploy row in the event log, with the figures that made it, and
is pushed to every open page, which swaps its frame only if its cohort's release changed.
"""

import time

from flask import Blueprint

from host_app import analysis, deployment_store, eventlog, realtime, status
from mfe_platform import settings
from mfe_platform.web.admin import require_admin
from mfe_platform.web.errors import ApiError

bp = Blueprint("rollouts", __name__, url_prefix="/api/rollouts")

PROGRESSING = "progressing"


def weights(share: int, steps: list[int]) -> list[int]:
    """The shares a rollout walks through: its first share, then each step above it."""
    return [share] + [step for step in steps if step > share]


def publish() -> dict:
    """Push the deployment state to every open page; returns it."""
    state = status.describe(fresh=True)
    realtime.hub().broadcast({"type": "deployments", **state})
    return state


def _log(verdict: str, app: str, rollout: dict, summary: str, **figures) -> None:
    entry = {
        "type": "deploy",
        "verdict": verdict,
        "app": app,
        "release": rollout["release"],
        "url": rollout["url"],
        "stable": rollout["stable"],
        "share": rollout["share"],
        "summary": summary,
    }
    eventlog.log().append({**entry, **figures})


def start(
    app: str,
    release: int,
    url: str,
    share: int,
    warnings: list[str],
    auto=False,
    steps=(),
    options: analysis.Options | None = None,
) -> dict:
    """Serve `release` (at `url`) to `share` percent of pages; 409 when one is in progress."""
    store = deployment_store.store()
    rollout: dict = {}

    def begin(state: dict) -> None:
        current = status.canary_of(state, app)
        if current is not None:
            raise ApiError(
                409,
                "rollout-in-progress",
                f"{app} release {current['release']} is already a canary: "
                f"mfe promote {app} or mfe rollback {app} first",
            )
        stable = state["live"][app]
        if stable == release:
            raise ApiError(
                422, "already-live", f"{app} release {release} is already live for everyone"
            )
        state["releases"][app][str(release)] = url
        rollout.update(
            release=release,
            url=url,
            stable=stable,
            share=share,
            weights=weights(share, list(steps)),
            auto=bool(auto),
            analysis=(options or analysis.Options()).to_dict() if auto else None,
            checks={"passed": 0, "failed": 0, "inconclusive": 0},
            status=PROGRESSING,
            startedAt=time.time(),
            endedAt=None,
            reason=None,
        )
        state.setdefault("rollouts", {})[app] = rollout

    store.update(begin)
    plan = f"; the host checks it every {rollout['analysis']['interval']:g} s" if auto else ""
    _log(
        "canary",
        app,
        rollout,
        f"{app} release {release} to {share}% of pages, release {rollout['stable']} to the "
        f"rest{plan}",
        forced=bool(warnings),
        warnings=warnings,
        weights=rollout["weights"],
    )
    return rollout


def _close(rollout: dict, state: dict, app: str, outcome: str, reason: str) -> None:
    """Mark `rollout` ended as `outcome`; a promoted one's release goes live for everyone."""
    if outcome == "promoted":
        state["live"][app] = rollout["release"]
    rollout.update(status=outcome, endedAt=time.time(), reason=reason)


def _end(app: str, outcome: str, reason: str) -> dict:
    """Close the app's rollout by hand (promoted or aborted) and log it."""
    ended: dict = {}

    def close(state: dict) -> None:
        rollout = status.canary_of(state, app)
        if rollout is None:
            raise ApiError(409, "no-rollout", f"{app} has no canary in progress")
        _close(rollout, state, app, outcome, reason)
        ended.update(rollout)

    deployment_store.store().update(close)
    _log_end(app, ended)
    return ended


def _log_end(app: str, rollout: dict, figures: dict | None = None) -> None:
    extra = {"figures": figures} if figures else {}
    if rollout["status"] == "promoted":
        who = f"{app} release {rollout['release']} for everyone"
    else:
        who = f"every page back to {app} release {rollout['stable']}"
    _log(rollout["status"], app, rollout, f"{who}: {rollout['reason']}", **extra)


def promote(app: str, reason: str) -> dict:
    """Make the canary the release for everyone."""
    return _end(app, "promoted", reason)


def abort(app: str, reason: str) -> dict:
    """Send every page back to the stable release; the rollout is marked aborted."""
    return _end(app, "aborted", reason)


def go_live(app: str, release: int, url: str) -> dict | None:
    """A plain deploy: `release` for everyone; a canary in progress ends as superseded (and is
    returned)."""
    superseded: dict = {}

    def change(state: dict) -> None:
        rollout = status.canary_of(state, app)
        if rollout is not None:
            reason = f"a deploy of {app} release {release} replaced it"
            _close(rollout, state, app, "superseded", reason)
            superseded.update(rollout)
        state["live"][app] = release
        state["releases"][app][str(release)] = url

    deployment_store.store().update(change)
    if superseded:
        _log("superseded", app, superseded, superseded["reason"])
    return superseded or None


def check(app: str, by_release: dict[int, analysis.Counts]) -> str | None:
    """Judge one interval of an auto rollout and act on it, in one change of the record;
    returns the move (`hold`, `step`, `promote`, `abort`), or None without an auto rollout."""
    result: dict = {}

    def decide(state: dict):
        rollout = status.canary_of(state, app)
        if rollout is None or not rollout.get("auto"):
            return False
        options = analysis.Options.from_dict(rollout["analysis"])
        canary = by_release.get(rollout["release"], analysis.Counts())
        stable = by_release.get(rollout["stable"], analysis.Counts())
        verdict = analysis.judge(canary, stable, options)
        checks = rollout["checks"]
        checks[verdict.outcome] += 1
        last = rollout["share"] >= rollout["weights"][-1]
        move = analysis.next_move(
            verdict.outcome, checks["passed"], checks["failed"], last, options
        )
        result.update(
            verdict=verdict,
            move=move,
            judged=dict(rollout, checks=dict(checks)),
            figures={
                "canary": {"release": rollout["release"], **canary.to_dict()},
                "stable": {"release": rollout["stable"], **stable.to_dict()},
                "checks": dict(checks),
                "options": rollout["analysis"],
            },
        )
        if move == "step":
            rollout["share"] = next(s for s in rollout["weights"] if s > rollout["share"])
        elif move == "abort":
            why = f"{checks['failed']} failed check(s), the last: {verdict.reason}"
            _close(rollout, state, app, "aborted", why)
        elif move == "promote":
            why = f"{checks['passed']} passing check(s), the last: {verdict.reason}"
            _close(rollout, state, app, "promoted", why)
        result["after"] = dict(rollout)
        return None

    deployment_store.store().update(decide)
    if not result:
        return None
    verdict, figures, after = result["verdict"], result["figures"], result["after"]
    _log(verdict.outcome, app, result["judged"], verdict.reason, figures=figures)
    if result["move"] == "step":
        _log(
            "stepped",
            app,
            after,
            f"{app} release {after['release']} now serves {after['share']}% of pages",
            figures=figures,
        )
    elif result["move"] in ("abort", "promote"):
        _log_end(app, after, figures)
    return result["move"]


def _known(app: str) -> str:
    if app not in settings.APPS:
        raise ApiError(404, "unknown-app", f"no app {app!r}: one of {', '.join(settings.APPS)}")
    return app


@bp.post("/<app>/promote")
def promote_now(app: str):
    """The canary becomes the release for everyone (admin token)."""
    require_admin()
    rollout = promote(_known(app), "promoted by hand (mfe promote)")
    return {**publish(), "rollout": rollout}


@bp.post("/<app>/rollback")
def rollback_now(app: str):
    """Abort the canary: every page back to the stable release at once (admin token)."""
    require_admin()
    rollout = abort(_known(app), "rolled back by hand (mfe rollback)")
    return {**publish(), "rollout": rollout}
