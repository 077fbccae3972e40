"""`mfe doctor`: is this machine ready for the workshop? (placeholder)"""


def register(commands) -> None:
    """Add `doctor`."""
