"""The admin token: from `MFE_ADMIN_TOKEN`, else generated once into the host's data folder.

Deploys, chaos and reset need it as `Authorization: Bearer <token>`: missing → 401, wrong → 403.
"""

import hmac

from flask import current_app, request

from mfe_platform.settings import admin_token_path
from mfe_platform.web.errors import ApiError
from mfe_platform.web.secrets import load_or_create_secret


def admin_token(config) -> str:
    """The token in force for this deployment."""
    if config.get("ADMIN_TOKEN"):
        return str(config["ADMIN_TOKEN"])
    path = admin_token_path(config["DATA_DIR"])
    path.parent.mkdir(parents=True, exist_ok=True)
    return load_or_create_secret(path)


def redacted(token: str) -> str:
    """A token as logs may show it: never in full."""
    return f"{token[:4]}…" if len(token) > 8 else "…"


def require_admin() -> None:
    """Raise 401 without a bearer token and 403 with a wrong one."""
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise ApiError(401, "unauthorized", "send Authorization: Bearer <admin token>")
    if not hmac.compare_digest(given.strip().encode(), admin_token(current_app.config).encode()):
        raise ApiError(403, "forbidden", "wrong admin token")
