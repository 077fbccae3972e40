"""Canary analysis: what pages report over the WebSocket, counted per release, and the verdict.

Every emit and every attempt to connect a frame is a *sample* of a release; a sample fails
when the emit was refused, when a consumer rejected the event, when the frame's fallback was
shown or when its handshake was refused. A check compares the canary's failure rate with the
stable release's over one interval. The functions that decide are pure: counts in, verdict out.
"""

import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass

# Emits the host accepted or saw again: the rest were refused.
ACCEPTED = ("accepted", "duplicate")
# How many recent emit ids are kept to find who sent an event a consumer rejected.
REMEMBERED_IDS = 20000


@dataclass
class Counts:
    """One release's samples and failures over one interval."""

    samples: int = 0
    refused: int = 0
    rejected: int = 0
    fallbacks: int = 0
    failed_handshakes: int = 0

    @property
    def failures(self) -> int:
        """Every failed sample, whatever its kind."""
        return self.refused + self.rejected + self.fallbacks + self.failed_handshakes

    @property
    def rate(self) -> float:
        """Failures per sample (0 without samples)."""
        return min(1.0, self.failures / self.samples) if self.samples else 0.0

    def to_dict(self) -> dict:
        """JSON-ready form, with the totals."""
        figures = asdict(self)
        figures["failedHandshakes"] = figures.pop("failed_handshakes")
        return {**figures, "failures": self.failures, "rate": round(self.rate, 4)}


@dataclass(frozen=True)
class Options:
    """How a rollout is analysed: every `interval` seconds, against `threshold` points."""

    interval: float = 30.0
    threshold: float = 5.0
    min_events: int = 20
    failures: int = 2
    passes: int = 3

    def to_dict(self) -> dict:
        """The options as the deploy API names them."""
        return {
            "interval": self.interval,
            "threshold": self.threshold,
            "minEvents": self.min_events,
            "failures": self.failures,
            "passes": self.passes,
        }

    @classmethod
    def from_dict(cls, values: dict) -> "Options":
        """Options from the API's names; a missing one keeps its default."""
        names = {"minEvents": "min_events"}
        return cls(**{names.get(key, key): value for key, value in values.items()})


@dataclass(frozen=True)
class Check:
    """The verdict of one check: `passed`, `failed` or `inconclusive`, and why."""

    outcome: str
    reason: str


def judge(canary: Counts, stable: Counts, options: Options) -> Check:
    """Compare one interval's counts: too few canary samples is inconclusive; otherwise the
    canary fails when its failure rate is more than `threshold` points over the stable's."""
    if canary.samples < options.min_events:
        return Check(
            "inconclusive",
            f"the canary had {canary.samples} event(s) this interval, "
            f"fewer than the {options.min_events} a check needs",
        )
    # A stable release with no samples is held to no failures at all: the strictest baseline.
    over = (canary.rate - stable.rate) * 100
    figures = (
        f"canary {canary.rate:.1%} ({canary.failures} of {canary.samples}) against stable "
        f"{stable.rate:.1%} ({stable.failures} of {stable.samples})"
    )
    if over > options.threshold:
        return Check("failed", f"{figures}: over the {options.threshold:g}-point threshold")
    return Check("passed", f"{figures}: within the {options.threshold:g}-point threshold")


def next_move(outcome: str, passed: int, failed: int, last_step: bool, options: Options) -> str:
    """What a rollout does after a check (`passed`/`failed` count it already): `abort` at the
    failure limit; on a pass `step` up, or `promote` at the last step after enough passes;
    else `hold`."""
    if outcome == "failed" and failed >= options.failures:
        return "abort"
    if outcome != "passed":
        return "hold"
    if not last_step:
        return "step"
    return "promote" if passed >= options.passes else "hold"


class Tally:
    """Counts per (app, release) of the apps being watched, since each app's last `take`."""

    def __init__(self):
        self._lock = threading.Lock()
        self._watched: frozenset[str] = frozenset()
        self._counts: dict[tuple[str, int], Counts] = {}
        self._senders: OrderedDict[str, tuple[str, int]] = OrderedDict()

    def watch(self, apps) -> None:
        """Count only these apps from now on (the others' counts are dropped)."""
        with self._lock:
            self._watched = frozenset(apps)
            self._counts = {k: v for k, v in self._counts.items() if k[0] in self._watched}

    def take(self, app: str) -> dict[int, Counts]:
        """The counts of `app` by release since the last take; counting starts again."""
        with self._lock:
            taken = {rel: c for (name, rel), c in self._counts.items() if name == app}
            for release in taken:
                del self._counts[(app, release)]
        return taken

    def observe(self, entries: list[dict]) -> None:
        """Count a batch of the event log (the listener of every batch)."""
        if not self._watched:
            return
        with self._lock:
            for entry in entries:
                self._count(entry)

    def _of(self, app, release) -> Counts | None:
        if app not in self._watched or type(release) is not int:
            return None
        return self._counts.setdefault((app, release), Counts())

    def _count(self, entry: dict) -> None:
        kind = entry.get("type")
        app, release = entry.get("app"), entry.get("release")
        if kind == "ack":
            # A rejected event counts against the release that sent it, found by its id.
            sender = self._senders.get(entry.get("id")) if entry.get("rejected") else None
            counts = self._of(*sender) if sender else None
            if counts is not None:
                counts.rejected += 1
            return
        counts = self._of(app, release)
        if counts is None:
            return
        if kind == "emit":
            verdict = entry.get("verdict")
            if verdict == "duplicate":
                return
            counts.samples += 1
            if verdict not in ACCEPTED:
                counts.refused += 1
            elif isinstance(entry.get("id"), str):
                self._remember(entry["id"], (app, release))
        elif kind == "hello":
            counts.samples += 1
        elif kind == "unavailable":
            counts.samples += 1
            counts.fallbacks += 1
        elif kind == "refused":
            counts.samples += 1
            counts.failed_handshakes += 1

    def _remember(self, event_id: str, sender: tuple[str, int]) -> None:
        self._senders[event_id] = sender
        if len(self._senders) > REMEMBERED_IDS:
            self._senders.popitem(last=False)
