"""Staged outages for workshops: `mfe chaos APP down|slow|corrupt|up` without killing a process.

The mode is kept per release in the app's data folder, so every worker process sees it.
`down` answers 503 to everything but the chaos endpoint; `slow` delays every answer;
`corrupt` leaves the answers alone and lets the app make its events wrong but valid (products:
prices a cent off), for a canary analysis to catch.
"""

import json
import os
import threading
import time
from pathlib import Path

from flask import Blueprint, Flask, current_app, request
from pydantic import BaseModel, ConfigDict, ValidationError

from mfe_platform.filelock import writer_lock
from mfe_platform.web.admin import require_admin
from mfe_platform.web.errors import ApiError, error_response
from shared_contracts.registry import pydantic_details

bp = Blueprint("chaos", __name__, url_prefix="/api/admin")

MODES = ("down", "slow", "corrupt", "up")
SLOW_SECONDS = 1.0


class ChaosRequest(BaseModel):
    """Body of `POST /api/admin/chaos`."""

    model_config = ConfigDict(strict=True, extra="forbid")

    mode: str


def _path() -> Path:
    return Path(current_app.extensions["mfe_chaos"]["path"])


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}


def current_mode() -> str:
    """This release's chaos mode (`up` when none is set)."""
    cache = current_app.extensions["mfe_chaos"]
    path = cache["path"]
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return "up"
    # One stat per request; the file is re-read only when it changed. Every write replaces
    # the file, so the inode changes even when two writes share a (coarse) mtime.
    key = (stat.st_mtime_ns, stat.st_ino, stat.st_size)
    if key != cache["key"]:
        cache["modes"], cache["key"] = _read(Path(path)), key
    return cache["modes"].get(str(current_app.config["RELEASE"]), "up")


@bp.post("/chaos")
def set_mode():
    """Set this release's chaos mode (admin token)."""
    require_admin()
    try:
        body = ChaosRequest.model_validate(request.get_json(force=True, silent=False))
    except RecursionError:
        raise ApiError(400, "bad-request", "the body is nested too deeply") from None
    except ValidationError as error:
        raise ApiError(
            422, "invalid", 'body must be {"mode": ...}', pydantic_details(error)
        ) from None
    if body.mode not in MODES:
        raise ApiError(422, "invalid", f"mode must be one of {', '.join(MODES)}")
    path = _path()
    # Both releases of an app share the file: read, change and replace it under one lock, or
    # two settings at the same moment could each write the file without the other's.
    with writer_lock(path.with_name(".chaos.lock")):
        modes = _read(path)
        modes[str(current_app.config["RELEASE"])] = body.mode
        tmp = path.with_name(f".chaos.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(modes))
        tmp.replace(path)
    return {
        "app": current_app.config["APP_NAME"],
        "release": current_app.config["RELEASE"],
        "mode": body.mode,
    }


def init_app(app: Flask) -> None:
    """Honour the chaos mode on every request except the chaos endpoint itself."""
    app.register_blueprint(bp)
    # Read on every request: the path is built once, the file re-read only when it changes.
    chaos_file = str(Path(app.config["APP_DATA_DIR"]) / "chaos.json")
    app.extensions["mfe_chaos"] = {"key": None, "modes": {}, "path": chaos_file}

    @app.before_request
    def stage_outage():
        if request.path == "/api/admin/chaos":
            return None
        mode = current_mode()
        if mode == "down":
            return error_response(503, "chaos-down", "this release is down (mfe chaos)")
        if mode == "slow":
            time.sleep(SLOW_SECONDS)
        return None
