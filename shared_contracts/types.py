"""Constrained field types shared by every contract.

Everything here is strict: JSON `"2"` is not `2`, `true` is not `1`, and `NaN`/`Infinity`
never pass. Bounds keep numbers inside what JavaScript represents exactly (±2^53).
"""

from typing import Annotated

from pydantic import Field, StringConstraints

MAX_SAFE_INTEGER = 2**53 - 1

# Identifiers travel through URLs and HTML attributes, so they stay plain ASCII.
Identifier = Annotated[
    str,
    StringConstraints(
        strict=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
    ),
]
Uuid = Annotated[
    str,
    StringConstraints(
        strict=True,
        pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    ),
]
AppName = Annotated[
    str, StringConstraints(strict=True, min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9-]*$")
]
EventName = Annotated[
    str,
    StringConstraints(
        strict=True, min_length=3, max_length=64, pattern=r"^[a-z][a-z-]*(:[a-z][a-z-]*)+$"
    ),
]
SemVer = Annotated[
    str,
    StringConstraints(
        strict=True, max_length=32, pattern=r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$"
    ),
]
Quantity = Annotated[int, Field(strict=True, ge=1, le=999)]
Count = Annotated[int, Field(strict=True, ge=0, le=1_000_000)]
# A price or an amount in the shop's currency; checkout turns it into integer cents.
Money = Annotated[float, Field(strict=True, ge=0, le=1_000_000, allow_inf_nan=False)]
Milliseconds = Annotated[int, Field(strict=True, ge=0, le=MAX_SAFE_INTEGER)]
PromoCode = Annotated[
    str,
    StringConstraints(strict=True, min_length=1, max_length=32, pattern=r"^[A-Z0-9][A-Z0-9-]*$"),
]
Duration = Annotated[int, Field(strict=True, ge=500, le=60_000)]
Message = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=500)]
