"""`/api/deployments`: which release of each app is live, and deploying another one.

A deploy runs the same check as `mfe can-i-deploy` and is refused (409, with the reasons)
when the candidate would break a live pair, unless `force` is set — then it goes through
with a warning, and the event log records it. Every change is pushed to open pages.
"""

import logging
from typing import Literal

from flask import Blueprint, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from host_app import approvals, deployments, eventlog, manifests, realtime, status
from host_app.contracts import manifest as host_manifest
from shared_contracts import deployability, settings
from shared_contracts.manifests import Manifest
from shared_contracts.registry import pydantic_details
from shared_contracts.web.admin import require_admin
from shared_contracts.web.errors import ApiError

log = logging.getLogger(__name__)

bp = Blueprint("deploys", __name__, url_prefix="/api")


class DeployRequest(BaseModel):
    """Body of `POST /api/deployments`."""

    model_config = ConfigDict(strict=True, extra="forbid")

    app: Literal["products", "checkout"]
    release: int = Field(ge=1, le=999)
    url: str | None = Field(default=None, max_length=200)
    force: bool = False


def _body(model):
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        # Nested deeper than Python's json reads: as malformed as any other bad JSON.
        data = None
    if not isinstance(data, dict):
        raise ApiError(400, "bad-json", "send a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ApiError(422, "invalid", "invalid deploy request", pydantic_details(error)) from None


def _candidate_url(body: DeployRequest) -> str:
    if body.url is not None:
        try:
            return settings.release_origin(body.url)
        except ValueError as error:
            raise ApiError(422, "invalid", str(error)) from None
    known = deployments.store().state()["releases"][body.app].get(str(body.release))
    if known is None:
        raise ApiError(
            422,
            "unknown-release",
            f"{body.app} release {body.release} is not registered; pass its url to register it",
        )
    return known


def findings_for(app: str, release: int, url: str) -> tuple[Manifest, list[deployability.Finding]]:
    """Check a candidate against the live apps (their approved manifests); its manifest as
    read now and the findings; raises 409 when the manifest is unusable."""
    # The live manifests as they were before this deploy: refreshing the candidate first would
    # make a redeploy of the live release its own "current", and hide what it stopped emitting.
    apps = status.describe()["apps"]
    try:
        candidate = manifests.cache().refresh(url)
    except manifests.FETCH_ERRORS as error:
        raise ApiError(
            409, "candidate-unreachable", f"cannot read {url}/mfe-manifest.json: {error}"
        ) from None
    if (candidate.app, candidate.release) != (app, release):
        raise ApiError(
            409,
            "manifest-mismatch",
            f"{url} says it is {candidate.app} release {candidate.release}, "
            f"not {app} release {release}",
        )
    live = [host_manifest()]
    live += [Manifest.model_validate(e["manifest"]) for e in apps.values() if e["manifest"]]
    return candidate, deployability.check(candidate, live)


@bp.get("/deployments")
def current():
    """Each app's live release, URL, health and declared versions (`?fresh=1`: probed now)."""
    return status.describe(fresh=request.args.get("fresh") == "1")


@bp.post("/deployments")
def deploy():
    """Make a release live (admin token); 409 with reasons when it would break a pair."""
    require_admin()
    body = _body(DeployRequest)
    url = _candidate_url(body)
    candidate, findings = findings_for(body.app, body.release, url)
    broken = [f.to_dict() for f in findings if not f.ok]
    if broken and not body.force:
        raise ApiError(
            409,
            "incompatible",
            f"{body.app} release {body.release} would break {len(broken)} live pair(s)",
            broken,
        )
    # What passed the check (or was forced past it) is what the bus will enforce.
    approvals.approvals().approve(url, candidate)
    deployments.store().set_live(body.app, body.release, url)
    warnings = [f"forced past: {f['detail']}" for f in broken]
    entry = {
        "type": "deploy",
        "app": body.app,
        "release": body.release,
        "url": url,
        "forced": bool(broken),
        "warnings": warnings,
    }
    eventlog.log().append(entry)
    if broken:
        log.warning("forced deploy of %s release %s: %s", body.app, body.release, warnings)
    state = status.describe(fresh=True)
    realtime.hub().broadcast({"type": "deployments", **state})
    return {**state, "warnings": warnings, "findings": [f.to_dict() for f in findings]}


@bp.get("/events")
def recent_events():
    """The newest entries of the event log (deploys, and the bus traffic of open pages).

    The admin token only: the log shows every open page's traffic, and reading it costs the
    one host process; one read returns at most `eventlog.READ_LIMIT` entries and about
    `eventlog.READ_BYTES`. (The inspector and `mfe events tail` read it over the WebSocket.)
    """
    require_admin()
    limit = request.args.get("limit", default=200, type=int)
    return {"entries": eventlog.log().recent(max(1, min(limit or 200, eventlog.READ_LIMIT)))}


@bp.post("/admin/reset")
def reset():
    """Deployments back to their defaults and an empty event log (admin token)."""
    require_admin()
    deployments.store().reset()
    approvals.approvals().forget()
    eventlog.log().clear()
    eventlog.log().append({"type": "reset"})
    state = status.describe(fresh=True)
    realtime.hub().broadcast({"type": "deployments", **state})
    return state
