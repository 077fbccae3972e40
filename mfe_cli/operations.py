"""`mfe reset` and `mfe chaos`: back to a clean shop, and staged outages for a class."""

import argparse

from mfe_cli.exits import EXIT_OK, EXIT_REFUSED, UsageError
from mfe_cli.http import (
    admin_token,
    call,
    checked_state,
    deployment_state,
    host_url,
    live_entry,
)
from mfe_platform import settings


def register(commands) -> None:
    """Add `reset` and `chaos`."""
    commands.add_parser(
        "reset", help="empty carts and orders, deployments back to defaults, chaos off"
    ).set_defaults(handler=reset)
    chaos = commands.add_parser(
        "chaos", help="make an app's live release down, slow, corrupt (wrong prices) or up"
    )
    chaos.add_argument("app", choices=settings.APPS)
    chaos.add_argument("mode", choices=("down", "slow", "corrupt", "up"))
    chaos.add_argument(
        "--release", type=int, help="stage it on this release (default: the live one)"
    )
    chaos.set_defaults(handler=set_chaos)


def _post(url: str, body: dict | None, token: str) -> tuple[int, dict]:
    return call("POST", url, body if body is not None else {}, token)


def _try_post(url: str, body: dict | None, token: str) -> tuple[int, dict]:
    """Like `_post`, but a release that is not running answers status 0 instead of raising."""
    try:
        return _post(url, body, token)
    except UsageError as error:
        return 0, {"error": "unreachable", "message": str(error)}


def reset(args: argparse.Namespace) -> int:
    """Reset the host, the checkout data and every release's chaos mode."""
    token = admin_token()
    failures = 0
    state = deployment_state()
    for app in settings.APPS:
        for url in sorted(set(live_entry(state, app)["releases"].values())):
            status, _ = _try_post(f"{url}/api/admin/chaos", {"mode": "up"}, token)
            if status != 200:
                reason = status or "not running"
                print(f"note: {app} at {url} did not clear its chaos mode ({reason})")
    checkout_urls = sorted(set(live_entry(state, "checkout")["releases"].values()))
    status, body = 0, {}
    for url in checkout_urls:
        status, body = _try_post(f"{url}/api/admin/reset", None, token)
        if status == 200:
            counts = body.get("deleted") if isinstance(body.get("deleted"), dict) else {}
            print(
                f"checkout: deleted {counts.get('carts', 0)} cart(s), "
                f"{counts.get('orders', 0)} order(s)"
            )
            break
    else:
        print(f"checkout could not be reset ({status} {body.get('error') if body else ''})")
        failures += 1
    url = f"{host_url()}/api/admin/reset"
    status, body = _post(url, None, token)
    if status == 200:
        live = ", ".join(f"{a}={e['release']}" for a, e in checked_state(body, url)["apps"].items())
        print(f"host: deployments back to defaults ({live}); event log cleared")
    else:
        print(f"host refused the reset ({status} {body.get('error')}): {body.get('message')}")
        failures += 1
    return EXIT_REFUSED if failures else EXIT_OK


def set_chaos(args: argparse.Namespace) -> int:
    """Set the chaos mode of an app's live release (or `--release`); `up` clears its other
    releases too."""
    entry = live_entry(deployment_state(), args.app)
    release, url = entry["release"], entry["url"]
    if args.release is not None:
        release, url = args.release, entry["releases"].get(str(args.release))
        if url is None:
            known = ", ".join(sorted(entry["releases"])) or "none"
            raise UsageError(f"{args.app} release {release} is not registered (known: {known})")
    token = admin_token()
    status, body = _post(f"{url}/api/admin/chaos", {"mode": args.mode}, token)
    if status != 200:
        print(f"refused ({status} {body.get('error')}): {body.get('message')}")
        return EXIT_REFUSED
    meaning = {
        "down": "answers 503",
        "slow": "answers slowly",
        "corrupt": "emits prices a cent off from its next page load",
        "up": "is back to normal",
    }
    print(f"{args.app} release {release} ({url}) {meaning[args.mode]}")
    if args.mode == "up":
        # An outage staged on a release that was deployed away from would stay behind it, and
        # deploying back to that release would fail as unreachable until `mfe reset`.
        for other, other_url in sorted(entry["releases"].items()):
            if other_url == url:
                continue
            status, body = _try_post(f"{other_url}/api/admin/chaos", {"mode": "up"}, token)
            if status == 200:
                print(f"{args.app} release {other} ({other_url}) is up too")
            else:
                reason = f"{status} {body.get('error')}" if status else "not running"
                print(f"note: {args.app} release {other} at {other_url} was not cleared ({reason})")
    return EXIT_OK
