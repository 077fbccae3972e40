"""Flask pieces every app shares: config, JSON errors, health, manifest, headers, client library."""

from shared_contracts.web.appconfig import configure
from shared_contracts.web.platform import init_app

__all__ = ["configure", "init_app"]
