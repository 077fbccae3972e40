"""A change between two schemas, its verdict in each direction, and the report of all of them."""

import json
from dataclasses import asdict, dataclass
from typing import Any

MODES = ("backward", "forward", "full")

CONVERTER = "publish a new major version with a converter"
FIXES = {
    "required-property-added": "give the property a default, or keep it optional",
    "property-removed": f"keep the property (mark it deprecated), or {CONVERTER}",
    "optional-to-required": "add a default, or keep it optional",
    "required-to-optional": f"keep it required, or {CONVERTER} that fills it",
    "type-changed": (
        f"use a new field name and support both during the transition, or {CONVERTER}"
    ),
    "type-widened": f"keep the old type and add a new field for the wider values, or {CONVERTER}",
    "type-narrowed": f"keep the old type, or {CONVERTER} that narrows old data",
    "nullable-added": f"keep sending a value (old readers reject null), or {CONVERTER}",
    "nullable-removed": f"keep null allowed, or {CONVERTER} that replaces nulls",
    "enum-extended": f"keep the old values (old readers do not know the new ones), or {CONVERTER}",
    "enum-narrowed": f"keep the removed values, or {CONVERTER} that maps them",
    "constraint-tightened": f"keep the old limit, or {CONVERTER} that brings old data into range",
    "constraint-loosened": f"keep the old limit, or {CONVERTER} for old readers",
    "constraint-changed": f"keep the old value, or {CONVERTER}",
    "pattern-changed": f"keep the old pattern, or {CONVERTER}",
    "additional-properties-restricted": f"keep allowing unknown properties, or {CONVERTER}",
    "additional-properties-allowed": f"keep forbidding unknown properties, or {CONVERTER}",
    "schema-changed": f"check this change by hand; keep the old keyword, or {CONVERTER}",
}
CLOSED_OLD_FIX = f"old readers forbid unknown properties (additionalProperties: false): {CONVERTER}"
CLOSED_NEW_FIX = (
    "keep the property (mark it deprecated): the new schema forbids unknown properties "
    "and old data still carries it"
)


@dataclass(frozen=True)
class Change:
    """One difference between two schemas, with its verdict in each direction."""

    code: str
    path: str
    backward: bool
    forward: bool
    message: str
    fix: str | None

    def to_dict(self) -> dict:
        """The change as JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True)
class Report:
    """Every change between two schemas, sorted by path then code."""

    changes: tuple[Change, ...]

    @property
    def backward_compatible(self) -> bool:
        """True when new readers accept all old data."""
        return all(change.backward for change in self.changes)

    @property
    def forward_compatible(self) -> bool:
        """True when old readers accept all new data."""
        return all(change.forward for change in self.changes)

    def compatible(self, mode: str = "full") -> bool:
        """True when no change breaks `mode` (backward, forward or full)."""
        return not self.breaking(mode)

    def breaking(self, mode: str = "full") -> list[Change]:
        """The changes that break `mode`."""
        if mode not in MODES:
            raise ValueError(f"unknown compatibility mode {mode!r}; use one of {', '.join(MODES)}")
        check_backward = mode in ("backward", "full")
        check_forward = mode in ("forward", "full")
        return [
            change
            for change in self.changes
            if (check_backward and not change.backward) or (check_forward and not change.forward)
        ]

    def to_dict(self, mode: str = "full") -> dict:
        """The report as JSON-ready data, judged in `mode`."""
        return {
            "mode": mode,
            "compatible": self.compatible(mode),
            "backward": self.backward_compatible,
            "forward": self.forward_compatible,
            "changes": [change.to_dict() for change in self.changes],
        }


def change(code: str, path: str, backward: bool, forward: bool, message: str, fix=None) -> Change:
    """A `Change`; an incompatible one always carries a fix (its code's, unless given)."""
    if backward and forward:
        return Change(code, path, backward, forward, message, None)
    return Change(code, path, backward, forward, message, fix or FIXES[code])


def text(value: Any) -> str:
    """A JSON value as stable text (sorted keys), for messages and comparisons."""
    return json.dumps(value, sort_keys=True)


def describe(value: Any) -> str:
    """A keyword's value in a message: its JSON, or `none` when absent."""
    return "none" if value is None else text(value)
