"""Configuration every app loads the same way: defaults, then `MFE_*`, then test overrides."""

import os
from pathlib import Path

from flask import Flask

from mfe_platform import settings
from mfe_platform.web.secrets import load_or_create_secret


def configure(app: Flask, name: str, defaults: dict, test_config: dict | None) -> None:
    """Fill `app.config` for app `name` and make sure its data folder exists."""
    base = dict(
        APP_NAME=name,
        RELEASE=1,
        DATA_DIR=str(settings.REPOSITORY / "instance"),
        LIVE="",
        ADMIN_TOKEN=None,
        DUAL_EMIT=False,
        BUS_MODE="strict",
        SECRET_KEY=None,
        SESSION_COOKIE_NAME=f"mfe_{name}_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=64 * 1024,
        **settings.DEFAULT_URLS,
    )
    app.config.from_mapping({**base, **defaults})
    app.config.from_prefixed_env("MFE")
    # Text stays text: from_prefixed_env reads values as JSON, so a token "1e3" became 1000.0
    # and "true" True, and the apps compared the CLI's "1e3" with "1000.0" (403).
    for key in ("ADMIN_TOKEN", "SECRET_KEY", f"{name.upper()}_SECRET_KEY", "DATA_DIR"):
        if f"MFE_{key}" in os.environ:
            app.config[key] = os.environ[f"MFE_{key}"]
    if test_config:
        app.config.from_mapping(test_config)
    for key in settings.DEFAULT_URLS:
        app.config[key] = settings.origin(app.config[key])
    # from_prefixed_env parses values as JSON; these must stay what they mean.
    app.config["RELEASE"] = int(app.config["RELEASE"])
    app.config["DUAL_EMIT"] = settings.flag(app.config["DUAL_EMIT"], "MFE_DUAL_EMIT")
    app.config["BUS_MODE"] = settings.bus_mode(app.config["BUS_MODE"])
    if app.config["RELEASE"] not in settings.RELEASES and name != "host":
        raise ValueError(f"MFE_RELEASE must be one of {settings.RELEASES}")
    folder = Path(app.config["DATA_DIR"]) / name
    # Private to the user: checkout's holds names, emails and addresses, every one a secret key.
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    app.config["APP_DATA_DIR"] = str(folder)
    # Each app has its own key (`MFE_CHECKOUT_SECRET_KEY`, ...), shared by its two releases.
    own_key = app.config.get(f"{name.upper()}_SECRET_KEY")
    if own_key:
        app.config["SECRET_KEY"] = str(own_key)
    elif not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = load_or_create_secret(folder / "secret_key")
