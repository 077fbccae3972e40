"""Semantic version strings: parsing and ordering."""

from functools import total_ordering


@total_ordering
class Version:
    """A MAJOR.MINOR.PATCH version that sorts numerically."""

    __slots__ = ("major", "minor", "patch")

    def __init__(self, text: str):
        parts = text.split(".")
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            raise ValueError(f"not a MAJOR.MINOR.PATCH version: {text!r}")
        self.major, self.minor, self.patch = (int(p) for p in parts)

    def _key(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self._key() == other._key()

    def __lt__(self, other: "Version") -> bool:
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    __repr__ = __str__


def sort_versions(versions) -> list[str]:
    """Return version strings oldest first."""
    return sorted(versions, key=Version)
