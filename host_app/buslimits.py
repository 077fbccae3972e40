"""The bus's limits: defaults, `MFE_BUS_*` overrides checked at start, the page's copy."""

import re

from flask import Flask

# Config key -> (the router's name for it, default).
LIMITS = {
    "BUS_MAX_BYTES": ("maxBytes", 64 * 1024),
    "BUS_RATE": ("ratePerSecond", 20000),
    "BUS_BURST": ("burst", 20000),
    "BUS_BYTE_RATE": ("byteRate", 64 * 1024 * 1024),
}


def defaults() -> dict:
    """The limits' defaults, for the app's config."""
    return {key: default for key, (_, default) in LIMITS.items()}


# The page reads the limits as JavaScript numbers: past 2^53 - 1 they are not exact, and a
# value that reads as Infinity would turn the router's buckets into NaN (no limit at all).
MAX_LIMIT = 2**53 - 1


def _positive(key: str, value) -> int:
    # `from_prefixed_env` reads JSON: "5" is 5, "1e5" is 100000.0, "abc" stays a string and
    # "true" is True. Only ASCII digits count: str.isdigit() also takes superscripts and
    # other scripts' digits.
    digits = isinstance(value, str) and re.fullmatch(r"\s*[0-9]{1,16}\s*", value)
    if digits or (isinstance(value, float) and value.is_integer()):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_LIMIT:
        raise ValueError(
            f"MFE_{key} must be a whole number from 1 to {MAX_LIMIT}, not {str(value)[:40]!r}"
        )
    return value


def init_app(app: Flask) -> None:
    """Check the limits once at start: a bad value stops the host with a clear message."""
    for key in LIMITS:
        app.config[key] = _positive(key, app.config[key])
    if app.config["BUS_BYTE_RATE"] < app.config["BUS_MAX_BYTES"]:
        raise ValueError(
            "MFE_BUS_BYTE_RATE must be at least MFE_BUS_MAX_BYTES "
            f"({app.config['BUS_MAX_BYTES']}): a message of the largest size could never pass"
        )


def for_page(config) -> dict:
    """The limits as the page's router takes them."""
    return {name: config[key] for key, (name, _) in LIMITS.items()}
