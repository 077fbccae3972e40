"""Talking to the running apps from the CLI: JSON over HTTP, with the admin token."""

import json
import os
import urllib.error
import urllib.request

from shared_contracts import settings
from shared_contracts.cli.exits import UsageError
from shared_contracts.web.admin import token_path

TIMEOUT_SECONDS = 10


def admin_token() -> str:
    """`MFE_ADMIN_TOKEN`, else the token the host generated into its data folder."""
    if os.environ.get("MFE_ADMIN_TOKEN"):
        return os.environ["MFE_ADMIN_TOKEN"]
    path = token_path(settings.env("DATA_DIR", settings.REPOSITORY / "instance"))
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        raise UsageError(
            f"no admin token: set MFE_ADMIN_TOKEN, or start the host once so it writes {path}"
        ) from None


def call(method: str, url: str, body: dict | None = None, token: str | None = None):
    """Send a request; returns (status, JSON body). Unreachable → UsageError (exit 2)."""
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


def _json(raw: bytes):
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return {"error": "not-json", "message": raw[:200].decode(errors="replace")}


def host_url() -> str:
    """The host's URL from `MFE_HOST_URL`."""
    return settings.app_url("host")


def deployment_state() -> dict:
    """`GET /api/deployments` of the host; UsageError when it is not running."""
    status, body = call("GET", f"{host_url()}/api/deployments")
    if status != 200:
        raise UsageError(f"the host answered {status}: {body}")
    return body
