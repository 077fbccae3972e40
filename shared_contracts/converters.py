"""Converters between versions of one event, written as declarations (data, not code).

A declaration is a list of steps: drop a field, add a field with a default, rename a field,
map values. The same declarations are exported to the browser, where the host's bus applies
them with the same semantics. Additive changes need no hand-written declaration: a converter
is derived from the two schemas whenever they are compatible in that direction. Chains of
converters compose, so 1.0.0 → 3.0.0 may run through 2.0.0.
"""

import copy
from collections import deque
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared_contracts.compatibility import compare
from shared_contracts.errors import NoConversionPath
from shared_contracts.schemas import canonical

FieldPath = Annotated[
    str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$")
]


class Step(BaseModel):
    """Base of every converter step; `field` is a dotted path into the payload."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: FieldPath


class Drop(Step):
    """Remove a field the target version does not have."""

    op: Literal["drop"] = "drop"


class Add(Step):
    """Set a field the target version needs, when the payload lacks it."""

    op: Literal["add"] = "add"
    default: Any


class Rename(Step):
    """Move a field to its new name."""

    op: Literal["rename"] = "rename"
    to: FieldPath


class MapValues(Step):
    """Replace values through a table (e.g. an enum value renamed); others pass unchanged."""

    op: Literal["map"] = "map"
    values: dict[str, Any]


AnyStep = Annotated[Drop | Add | Rename | MapValues, Field(discriminator="op")]


class ConverterDeclaration(BaseModel):
    """How to turn one version's payload into another's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event: str
    source: str
    target: str
    steps: tuple[AnyStep, ...] = ()
    derived: bool = Field(default=False, description="Derived from the schemas, not declared.")

    def apply(self, data: dict) -> dict:
        """Run the steps on a copy of `data`."""
        return apply_steps(self.steps, data)


def _parent(data: dict, path: str, create: bool) -> tuple[dict | None, str]:
    """The dict holding the last segment of a dotted path, and that segment."""
    *parents, leaf = path.split(".")
    node = data
    for name in parents:
        child = node.get(name)
        if not isinstance(child, dict):
            if not create:
                return None, leaf
            child = node[name] = {}
        node = child
    return node, leaf


def apply_steps(steps, data: dict) -> dict:
    """Apply converter steps in order to a deep copy of `data`."""
    out = copy.deepcopy(data)
    for step in steps:
        node, leaf = _parent(out, step.field, create=isinstance(step, Add))
        if node is None:
            continue
        if isinstance(step, Drop):
            node.pop(leaf, None)
        elif isinstance(step, Add):
            node.setdefault(leaf, copy.deepcopy(step.default))
        elif isinstance(step, Rename) and leaf in node:
            value = node.pop(leaf)
            target, target_leaf = _parent(out, step.to, create=True)
            target[target_leaf] = value
        elif isinstance(step, MapValues) and leaf in node:
            key = node[leaf]
            if isinstance(key, str) and key in step.values:
                node[leaf] = step.values[key]
    return out


def derive(event: str, source: str, target: str, source_schema: dict, target_schema: dict):
    """Derive a converter when every change is compatible for a target reader, else None."""
    report = compare(source_schema, target_schema)
    # A target-version reader reads source-version data: that is the report's "backward".
    if not report.backward_compatible:
        return None
    src = canonical(source_schema).get("properties", {})
    dst = canonical(target_schema).get("properties", {})
    steps: list[Step] = [Drop(field=name) for name in sorted(src.keys() - dst.keys())]
    for name in sorted(dst.keys() - src.keys()):
        default = dst[name].get("default")
        if default is not None:
            steps.append(Add(field=name, default=default))
    return ConverterDeclaration(
        event=event, source=source, target=target, steps=tuple(steps), derived=True
    )


class Converters:
    """Every converter of a registry: declared ones first, derived ones between neighbours."""

    def __init__(self, registry):
        self._edges: dict[str, dict[str, dict[str, ConverterDeclaration]]] = {}
        for declaration in registry.declared_converters():
            self._add(declaration)
        for event in registry.events():
            versions = registry.versions(event)
            for older, newer in pairwise(versions):
                for source, target in ((older, newer), (newer, older)):
                    if target in self._edges.get(event, {}).get(source, {}):
                        continue
                    derived = derive(
                        event,
                        source,
                        target,
                        registry.schema(event, source),
                        registry.schema(event, target),
                    )
                    if derived is not None:
                        self._add(derived)

    def _add(self, declaration: ConverterDeclaration) -> None:
        by_source = self._edges.setdefault(declaration.event, {})
        by_source.setdefault(declaration.source, {})[declaration.target] = declaration

    def declarations(self) -> list[ConverterDeclaration]:
        """Every direct converter, sorted."""
        return sorted(
            (
                d
                for by_source in self._edges.values()
                for t in by_source.values()
                for d in t.values()
            ),
            key=lambda d: (d.event, d.source, d.target),
        )

    def path(self, event: str, source: str, target: str) -> list[ConverterDeclaration]:
        """The shortest chain of converters from `source` to `target`; NoConversionPath if none."""
        if source == target:
            return []
        graph = self._edges.get(event, {})
        previous: dict[str, ConverterDeclaration] = {}
        queue = deque([source])
        while queue:
            version = queue.popleft()
            for nxt, declaration in sorted(graph.get(version, {}).items()):
                if nxt in previous or nxt == source:
                    continue
                previous[nxt] = declaration
                if nxt == target:
                    chain = [declaration]
                    while chain[0].source != source:
                        chain.insert(0, previous[chain[0].source])
                    return chain
                queue.append(nxt)
        raise NoConversionPath(event, source, target)

    def can_convert(self, event: str, source: str, target: str) -> bool:
        """Whether some chain leads from `source` to `target`."""
        try:
            self.path(event, source, target)
        except NoConversionPath:
            return False
        return True

    def convert(self, event: str, data: dict, source: str, target: str) -> dict:
        """Convert a payload along the shortest chain; NoConversionPath if there is none."""
        out = data
        for declaration in self.path(event, source, target):
            out = declaration.apply(out)
        return copy.deepcopy(out) if out is data else out

    def export(self) -> list[dict]:
        """Every direct converter as JSON-ready data, for the browser."""
        return [d.model_dump(mode="json") for d in self.declarations()]
