"""The registry: every (event, version) mapped to its pydantic model and JSON Schema."""

import json
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from pydantic import BaseModel, ValidationError

from shared_contracts.converters import ConverterDeclaration, Converters
from shared_contracts.envelope import Envelope
from shared_contracts.errors import ContractError
from shared_contracts.schemas import contract_schema
from shared_contracts.versions import sort_versions

# pydantic keeps parametrized generics in a weak cache: without a strong reference here a
# collected `Envelope[Model]` was rebuilt, slowly, every few dozen requests.
RAW_ENVELOPE = Envelope[dict]


@cache
def typed_envelope(model: type[BaseModel]) -> type[Envelope]:
    """`Envelope[model]`, built once per model."""
    return Envelope[model]


@dataclass(frozen=True)
class Contract:
    """One version of one event."""

    event: str
    version: str
    model: type[BaseModel]
    deprecated: bool = False
    sunset: str | None = None

    @property
    def key(self) -> str:
        """`event@version`, the contract's name in messages and files."""
        return f"{self.event}@{self.version}"

    @property
    def description(self) -> str:
        """The model's docstring, first line."""
        return (self.model.__doc__ or "").strip().splitlines()[0] if self.model.__doc__ else ""

    @cached_property
    def schema(self) -> dict:
        """The JSON Schema of this version's data."""
        return contract_schema(self.model, self.event, self.version)


def pydantic_details(error: ValidationError) -> list[dict]:
    """Turn a pydantic ValidationError into JSON-friendly `{path, message, type}` items."""
    details = []
    for item in error.errors(include_url=False):
        path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in item["loc"])
        details.append({"path": path, "message": item["msg"], "type": item["type"]})
    return details


class Registry:
    """Every known contract, looked up by (event, version)."""

    def __init__(self):
        self._contracts: dict[tuple[str, str], Contract] = {}
        self._declared: list = []
        self._converters = None

    def register(self, event: str, version: str, *, deprecated: bool = False, sunset=None):
        """Class decorator: make a model the contract of (event, version)."""

        def decorate(model: type[BaseModel]) -> type[BaseModel]:
            key = (event, version)
            if key in self._contracts:
                raise ValueError(f"{event}@{version} is registered twice")
            self._contracts[key] = Contract(event, version, model, deprecated, sunset)
            self._converters = None
            return model

        return decorate

    def declare_converter(self, event: str, source: str, target: str, steps) -> None:
        """Declare a hand-written converter (a list of steps) from one version to another."""
        self.get(event, source), self.get(event, target)
        self._declared.append(
            ConverterDeclaration(event=event, source=source, target=target, steps=tuple(steps))
        )
        self._converters = None

    def declared_converters(self) -> list:
        """The hand-written converter declarations."""
        return list(self._declared)

    @property
    def converters(self):
        """Declared and derived converters (computed once, recomputed after a registration)."""
        if self._converters is None:
            self._converters = Converters(self)
        return self._converters

    def events(self) -> list[str]:
        """Every event name, sorted."""
        return sorted({event for event, _ in self._contracts})

    def versions(self, event: str) -> list[str]:
        """The versions of an event, oldest first; unknown event raises ContractError."""
        found = [v for e, v in self._contracts if e == event]
        if not found:
            raise ContractError("unknown-event", f"unknown event {event!r}")
        return sort_versions(found)

    def contracts(self) -> list[Contract]:
        """Every contract, by event then version."""
        return [self.get(e, v) for e in self.events() for v in self.versions(e)]

    def get(self, event: str, version: str) -> Contract:
        """The contract of (event, version), or ContractError with the right reason."""
        contract = self._contracts.get((event, version))
        if contract is None:
            if not any(e == event for e, _ in self._contracts):
                raise ContractError("unknown-event", f"unknown event {event!r}")
            raise ContractError(
                "unknown-version",
                f"{event!r} has no version {version!r}; known: {', '.join(self.versions(event))}",
            )
        return contract

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self._contracts

    def schema(self, event: str, version: str) -> dict:
        """JSON Schema of (event, version)."""
        return self.get(event, version).schema

    def validate_data(self, event: str, version: str, data: Any) -> BaseModel:
        """Validate a payload (a dict, or JSON text) against its contract."""
        model = self.get(event, version).model
        try:
            if isinstance(data, str | bytes):
                return model.model_validate_json(data)
            return model.model_validate(data)
        except ValidationError as error:
            raise ContractError(
                "invalid", f"payload does not match {event}@{version}", pydantic_details(error)
            ) from None

    def check_names(self, raw: Any) -> None:
        """Raise unknown-event or unknown-version when an envelope names what the catalog lacks.

        Any string is a name the catalog may lack: `emit("foo", "1.0", ...)` is refused as an
        unknown event, not as an invalid envelope, although "foo" is not `domain:name` form.
        """
        if isinstance(raw, str | bytes):
            try:
                raw = json.loads(raw)
            except (ValueError, RecursionError):
                return
        if not isinstance(raw, dict) or not isinstance(raw.get("event"), str):
            return
        if isinstance(raw.get("version"), str):
            self.get(raw["event"], raw["version"])
        else:
            self.versions(raw["event"])

    def validate_envelope(self, raw: Any) -> Envelope:
        """Validate an envelope and its data; returns a typed `Envelope[Model]`."""
        try:
            if isinstance(raw, str | bytes):
                base = RAW_ENVELOPE.model_validate_json(raw)
            else:
                base = RAW_ENVELOPE.model_validate(raw)
        except ValidationError as error:
            self.check_names(raw)
            raise ContractError(
                "invalid", "not a valid envelope", pydantic_details(error)
            ) from None
        model = self.get(base.event, base.version).model
        data = self.validate_data(base.event, base.version, base.data)
        fields = {name: getattr(base, name) for name in type(base).model_fields if name != "data"}
        # Every field has just been validated: assemble without validating them again.
        return typed_envelope(model).model_construct(**fields, data=data)


registry = Registry()
