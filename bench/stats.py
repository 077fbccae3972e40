"""Percentiles and the one shape every figure of the benchmark takes."""

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        return float(ordered[0])
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))


def summary(values: Sequence[float]) -> dict:
    """p50, p95 and p99 of a sample."""
    return {f"p{q}": percentile(values, q) for q in (50, 95, 99)}


def figure(
    section: str,
    name: str,
    unit: str,
    samples: int,
    *,
    value: float | None = None,
    distribution: Sequence[float] | None = None,
    target: str | None = None,
    meets: bool | None = None,
    note: str | None = None,
    **extra,
) -> dict:
    """One measured figure: value and/or p50/p95/p99, its unit and sample count.

    `samples` is the number of observations behind it (events, loads, requests, bursts);
    when a distribution is given, `batches` says how many values the percentiles are over.
    """
    result: dict = {"section": section, "name": name, "unit": unit, "samples": samples}
    if distribution is not None:
        result.update(summary(distribution))
        if value is None:
            value = result["p50"]
    result["value"] = value
    if target is not None:
        result["target"] = target
        result["meets"] = meets
    if note:
        result["note"] = note
    result.update(extra)
    return result


def ratio(a: float | None, b: float | None) -> float | None:
    """a / b, or None when either is missing or b is zero."""
    if a is None or b is None or b == 0:
        return None
    return a / b
