"""`/api/deployments`: which release of each app is live, and deploying another one.

A deploy runs the same check as `mfe can-i-deploy` and is refused (409, with the reasons)
when the candidate would break a live pair, unless `force` is set — then it goes through
with a warning, and the event log records it. Every change is pushed to open pages.
"""

import itertools
import logging
from typing import Annotated, Literal

from flask import Blueprint, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from host_app import (
    analysis,
    analyzer,
    approvals,
    deployment_store,
    eventlog,
    manifest_cache,
    realtime,
    rollouts,
    status,
)
from host_app.manifest import manifest as host_manifest
from mfe_platform import settings
from mfe_platform.web.admin import require_admin
from mfe_platform.web.errors import ApiError
from shared_contracts import deployability
from shared_contracts.manifests import Manifest
from shared_contracts.registry import pydantic_details

log = logging.getLogger(__name__)

bp = Blueprint("deploys", __name__, url_prefix="/api")


class AnalysisRequest(BaseModel):
    """How an auto canary is analysed; every field is optional (see analysis.Options)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    interval: float = Field(default=analysis.Options.interval, ge=0.2, le=3600)
    threshold: float = Field(default=analysis.Options.threshold, ge=0, le=100)
    minEvents: int = Field(default=analysis.Options.min_events, ge=1, le=1_000_000)
    failures: int = Field(default=analysis.Options.failures, ge=1, le=100)
    passes: int = Field(default=analysis.Options.passes, ge=1, le=100)


class DeployRequest(BaseModel):
    """Body of `POST /api/deployments`."""

    model_config = ConfigDict(strict=True, extra="forbid")

    app: Literal["products", "checkout"]
    release: int = Field(ge=1, le=999)
    url: str | None = Field(default=None, max_length=200)
    force: bool = False
    # A canary rollout: the share of pages (percent) that get this release; see rollouts.py.
    canary: int | None = Field(default=None, ge=1, le=99)
    auto: bool = False
    steps: list[Annotated[int, Field(ge=1, le=99)]] | None = Field(default=None, max_length=20)
    analysis: AnalysisRequest | None = None

    @model_validator(mode="after")
    def canary_options_fit(self) -> "DeployRequest":
        """Steps need an analysis to walk them, and every option needs a canary."""
        if self.canary is None and (self.auto or self.steps or self.analysis):
            raise ValueError("auto, steps and analysis are options of a canary: set canary")
        if (self.steps or self.analysis) and not self.auto:
            raise ValueError("steps and analysis need auto: the host's analysis walks them")
        steps = self.steps or []
        if any(later <= earlier for earlier, later in itertools.pairwise(steps)):
            raise ValueError(f"steps must increase: {steps}")
        if steps and steps[0] < self.canary:
            raise ValueError(f"steps must start at or above the canary share {self.canary}")
        return self


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
    known = deployment_store.store().state()["releases"][body.app].get(str(body.release))
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
    candidate = manifest_cache.candidate(url)
    if (candidate.app, candidate.release) != (app, release):
        raise ApiError(
            409,
            "manifest-mismatch",
            f"{url} says it is {candidate.app} release {candidate.release}, "
            f"not {app} release {release}",
        )
    # Every release live in any cohort: a canary must fit the stable and the canary of the
    # other apps, and whatever goes live must fit their canaries too.
    live = [host_manifest()]
    for entry in apps.values():
        for serving in (entry, entry.get("canary") or {}):
            if serving.get("manifest"):
                live.append(Manifest.model_validate(serving["manifest"]))
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
    # What passed the check (or was forced past it) is what the bus will enforce, for a
    # canary as for a plain deploy.
    approvals.approvals().approve(url, candidate)
    warnings = [f"forced past: {f['detail']}" for f in broken]
    if broken:
        log.warning("forced deploy of %s release %s: %s", body.app, body.release, warnings)
    if body.canary is not None:
        return _start_canary(body, url, warnings, findings)
    rollouts.go_live(body.app, body.release, url)
    entry = {
        "type": "deploy",
        "app": body.app,
        "release": body.release,
        "url": url,
        "forced": bool(broken),
        "warnings": warnings,
    }
    eventlog.log().append(entry)
    state = rollouts.publish()
    return {**state, "warnings": warnings, "findings": [f.to_dict() for f in findings]}


def _start_canary(body: DeployRequest, url: str, warnings: list[str], findings) -> dict:
    options = analysis.Options.from_dict(body.analysis.model_dump()) if body.analysis else None
    rollout = rollouts.start(
        body.app,
        body.release,
        url,
        body.canary,
        warnings,
        auto=body.auto,
        steps=body.steps or [],
        options=options,
    )
    if body.auto:
        analyzer.wake()
    state = rollouts.publish()
    findings = [f.to_dict() for f in findings]
    return {**state, "rollout": rollout, "warnings": warnings, "findings": findings}


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
    deployment_store.store().reset()
    approvals.approvals().forget()
    eventlog.log().clear()
    eventlog.log().append({"type": "reset"})
    state = status.describe(fresh=True)
    realtime.hub().broadcast({"type": "deployments", **state})
    return state
