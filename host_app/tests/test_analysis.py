"""The canary analysis as pure functions: counts in, pass/fail/inconclusive out; and the tally
that makes counts out of what pages log."""

import pytest

from host_app.analysis import Counts, Options, Tally, judge, next_move

OPTIONS = Options(interval=1, threshold=5, min_events=10, failures=2, passes=3)


@pytest.mark.parametrize(
    ("canary", "stable", "outcome"),
    [
        (Counts(samples=9, rejected=9), Counts(samples=100), "inconclusive"),
        (Counts(samples=10), Counts(samples=100), "passed"),
        (Counts(samples=20, rejected=1), Counts(samples=100), "passed"),
        (Counts(samples=20, rejected=2), Counts(samples=100), "failed"),
        (Counts(samples=20, refused=1, fallbacks=1), Counts(samples=100), "failed"),
        (Counts(samples=20, failed_handshakes=2), Counts(samples=100), "failed"),
        # Against a stable release that fails as often, the same canary passes.
        (Counts(samples=20, rejected=2), Counts(samples=20, fallbacks=1), "passed"),
        # No stable samples: the baseline is no failures at all.
        (Counts(samples=10, rejected=1), Counts(), "failed"),
    ],
)
def test_judge(canary, stable, outcome):
    """Inconclusive under min_events; failed when over stable's rate by more than threshold."""
    check = judge(canary, stable, OPTIONS)
    assert check.outcome == outcome, check.reason


def test_judge_names_the_figures():
    """The reason of a failed check says both rates and the threshold."""
    check = judge(Counts(samples=8, rejected=4), Counts(samples=6), Options(min_events=5))
    assert check.outcome == "failed"
    assert "50.0% (4 of 8)" in check.reason and "0.0% (0 of 6)" in check.reason
    assert "5-point threshold" in check.reason


def test_rate_is_failures_per_sample():
    """A rate is failures over samples, 0 without samples, never above 1."""
    assert Counts().rate == 0.0
    assert Counts(samples=4, refused=1).rate == 0.25
    assert Counts(samples=1, rejected=1, fallbacks=1).rate == 1.0
    assert Counts(samples=4, failed_handshakes=1).to_dict()["failedHandshakes"] == 1


@pytest.mark.parametrize(
    ("outcome", "passed", "failed", "last", "move"),
    [
        ("failed", 0, 1, False, "hold"),
        ("failed", 0, 2, False, "abort"),
        ("failed", 5, 2, True, "abort"),
        ("inconclusive", 2, 1, True, "hold"),
        ("passed", 1, 0, False, "step"),
        ("passed", 2, 0, True, "hold"),
        ("passed", 3, 1, True, "promote"),
    ],
)
def test_next_move(outcome, passed, failed, last, move):
    """Abort at the failure limit; a pass steps up, or promotes at the last step with enough."""
    assert next_move(outcome, passed, failed, last, OPTIONS) == move


def test_options_round_trip_through_the_api_names():
    """The deploy API's names (minEvents) map onto the options."""
    options = Options.from_dict({"interval": 2.5, "minEvents": 4})
    assert (options.interval, options.min_events, options.passes) == (2.5, 4, 3)
    assert Options.from_dict(options.to_dict()) == options


def emit(release, verdict="accepted", event_id="e1", app="products"):
    return {"type": "emit", "app": app, "release": release, "id": event_id, "verdict": verdict}


def test_tally_counts_what_pages_report_per_release():
    """Emits, refusals, rejections (by the sender's id), fallbacks and refused handshakes."""
    tally = Tally()
    tally.watch(["products"])
    tally.observe(
        [
            {"type": "hello", "app": "products", "release": 2, "verdict": "welcomed"},
            emit(2, event_id="a"),
            emit(2, event_id="a", verdict="duplicate"),
            emit(2, verdict="invalid", event_id="b"),
            emit(1, event_id="c"),
            {
                "type": "ack",
                "app": "checkout",
                "release": 1,
                "id": "a",
                "rejected": "price-mismatch",
            },
            {"type": "ack", "app": "checkout", "release": 1, "id": "c"},
            {"type": "unavailable", "app": "products", "release": 1},
            {"type": "refused", "app": "products", "release": 2, "verdict": "wrong-origin"},
            {"type": "refused", "origin": "http://evil", "verdict": "unknown-source"},
            emit(1, app="checkout", event_id="d"),
        ]
    )
    counts = tally.take("products")
    assert counts[2] == Counts(samples=4, refused=1, rejected=1, failed_handshakes=1)
    assert counts[1] == Counts(samples=2, fallbacks=1)
    assert tally.take("products") == {}
    assert tally.take("checkout") == {}


def test_tally_counts_nothing_unwatched():
    """Before `watch` (no auto rollout), batches are not counted at all."""
    tally = Tally()
    tally.observe([emit(2, verdict="invalid")])
    tally.watch(["products"])
    assert tally.take("products") == {}
