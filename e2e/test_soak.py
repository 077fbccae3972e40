"""The chaos soak: a short seeded run in `make test`, and the pieces it judges with."""

import json
import sqlite3
import subprocess
import sys
from collections import Counter

import pytest

from e2e.processes import REPOSITORY
from e2e.soak import invariants
from e2e.soak.chaos import draw_schedule
from e2e.soak.invariants import trace_adds
from e2e.soak.record import ShopperRecord


def test_the_same_seed_draws_the_same_faults():
    assert draw_schedule(7, 120) == draw_schedule(7, 120)
    assert draw_schedule(7, 120) != draw_schedule(8, 120)
    kinds = {step.action for step in draw_schedule(7, 120)}
    assert {"kill", "start", "chaos", "deploy"} <= kinds


def test_every_fault_is_healed_before_the_end():
    steps = draw_schedule(3, 60)
    for step in steps:
        assert step.at < 60
    killed = Counter(s.target for s in steps if s.action == "kill")
    started = Counter(s.target for s in steps if s.action == "start")
    assert killed == started


def test_the_record_counts_lost_and_doubled_units():
    record = ShopperRecord("a")
    record.added("mug", 2, accepted=True)
    record.added("kettle", 1, accepted=True)
    record.added("beans", 3, accepted=False)
    record.added("scale", 1, accepted=None)
    assert record.compare({"mug": 2, "kettle": 1}) == (0, 0)
    assert record.compare({"mug": 2, "kettle": 1, "scale": 1}) == (0, 0)
    assert record.compare({"mug": 1, "kettle": 1}) == (1, 0)
    assert record.compare({"mug": 4, "kettle": 1, "beans": 3, "scale": 2}) == (0, 6)


def test_an_uncertain_add_seen_in_full_becomes_certain():
    record = ShopperRecord("a")
    record.added("mug", 1, accepted=True)
    record.added("mug", 2, accepted=None)
    assert not record.settled({"mug": 3})
    record.resolve({"mug": 3})
    assert record.settled({"mug": 3})


def test_a_removal_not_seen_through_allows_either_outcome_and_blocks_orders():
    """Seed 397982 reported 3 units lost: a removal clicked while checkout was slow landed after
    the soak had given up on it, and the soak had counted the line as still there."""
    record = ShopperRecord("a")
    record.added("dripper", 3, accepted=True)
    record.removal_unknown("dripper")
    record.added("dripper", 2, accepted=True)
    assert record.compare({"dripper": 2}) == (0, 0)
    assert record.compare({"dripper": 5}) == (0, 0)
    assert record.compare({"dripper": 1}) == (1, 0)
    assert record.compare({"dripper": 6}) == (0, 1)
    # Another add since: the cart cannot say which happened, so no order until it can.
    record.resolve({"dripper": 2})
    assert not record.settled({"dripper": 2})


def test_a_maybe_removed_line_the_cart_no_longer_holds_was_removed():
    record = ShopperRecord("a")
    record.added("mug", 1, accepted=True)
    record.added("kettle", 2, accepted=True)
    record.removal_unknown("kettle")
    record.resolve({"mug": 1, "kettle": 2})
    assert not record.settled({"mug": 1, "kettle": 2})
    record.resolve({"mug": 1})
    assert record.settled({"mug": 1})
    assert record.compare({"mug": 1, "kettle": 2}) == (0, 2)


def test_a_trace_names_the_carts_each_accepted_add_reached(tmp_path):
    """A lost unit's report says whether checkout ever applied its event, and to which cart."""
    (tmp_path / "checkout").mkdir()
    with sqlite3.connect(tmp_path / "checkout" / "checkout.sqlite3") as db:
        db.execute("CREATE TABLE applied_events (cart_id TEXT, event_id TEXT)")
        db.executemany(
            "INSERT INTO applied_events VALUES (?, ?)", [("cart-a", "e1"), ("cart-b", "e1")]
        )
    record = ShopperRecord("a")
    record.history = [
        ("mug", 2, "Added 2", "e1"),
        ("kettle", 1, "Added 1", "e2"),
        ("beans", 1, "", None),
        ("scale", 1, "Not added: invalid", None),
        # Accepted, but the frame was swapped before its id could be read.
        ("grinder", 3, "Added 3", None),
    ]
    assert trace_adds(tmp_path, record) == [
        {"product": "mug", "quantity": 2, "id": "e1", "applied_to": ["cart-a", "cart-b"]},
        {"product": "kettle", "quantity": 1, "id": "e2", "applied_to": []},
        {"product": "grinder", "quantity": 3, "id": None, "applied_to": None},
    ]


class TailingShop:
    """`mfe events tail --json --count N` over a host log that went on after the soak's read:
    the replay is the newest 1,000 entries, hellos are skipped, and a count beyond what the
    replay holds waits (here: fails at once, where the real command would time out)."""

    def __init__(self, log: list[dict]):
        self.log = log

    def mfe(self, *args: str) -> subprocess.CompletedProcess:
        count = int(args[args.index("--count") + 1])
        replay = [e for e in self.log[-1000:] if e["type"] != "hello"]
        if count > len(replay):
            raise subprocess.TimeoutExpired(["mfe", *args], 60)
        lines = "".join(json.dumps(e) + "\n" for e in replay[:count])
        return subprocess.CompletedProcess(args, 0, lines, "")


def test_the_log_check_never_waits_for_entries_pushed_out_of_the_replay():
    """Seed 20261206 on the headless shell: 1,000 entries read, then pages said hello, and
    `events tail --count` waited for entries the replay no longer held."""
    log = [{"seq": n, "type": "emit" if n % 50 else "hello"} for n in range(1, 1201)]
    logged = [dict(e) for e in log[-1000:] if e["type"] != "hello"]
    log += [{"seq": n, "type": "hello"} for n in range(1201, 1221)]
    assert invariants.check_logs(TailingShop(log), logged) == []
    # A tail that tells another story is still caught.
    log[499]["type"] = "ack"
    assert invariants.check_logs(TailingShop(log), logged) != []


# Twenty seconds drawn to hold every kind of fault but a reload: the host killed twice, the
# live products release killed while products is in chaos `down` (its restart must not wait
# for a health it cannot have), a deploy and a canary decided.
SEED, MINUTES = "20262494", "0.34"


@pytest.mark.browser
def test_a_short_soak_loses_nothing_and_doubles_nothing(tmp_path):
    """A short soak under a fixed schedule of kills, outages, deploys and a canary: every fault
    applied, nothing lost, nothing doubled."""
    report = tmp_path / "soak.json"
    options = ["--minutes", MINUTES, "--shoppers", "2", "--seed", SEED, "--report", str(report)]
    result = subprocess.run(
        [sys.executable, "-m", "e2e.soak", *options],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(report.read_text())
    assert figures["lost"] == 0 and figures["doubled"] == 0
    assert figures["adds"] > 0
    assert figures["chaos_not_applied"] == [], figures["chaos_not_applied"]
    assert figures["kills"] == 3 and figures["restarts"] >= 3, figures
    assert figures["chaos"] == 2 and figures["deploys"] >= 1 and figures["canaries"] == 1, figures
    assert "lost 0, doubled 0" in result.stdout
