"""The workshop's labs: titles, timing, and where each one's data lives under docs/workshop/."""

from dataclasses import dataclass
from pathlib import Path

from mfe_platform import settings

WORKSHOP = settings.REPOSITORY / "docs" / "workshop"


@dataclass(frozen=True)
class Lab:
    """One lab: its page, its minutes and, from lab 2 on, a coding task."""

    number: int
    title: str
    minutes: int
    page: str
    task: str = ""
    optional: bool = False

    @property
    def folder(self) -> Path:
        """`docs/workshop/labN/`: start.patch, solution.patch (if any), check.py, solve.py."""
        return WORKSHOP / f"lab{self.number}"

    def data(self, name: str) -> Path | None:
        """One of the lab's data files, or None when the lab has none of that name."""
        path = self.folder / name
        return path if path.is_file() else None


LABS = (
    Lab(1, "Run it and take the tour", 10, "lab1-tour.md"),
    Lab(2, "The wrong way", 15, "lab2-wrong-way.md", "make checkout's handler contract-safe"),
    Lab(3, "Typed contracts", 10, "lab3-typed-contracts.md", "write a model from its contract"),
    Lab(
        4,
        "Bring your own release",
        20,
        "lab4-independent-deploy.md",
        "fix your release until it may deploy, then deploy it",
    ),
    Lab(
        5,
        "Evolve a contract",
        25,
        "lab5-evolve-a-contract.md",
        "publish an optional field; a rename with its converter",
    ),
    Lab(6, "Dual emit", 15, "lab6-dual-emit.md", "deduplicate by event id", optional=True),
    Lab(
        7,
        "Attack it, and a shared service",
        15,
        "lab7-attack.md",
        "close a hole in the origin check; call a shared service",
        optional=True,
    ),
    Lab(
        8,
        "Failure, and tests of your own",
        15,
        "lab8-failure.md",
        "write a contract test and a Playwright test",
        optional=True,
    ),
    Lab(
        9,
        "A canary catches what contracts cannot",
        15,
        "lab9-canary.md",
        "make the canary analysis count rejections and fail a worse canary",
        optional=True,
    ),
)


def lab(number: int) -> Lab:
    """Lab `number`; ValueError naming the labs there are."""
    for candidate in LABS:
        if candidate.number == number:
            return candidate
    raise ValueError(f"there is no lab {number}: the labs are 1 to {len(LABS)}")
