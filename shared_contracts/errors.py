"""The errors shared_contracts raises, each carrying a bus reason code."""


class ContractError(ValueError):
    """An envelope or payload that breaks its contract.

    `reason` is one of the bus's reason codes (`invalid`, `unknown-event`,
    `unknown-version`, ...); `details` lists per-field problems as dicts with `path` and `message`.
    """

    def __init__(self, reason: str, message: str, details: list[dict] | None = None):
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.details = details or []

    def to_dict(self) -> dict:
        """The JSON error shape every app returns."""
        return {"error": self.reason, "message": self.message, "details": self.details}


class NoConversionPath(ContractError):
    """No chain of converter declarations leads from one version to another."""

    def __init__(self, event: str, source: str, target: str):
        super().__init__(
            "no-conversion",
            f"no converter path for {event} from {source} to {target}",
            [{"event": event, "from": source, "to": target}],
        )
