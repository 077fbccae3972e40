"""The base class of every event's data model."""

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

# Keys that would reach Object.prototype if a JavaScript consumer merged a payload naively;
# the browser validator refuses them too (shared test vectors prove the two agree).
FORBIDDEN_KEYS = frozenset({"__proto__", "constructor", "prototype"})
MAX_UNKNOWN_DEPTH = 32


def unsafe_paths(value: Any, path: str, depth: int = 0) -> list[str]:
    """Paths inside an unknown field that hold a forbidden key or nest too deeply."""
    if depth > MAX_UNKNOWN_DEPTH:
        return [f"{path} (nested too deeply)"]
    found = []
    if isinstance(value, dict):
        for key, child in value.items():
            if key in FORBIDDEN_KEYS:
                found.append(f"{path}.{key}")
            else:
                found.extend(unsafe_paths(child, f"{path}.{key}", depth + 1))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(unsafe_paths(child, f"{path}[{index}]", depth + 1))
    return found


class EventData(BaseModel):
    """Payload of one (event, version); readers ignore fields they do not know."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def refuse_unsafe_keys(cls, data: Any) -> Any:
        """Ignored fields must still be plain, safe JSON: no prototype keys, bounded nesting."""
        if isinstance(data, dict):
            problems = []
            for key, value in data.items():
                if key in FORBIDDEN_KEYS:
                    problems.append(f"$.{key}")
                elif key not in cls.model_fields:
                    problems.extend(unsafe_paths(value, f"$.{key}"))
            if problems:
                raise ValueError(f"forbidden key or nesting at {', '.join(problems[:5])}")
        return data
