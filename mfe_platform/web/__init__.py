"""Flask pieces every app shares: config, JSON errors, health, manifest, headers, client library."""

from mfe_platform.web.appconfig import configure
from mfe_platform.web.platform import init_app

__all__ = ["configure", "init_app"]
