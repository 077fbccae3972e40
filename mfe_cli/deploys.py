"""`mfe status`, `mfe deploy`, `mfe can-i-deploy`: what is live, and changing it safely."""

import argparse
import http.client
import json

from mfe_cli import rollouts
from mfe_cli.exits import EXIT_OK, EXIT_REFUSED, UsageError
from mfe_cli.http import (
    admin_token,
    call,
    checked_state,
    deployment_state,
    host_url,
    live_entry,
)
from mfe_cli.output import table
from mfe_platform import settings
from shared_contracts import deployability
from shared_contracts.manifests import Manifest, fetch_manifest


def register(commands) -> None:
    """Add `status`, `deploy` and `can-i-deploy`."""
    status = commands.add_parser("status", help="live release, URL and health of each app")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=show_status)

    deploy = commands.add_parser("deploy", help="make a release live (checked first)")
    deploy.add_argument("app", choices=settings.APPS)
    deploy.add_argument("release", type=int)
    deploy.add_argument("--url", help="register a release running anywhere (e.g. your fork)")
    deploy.add_argument("--force", action="store_true", help="deploy even if the check refuses")
    rollouts.add_canary_options(deploy)
    deploy.set_defaults(handler=deploy_release)

    check = commands.add_parser("can-i-deploy", help="would this release break a live pair?")
    check.add_argument("app", choices=settings.APPS)
    check.add_argument("release", type=int)
    check.add_argument("--url", help="where the candidate runs (default: its registered URL)")
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=can_i_deploy)


def _versions(declared: dict | None) -> str:
    if not declared:
        return "-"
    return ", ".join(f"{event} {'/'.join(versions)}" for event, versions in declared.items())


def show_status(args: argparse.Namespace) -> int:
    """Print each app's live release, URL, health and declared versions."""
    # Probed now: the host's copy may be a few seconds old, and right after
    # `mfe chaos checkout down` the status must say so.
    state = deployment_state(fresh=True)
    if args.json:
        print(json.dumps(state, indent=2))
        return EXIT_OK
    rows = []
    for app, entry in state["apps"].items():
        # During a canary, the app has two rows: the stable release and the canary.
        canary = entry.get("canary") if isinstance(entry.get("canary"), dict) else None
        for serving in (entry, canary) if canary else (entry,):
            manifest = serving.get("manifest") or {}
            share = f"{serving.get('share', 100)}%" + (" canary" if serving is canary else "")
            rows.append(
                [
                    app,
                    serving.get("release"),
                    serving.get("url"),
                    (serving.get("health") or {}).get("status", "unknown"),
                    share,
                    _versions(manifest.get("emits")),
                    _versions(manifest.get("consumes")),
                ]
            )
    print(f"host {host_url()} — deployment revision {state.get('revision', '?')}")
    print(table(["APP", "LIVE", "URL", "HEALTH", "SHARE", "EMITS", "CONSUMES"], rows))
    for line in rollouts.status_lines(state):
        print(line)
    for app, entry in state["apps"].items():
        if entry.get("manifestDrift") is True:
            print(
                f"WARNING: {app} release {entry['release']} now serves another manifest than the"
                f" one it was deployed with; the bus keeps the approved one (above) until"
                f" `mfe deploy {app} {entry['release']}` passes the check again"
            )
    return EXIT_OK


def _fetch_manifest(url: str) -> Manifest:
    try:
        return fetch_manifest(url, timeout=10)
    except OSError as error:
        reason = getattr(error, "reason", error)
        raise UsageError(f"cannot reach {url}/mfe-manifest.json: {reason}") from None
    except (ValueError, http.client.HTTPException) as error:
        raise UsageError(f"{url}/mfe-manifest.json is not a manifest: {error}") from None


def _candidate_url(state: dict, app: str, release: int, url: str | None) -> str:
    if url:
        try:
            return settings.release_origin(url)
        except ValueError as error:
            raise UsageError(str(error)) from None
    registered = live_entry(state, app)["releases"].get(str(release))
    if registered:
        return registered
    raise UsageError(f"{app} release {release} is not registered: pass --url")


def findings(app: str, release: int, url: str | None = None):
    """Check a candidate against the live apps and the host, as the host would."""
    state = deployment_state()
    candidate_url = _candidate_url(state, app, release, url)
    candidate = _fetch_manifest(candidate_url)
    if (candidate.app, candidate.release) != (app, release):
        raise UsageError(
            f"{candidate_url} is {candidate.app} release {candidate.release}, not {app} {release}"
        )
    # Every release live in any cohort: the stable one and, during a rollout, the canary.
    live = [_fetch_manifest(host_url())]
    for entry in state["apps"].values():
        for serving in (entry, entry.get("canary") or {}):
            if serving.get("manifest"):
                live.append(Manifest.model_validate(serving["manifest"]))
    return candidate_url, deployability.check(candidate, live)


def can_i_deploy(args: argparse.Namespace) -> int:
    """Print the pair-by-pair verdict; exit 0 when every pair works, 1 when one breaks."""
    url, found = findings(args.app, args.release, args.url)
    ok = deployability.deployable(found)
    if args.json:
        print(
            json.dumps(
                {
                    "app": args.app,
                    "release": args.release,
                    "url": url,
                    "deployable": ok,
                    "findings": [f.to_dict() for f in found],
                },
                indent=2,
            )
        )
        return EXIT_OK if ok else EXIT_REFUSED
    rows = [[f.producer, f.consumer, f.event, "ok" if f.ok else "BREAKS", f.detail] for f in found]
    print(table(["PRODUCER", "CONSUMER", "EVENT", "VERDICT", "DETAIL"], rows))
    deprecated = sorted({d for f in found for d in f.deprecated})
    if deprecated:
        print(f"deprecated versions still in use: {', '.join(deprecated)}")
    verdict = "yes" if ok else "NO"
    print(f"can {args.app} release {args.release} ({url}) be deployed? {verdict}")
    return EXIT_OK if ok else EXIT_REFUSED


def deploy_release(args: argparse.Namespace) -> int:
    """Ask the host to make a release live; print the reasons when it refuses."""
    body = {"app": args.app, "release": args.release, "force": args.force}
    body.update(rollouts.canary_body(args))
    if args.url:
        body["url"] = args.url
    url = f"{host_url()}/api/deployments"
    status, reply = call("POST", url, body, admin_token())
    if status == 200:
        entry = checked_state(reply, url)["apps"].get(args.app)
        if entry is None:
            raise UsageError(f"{url} answered without {args.app}: {reply}")
        for warning in _listed(reply.get("warnings")):
            print(f"WARNING {warning}")
        if args.canary is not None:
            rollouts.say_deployed(args.app, entry, reply.get("rollout"))
        else:
            print(f"{args.app} release {entry['release']} is live at {entry['url']}")
        return EXIT_OK
    if status in (400, 422):
        raise UsageError(f"{reply.get('error')}: {reply.get('message')}")
    print(f"refused ({status} {reply.get('error')}): {reply.get('message')}")
    for detail in _listed(reply.get("details")):
        if not isinstance(detail, dict):
            print(f"  - {detail}")
            continue
        line = detail.get("detail") or detail.get("message") or detail
        print(
            f"  - {detail.get('producer', '')} → {detail.get('consumer', '')} "
            f"{detail.get('event', '')}: {line}"
        )
    if status == 409 and reply.get("error") == "incompatible":
        print("fix the contract or pass --force to deploy anyway (the event log records it)")
    return EXIT_REFUSED


def _listed(value) -> list:
    """A list from an answer's field, or nothing when the field is not one."""
    return value if isinstance(value, list) else []
