"""Human-readable field listings of a JSON Schema, for `mfe contracts show` and the docs page."""

from dataclasses import dataclass

from shared_contracts.schemas import resolve_refs

CONSTRAINT_KEYWORDS = (
    ("minimum", ">= {}"),
    ("exclusiveMinimum", "> {}"),
    ("maximum", "<= {}"),
    ("exclusiveMaximum", "< {}"),
    ("minLength", "length >= {}"),
    ("maxLength", "length <= {}"),
    ("pattern", "matches {}"),
    ("minItems", "items >= {}"),
    ("maxItems", "items <= {}"),
)


@dataclass(frozen=True)
class FieldDoc:
    """One documented field."""

    path: str
    type: str
    required: bool
    constraints: str
    description: str
    default: object = None
    # Still sent and read, but on its way out (the chapter's fix for a removed field: deprecate
    # it first, remove it in the next major). JSON Schema's `deprecated`, an annotation only.
    deprecated: bool = False


def _type_and_node(node: dict) -> tuple[str, dict]:
    """The type label of a schema node, unwrapping pydantic's `anyOf [X, null]`."""
    options = node.get("anyOf")
    if options:
        labels = [_type_and_node(o)[0] for o in options]
        inner = next((o for o in options if o.get("type") != "null"), node)
        return " | ".join(labels), inner
    if "enum" in node:
        return " | ".join(repr(v) if isinstance(v, str) else str(v) for v in node["enum"]), node
    kind = node.get("type", "any")
    return (" | ".join(kind) if isinstance(kind, list) else kind), node


def describe_fields(schema: dict, prefix: str = "") -> list[FieldDoc]:
    """Every property (nested ones as dotted paths) with type, constraints and description."""
    schema = resolve_refs(schema)
    required = set(schema.get("required", []))
    docs = []
    for name, node in schema.get("properties", {}).items():
        label, inner = _type_and_node(node)
        constraints = ", ".join(
            fmt.format(inner[k]) for k, fmt in CONSTRAINT_KEYWORDS if k in inner
        )
        path = f"{prefix}{name}"
        docs.append(
            FieldDoc(
                path,
                label,
                name in required,
                constraints,
                node.get("description", ""),
                node.get("default"),
                node.get("deprecated") is True or inner.get("deprecated") is True,
            )
        )
        if inner.get("type") == "object":
            docs.extend(describe_fields(inner, prefix=f"{path}."))
    return docs
