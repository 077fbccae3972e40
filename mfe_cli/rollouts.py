"""Canary rollouts from the command line: `mfe deploy APP N --canary PCT [--auto] [--steps …]`
serves a release to a share of pages first; `mfe promote APP` and `mfe rollback APP` decide."""

import argparse
import itertools

from mfe_cli.exits import EXIT_OK, EXIT_REFUSED, UsageError
from mfe_cli.http import admin_token, call, checked_state, host_url
from mfe_platform import settings

# The CLI option → the deploy API's name for it, of the analysis options.
ANALYSIS_OPTIONS = {
    "interval": "interval",
    "threshold": "threshold",
    "min_events": "minEvents",
    "failures": "failures",
    "passes": "passes",
}


def percent(text: str) -> int:
    """argparse type: a share of pages, a whole number from 1 to 99."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 99:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 99, not {text!r}")
    return value


def shares(text: str) -> list[int]:
    """argparse type: increasing shares, comma-separated (`10,25,50`)."""
    values = [percent(part.strip()) for part in text.split(",")]
    if any(later <= earlier for earlier, later in itertools.pairwise(values)):
        raise argparse.ArgumentTypeError(f"steps must increase: {text!r}")
    return values


def _at_least(minimum: float, kind=float):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = minimum - 1
        if not value >= minimum:
            raise argparse.ArgumentTypeError(f"must be a number of at least {minimum}: {text!r}")
        return value

    return parse


def add_canary_options(deploy: argparse.ArgumentParser) -> None:
    """Add `--canary`, `--auto`, `--steps` and the analysis options to `mfe deploy`."""
    group = deploy.add_argument_group("canary rollout")
    group.add_argument(
        "--canary", type=percent, metavar="PCT", help="serve the release to PCT%% of pages only"
    )
    group.add_argument(
        "--auto", action="store_true", help="let the host's analysis promote or abort it"
    )
    group.add_argument(
        "--steps", type=shares, metavar="W1,W2,…", help="shares to walk up, one per passing check"
    )
    group.add_argument(
        "--interval", type=_at_least(0.2), metavar="SECONDS", help="seconds between checks"
    )
    group.add_argument(
        "--threshold",
        type=_at_least(0.0),
        metavar="POINTS",
        help="how many points the canary's failure rate may exceed the stable's",
    )
    group.add_argument(
        "--min-events", type=_at_least(1, int), metavar="N", help="fewer: inconclusive"
    )
    group.add_argument(
        "--failures", type=_at_least(1, int), metavar="N", help="failed checks that abort it"
    )
    group.add_argument(
        "--passes", type=_at_least(1, int), metavar="N", help="passing checks that promote it"
    )


def canary_body(args: argparse.Namespace) -> dict:
    """The canary fields of the deploy request, or UsageError when the options do not fit."""
    analysis = {
        name: getattr(args, option)
        for option, name in ANALYSIS_OPTIONS.items()
        if getattr(args, option) is not None
    }
    if args.canary is None:
        if args.auto or args.steps or analysis:
            raise UsageError("--auto, --steps and the analysis options need --canary PCT")
        return {}
    if (args.steps or analysis) and not args.auto:
        raise UsageError("--steps and the analysis options need --auto (the host walks them)")
    if args.steps and args.steps[0] < args.canary:
        raise UsageError(f"--steps must start at or above --canary {args.canary}")
    body = {"canary": args.canary, "auto": args.auto}
    if args.steps:
        body["steps"] = args.steps
    if analysis:
        body["analysis"] = analysis
    return body


def say_deployed(app: str, entry: dict, rollout: dict | None) -> None:
    """Print what a canary deploy started."""
    canary = entry.get("canary") or {}
    print(
        f"{app} release {canary.get('release')} is live for {canary.get('share')}% of pages "
        f"(canary at {canary.get('url')}); release {entry['release']} for the other "
        f"{entry.get('share')}%"
    )
    if rollout and rollout.get("auto"):
        options = rollout.get("analysis") or {}
        print(
            f"the host checks it every {options.get('interval')} s and walks the share through "
            f"{rollout.get('weights')}; watch it with mfe status or mfe events tail"
        )
    else:
        print(f"decide with mfe promote {app} or mfe rollback {app}")


def status_lines(state: dict) -> list[str]:
    """One line per app with a rollout: the one in progress, or how the last one ended."""
    lines = []
    for app, entry in state["apps"].items():
        rollout = entry.get("rollout")
        if not isinstance(rollout, dict):
            continue
        checks = rollout.get("checks") or {}
        tally = ", ".join(f"{checks.get(k, 0)} {k}" for k in ("passed", "failed", "inconclusive"))
        if rollout.get("status") == "progressing":
            how = f"auto ({tally})" if rollout.get("auto") else "waiting for promote or rollback"
            lines.append(
                f"{app}: canary release {rollout.get('release')} at {rollout.get('share')}% "
                f"of pages, release {rollout.get('stable')} at {entry.get('share')}% — {how}"
            )
        else:
            lines.append(
                f"{app}: last rollout (release {rollout.get('release')}) "
                f"{rollout.get('status')}: {rollout.get('reason')}"
            )
    return lines


def register(commands) -> None:
    """Add `promote` and `rollback`."""
    promote = commands.add_parser("promote", help="make an app's canary the release for all")
    promote.add_argument("app", choices=settings.APPS)
    promote.set_defaults(handler=decide, action="promote")
    rollback = commands.add_parser(
        "rollback", help="abort an app's canary: every page back to the stable release"
    )
    rollback.add_argument("app", choices=settings.APPS)
    rollback.set_defaults(handler=decide, action="rollback")


def decide(args: argparse.Namespace) -> int:
    """Promote or roll back the app's canary; exit 1 when it has none."""
    url = f"{host_url()}/api/rollouts/{args.app}/{args.action}"
    status, reply = call("POST", url, {}, admin_token())
    if status != 200:
        print(f"refused ({status} {reply.get('error')}): {reply.get('message')}")
        return EXIT_REFUSED
    entry = checked_state(reply, url)["apps"].get(args.app) or {}
    if args.action == "promote":
        print(f"{args.app} release {entry.get('release')} is live for every page")
    else:
        rollout = reply.get("rollout") or {}
        print(
            f"rolled back: every page runs {args.app} release {entry.get('release')} again "
            f"(canary release {rollout.get('release')} aborted)"
        )
    return EXIT_OK
