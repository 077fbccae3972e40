"""Talking to the running apps from the CLI: JSON over HTTP, with the admin token."""

import http.client
import json
import os
import urllib.error
import urllib.request

from pydantic import BaseModel, ConfigDict, ValidationError

from mfe_cli.exits import UsageError
from mfe_platform import settings

TIMEOUT_SECONDS = 10


def admin_token() -> str:
    """`MFE_ADMIN_TOKEN`, else the token the host generated into its data folder."""
    if os.environ.get("MFE_ADMIN_TOKEN"):
        return os.environ["MFE_ADMIN_TOKEN"]
    path = settings.admin_token_path(settings.env("DATA_DIR", settings.REPOSITORY / "instance"))
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        raise UsageError(
            f"no admin token: set MFE_ADMIN_TOKEN, or start the host once so it writes {path}"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read the admin token at {path}: {error}") from None


def call(method: str, url: str, body: dict | None = None, token: str | None = None):
    """Send a request; returns (status, JSON object). Unreachable, or an answer that is not
    HTTP (cut short, garbage, a bad URL) → UsageError (exit 2)."""
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as reply:
            return reply.status, _json(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, _json(error.read())
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise UsageError(f"cannot reach {url}: {reason}") from None
    except (http.client.HTTPException, ValueError) as error:
        raise UsageError(f"no usable HTTP answer from {url}: {error!r}") from None


def _json(raw: bytes) -> dict:
    """The answer as a JSON object; anything else as an error object saying what came."""
    try:
        value = json.loads(raw or b"{}")
    except (ValueError, RecursionError):
        value = None
    if isinstance(value, dict):
        return value
    return {"error": "not-json", "message": raw[:200].decode(errors="replace")}


def host_url() -> str:
    """The host's URL from `MFE_HOST_URL`."""
    try:
        return settings.app_url("host")
    except ValueError as error:
        raise UsageError(f"MFE_HOST_URL: {error}") from None


class _Lenient(BaseModel):
    # What the CLI reads of an answer; anything more is the host's business.
    model_config = ConfigDict(extra="allow")


class _Health(_Lenient):
    status: str


class _LiveApp(_Lenient):
    release: int
    url: str
    health: _Health | None = None
    releases: dict[str, str] = {}
    manifest: dict | None = None


class _DeploymentState(_Lenient):
    apps: dict[str, _LiveApp]


def checked_state(body: dict, where: str) -> dict:
    """`body` with the defaults of what the CLI reads filled in, if it has the shape of the
    host's deployment state; else UsageError."""
    try:
        state = _DeploymentState.model_validate(body)
    except ValidationError as error:
        first = error.errors()[0]
        at = ".".join(str(part) for part in first["loc"]) or "the answer"
        raise UsageError(f"{where} is not a deployment state ({at}: {first['msg']})") from None
    return state.model_dump()


def deployment_state(fresh: bool = False) -> dict:
    """`GET /api/deployments` of the host (`fresh`: health probed now); UsageError when it is
    not running."""
    url = f"{host_url()}/api/deployments"
    status, body = call("GET", f"{url}?fresh=1" if fresh else url)
    if status != 200:
        raise UsageError(f"the host answered {status}: {body}")
    return checked_state(body, url)


def live_entry(state: dict, app: str) -> dict:
    """`app`'s entry in a checked deployment state; UsageError when the host has none."""
    entry = state["apps"].get(app)
    if entry is None:
        raise UsageError(f"the host's deployment state has no {app}: {sorted(state['apps'])}")
    return entry
